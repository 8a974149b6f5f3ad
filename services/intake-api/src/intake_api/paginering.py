"""Keyset pages of signals over (moment, id), newest first, with opaque cursors."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.paginering import CursorCodec
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.models import Signaal
from intake_api.tijd import utc

#: The position after the last row of a page: its moment and id.
CURSOR = CursorCodec(velden=(datetime, UUID))


def make_cursor(*, moment: datetime, id: UUID) -> str:
    return CURSOR.encode(utc(moment), id)


async def signalen_pagina(
    *, session: AsyncSession, query: Select[Signaal], moment: Any, page_size: int, cursor: str | None
) -> tuple[list[Signaal], str | None]:
    """One page of `query` ordered by (`moment`, id) descending, and the cursor of the next page (or None).

    Keyset, not offset: a deep page costs what the first does.
    """
    if cursor is not None:
        na_moment, na_id = CURSOR.decode(cursor)
        positie = sa.tuple_(sa.literal(na_moment, moment.type), sa.literal(na_id, Signaal.id.type))
        query = query.where(sa.tuple_(moment, Signaal.id) < positie)
    query = query.order_by(moment.desc(), Signaal.id.desc()).limit(page_size + 1)
    rijen = list(await session.scalars(query))
    if len(rijen) <= page_size:
        return rijen, None
    rijen = rijen[:page_size]
    laatste = rijen[-1]
    return rijen, make_cursor(moment=getattr(laatste, moment.key), id=laatste.id)
