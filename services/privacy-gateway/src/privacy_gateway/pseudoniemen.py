"""Partner-specific pseudonyms.

Intake gives every betrokkene a link pseudonym, the same for every partner. Before a case leaves the
gateway, each link pseudonym is replaced by one derived for the receiving partner:

    HMAC-SHA256(gateway key, DOMEIN || len(partner id) || partner id || len(link) || link)

with each length as 4 bytes big-endian and the strings in UTF-8. The lengths make the encoding
unambiguous (no two (partner, link) pairs give the same input), so the pseudonyms of two partners
for the same person are unrelated and they cannot join their data on them; the same partner always
gets the same pseudonym, so it can recognise a person across its own cases.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

__all__ = ["MIN_SLEUTEL_BYTES", "partner_pseudoniem"]

MIN_SLEUTEL_BYTES: Final = 32
"""Shortest accepted key: HMAC-SHA256 gains nothing from more, and shorter keys can be guessed."""

_DOMEIN: Final = b"meldroute/partner-pseudoniem/v1\x00"


def _veld(tekst: str) -> bytes:
    data = tekst.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def partner_pseudoniem(*, sleutel: bytes, partner_id: str, link_pseudoniem: str) -> str:
    """The pseudonym of ``link_pseudoniem`` as partner ``partner_id`` sees it: 64 lowercase hex characters.

    ``sleutel`` is the gateway's own secret (never intake's link key). Raises ``ValueError`` for a
    key shorter than :data:`MIN_SLEUTEL_BYTES` or an empty partner id or link pseudonym.
    """
    if len(sleutel) < MIN_SLEUTEL_BYTES:
        raise ValueError(f"de pseudoniemsleutel moet minstens {MIN_SLEUTEL_BYTES} bytes zijn")
    if not partner_id:
        raise ValueError("partner_id is leeg")
    if not link_pseudoniem:
        raise ValueError("link_pseudoniem is leeg")
    bericht = _DOMEIN + _veld(partner_id) + _veld(link_pseudoniem)
    return hmac.new(sleutel, bericht, hashlib.sha256).hexdigest()
