"""Partner-specific pseudonyms.

Intake gives every betrokkene a link pseudonym, the same for every partner. Before a case leaves the
gateway, each link pseudonym is replaced by one derived for the receiving partner:

    HMAC-SHA256(gateway key, DOMEIN || len(partner id) || partner id || len(link) || link)

with each length as 4 bytes big-endian and the strings in UTF-8. The lengths make the encoding
unambiguous (no two (partner, link) pairs give the same input), so the pseudonyms of two partners
for the same person are unrelated and they cannot join their data on them; the same partner always
gets the same pseudonym, so it can recognise a person across its own cases.

Every other identifier a partner sees is derived the same way, from a typed input that no link
pseudonym can take (a link pseudonym is hex, these begin with a word and a colon):

* a case: ``casus:<intake id>``, shown as a UUID (the first 16 bytes of the HMAC, version 8);
* a betrokkene in a case: ``betrokkene:<intake id>``, shown as 64 hex characters;
* an advice question: ``adviesvraag:<intake id>``, shown as a UUID like a case.

So two partners' answers about the same case or person share no identifier, and the gateway alone
(with the key) can tell which case a partner's reference names.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final
from uuid import UUID

__all__ = [
    "MIN_SLEUTEL_BYTES",
    "partner_adviesvraag_referentie",
    "partner_betrokkene_referentie",
    "partner_casus_referentie",
    "partner_pseudoniem",
]

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


def partner_casus_referentie(*, sleutel: bytes, partner_id: str, casus_id: UUID) -> UUID:
    """The reference under which partner ``partner_id`` knows intake's case ``casus_id``.

    A UUID of version 8 (RFC 9562, custom) made of the first 16 bytes of the partner pseudonym of
    ``casus:<id>``; unrelated between partners, stable for one partner.
    """
    return _uuid_referentie(sleutel=sleutel, partner_id=partner_id, invoer=f"casus:{casus_id}")


def partner_adviesvraag_referentie(*, sleutel: bytes, partner_id: str, adviesvraag_id: UUID) -> UUID:
    """The reference under which expert ``partner_id`` knows intake's advice question (as for a case)."""
    return _uuid_referentie(sleutel=sleutel, partner_id=partner_id, invoer=f"adviesvraag:{adviesvraag_id}")


def _uuid_referentie(*, sleutel: bytes, partner_id: str, invoer: str) -> UUID:
    digest = bytearray(
        bytes.fromhex(partner_pseudoniem(sleutel=sleutel, partner_id=partner_id, link_pseudoniem=invoer))[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x80  # version 8
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 9562 variant
    return UUID(bytes=bytes(digest))


def partner_betrokkene_referentie(*, sleutel: bytes, partner_id: str, betrokkene_id: UUID) -> str:
    """This partner's reference to one betrokkene of one case (64 hex); unrelated to other partners'."""
    return partner_pseudoniem(
        sleutel=sleutel, partner_id=partner_id, link_pseudoniem=f"betrokkene:{betrokkene_id}"
    )
