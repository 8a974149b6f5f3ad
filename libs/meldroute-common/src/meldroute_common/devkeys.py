"""All development key material, generated once into the ignored local folder (never in production)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from meldroute_common.devissuer import DevIssuer, ensure_secret, write_private
from meldroute_common.sealing import SealPublicKey, generate_private_key, write_private_key, write_public_key
from meldroute_common.settings import Omgeving


def ensure_dev_keys(*, local_dir: Path, env: Omgeving, issuer: str) -> Path:
    """Token issuer key + JWKS, the intake link key, the gateway's pseudonym key and HPKE key pair, and the
    keys of the gateway's verwerkingenlog (chain key and Ed25519 checkpoint key).

    Intake gets only the HPKE public key file; the private key is for the gateway alone.
    """
    DevIssuer.load(local_dir=local_dir, env=env, issuer=issuer)  # refuses production
    keys = local_dir / "keys"
    ensure_secret(keys / "intake-link.key")
    ensure_secret(keys / "gateway-pseudonym.key")
    ensure_secret(keys / "gateway-keten.key")
    checkpoint_path = keys / "gateway-checkpoint.pem"
    if not checkpoint_path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        write_private(checkpoint_path, pem)
    private_path, public_path = keys / "gateway-hpke-private.pem", keys / "gateway-hpke-public.pem"
    if not private_path.exists():
        private = generate_private_key()
        write_private_key(private_path, private)
        write_public_key(public_path, SealPublicKey(private.public_key()))
    return keys
