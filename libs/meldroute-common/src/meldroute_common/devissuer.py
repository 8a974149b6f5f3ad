"""Development issuer: a local stand-in for the OIDC provider.

On first use it generates an RSA key pair and a JWKS under the ignored local folder; it mints user and
service tokens per role. It refuses to run in production, where tokens come from the real provider.
"""

from __future__ import annotations

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

from meldroute_common.codering import encode_b64url, encode_b64url_int
from meldroute_common.jwt import sign_token
from meldroute_common.roles import ROLLEN
from meldroute_common.settings import DEV_ISSUER, Omgeving

DEFAULT_ISSUER = DEV_ISSUER


class DevIssuerRefused(RuntimeError):
    """The development issuer never runs in production."""


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
    jwk = {"kty": "RSA", "e": encode_b64url_int(numbers.e), "n": encode_b64url_int(numbers.n)}
    # RFC 7638 thumbprint as kid: stable for the key, unique between keys.
    canonical = json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode()
    kid = encode_b64url(hashlib.sha256(canonical).digest())
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


def _rsa_key(path: Path) -> rsa.RSAPrivateKey:
    """The RSA key in `path`, generated on first use."""
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        write_private(
            path,
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded


@dataclass(frozen=True)
class DevIssuer:
    private_key_pem: str
    kid: str
    issuer: str
    #: A second key, published with `alg: PS256`, for PS256 tokens (each key serves one algorithm).
    pss_private_key_pem: str = ""
    pss_kid: str = ""

    @classmethod
    def load(cls, *, local_dir: Path, env: Omgeving, issuer: str = DEFAULT_ISSUER) -> DevIssuer:
        """Load the development keys, generating them and the JWKS on first run."""
        if env is Omgeving.production:
            raise DevIssuerRefused("de ontwikkel-issuer draait niet in productie (MELDROUTE_ENV=production)")
        keys = local_dir / "keys"
        private_path, pss_path, jwks_path = (
            keys / "issuer-private.pem",
            keys / "issuer-ps256-private.pem",
            keys / "jwks.json",
        )
        rs256, ps256 = _rsa_key(private_path), _rsa_key(pss_path)
        rs256_jwk = rsa_jwk(rs256.public_key())
        ps256_jwk = {**rsa_jwk(ps256.public_key()), "alg": "PS256"}
        jwks = json.dumps({"keys": [rs256_jwk, ps256_jwk]}, indent=2)
        if not jwks_path.exists() or jwks_path.read_text() != jwks:
            # Atomically: a service may be reading the file at this moment.
            scratch = jwks_path.with_name(f".jwks-{os.getpid()}.json")
            scratch.write_text(jwks)
            os.replace(scratch, jwks_path)
        return cls(
            private_key_pem=private_path.read_text(),
            kid=rs256_jwk["kid"],
            issuer=issuer,
            pss_private_key_pem=pss_path.read_text(),
            pss_kid=ps256_jwk["kid"],
        )

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
        algorithm: str = "RS256",
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
            # As an OIDC provider marks a client-credentials token: the client in both claims.
            claims["client_id"] = rol
            claims["azp"] = rol
        if role.claim == "gemeente":
            claims["gemeente"] = gemeente or "GM1509"
        elif role.claim == "organisatie":
            claims["organisatie"] = organisatie or "riec-oost-nederland"
        if organisatie and role.claim == "gemeente":
            # An attention officer reaches the gateway as the policy partner of their municipality (af-gm1509).
            claims["organisatie"] = organisatie
        claims.update(extra or {})
        if algorithm == "PS256":
            return sign_token(
                claims=claims, private_key_pem=self.pss_private_key_pem, kid=self.pss_kid, algorithm="PS256"
            )
        return sign_token(claims=claims, private_key_pem=self.private_key_pem, kid=self.kid)
