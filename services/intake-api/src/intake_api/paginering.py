"""Keyset pages of signals over (moment, id), newest first, with opaque cursors."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.problems import BadRequest, InvalidParam
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.models import Signaal
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


async def signalen_pagina(
    *, session: AsyncSession, query: Select[Signaal], moment: Any, page_size: int, cursor: str | None
) -> tuple[list[Signaal], str | None]:
    """One page of `query` ordered by (`moment`, id) descending, and the cursor of the next page (or None).

    Keyset, not offset: a deep page costs what the first does.
    """
    if cursor is not None:
        na_moment, na_id = lees_cursor(cursor)
        positie = sa.tuple_(sa.literal(na_moment, moment.type), sa.literal(na_id, Signaal.id.type))
        query = query.where(sa.tuple_(moment, Signaal.id) < positie)
    query = query.order_by(moment.desc(), Signaal.id.desc()).limit(page_size + 1)
    rijen = list(await session.scalars(query))
    if len(rijen) <= page_size:
        return rijen, None
    rijen = rijen[:page_size]
    laatste = rijen[-1]
    return rijen, maak_cursor(moment=getattr(laatste, moment.key), id=laatste.id)
