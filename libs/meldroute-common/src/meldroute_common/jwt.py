"""JWT signing and verification: every check on an incoming token happens here.

The accepted algorithm is fixed per key: from the JWKS `alg` (RS256, PS256 or ES256), or from the key type when
`alg` is absent (RSA → RS256, EC P-256 → ES256). The token's own `alg` header is only compared with that, never
trusted; HS* and `none` are never accepted. Signatures are verified with `cryptography` (RSASSA-PKCS1-v1_5,
RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt, ECDSA P-256), then the claims are checked in one place
for every algorithm: issuer, audience, subject, and integer times within bounds (`exp`, `iat`, `nbf`, a maximum
lifetime). Verified claims are cached by token hash in a bounded LRU; each hit checks again that the token's key
is still in the current key set, so a key removed from the JWKS ends its tokens at the next key refresh.
"""

from __future__ import annotations

import asyncio
import binascii
import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from jose import jwk as jose_jwk
from jose import jwt

from meldroute_common.codering import decode_b64url, decode_b64url_int, encode_b64url

log = logging.getLogger("meldroute.jwt")

#: Key type (and curve) → the algorithm accepted when the JWKS gives no `alg`.
_ALG_BY_KEY: dict[tuple[object, object], str] = {("RSA", None): "RS256", ("EC", "P-256"): "ES256"}
#: Key type (and curve) → every algorithm a JWKS `alg` may fix for it.
_ALGS_FOR_KEY: dict[tuple[object, object], frozenset[str]] = {
    ("RSA", None): frozenset({"RS256", "PS256"}),
    ("EC", "P-256"): frozenset({"ES256"}),
}
_ACCEPTED_TYP = {None, "JWT", "at+jwt", "application/at+jwt"}
#: An unknown `kid` triggers at most one key refetch per this many seconds.
_REFETCH_INTERVAL = 30.0
#: Most verified tokens kept; the least recently used goes first.
CACHE_MAX = 10_000
#: Largest token accepted (compact serialisation, bytes).
MAX_TOKEN_BYTES = 16 * 1024
#: Default largest `exp - iat`.
DEFAULT_MAX_LIFETIME = 3600
#: Times beyond this (year 2286) are never genuine.
_MAX_TIME = 10_000_000_000
_PSS_SALT = 32  # the length of SHA-256, RFC 7518 §3.5
_RSA_MIN_BITS = 2048


class TokenError(Exception):
    """The token is not acceptable; the message is safe to return to the caller."""


@dataclass(frozen=True, slots=True)
class VerificationKey:
    kid: str
    algorithm: str
    jwk: Mapping[str, Any]
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def _public_key(jwk: Mapping[str, Any]) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey:
    if jwk.get("kty") == "RSA":
        key = rsa.RSAPublicNumbers(
            decode_b64url_int(jwk.get("e")), decode_b64url_int(jwk.get("n"))
        ).public_key()
        if key.key_size < _RSA_MIN_BITS:
            raise ValueError("RSA key too short")
        return key
    return ec.EllipticCurvePublicNumbers(
        decode_b64url_int(jwk.get("x")), decode_b64url_int(jwk.get("y")), ec.SECP256R1()
    ).public_key()


def key_from_jwk(jwk: Mapping[str, Any]) -> VerificationKey | None:
    """The key with its one accepted algorithm, or None for a key we never accept (symmetric, other curves)."""
    kind = (jwk.get("kty"), jwk.get("crv"))
    kid = jwk.get("kid")
    if kind not in _ALG_BY_KEY or not isinstance(kid, str) or not kid or jwk.get("use", "sig") != "sig":
        return None
    alg = jwk.get("alg", _ALG_BY_KEY[kind])
    if alg not in _ALGS_FOR_KEY[kind]:
        return None
    try:
        public = _public_key(jwk)
    except (ValueError, TypeError):
        return None
    return VerificationKey(kid=kid, algorithm=alg, jwk=dict(jwk), public_key=public)


class KeyStore:
    """Verification keys from a JWKS URL or file; reloaded after `cache_seconds`, refetched on an unknown `kid`.

    A reload replaces the whole key set, so a key the provider removed is gone after at most `cache_seconds`.
    """

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
        raw = document.get("keys", []) if isinstance(document, dict) else []
        keys = (key_from_jwk(k) for k in raw if isinstance(k, dict))
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
        except (OSError, ValueError, RecursionError, httpx.HTTPError) as exc:
            # Keep the keys we had; a token with an unknown kid then fails as unknown.
            log.warning("could not load verification keys: %s", type(exc).__name__)


@dataclass(frozen=True, slots=True)
class _Cached:
    exp: int
    kid: str
    key: VerificationKey
    claims: dict[str, Any]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_object(segment: str) -> dict[str, Any]:
    """A JSON object from a base64url segment; NaN and Infinity are refused (they are not JSON)."""
    try:
        value = json.loads(decode_b64url(segment), parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _numeric_date(claims: Mapping[str, Any], name: str, *, required: bool) -> int | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise TokenError(f"claim {name} ontbreekt")
        return None
    # bool is an int in Python; floats (1e18, 1.5) and strings are refused: times are whole seconds.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < _MAX_TIME:
        raise TokenError(f"claim {name} is geen geldig tijdstip")
    return value


def _verify_signature(key: VerificationKey, signing_input: bytes, signature: bytes) -> bool:
    try:
        if key.algorithm == "ES256":
            assert isinstance(key.public_key, ec.EllipticCurvePublicKey)
            if len(signature) != 64:
                return False
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            key.public_key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
            return True
        assert isinstance(key.public_key, rsa.RSAPublicKey)
        if len(signature) != (key.public_key.key_size + 7) // 8:
            return False
        pad: padding.AsymmetricPadding = (
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=_PSS_SALT)
            if key.algorithm == "PS256"
            else padding.PKCS1v15()
        )
        key.public_key.verify(signature, signing_input, pad, hashes.SHA256())
        return True
    except InvalidSignature:
        return False


class TokenVerifier:
    """Verifies bearer tokens for one audience; verified claims are kept in a bounded LRU until `exp`."""

    def __init__(
        self,
        *,
        keys: KeyStore,
        issuer: str,
        audience: str,
        leeway: int = 30,
        max_lifetime: int = DEFAULT_MAX_LIFETIME,
        cache_max: int = CACHE_MAX,
    ):
        self._keys, self._issuer, self._audience, self._leeway = keys, issuer, audience, leeway
        self._max_lifetime, self._cache_max = max_lifetime, cache_max
        self._cache: OrderedDict[bytes, _Cached] = OrderedDict()

    async def verify(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_BYTES:
            raise TokenError("token te groot")
        digest = hashlib.sha256(token.encode()).digest()
        cached = self._cache.get(digest)
        if cached is not None:
            # Still valid, and its key still published (the same key: a kid reused for a new key does not count).
            current = await self._keys.get(cached.kid)
            if (
                cached.exp > time.time() - self._leeway
                and current is not None
                and current.jwk == cached.key.jwk
            ):
                self._cache.move_to_end(digest)
                return cached.claims
            del self._cache[digest]
        key, claims = await self._verify(token)
        self._cache[digest] = _Cached(exp=int(claims["exp"]), kid=key.kid, key=key, claims=claims)
        while len(self._cache) > self._cache_max:
            self._cache.popitem(last=False)
        return claims

    async def _verify(self, token: str) -> tuple[VerificationKey, dict[str, Any]]:
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("token is geen geldige JWT")
        try:
            header = _json_object(parts[0])
            signature = decode_b64url(parts[2])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise TokenError("token is geen geldige JWT") from None
        typ = header.get("typ")
        if not (typ is None or isinstance(typ, str)) or typ not in _ACCEPTED_TYP:
            raise TokenError("token type niet geaccepteerd")
        if "crit" in header:
            # We understand no JWS extension, so any critical one makes the token unacceptable (RFC 7515 §4.1.11).
            raise TokenError("onbekende kritieke extensie (crit)")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("token zonder kid")
        key = await self._keys.get(kid)
        if key is None:
            raise TokenError("onbekende sleutel")
        if header.get("alg") != key.algorithm:
            log.warning(
                "token refused: algorithm %.20r does not fit key %.64r (%s)",
                header.get("alg"),
                kid,
                key.algorithm,
            )
            raise TokenError("algoritme past niet bij de sleutel")
        if not _verify_signature(key, f"{parts[0]}.{parts[1]}".encode("ascii"), signature):
            raise TokenError("token ongeldig")
        try:
            claims = _json_object(parts[1])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise TokenError("token is geen geldige JWT") from None
        self._check_claims(claims)
        return key, claims

    def _check_claims(self, claims: dict[str, Any]) -> None:
        if claims.get("iss") in (None, ""):
            raise TokenError("claim iss ontbreekt")
        if claims["iss"] != self._issuer:
            raise TokenError("verkeerde issuer")
        aud = claims.get("aud")
        if aud in (None, "", []):
            raise TokenError("claim aud ontbreekt")
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        if self._audience not in [a for a in audiences if isinstance(a, str)]:
            raise TokenError("verkeerde audience")
        sub = claims.get("sub")
        if sub in (None, ""):
            raise TokenError("claim sub ontbreekt")
        if not isinstance(sub, str):
            raise TokenError("ongeldige claims")
        exp = _numeric_date(claims, "exp", required=True)
        iat = _numeric_date(claims, "iat", required=True)
        nbf = _numeric_date(claims, "nbf", required=False)
        assert exp is not None and iat is not None
        now = int(time.time())
        if exp <= now - self._leeway:
            raise TokenError("token verlopen")
        if iat > now + self._leeway:
            raise TokenError("token uitgegeven in de toekomst (iat)")
        if nbf is not None and nbf > now + self._leeway:
            raise TokenError("token nog niet geldig")
        if exp <= iat:
            raise TokenError("token verloopt voor zijn uitgifte")
        if exp - iat > self._max_lifetime:
            raise TokenError("token te lang geldig")


@lru_cache(maxsize=8)
def _signing_key(private_key_pem: str, algorithm: str) -> Any:
    # Loading a PEM key validates it (tens of milliseconds for RSA): do it once per key.
    if algorithm == "PS256":
        return serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    return jose_jwk.construct(private_key_pem, algorithm)


def sign_token(
    *,
    claims: Mapping[str, Any],
    private_key_pem: str,
    kid: str | None,
    algorithm: str = "RS256",
    typ: str = "at+jwt",
) -> str:
    """Sign a token: the development issuer, tests, and client assertions (production tokens come from the provider)."""
    key = _signing_key(private_key_pem, algorithm)
    headers = {"typ": typ, **({"kid": kid} if kid else {})}
    if algorithm == "PS256":
        assert isinstance(key, rsa.RSAPrivateKey)
        header = {"alg": "PS256", **headers}
        signing_input = ".".join(
            encode_b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, dict(claims))
        )
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=_PSS_SALT)
        return f"{signing_input}.{encode_b64url(key.sign(signing_input.encode(), pss, hashes.SHA256()))}"
    token: str = jwt.encode(dict(claims), key, algorithm=algorithm, headers=headers)
    return token
