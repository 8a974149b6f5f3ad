"""Login at the OIDC provider: authorization code with PKCE (S256), state and nonce, through Authlib.

The code verifier, state and nonce stay on the server (a login transaction); the browser carries only the
transaction's id in a short-lived cookie. The ID token is verified like every token (issuer, audience = this
client, signature, times) and its nonce compared. The access token is kept for each service whose audience it
carries (verified like the services verify it): with the development login the role's own audience, with a
provider the audiences its mappers put in `aud`. A screen that calls a service the login token is not for
exchanges it at the provider for one of the service's audience (RFC 8693 token exchange): the user's own
identity and scopes, never a service token of the werkplek.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from meldroute_common.devlogin import ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE
from meldroute_common.devlogin import PAD as DEVLOGIN_PAD
from meldroute_common.jwt import TokenError, TokenVerifier

from werkplek.config import NA_UITLOGGEN_PAD, WerkplekSettings
from werkplek.sessies import LoginTransactie, Sessie, nieuw_id


class LoginMislukt(Exception):
    """The callback does not complete a login this werkplek started (or the provider refused the code)."""


@dataclass(frozen=True)
class Eindpunten:
    authorization: str
    token: str
    #: The provider's end_session_endpoint, when it has one.
    end_session: str | None = None


def eindpunten(settings: WerkplekSettings) -> Eindpunten:
    if settings.ontwikkel_login:
        return Eindpunten(
            authorization=f"{settings.public_url}{DEVLOGIN_PAD}/authorize",
            token=f"{settings.public_url}{DEVLOGIN_PAD}/token",
            end_session=f"{settings.public_url}{DEVLOGIN_PAD}/logout",
        )
    assert settings.oidc_authorization_url and settings.oidc_token_url
    return Eindpunten(
        authorization=settings.oidc_authorization_url,
        token=settings.oidc_token_url,
        end_session=settings.oidc_end_session_url,
    )


def uitlog_url(settings: WerkplekSettings, sessie: Sessie) -> str:
    """Where the browser goes after the werkplek ended its session (OIDC RP-Initiated Logout 1.0).

    With an end_session_endpoint: there, with the ID token as `id_token_hint` (its audience is this client, it
    opens no service) and the registered `post_logout_redirect_uri`, so the provider's session ends too and the
    next login asks again. Without one: straight back to the start page.
    """
    end_session = eindpunten(settings).end_session
    if end_session is None or not sessie.id_token:
        return NA_UITLOGGEN_PAD
    vraag = urlencode(
        {
            "id_token_hint": sessie.id_token,
            "post_logout_redirect_uri": settings.post_logout_redirect_uri,
            "client_id": settings.service_name,
        }
    )
    return f"{end_session}{'&' if '?' in end_session else '?'}{vraag}"


def _client(settings: WerkplekSettings, transport: httpx.AsyncBaseTransport | None) -> AsyncOAuth2Client:
    secret = settings.oidc_client_secret.get_secret_value()
    return AsyncOAuth2Client(
        client_id=settings.service_name,
        client_secret=secret or None,
        token_endpoint_auth_method="client_secret_basic" if secret else "none",
        redirect_uri=settings.redirect_uri,
        scope=settings.oidc_scope,
        code_challenge_method="S256",
        timeout=10.0,
        transport=transport,
    )


def nieuwe_transactie() -> LoginTransactie:
    # RFC 7636: a verifier of 43 to 128 characters; Authlib's token alphabet is unreserved characters only.
    return LoginTransactie(state=nieuw_id(), nonce=nieuw_id(), code_verifier=generate_token(64))


def autorisatie_url(settings: WerkplekSettings, transactie: LoginTransactie) -> str:
    client = _client(settings, None)
    url, _ = client.create_authorization_url(
        eindpunten(settings).authorization,
        state=transactie.state,
        code_verifier=transactie.code_verifier,
        nonce=transactie.nonce,
    )
    return str(url)


async def rond_login_af(
    *,
    settings: WerkplekSettings,
    transactie: LoginTransactie | None,
    code: str | None,
    state: str | None,
    verifier: TokenVerifier,
    diensten: Mapping[str, TokenVerifier],
    transport: httpx.AsyncBaseTransport | None,
) -> Sessie:
    """Exchange the code (with the PKCE verifier) and build a new session from the verified ID token."""
    if transactie is None or not code or not state or not hmac.compare_digest(state, transactie.state):
        raise LoginMislukt("onbekende of verlopen login")
    async with _client(settings, transport) as client:
        try:
            token: dict[str, Any] = await client.fetch_token(
                eindpunten(settings).token, code=code, code_verifier=transactie.code_verifier
            )
        except Exception as exc:  # Authlib raises its own OAuthError, httpx its transport errors
            raise LoginMislukt("de provider weigerde de code") from exc
    id_token, access_token = token.get("id_token"), token.get("access_token")
    if not isinstance(id_token, str) or not isinstance(access_token, str):
        raise LoginMislukt("geen ID-token of access token")
    try:
        claims = await verifier.verify(id_token)
    except TokenError as exc:
        raise LoginMislukt("het ID-token is ongeldig") from exc
    if not hmac.compare_digest(str(claims.get("nonce", "")), transactie.nonce):
        raise LoginMislukt("nonce wijkt af")
    tokens = await tokens_per_dienst(access_token, diensten)
    expires_in = token.get("expires_in")
    verloopt = int(time.time()) + (int(expires_in) if isinstance(expires_in, int | float) else 300)
    scopes = str(token.get("scope", "")).split()
    gemeente = claims.get(settings.gemeente_claim)
    return Sessie(
        id=nieuw_id(),  # a new id at every login: a session id known before the login is worth nothing after
        sub=str(claims["sub"]),
        rol=str(claims.get("rol", "")),
        naam=str(claims.get("name", "")),
        gemeente=str(gemeente) if isinstance(gemeente, str) else None,
        scopes=scopes,
        tokens=tokens,
        verloopt=verloopt,
        id_token=id_token,
        login_token=access_token,
    )


class WisselMislukt(Exception):
    """The provider refused to exchange the user's token for another audience."""


async def wissel_token(
    *,
    settings: WerkplekSettings,
    sessie: Sessie,
    audience: str,
    transport: httpx.AsyncBaseTransport | None,
) -> str:
    """RFC 8693: the login's access token exchanged for one of `audience` (the caller keeps it in the session).

    Always the login's own token (`Sessie.login_token`): the provider exchanges what it issued at login, also when
    that token opens none of the services the werkplek calls.
    """
    onderwerp = sessie.login_token
    if not onderwerp:
        raise WisselMislukt("geen token om te wisselen")
    async with _client(settings, transport) as client:
        try:
            token: dict[str, Any] = await client.fetch_token(
                eindpunten(settings).token,
                grant_type=TOKEN_EXCHANGE,
                subject_token=onderwerp,
                subject_token_type=ACCESS_TOKEN_TYPE,
                audience=audience,
            )
        except Exception as exc:  # Authlib raises its own OAuthError, httpx its transport errors
            raise WisselMislukt("de provider weigerde de tokenwissel") from exc
    access_token = token.get("access_token")
    if not isinstance(access_token, str):
        raise WisselMislukt("geen access token")
    return access_token


async def tokens_per_dienst(access_token: str, diensten: Mapping[str, TokenVerifier]) -> dict[str, str]:
    """The access token under each service that would accept it (issuer, signature, times, its audience).

    A service's screens find its token here or not at all: the werkplek never sends a token to a service whose
    audience it does not carry (the service would refuse it, and it would leak the token to a wrong party).
    """
    tokens = {}
    for dienst, controle in diensten.items():
        try:
            await controle.verify(access_token)
        except TokenError:
            continue
        tokens[dienst] = access_token
    return tokens
