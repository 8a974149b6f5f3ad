"""The keys intake works with: the link key (HMAC) and the gateway's public sealing key.

Intake never holds a key that opens what it sealed. Read once at start-up, never at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from meldroute_common.sealing import SealPublicKey, load_public_key

from intake_api.config import IntakeSettings
from intake_api.pseudonimisering.pseudoniem import MIN_KEY_BYTES


@dataclass(frozen=True, slots=True, repr=False)
class Sleutels:
    link_sleutel: bytes
    gateway: SealPublicKey

    def __repr__(self) -> str:
        return f"Sleutels(gateway={self.gateway.key_id})"


def laad_sleutels(settings: IntakeSettings) -> Sleutels:
    """Read the key files named by the settings (defaults: the development keys in the local folder)."""
    keys = settings.local_dir / "keys"
    link_pad = settings.link_key_file or keys / "intake-link.key"
    gateway_pad = settings.gateway_public_key_file or keys / "gateway-hpke-public.pem"
    link = bytes.fromhex(link_pad.read_text().strip())
    if len(link) < MIN_KEY_BYTES:
        raise ValueError(f"the link key must be at least {MIN_KEY_BYTES} bytes")
    return Sleutels(link_sleutel=link, gateway=load_public_key(gateway_pad))
