"""The keys intake works with: the link key (HMAC) and the gateway's public sealing key.

Intake never holds a key that opens what it sealed. Read once at start-up, never at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from meldroute_common.sealing import SealPublicKey, load_public_key
from meldroute_common.settings import read_hex_key

from intake_api.config import IntakeSettings
from intake_api.pseudonimisering.pseudoniem import MIN_KEY_BYTES


@dataclass(frozen=True, slots=True, repr=False)
class Sleutels:
    link_sleutel: bytes
    gateway: SealPublicKey

    def __repr__(self) -> str:
        return f"Sleutels(gateway={self.gateway.key_id})"


def load_sleutels(settings: IntakeSettings) -> Sleutels:
    """Read the key files named by the settings (defaults: the development keys in the local folder)."""
    link = read_hex_key(settings.key_path(settings.link_key_file, "intake-link.key"), min_bytes=MIN_KEY_BYTES)
    gateway_pad = settings.key_path(settings.gateway_public_key_file, "gateway-hpke-public.pem")
    return Sleutels(link_sleutel=link, gateway=load_public_key(gateway_pad))
