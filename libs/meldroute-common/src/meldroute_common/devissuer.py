"""Development issuer: a local stand-in for the OIDC provider.

On first use it generates an RSA key pair and a JWKS under the ignored local folder; it mints user and
service tokens per role. It refuses to run in production, where tokens come from the real provider.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from meldroute_common.jwt import sign_token
from meldroute_common.roles import ROLLEN
from meldroute_common.settings import DEV_ISSUER, Omgeving

DEFAULT_ISSUER = DEV_ISSUER


class DevIssuerRefused(RuntimeError):
    """The development issuer never runs in production."""


def _b64(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def write_private(path: Path, data: bytes) -> None:
    """Write key material readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def ensure_secret(path: Path, *, nbytes: int = 32) -> bytes:
    """A random symmetric key, generated once into `path`."""
    if not path.exists():
        write_private(path, secrets.token_bytes(nbytes).hex().encode())
    return bytes.fromhex(path.read_text().strip())


def rsa_jwk(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    jwk = {"kty": "RSA", "e": _b64(numbers.e), "n": _b64(numbers.n)}
    # RFC 7638 thumbprint as kid: stable for the key, unique between keys.
    canonical = json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode()
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@dataclass(frozen=True)
class DevIssuer:
    private_key_pem: str
    kid: str
    issuer: str

    @classmethod
    def load(cls, *, local_dir: Path, env: Omgeving, issuer: str = DEFAULT_ISSUER) -> DevIssuer:
        """Load the development key, generating it and the JWKS on first run."""
        if env is Omgeving.production:
            raise DevIssuerRefused("de ontwikkel-issuer draait niet in productie (MELDROUTE_ENV=production)")
        keys = local_dir / "keys"
        private_path, jwks_path = keys / "issuer-private.pem", keys / "jwks.json"
        if not private_path.exists():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            write_private(private_path, pem)
            jwks_path.write_text(json.dumps({"keys": [rsa_jwk(key.public_key())]}, indent=2))
        pem_text = private_path.read_text()
        loaded = serialization.load_pem_private_key(pem_text.encode(), password=None)
        assert isinstance(loaded, rsa.RSAPrivateKey)
        if not jwks_path.exists():
            jwks_path.write_text(json.dumps({"keys": [rsa_jwk(loaded.public_key())]}, indent=2))
        return cls(private_key_pem=pem_text, kid=rsa_jwk(loaded.public_key())["kid"], issuer=issuer)

    def mint(
        self,
        *,
        rol: str,
        gemeente: str | None = None,
        organisatie: str | None = None,
        audience: str | None = None,
        sub: str | None = None,
        lifetime_seconds: int = 3600,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """A token for `rol` (a user role or a service client), signed with the development key."""
        if rol not in ROLLEN:
            raise ValueError(f"onbekende rol {rol!r}; kies uit {', '.join(ROLLEN)}")
        role = ROLLEN[rol]
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience or role.audience,
            "sub": sub or (rol if role.is_service else f"{rol}-{uuid.uuid4().hex[:8]}"),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_seconds,
            "jti": uuid.uuid4().hex,
            "scope": " ".join(s.value for s in role.scopes),
        }
        if role.is_service:
            claims["client_id"] = rol
        if role.claim == "gemeente":
            claims["gemeente"] = gemeente or "GM1509"
        elif role.claim == "organisatie":
            claims["organisatie"] = organisatie or "riec-oost-nederland"
        if organisatie and role.claim == "gemeente":
            # An attention officer reaches the gateway as the policy partner of their municipality (af-gm1509).
            claims["organisatie"] = organisatie
        claims.update(extra or {})
        return sign_token(claims=claims, private_key_pem=self.private_key_pem, kid=self.kid)
