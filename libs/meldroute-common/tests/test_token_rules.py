"""Token rules in-process: every odd token is a 401 (never a 500), PS256 beside RS256, a bounded LRU cache,
a maximum lifetime, and scopes and organisation claims read from the provider's own claim names."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meldroute_common.app import build_app
from meldroute_common.auth import Claims, SignalenAanmaken
from meldroute_common.codering import encode_b64url
from meldroute_common.devissuer import DevIssuer, rsa_jwk
from meldroute_common.jwt import MAX_TOKEN_BYTES, KeyStore, TokenError, TokenVerifier, sign_token
from meldroute_common.settings import Omgeving, ServiceSettings
from meldroute_dev.testing import FORGERIES, OVERSIZED, forge, running

AUD = "intake-api"
ODD = [*FORGERIES, OVERSIZED]


def _verifier(jwks: Path, issuer: str, **kwargs: Any) -> TokenVerifier:
    return TokenVerifier(
        keys=KeyStore(url=None, file=jwks, cache_seconds=60), issuer=issuer, audience=AUD, **kwargs
    )


def _claims(issuer: str, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": issuer,
        "aud": AUD,
        "sub": "u1",
        "iat": now,
        "exp": now + 300,
        "scope": "signalen:aanmaken",
        **extra,
    }


@pytest.fixture(scope="module")
def pss_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Path]:
    """An RSA key published with `alg: PS256` beside the same key material published without `alg`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    jwk = rsa_jwk(key.public_key())
    bare = {k: v for k, v in jwk.items() if k != "alg"}
    jwks = tmp_path_factory.mktemp("pss") / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "alg": "PS256"}, {**bare, "kid": "rsa-zonder-alg"}]}))
    return pem, jwk["kid"], jwks


@pytest.mark.parametrize("kind", ODD)
async def test_every_odd_token_is_refused_as_a_token_error(
    kind: str, issuer: DevIssuer, local_dir: Path
) -> None:
    verifier = _verifier(local_dir / "keys" / "jwks.json", issuer.issuer)
    token = forge(kind, issuer=issuer, audience=AUD, scope="signalen:aanmaken")
    with pytest.raises(TokenError):
        await verifier.verify(token)


async def test_the_odd_tokens_are_401_problems_from_a_service(
    issuer: DevIssuer, local_dir: Path, tmp_path: Path
) -> None:
    router = APIRouter()

    @router.get("/iets", operation_id="iets")
    async def iets(claims: SignalenAanmaken) -> dict[str, str]:
        return {"sub": claims.sub}

    settings = ServiceSettings(
        service_name=AUD, env=Omgeving.test, local_dir=local_dir,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite3'}",
    )  # fmt: skip
    app = build_app(
        settings=settings, title="t", summary="t", description="t", version="1.0.0", routers=[router]
    )
    async with running(app) as client:
        for algorithm in ("RS256", "PS256"):  # the controls: genuine tokens on both paths pass
            genuine = issuer.mint(rol="melder", audience=AUD, algorithm=algorithm)
            response = await client.get("/v1/iets", headers={"Authorization": f"Bearer {genuine}"})
            assert response.status_code == 200, algorithm
        for kind in ODD:
            token = forge(kind, issuer=issuer, audience=AUD, scope="signalen:aanmaken")
            response = await client.get("/v1/iets", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, (kind, response.text[:200])
            assert response.headers["content-type"].startswith("application/problem+json"), kind


async def test_the_size_limit_is_16_kib(issuer: DevIssuer, local_dir: Path) -> None:
    verifier = _verifier(local_dir / "keys" / "jwks.json", issuer.issuer)
    base = issuer.mint(rol="melder", audience=AUD, extra={"opvulling": ""})
    room = MAX_TOKEN_BYTES - len(base)
    # Base64 makes 3 bytes 4 characters: pad to just under, then just over, the limit.
    just_under = issuer.mint(rol="melder", audience=AUD, extra={"opvulling": "x" * (room * 3 // 4 - 3)})
    assert len(just_under) <= MAX_TOKEN_BYTES
    assert (await verifier.verify(just_under))["sub"]
    just_over = issuer.mint(rol="melder", audience=AUD, extra={"opvulling": "x" * (room * 3 // 4 + 6)})
    assert len(just_over) > MAX_TOKEN_BYTES
    with pytest.raises(TokenError, match="te groot"):
        await verifier.verify(just_over)


async def test_lifetime_and_iat_bounds(issuer: DevIssuer, local_dir: Path) -> None:
    verifier = _verifier(local_dir / "keys" / "jwks.json", issuer.issuer, max_lifetime=600)
    now = int(time.time())

    def token(**claims: Any) -> str:
        return sign_token(
            claims=_claims(issuer.issuer, **claims), private_key_pem=issuer.private_key_pem, kid=issuer.kid
        )

    assert await verifier.verify(token(iat=now, exp=now + 600))
    assert await verifier.verify(token(iat=now + 20, exp=now + 300))  # within the 30 s leeway
    for claims, reason in (
        ({"iat": now, "exp": now + 601}, "te lang"),
        ({"iat": now + 60, "exp": now + 300}, "iat"),
        ({"iat": now, "exp": now}, "uitgifte"),
        ({"iat": now - 100, "exp": now - 40}, "verlopen"),
        ({"iat": 10**18, "exp": 10**18 + 1}, "tijdstip"),
    ):
        with pytest.raises(TokenError, match=reason):
            await verifier.verify(token(**claims))


def test_the_maximum_lifetime_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert ServiceSettings(local_dir=tmp_path).max_token_seconds == 3600
    monkeypatch.setenv("MELDROUTE_MAX_TOKEN_SECONDS", "900")
    assert ServiceSettings(local_dir=tmp_path).max_token_seconds == 900


async def test_ps256_verifies_against_a_ps256_key_and_nowhere_else(
    pss_key: tuple[str, str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    pem, kid, jwks = pss_key
    issuer = "https://idp.example"
    verifier = _verifier(jwks, issuer)
    claims = _claims(issuer)
    assert (
        await verifier.verify(sign_token(claims=claims, private_key_pem=pem, kid=kid, algorithm="PS256"))
    )["sub"]
    mismatches = (
        sign_token(claims=claims, private_key_pem=pem, kid=kid, algorithm="RS256"),  # RS256 on the PS256 key
        sign_token(
            claims=claims, private_key_pem=pem, kid="rsa-zonder-alg", algorithm="PS256"
        ),  # PS256 on RS256
    )
    for token in mismatches:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="meldroute.jwt"), pytest.raises(TokenError) as refused:
            await verifier.verify(token)
        assert str(refused.value) == "algoritme past niet bij de sleutel"
        assert any(r.levelno == logging.WARNING and "does not fit" in r.getMessage() for r in caplog.records)
    # A PS256 signature over other claims, and all the claim checks, hold on the PSS path too.
    good = sign_token(claims=claims, private_key_pem=pem, kid=kid, algorithm="PS256")
    head, _body, signature = good.split(".")
    other = sign_token(claims={**claims, "sub": "u2"}, private_key_pem=pem, kid=kid, algorithm="PS256").split(
        "."
    )[1]
    with pytest.raises(TokenError, match="ongeldig"):
        await verifier.verify(f"{head}.{other}.{signature}")
    for bad, reason in (
        ({"aud": "reporting"}, "audience"),
        ({"iss": "https://x"}, "issuer"),
        ({"exp": 1}, "verlopen"),
    ):
        token = sign_token(claims={**claims, **bad}, private_key_pem=pem, kid=kid, algorithm="PS256")
        with pytest.raises(TokenError, match=reason):
            await verifier.verify(token)


async def test_the_cache_is_a_bounded_lru(issuer: DevIssuer, local_dir: Path) -> None:
    verifier = _verifier(local_dir / "keys" / "jwks.json", issuer.issuer, cache_max=2)
    a, b, c = (issuer.mint(rol="melder", audience=AUD, sub=f"u{n}") for n in range(3))
    first_a = await verifier.verify(a)
    await verifier.verify(b)
    assert await verifier.verify(a) is first_a  # a is now the most recently used
    await verifier.verify(c)  # evicts b, the least recently used, and nothing else
    assert len(verifier._cache) == 2
    assert await verifier.verify(a) is first_a
    first_b_again = await verifier.verify(b)
    assert first_b_again["sub"] == "u1" and len(verifier._cache) == 2


def test_scopes_and_organisation_claims_come_from_configured_claims() -> None:
    base = {"sub": "s", "exp": 1}
    assert Claims.from_token({**base, "scope": "a b"}).scopes == {"a", "b"}
    entra = {
        **base,
        "scp": "signalen:lezen signalen:aanmaken",
        "roles": ["intake:intern"],
        "scope": "genegeerd",
    }
    assert Claims.from_token(entra, scope_claims=("scp", "roles")).scopes == {
        "signalen:lezen", "signalen:aanmaken", "intake:intern",
    }  # fmt: skip
    assert Claims.from_token({**base, "scp": ["a", 3, "b c"]}, scope_claims=("scp",)).scopes == {"a"}
    custom = Claims.from_token(
        {**base, "gemeentecode": "GM1509", "org": "riec", "gemeente": "GM0000"},
        gemeente_claim="gemeentecode",
        organisatie_claim="org",
    )
    assert (custom.gemeente, custom.organisatie) == ("GM1509", "riec")


async def test_a_service_reads_scopes_from_the_configured_claim(
    issuer: DevIssuer, local_dir: Path, tmp_path: Path
) -> None:
    router = APIRouter()

    @router.get("/iets", operation_id="iets")
    async def iets(claims: SignalenAanmaken) -> dict[str, str | None]:
        return {"gemeente": claims.gemeente}

    def app(**settings: Any) -> Any:
        values: dict[str, Any] = {
            "service_name": AUD, "env": Omgeving.test, "local_dir": local_dir,
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite3'}", **settings,
        }  # fmt: skip
        return build_app(
            settings=ServiceSettings(**values),
            title="t",
            summary="t",
            description="t",
            version="1.0.0",
            routers=[router],
        )

    token = issuer.mint(
        rol="beleidsmedewerker", audience=AUD, extra={"scp": ["signalen:aanmaken"], "gc": "GM1859"}
    )
    kop = {"Authorization": f"Bearer {token}"}
    async with running(app()) as client:
        assert (await client.get("/v1/iets", headers=kop)).status_code == 403  # `scope` lacks it
    async with running(app(scope_claim="scp", gemeente_claim="gc")) as client:
        response = await client.get("/v1/iets", headers=kop)
        assert response.status_code == 200 and response.json() == {"gemeente": "GM1859"}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_HEADER_KEYS = st.sampled_from(["alg", "kid", "typ", "crit", "jku", "x5u", "b64"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.dictionaries(_HEADER_KEYS, _JSON, max_size=5),
    payload=st.dictionaries(
        st.sampled_from(["iss", "aud", "sub", "exp", "iat", "nbf", "scope"]), _JSON, max_size=7
    ),
    signature=st.binary(max_size=300),
    real_kid=st.booleans(),
)
async def test_any_header_and_payload_give_a_token_error_never_another_exception(
    header: dict[str, Any],
    payload: dict[str, Any],
    signature: bytes,
    real_kid: bool,
    issuer: DevIssuer,
    local_dir: Path,
) -> None:
    verifier = _verifier(local_dir / "keys" / "jwks.json", issuer.issuer)
    if real_kid:
        header = {**header, "kid": issuer.kid, "alg": "RS256"}
    parts = (json.dumps(header).encode(), json.dumps(payload).encode(), signature)
    token = ".".join(encode_b64url(p) for p in parts)
    with pytest.raises(TokenError):
        await verifier.verify(token)
