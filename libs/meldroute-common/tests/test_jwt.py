"""Token verification details beyond the per-operation forgery matrix: ES256, JWKS URL refetch, caching."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from meldroute_common.codering import encode_b64url, encode_b64url_int
from meldroute_common.devissuer import DevIssuer, DevIssuerRefused
from meldroute_common.jwt import KeyStore, TokenError, TokenVerifier, key_from_jwk, sign_token
from meldroute_common.settings import Omgeving

ISS, AUD = "https://idp.example", "intake-api"


def _claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISS, "aud": AUD, "sub": "u1", "iat": now, "exp": now + 300, **extra}


def _es256_key() -> tuple[str, dict[str, str]]:
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": encode_b64url_int(numbers.x, length=32),
        "y": encode_b64url_int(numbers.y, length=32),
        "kid": "ec-1",
        "use": "sig",
    }
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem.decode(), jwk


def test_only_rsa_and_p256_keys_are_accepted(issuer: DevIssuer, local_dir: Path) -> None:
    rsa_jwk = json.loads((local_dir / "keys" / "jwks.json").read_text())["keys"][0]
    bare = {k: v for k, v in rsa_jwk.items() if k != "alg"}
    assert key_from_jwk({"kty": "oct", "k": "c2VjcmV0", "kid": "h"}) is None
    assert key_from_jwk({"kty": "EC", "crv": "P-384", "x": "a", "y": "b", "kid": "p384"}) is None
    assert key_from_jwk({**bare, "alg": "RS512"}) is None
    assert key_from_jwk({**bare, "alg": "HS256"}) is None
    assert key_from_jwk({**bare, "n": "a"}) is None  # not a usable RSA key (and far below 2048 bits)
    # The algorithm comes from the JWKS `alg`, else from the key type.
    for jwk, algorithm in (
        (bare, "RS256"),
        ({**bare, "alg": "RS256"}, "RS256"),
        ({**bare, "alg": "PS256"}, "PS256"),
    ):
        key = key_from_jwk(jwk)
        assert key is not None and key.algorithm == algorithm
    _pem, ec_jwk = _es256_key()
    ec_key = key_from_jwk(ec_jwk)
    assert ec_key is not None and ec_key.algorithm == "ES256"
    assert key_from_jwk({**ec_jwk, "alg": "PS256"}) is None


async def test_es256_tokens_verify(tmp_path: Path) -> None:
    pem, jwk = _es256_key()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [jwk]}))
    verifier = TokenVerifier(keys=KeyStore(url=None, file=jwks, cache_seconds=60), issuer=ISS, audience=AUD)
    token = sign_token(claims=_claims(), private_key_pem=pem, kid="ec-1", algorithm="ES256")
    assert (await verifier.verify(token))["sub"] == "u1"
    # The same EC key presented with an RSA algorithm is refused: the algorithm comes from the key.
    with pytest.raises(TokenError):
        _header, body, sig = token.split(".")
        forged_header = encode_b64url(json.dumps({"alg": "RS256", "kid": "ec-1"}).encode())
        await verifier.verify(f"{forged_header}.{body}.{sig}")


async def test_jwks_url_is_refetched_once_for_an_unknown_kid(issuer: DevIssuer, local_dir: Path) -> None:
    jwks = json.loads((local_dir / "keys" / "jwks.json").read_text())
    served: list[dict[str, Any]] = [{"keys": []}]
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, json=served[-1])

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        keys = KeyStore(url="https://idp.example/jwks", file=None, cache_seconds=3600, http=http)
        verifier = TokenVerifier(keys=keys, issuer=issuer.issuer, audience="intake-api")
        assert await keys.get("nothing") is None
        served.append(jwks)  # the provider rotates its keys
        token = issuer.mint(rol="melder")
        with pytest.raises(TokenError):  # refetch is rate limited: the first miss just fetched
            await verifier.verify(token)
        keys._last_refetch = -1e18
        assert (await verifier.verify(token))["scope"] == "signalen:aanmaken"
    assert calls == 3


async def test_verified_tokens_are_cached_while_their_key_is_published(
    issuer: DevIssuer, local_dir: Path, tmp_path: Path
) -> None:
    jwks = tmp_path / "jwks.json"
    published = (local_dir / "keys" / "jwks.json").read_text()
    jwks.write_text(published)
    keys = KeyStore(url=None, file=jwks, cache_seconds=0)  # reread on every lookup
    verifier = TokenVerifier(keys=keys, issuer=issuer.issuer, audience="intake-api")
    token = issuer.mint(rol="melder")
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first  # from the cache
    jwks.write_text(json.dumps({"keys": []}))  # the provider withdraws the key
    keys._last_refetch = time.monotonic()
    with pytest.raises(TokenError, match="onbekende sleutel"):
        await verifier.verify(token)
    jwks.write_text(published)  # and publishes it again: the token is verified afresh, not from a stale entry
    assert (await verifier.verify(token))["sub"] == first["sub"]


def test_dev_issuer_refuses_production(tmp_path: Path) -> None:
    with pytest.raises(DevIssuerRefused):
        DevIssuer.load(local_dir=tmp_path, env=Omgeving.production)
    assert not (tmp_path / "keys").exists()


def test_dev_keys_are_private(local_dir: Path) -> None:
    for name in (
        "issuer-private.pem",
        "issuer-ps256-private.pem",
        "gateway-hpke-private.pem",
        "intake-link.key",
        "gateway-pseudonym.key",
    ):
        assert (local_dir / "keys" / name).stat().st_mode & 0o077 == 0, name
