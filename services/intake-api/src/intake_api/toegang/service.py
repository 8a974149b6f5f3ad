"""Append to the access log, in the transaction of the read itself: no log row, no read."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

from meldroute_common.auth import Claims
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.models import Toegang


class Actie(StrEnum):
    signaal_gelezen = "signaal_gelezen"
    historie_gelezen = "historie_gelezen"
    casus_gelezen_intern = "casus_gelezen_intern"
    beleidsfeiten_gelezen_intern = "beleidsfeiten_gelezen_intern"
    adviesvraag_gelezen_intern = "adviesvraag_gelezen_intern"


async def log_toegang(*, session: AsyncSession, claims: Claims, signaal_id: UUID, actie: Actie) -> None:
    """Record that `claims.sub` read signal `signaal_id` for `actie`."""
    session.add(
        Toegang(
            tijdstip=datetime.now(UTC),
            door=claims.sub,
            gemeente_code=claims.gemeente,
            signaal_id=signaal_id,
            actie=actie.value,
        )
    )
    await session.flush()
