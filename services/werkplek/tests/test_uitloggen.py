"""RP-initiated logout: where the werkplek sends the browser, and the development login's end-session endpoint."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from meldroute_common.devissuer import DevIssuer
from meldroute_common.jwt import sign_token
from werkplek import oidc
from werkplek.sessies import Sessie

from .conftest import BASIS, Werkplek, werkplek_settings

PROVIDER = {
    "oidc_authorization_url": "https://login.gemeente.example/auth",
    "oidc_token_url": "https://login.gemeente.example/token",
}


def _sessie(hint: str = "kop.inhoud.handtekening") -> Sessie:
    return Sessie(id="s", sub="melder-1", rol="melder", naam="Melder", gemeente="GM1509", scopes=[],
                  tokens={"intake-api": "access.token.waarde"}, verloopt=int(time.time()) + 600,
                  id_token=hint)  # fmt: skip


def _id_token(issuer: DevIssuer, *, aud: str = "werkplek", pem: str | None = None, exp: int = 600) -> str:
    nu = int(time.time())
    claims = {"iss": issuer.issuer, "aud": aud, "sub": "melder-1", "iat": nu - 700, "exp": nu + exp}
    return sign_token(claims=claims, private_key_pem=pem or issuer.private_key_pem, kid=issuer.kid)


def test_logout_goes_to_the_advertised_end_session_endpoint(local_dir: Path) -> None:
    settings = werkplek_settings(
        local_dir, **PROVIDER, oidc_end_session_url="https://login.gemeente.example/logout?ui_locales=nl"
    )
    url = urlsplit(oidc.uitlog_url(settings, _sessie()))
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://login.gemeente.example/logout"
    vraag = parse_qs(url.query)
    assert vraag == {
        "ui_locales": ["nl"],
        "id_token_hint": ["kop.inhoud.handtekening"],
        "post_logout_redirect_uri": [f"{BASIS}/?uitgelogd=1"],
        "client_id": ["werkplek"],
    }
    assert "access.token.waarde" not in oidc.uitlog_url(settings, _sessie())


def test_without_an_end_session_endpoint_logout_returns_to_the_start_page(local_dir: Path) -> None:
    settings = werkplek_settings(local_dir, **PROVIDER)
    assert oidc.uitlog_url(settings, _sessie()) == "/?uitgelogd=1"
    # A session from before the ID token was kept has no hint to give: back to the start page too.
    met = werkplek_settings(
        local_dir, **PROVIDER, oidc_end_session_url="https://login.gemeente.example/logout"
    )
    assert oidc.uitlog_url(met, _sessie(hint="")) == "/?uitgelogd=1"


async def test_the_development_end_session_endpoint_returns_only_to_a_registered_uri(
    werkplek: Werkplek, issuer: DevIssuer
) -> None:
    hint = _id_token(issuer)
    terug = f"{BASIS}/?uitgelogd=1"

    async def logout(**vraag: str) -> httpx.Response:
        return await werkplek.browser.get(f"/dev-login/logout?{urlencode(vraag)}")

    goed = await logout(id_token_hint=hint, post_logout_redirect_uri=terug, state="toestand-123")
    assert goed.status_code == 303
    assert goed.headers["location"] == f"{terug}&state=toestand-123"
    # An expired hint still names its client (the ID token of a session that ran long).
    verlopen = _id_token(issuer, exp=-60)
    assert (await logout(id_token_hint=verlopen, post_logout_redirect_uri=terug)).status_code == 303
    # client_id alone will do, as the specification allows.
    assert (await logout(client_id="werkplek", post_logout_redirect_uri=terug)).status_code == 303

    vreemde_sleutel = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    geweigerd = [
        {"id_token_hint": hint, "post_logout_redirect_uri": "https://evil.test/"},
        {"id_token_hint": hint, "post_logout_redirect_uri": f"{BASIS}/"},
        {"id_token_hint": _id_token(issuer, pem=vreemde_sleutel), "post_logout_redirect_uri": terug},
        {"id_token_hint": _id_token(issuer, aud="andere-client"), "post_logout_redirect_uri": terug},
        {"id_token_hint": hint, "client_id": "andere-client", "post_logout_redirect_uri": terug},
        {"id_token_hint": "geen.jwt", "post_logout_redirect_uri": terug},
        {"post_logout_redirect_uri": terug},
        {"client_id": "andere-client", "post_logout_redirect_uri": terug},
    ]
    for vraag in geweigerd:
        antwoord = await logout(**vraag)
        assert antwoord.status_code == 400, vraag
        assert "location" not in antwoord.headers, vraag
        assert antwoord.headers["content-type"].startswith("application/problem+json")

    # Without a redirect URI the endpoint says so on a page of its own.
    pagina = await logout(id_token_hint=hint)
    assert pagina.status_code == 200 and "U bent uitgelogd" in pagina.text
    assert "default-src 'none'" in pagina.headers["content-security-policy"]
