"""The keys intake works with: the link key (HMAC) and the gateway's public sealing key.

Intake never holds a key that opens what it sealed. Read once at start-up, never at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def _link_pad(settings: IntakeSettings) -> Path:
    return settings.key_path(settings.link_key_file, "intake-link.key")


def _gateway_pad(settings: IntakeSettings) -> Path:
    return settings.key_path(settings.gateway_public_key_file, "gateway-hpke-public.pem")


def sleutelbestanden(settings: IntakeSettings) -> dict[str, list[Path]]:
    """The key files read at start-up, per setting (checked before the start, see `build_app`)."""
    return {
        settings.env_name("link_key_file"): [_link_pad(settings)],
        settings.env_name("gateway_public_key_file"): [_gateway_pad(settings)],
    }


def load_sleutels(settings: IntakeSettings) -> Sleutels:
    """Read the key files named by the settings (defaults: the development keys in the local folder)."""
    link = read_hex_key(_link_pad(settings), min_bytes=MIN_KEY_BYTES)
    return Sleutels(link_sleutel=link, gateway=load_public_key(_gateway_pad(settings)))
