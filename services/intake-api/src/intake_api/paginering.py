"""Opaque keyset cursors over (moment, id), newest first."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from uuid import UUID

from meldroute_common.problems import BadRequest, InvalidParam

from intake_api.tijd import utc


def maak_cursor(*, moment: datetime, id: UUID) -> str:
    ruw = json.dumps([utc(moment).isoformat(), id.hex], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(ruw).rstrip(b"=").decode()


def lees_cursor(cursor: str) -> tuple[datetime, UUID]:
    """The position a cursor points after; 400 naming `cursor` when it was not made by `maak_cursor`."""
    try:
        ruw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, hex_id = json.loads(ruw)
        return utc(datetime.fromisoformat(moment)), UUID(hex=hex_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadRequest(
            "De cursor is ongeldig.",
            invalid_params=[InvalidParam(name="cursor", reason="Geen cursor uit een eerdere pagina.")],
        ) from None
