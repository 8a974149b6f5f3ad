"""JWT signing and verification: the one module that uses python-jose.

Accepted algorithms are fixed per key from its type (RSA → RS256, EC P-256 → ES256); the token's own
`alg` header is only compared with that, never trusted. HS* and `none` are never accepted.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from jose import jwk as jose_jwk
from jose import jwt
from jose.exceptions import JOSEError

log = logging.getLogger("meldroute.jwt")

#: Key type (and curve) → the one algorithm accepted for it.
_ALG_BY_KEY: dict[tuple[object, object], str] = {("RSA", None): "RS256", ("EC", "P-256"): "ES256"}
_ACCEPTED_TYP = {None, "JWT", "at+jwt", "application/at+jwt"}
_REQUIRED = ("iss", "aud", "exp", "iat", "sub")
#: An unknown `kid` triggers at most one key refetch per this many seconds.
_REFETCH_INTERVAL = 30.0
_CACHE_MAX = 10_000


class TokenError(Exception):
    """The token is not acceptable; the message is safe to return to the caller."""


@dataclass(frozen=True, slots=True)
class VerificationKey:
    kid: str
    algorithm: str
    jwk: Mapping[str, Any]


def key_from_jwk(jwk: Mapping[str, Any]) -> VerificationKey | None:
    """The key with its one accepted algorithm, or None for a key we never accept (symmetric, other curves)."""
    alg = _ALG_BY_KEY.get((jwk.get("kty"), jwk.get("crv")))
    kid = jwk.get("kid")
    if alg is None or not isinstance(kid, str) or jwk.get("use", "sig") != "sig":
        return None
    if "alg" in jwk and jwk["alg"] != alg:
        return None
    return VerificationKey(kid=kid, algorithm=alg, jwk=dict(jwk))


class KeyStore:
    """Verification keys from a JWKS URL or file; cached, refetched once on an unknown `kid`."""

    def __init__(
        self, *, url: str | None, file: Path | None, cache_seconds: int, http: httpx.AsyncClient | None = None
    ):
        if not url and not file:
            raise ValueError("a JWKS URL or file is required")
        self._url, self._file, self._ttl, self._http = url, file, cache_seconds, http
        self._keys: dict[str, VerificationKey] = {}
        self._loaded_at = -1e18
        self._last_refetch = -1e18
        self._lock = asyncio.Lock()

    async def _load(self) -> None:
        if self._url:
            client = self._http or httpx.AsyncClient(timeout=5.0)
            try:
                response = await client.get(self._url)
                response.raise_for_status()
                document = response.json()
            finally:
                if self._http is None:
                    await client.aclose()
        else:
            assert self._file is not None
            document = json.loads(await asyncio.to_thread(self._file.read_text))
        keys = (key_from_jwk(k) for k in document.get("keys", []))
        self._keys = {k.kid: k for k in keys if k is not None}
        self._loaded_at = time.monotonic()

    async def get(self, kid: str) -> VerificationKey | None:
        now = time.monotonic()
        if now - self._loaded_at > self._ttl:
            async with self._lock:
                if time.monotonic() - self._loaded_at > self._ttl:
                    await self._safe_load()
        key = self._keys.get(kid)
        if key is None and time.monotonic() - self._last_refetch > _REFETCH_INTERVAL:
            async with self._lock:
                self._last_refetch = time.monotonic()
                await self._safe_load()
            key = self._keys.get(kid)
        return key

    async def _safe_load(self) -> None:
        try:
            await self._load()
        except (OSError, ValueError, httpx.HTTPError) as exc:
            # Keep the keys we had; a token with an unknown kid then fails as unknown.
            log.warning("could not load verification keys: %s", type(exc).__name__)


class TokenVerifier:
    """Verifies bearer tokens for one audience; verified claims are cached by token hash until `exp`."""

    def __init__(self, *, keys: KeyStore, issuer: str, audience: str, leeway: int = 30):
        self._keys, self._issuer, self._audience, self._leeway = keys, issuer, audience, leeway
        self._cache: dict[bytes, tuple[float, dict[str, Any]]] = {}

    async def verify(self, token: str) -> dict[str, Any]:
        digest = hashlib.sha256(token.encode()).digest()
        cached = self._cache.get(digest)
        now = time.time()
        if cached is not None:
            if cached[0] > now:
                return cached[1]
            del self._cache[digest]
        claims = await self._verify(token)
        if len(self._cache) >= _CACHE_MAX:
            self._evict(now)
        self._cache[digest] = (float(claims["exp"]), claims)
        return claims

    def _evict(self, now: float) -> None:
        for key in [k for k, (exp, _) in self._cache.items() if exp <= now]:
            del self._cache[key]
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()

    async def _verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError:
            raise TokenError("token is geen geldige JWT") from None
        if header.get("typ") not in _ACCEPTED_TYP:
            raise TokenError("token type niet geaccepteerd")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("token zonder kid")
        key = await self._keys.get(kid)
        if key is None:
            raise TokenError("onbekende sleutel")
        if header.get("alg") != key.algorithm:
            raise TokenError("algoritme niet toegestaan voor deze sleutel")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                dict(key.jwk),
                algorithms=[key.algorithm],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "verify_signature": True,
                    "verify_aud": True,
                    "verify_iat": True,
                    "verify_exp": True,
                    "verify_nbf": True,
                    "verify_iss": True,
                    "verify_sub": True,
                    "require_aud": True,
                    "require_iat": True,
                    "require_exp": True,
                    "require_iss": True,
                    "require_sub": True,
                    "leeway": self._leeway,
                },
            )
        except JOSEError as exc:
            raise TokenError(_reason(exc)) from None
        for name in _REQUIRED:
            if claims.get(name) in (None, ""):
                raise TokenError(f"claim {name} ontbreekt")
        if not isinstance(claims["exp"], int | float) or not isinstance(claims["sub"], str):
            raise TokenError("ongeldige claims")
        return claims


def _reason(exc: JOSEError) -> str:
    text = str(exc).lower()
    if "expired" in text:
        return "token verlopen"
    if "audience" in text:
        return "verkeerde audience"
    if "issuer" in text:
        return "verkeerde issuer"
    if "before" in text or "nbf" in text:
        return "token nog niet geldig"
    return "token ongeldig"


@lru_cache(maxsize=8)
def _signing_key(private_key_pem: str, algorithm: str) -> Any:
    # Loading a PEM key validates it (tens of milliseconds for RSA): do it once per key.
    return jose_jwk.construct(private_key_pem, algorithm)


def sign_token(*, claims: Mapping[str, Any], private_key_pem: str, kid: str, algorithm: str = "RS256") -> str:
    """Sign a token (development issuer and tests only; production tokens come from the OIDC provider)."""
    key = _signing_key(private_key_pem, algorithm)
    token: str = jwt.encode(dict(claims), key, algorithm=algorithm, headers={"kid": kid, "typ": "at+jwt"})
    return token
