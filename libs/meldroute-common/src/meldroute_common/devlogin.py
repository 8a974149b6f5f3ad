"""Development login: a minimal OIDC authorization and token endpoint in front of the development issuer.

Only for development and test (`DevLogin` refuses production, like the development issuer itself): a page that
lists the development roles (`meldroute_common.roles.ROLLEN`), the authorization code flow with PKCE (S256 only)
and a token endpoint that exchanges a code once for an access token of the role (the role's audience) and an
ID token for the client. The same endpoint exchanges such an access token for one of another service's audience
(RFC 8693 token exchange), as a front-end does for a screen that calls a second service. Pending requests,
codes and issued access tokens live in this process's memory, briefly.

Its end-session endpoint (OIDC RP-Initiated Logout 1.0) keeps no session to end: it checks the `id_token_hint`
(signed by the development issuer, for a registered client) and sends the browser back only to a
`post_logout_redirect_uri` registered for that client, as a real provider does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import time
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jose import JWTError, jwt

from meldroute_common.devissuer import DevIssuer, DevIssuerRefused
from meldroute_common.jwt import TokenError, sign_token
from meldroute_common.problems import BadRequest, InvalidParam
from meldroute_common.roles import ROLLEN
from meldroute_common.settings import Omgeving

PAD = "/dev-login"
#: How long a pending authorization request and an issued code stay valid (seconds).
GELDIGHEID = 300
#: RFC 8693: the grant and the token type of a token exchange.
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 (a URN, not a secret)
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105 (a URN, not a secret)
#: The audiences an access token of this login may be exchanged for (the services; each checks its scopes).
WISSEL_AUDIENCES = frozenset({"intake-api", "privacy-gateway", "reporting"})
#: The page's own style, allowed by its hash: no script, nothing inline besides it.
_STIJL = (
    "body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}"
    "ul{list-style:none;padding:0}li{margin:.5rem 0}"
    "button{font-size:1rem;padding:.5rem 1rem;background:#1a4f8b;color:#fff;border:0}"
    "button:focus,input:focus{outline:3px solid #e17000;outline-offset:2px}"
    ".let{background:#fff4d6;padding:.75rem;border-left:4px solid #8a5a00}"
)
_STIJL_HASH = base64.b64encode(hashlib.sha256(_STIJL.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'sha256-{_STIJL_HASH}'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
_ROLNAMEN = {
    "melder": "Melder (gemeentelijk medewerker)",
    "aandachtsfunctionaris": "Aandachtsfunctionaris mensenhandel",
    "partner": "Partner (RIEC-convenant)",
    "goedkeurder": "Goedkeurder (vier ogen)",
    "fg": "Functionaris gegevensbescherming",
    "beleidsmedewerker": "Beleidsmedewerker",
}


def s256(code_verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636 section 4.2)."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(slots=True)
class _Verzoek:
    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str
    nonce: str
    verloopt: float
    rol: str = ""
    sub: str = ""


@dataclass
class DevLogin:
    """The development login of one process: registered clients, pending requests and codes."""

    issuer: DevIssuer
    #: client id → the redirect URIs it may use (exact match, as the real provider is configured).
    clients: dict[str, tuple[str, ...]]
    gemeente: str = "GM1509"
    #: client id → where its end-session requests may send the browser back (exact match).
    na_uitloggen: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _verzoeken: dict[str, _Verzoek] = field(default_factory=dict)
    _codes: dict[str, _Verzoek] = field(default_factory=dict)
    #: sha256 of an access token issued here → its request and expiry (Unix time): what may be exchanged.
    _uitgegeven: dict[str, tuple[_Verzoek, int]] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        *,
        issuer: DevIssuer,
        env: Omgeving,
        clients: dict[str, tuple[str, ...]],
        na_uitloggen: dict[str, tuple[str, ...]] | None = None,
    ) -> DevLogin:
        if env is Omgeving.production:
            raise DevIssuerRefused("de ontwikkel-login draait niet in productie (MELDROUTE_ENV=production)")
        return cls(issuer=issuer, clients=clients, na_uitloggen=na_uitloggen or {})

    @staticmethod
    def rollen() -> list[str]:
        """The people's roles one can log in as (service clients are not people)."""
        return [naam for naam, rol in ROLLEN.items() if not rol.is_service and naam in _ROLNAMEN]

    def _opruimen(self) -> None:
        nu = time.monotonic()
        for bak in (self._verzoeken, self._codes):
            for sleutel in [k for k, v in bak.items() if v.verloopt < nu]:
                del bak[sleutel]
        for sleutel in [k for k, (_, exp) in self._uitgegeven.items() if exp <= time.time()]:
            del self._uitgegeven[sleutel]

    def router(self) -> APIRouter:
        router = APIRouter(prefix=PAD, include_in_schema=False)

        @router.get("/authorize")
        async def authorize(
            response_type: Annotated[str, Query()],
            client_id: Annotated[str, Query()],
            redirect_uri: Annotated[str, Query()],
            state: Annotated[str, Query(min_length=16, max_length=256)],
            code_challenge: Annotated[str, Query(min_length=43, max_length=128)],
            code_challenge_method: Annotated[str, Query()],
            nonce: Annotated[str, Query(min_length=16, max_length=256)],
            scope: Annotated[str, Query()] = "openid",
        ) -> HTMLResponse:
            fouten = []
            if response_type != "code":
                fouten.append(InvalidParam(name="response_type", reason="Alleen code wordt ondersteund."))
            if code_challenge_method != "S256":
                fouten.append(InvalidParam(name="code_challenge_method", reason="Alleen S256 (PKCE)."))
            if redirect_uri not in self.clients.get(client_id, ()):
                fouten.append(InvalidParam(name="redirect_uri", reason="Onbekende client of redirect-URI."))
            if "openid" not in scope.split():
                fouten.append(InvalidParam(name="scope", reason="De scope openid ontbreekt."))
            if fouten:
                # Never redirect to an unchecked redirect URI: answer here.
                raise BadRequest("Het autorisatieverzoek is ongeldig.", invalid_params=fouten)
            self._opruimen()
            sleutel = secrets.token_urlsafe(32)
            self._verzoeken[sleutel] = _Verzoek(
                client_id=client_id,
                redirect_uri=redirect_uri,
                state=state,
                code_challenge=code_challenge,
                nonce=nonce,
                verloopt=time.monotonic() + GELDIGHEID,
            )
            return HTMLResponse(self._pagina(sleutel), headers={"Content-Security-Policy": CSP})

        @router.post("/authorize")
        async def kiezen(
            verzoek: Annotated[str, Form(max_length=128)], rol: Annotated[str, Form(max_length=64)]
        ) -> RedirectResponse:
            # The pending request's unguessable key is this form's CSRF token: used once.
            self._opruimen()
            gevonden = self._verzoeken.pop(verzoek, None)
            if gevonden is None:
                raise BadRequest(
                    "Het inlogverzoek is verlopen of onbekend; begin opnieuw.",
                    invalid_params=[InvalidParam(name="verzoek", reason="Verlopen of onbekend.")],
                )
            if rol not in self.rollen():
                raise BadRequest(
                    "Kies een van de rollen.",
                    invalid_params=[InvalidParam(name="rol", reason="Onbekende rol.")],
                )
            gevonden.rol, gevonden.sub = rol, f"{rol}-{secrets.token_hex(4)}"
            gevonden.verloopt = time.monotonic() + GELDIGHEID
            code = secrets.token_urlsafe(32)
            self._codes[code] = gevonden
            return RedirectResponse(
                f"{gevonden.redirect_uri}?{urlencode({'code': code, 'state': gevonden.state})}",
                status_code=303,
            )

        @router.post("/token")
        async def token(
            grant_type: Annotated[str, Form()],
            client_id: Annotated[str, Form()],
            code: Annotated[str | None, Form(max_length=128)] = None,
            redirect_uri: Annotated[str | None, Form()] = None,
            code_verifier: Annotated[str | None, Form(min_length=43, max_length=128)] = None,
            subject_token: Annotated[str | None, Form(max_length=8192)] = None,
            subject_token_type: Annotated[str | None, Form()] = None,
            audience: Annotated[str | None, Form(max_length=64)] = None,
        ) -> JSONResponse:
            self._opruimen()
            if grant_type == TOKEN_EXCHANGE:
                return self._wissel(client_id, subject_token, subject_token_type, audience)
            verzoek = self._codes.pop(code or "", None)  # a code is good for one exchange only
            if (
                grant_type != "authorization_code"
                or code_verifier is None
                or verzoek is None
                or verzoek.client_id != client_id
                or verzoek.redirect_uri != redirect_uri
                or not hmac.compare_digest(s256(code_verifier), verzoek.code_challenge)
            ):
                # RFC 6749 section 5.2: one error for every refused grant, no hint which check failed.
                return JSONResponse(
                    {"error": "invalid_grant"}, status_code=400, headers={"Cache-Control": "no-store"}
                )
            return JSONResponse(
                self._tokens(verzoek), headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
            )

        @router.get("/logout")
        async def logout(
            id_token_hint: Annotated[str | None, Query(max_length=16384)] = None,
            post_logout_redirect_uri: Annotated[str | None, Query(max_length=2048)] = None,
            client_id: Annotated[str | None, Query(max_length=256)] = None,
            state: Annotated[str | None, Query(max_length=256)] = None,
        ) -> Response:
            if post_logout_redirect_uri is None:
                return HTMLResponse(self._uitgelogd(), headers={"Content-Security-Policy": CSP})
            fouten = []
            client = client_id
            if id_token_hint is not None:
                try:
                    client = self._client_van_hint(id_token_hint, client_id)
                except TokenError as exc:
                    fouten.append(InvalidParam(name="id_token_hint", reason=str(exc)))
            elif client_id is None:
                fouten.append(InvalidParam(name="id_token_hint", reason="Geef id_token_hint of client_id."))
            if not fouten and post_logout_redirect_uri not in self.na_uitloggen.get(client or "", ()):
                fouten.append(
                    InvalidParam(
                        name="post_logout_redirect_uri", reason="Niet geregistreerd voor deze client."
                    )
                )
            if fouten:
                # As at the authorization endpoint: never redirect to an unchecked URI.
                raise BadRequest("Het uitlogverzoek is ongeldig.", invalid_params=fouten)
            terug = post_logout_redirect_uri
            if state is not None:
                terug += ("&" if "?" in terug else "?") + urlencode({"state": state})
            return RedirectResponse(terug, status_code=303)

        return router

    def _wissel(
        self, client_id: str, subject_token: str | None, soort: str | None, audience: str | None
    ) -> JSONResponse:
        """RFC 8693: an access token issued here, for the same user and role, for another service's audience.

        Only for a registered client, only a token this login issued and that has not expired, only for one
        of the services: the new token carries the same subject, role, municipality and expiry.
        """
        gevonden = (
            self._uitgegeven.get(hashlib.sha256(subject_token.encode()).hexdigest())
            if subject_token
            else None
        )
        if (
            client_id not in self.clients
            or soort != ACCESS_TOKEN_TYPE
            or audience not in WISSEL_AUDIENCES
            or gevonden is None
            or gevonden[0].client_id != client_id
        ):
            return JSONResponse(
                {"error": "invalid_grant"}, status_code=400, headers={"Cache-Control": "no-store"}
            )
        verzoek, exp = gevonden
        levensduur = exp - int(time.time())
        access = self.issuer.mint(
            rol=verzoek.rol,
            sub=verzoek.sub,
            gemeente=self.gemeente,
            audience=audience,
            lifetime_seconds=levensduur,
        )
        return JSONResponse(
            {
                "access_token": access,
                "issued_token_type": ACCESS_TOKEN_TYPE,
                "token_type": "Bearer",
                "expires_in": levensduur,
                "scope": " ".join(s.value for s in ROLLEN[verzoek.rol].scopes),
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    def _client_van_hint(self, id_token_hint: str, client_id: str | None) -> str:
        """The client an ID token of this issuer was issued to; an expired one still names it (section 2)."""
        publiek = (
            serialization.load_pem_private_key(self.issuer.private_key_pem.encode(), password=None)
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        try:
            if jwt.get_unverified_header(id_token_hint).get("kid") != self.issuer.kid:
                raise TokenError("Onbekende sleutel.")
            claims = jwt.decode(
                id_token_hint,
                publiek.decode(),
                algorithms=["RS256"],
                issuer=self.issuer.issuer,
                options={"verify_aud": False, "verify_exp": False, "verify_at_hash": False},
            )
        except JWTError:
            raise TokenError("Geen ID-token van deze issuer.") from None
        aud = claims.get("aud")
        if not isinstance(aud, str) or aud not in self.clients:
            raise TokenError("Het ID-token is niet voor een bekende client.")
        if client_id is not None and client_id != aud:
            raise TokenError("Het ID-token is voor een andere client.")
        return aud

    def _uitgelogd(self) -> str:
        return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Uitgelogd — meldroute</title>
<style>{_STIJL}</style>
</head><body><main>
<h1>Uitgelogd</h1>
<p>U bent uitgelogd bij de ontwikkel-login.</p>
</main></body></html>"""

    def _tokens(self, verzoek: _Verzoek) -> dict[str, object]:
        rol = ROLLEN[verzoek.rol]
        levensduur = 3600
        access = self.issuer.mint(
            rol=verzoek.rol, sub=verzoek.sub, gemeente=self.gemeente, lifetime_seconds=levensduur
        )
        nu = int(time.time())
        self._uitgegeven[hashlib.sha256(access.encode()).hexdigest()] = (verzoek, nu + levensduur)
        id_claims: dict[str, object] = {
            "iss": self.issuer.issuer,
            "aud": verzoek.client_id,
            "sub": verzoek.sub,
            "iat": nu,
            "nbf": nu,
            "exp": nu + levensduur,
            "nonce": verzoek.nonce,
            "rol": verzoek.rol,
            "name": _ROLNAMEN[verzoek.rol],
        }
        if rol.claim == "gemeente":
            id_claims["gemeente"] = self.gemeente
        id_token = sign_token(
            claims=id_claims, private_key_pem=self.issuer.private_key_pem, kid=self.issuer.kid
        )
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": levensduur,
            "id_token": id_token,
            "scope": " ".join(["openid", *(s.value for s in rol.scopes)]),
        }

    def _pagina(self, sleutel: str) -> str:
        keuzes = "\n".join(
            f'<li><label><input type="radio" name="rol" value="{html.escape(naam)}"{" checked" if i == 0 else ""}> '
            f"{html.escape(_ROLNAMEN[naam])} <code>{html.escape(naam)}</code></label></li>"
            for i, naam in enumerate(self.rollen())
        )
        return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ontwikkel-login — meldroute</title>
<style>{_STIJL}</style>
</head><body><main>
<h1>Ontwikkel-login</h1>
<p class="let">Alleen voor ontwikkeling en test: hier kiest u een rol zonder wachtwoord. In productie logt u in bij
de OIDC-provider van uw organisatie.</p>
<form method="post" action="{PAD}/authorize">
<input type="hidden" name="verzoek" value="{html.escape(sleutel)}">
<fieldset><legend>Inloggen als</legend><ul>
{keuzes}
</ul></fieldset>
<p><button type="submit">Inloggen</button></p>
</form></main></body></html>"""
