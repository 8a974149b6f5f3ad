"""Tokens for calls between the services: OAuth2 client credentials, or the development issuer locally.

Per target service the request carries what standard providers expect: `resource` (RFC 8707) when configured,
`scope` (default the scopes the calls need), the `audience` parameter only for providers that want it, and client
authentication by `client_secret_basic`, `client_secret_post` or `private_key_jwt` (RFC 7523). Tokens are kept until
shortly before they expire; callers renew once on a 401 with `invalidate()`. A refused request is logged with the
provider's `error` and `error_description` (never a secret), and `status()` tells readiness why no token comes.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from meldroute_common.devissuer import DevIssuer, DevIssuerRefused
from meldroute_common.jwt import sign_token
from meldroute_common.settings import ServiceSettings

log = logging.getLogger("meldroute.servicetokens")

#: Renew a token this long before it expires (at most half its lifetime).
_MARGIN_SECONDS = 60
#: After a failure, readiness asks the provider again only after this many seconds.
_STATUS_RETRY_SECONDS = 5.0
_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_ASSERTION_SECONDS = 60
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


class TokenUnavailable(Exception):
    """No token for a target service; the message names the target and the provider's answer, never a secret."""


def _safe(value: object, limit: int = 200) -> str:
    return _PRINTABLE.sub("?", str(value))[:limit]


class ServiceTokenSource:
    """Hands out a valid access token for calling the service whose tokens carry `audience`."""

    def __init__(
        self,
        *,
        settings: ServiceSettings,
        audience: str,
        http: httpx.AsyncClient,
        scope: str = "",
        resource: str | None = None,
        audience_parameter: str | None = None,
    ):
        self._settings, self._audience, self._http = settings, audience, http
        self._scope, self._resource, self._audience_parameter = scope.strip(), resource, audience_parameter
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()
        self._failure: str | None = None
        self._failed_at = -1e18
        self._assertion_key: tuple[str, str] | None = None

    @property
    def audience(self) -> str:
        return self._audience

    async def token(self) -> str:
        if self._token and time.time() < self._renew_at:
            return self._token
        async with self._lock:
            if not self._token or time.time() >= self._renew_at:
                try:
                    token, lifetime = await self._fetch()
                except TokenUnavailable as exc:
                    self._failure, self._failed_at = str(exc), time.monotonic()
                    raise
                self._failure = None
                self._token = token
                self._renew_at = time.time() + lifetime - min(_MARGIN_SECONDS, lifetime / 2)
        return self._token

    def invalidate(self) -> None:
        self._token = None

    async def status(self) -> str | None:
        """None when a token for the target can be had; otherwise why not (for readiness)."""
        if self._token and time.time() < self._renew_at:
            return None
        if self._failure is not None and time.monotonic() - self._failed_at < _STATUS_RETRY_SECONDS:
            return self._failure
        try:
            await self.token()
        except TokenUnavailable as exc:
            return str(exc)
        return None

    async def _fetch(self) -> tuple[str, int]:
        settings = self._settings
        if settings.token_url is None:
            lifetime = 900

            def mint() -> str:
                # Loading and validating the RSA key takes tens of milliseconds: not in the event loop.
                issuer = DevIssuer.load(
                    local_dir=settings.local_dir, env=settings.env, issuer=settings.oidc_issuer
                )
                return issuer.mint(rol=settings.client_id, audience=self._audience, lifetime_seconds=lifetime)

            try:
                return await asyncio.to_thread(mint), lifetime
            except DevIssuerRefused as exc:
                raise TokenUnavailable(f"geen token voor {self._audience}: {exc}") from None
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(3),
                wait=wait_exponential(multiplier=0.2, max=2),
                retry=retry_if_exception_type(httpx.TransportError),
                reraise=True,
            ):
                with attempt:
                    data, auth = self._request_body(settings.token_url)
                    response = await self._http.post(
                        settings.token_url, data=data, auth=auth or httpx.USE_CLIENT_DEFAULT
                    )
        except httpx.HTTPError as exc:
            log.warning("token endpoint not reachable for %s: %s", self._audience, type(exc).__name__)
            raise TokenUnavailable(
                f"geen token voor {self._audience}: tokenendpoint niet bereikbaar ({type(exc).__name__})"
            ) from None
        body: Any
        try:
            body = response.json()
        except (ValueError, RecursionError):
            body = None
        if response.status_code != 200 or not isinstance(body, dict):
            error, description = "", ""
            if isinstance(body, dict):
                error, description = _safe(body.get("error", "")), _safe(body.get("error_description", ""))
            log.warning(
                "token request for %s refused: status %s, error %r, error_description %r",
                self._audience,
                response.status_code,
                error,
                description,
            )
            raise TokenUnavailable(
                f"geen token voor {self._audience}: status {response.status_code}"
                + (f", {error}" if error else "")
                + (f" ({description})" if description else "")
            )
        token, expires_in = body.get("access_token"), body.get("expires_in", 300)
        if not isinstance(token, str) or not token:
            log.warning("token response for %s carries no access_token", self._audience)
            raise TokenUnavailable(f"geen token voor {self._audience}: antwoord zonder access_token")
        try:
            lifetime = max(1, min(int(expires_in), 86_400))
        except (TypeError, ValueError):
            lifetime = 300
        return token, lifetime

    def _request_body(self, token_url: str) -> tuple[dict[str, str], httpx.Auth | None]:
        settings = self._settings
        data = {"grant_type": "client_credentials"}
        if self._scope:
            data["scope"] = self._scope
        if self._resource:
            data["resource"] = self._resource
        if self._audience_parameter:
            data["audience"] = self._audience_parameter
        secret = settings.client_secret.get_secret_value()
        match settings.client_auth_method:
            case "client_secret_basic":
                # RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encoding.
                return data, httpx.BasicAuth(quote(settings.client_id, safe=""), quote(secret, safe=""))
            case "client_secret_post":
                return {**data, "client_id": settings.client_id, "client_secret": secret}, None
            case "private_key_jwt":
                data |= {
                    "client_id": settings.client_id,
                    "client_assertion_type": _ASSERTION_TYPE,
                    "client_assertion": self._assertion(token_url),
                }
                return data, None
        raise AssertionError(settings.client_auth_method)  # pragma: no cover

    def _assertion(self, token_url: str) -> str:
        """RFC 7523 client assertion: iss = sub = client id, aud the token endpoint (or the configured value)."""
        settings = self._settings
        pem, algorithm = self._load_assertion_key()
        now = int(time.time())
        claims = {
            "iss": settings.client_id,
            "sub": settings.client_id,
            "aud": settings.client_assertion_audience or token_url,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + _ASSERTION_SECONDS,
        }
        return sign_token(
            claims=claims,
            private_key_pem=pem,
            kid=settings.client_key_id or "",
            algorithm=algorithm,
            typ="JWT",
        )

    def _load_assertion_key(self) -> tuple[str, str]:
        if self._assertion_key is None:
            path: Path | None = self._settings.client_key_file
            if path is None:
                raise TokenUnavailable(f"geen token voor {self._audience}: geen sleutel voor private_key_jwt")
            try:
                pem = path.read_text()
                key = serialization.load_pem_private_key(pem.encode(), password=None)
            except (OSError, ValueError, TypeError) as exc:
                raise TokenUnavailable(
                    f"geen token voor {self._audience}: sleutel voor private_key_jwt onleesbaar ({type(exc).__name__})"
                ) from None
            if isinstance(key, rsa.RSAPrivateKey):
                algorithm = self._settings.client_key_algorithm or "RS256"
            elif isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
                algorithm = "ES256"
            else:
                raise TokenUnavailable(f"geen token voor {self._audience}: sleutel moet RSA of EC P-256 zijn")
            self._assertion_key = (pem, algorithm)
        return self._assertion_key
