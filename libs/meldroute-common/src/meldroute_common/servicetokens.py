"""Tokens for calls between the services: OAuth2 client credentials, or the development issuer locally."""

from __future__ import annotations

import asyncio
import time

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from meldroute_common.devissuer import DevIssuer
from meldroute_common.settings import ServiceSettings

#: Renew a token this long before it expires.
_MARGIN_SECONDS = 60


class ServiceTokenSource:
    """Hands out a valid access token for calling `audience`, renewing it before it expires."""

    def __init__(self, *, settings: ServiceSettings, audience: str, http: httpx.AsyncClient):
        self._settings, self._audience, self._http = settings, audience, http
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if self._token and time.time() < self._expires_at - _MARGIN_SECONDS:
            return self._token
        async with self._lock:
            if not self._token or time.time() >= self._expires_at - _MARGIN_SECONDS:
                self._token, lifetime = await self._fetch()
                self._expires_at = time.time() + lifetime
        return self._token

    def invalidate(self) -> None:
        self._token = None

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

            return await asyncio.to_thread(mint), lifetime
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(3),
            wait=wait_exponential(multiplier=0.2, max=2),
            retry=retry_if_exception_type(httpx.TransportError),
            reraise=True,
        ):
            with attempt:
                response = await self._http.post(
                    settings.token_url,
                    data={"grant_type": "client_credentials", "audience": self._audience},
                    auth=(settings.client_id, settings.client_secret.get_secret_value()),
                )
                response.raise_for_status()
        body = response.json()
        return str(body["access_token"]), int(body.get("expires_in", 300))
