"""Partner references: derive them, remember which case they name, and coarsen what partners see.

A partner only ever learns a case reference from the gateway (the list of its cases, then the answers
about a case), and the gateway writes the mapping (partner, reference) -> intake case id when it first
shows the reference. Reading one case is then one primary-key lookup here plus one call to intake.
A reference the table does not know is 404 without asking intake: that is a reference of another
partner, one never handed out, or a guess, and scanning the partner's cases at intake for it would let
anyone turn cheap guesses into expensive calls.

A mapping, once written, never changes and is never removed, so the gateway keeps the ones it has read
in memory (:class:`Referentiegeheugen`): a partner reading its case again costs no lookup. Only found
mappings are kept, and only as read from the table (committed), never as written in a transaction
that could still roll back; an unknown reference is asked of the table every time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Final
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from cachetools import LRUCache
from meldroute_common.beleid.index import BELEIDSTIJDZONE
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.referenties.models import AdviesvraagReferentie, CasusReferentie

__all__ = [
    "Referentiegeheugen",
    "adviesvraag_for_referentie",
    "casus_for_referentie",
    "dag",
    "dag_of_none",
    "record_adviesreferenties",
    "record_referenties",
]

_ZONE: Final = ZoneInfo(BELEIDSTIJDZONE)


def dag(moment: datetime) -> date:
    """The day of a moment as partners see it (Europe/Amsterdam, like the policy's days)."""
    return moment.astimezone(_ZONE).date()


def dag_of_none(moment: datetime | None) -> date | None:
    return None if moment is None else dag(moment)


async def record_referenties(
    *, session: AsyncSession, partner: str, referenties: Mapping[UUID, UUID]
) -> None:
    """Record the partner's references being shown (intake id -> reference), for the way back."""
    if not referenties:
        return
    rijen: list[dict[str, object]] = [
        {"partner": partner, "referentie": r, "casus_id": c} for c, r in referenties.items()
    ]
    await _insert_nieuw(session, CasusReferentie, rijen)


async def _insert_nieuw(
    session: AsyncSession,
    model: type[CasusReferentie] | type[AdviesvraagReferentie],
    rijen: list[dict[str, object]],
) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Concurrent first views write the same rows: the second simply finds them there.
    await session.execute(
        insert(model).on_conflict_do_nothing(index_elements=["partner", "referentie"]), rijen
    )


class Referentiegeheugen:
    """The (partner, reference) -> intake case id mappings read so far, the ``maximum`` most recent kept."""

    def __init__(self, maximum: int = 100_000) -> None:
        self._bekend: LRUCache[tuple[str, UUID], UUID] = LRUCache(maxsize=maximum)

    def get(self, partner: str, referentie: UUID) -> UUID | None:
        return self._bekend.get((partner, referentie))

    def onthoud(self, partner: str, referentie: UUID, casus_id: UUID) -> None:
        self._bekend[(partner, referentie)] = casus_id


_CASUS_VOOR_REFERENTIE = sa.select(CasusReferentie.__table__.c.casus_id).where(
    CasusReferentie.__table__.c.partner == sa.bindparam("partner"),
    CasusReferentie.__table__.c.referentie == sa.bindparam("referentie"),
)


async def casus_for_referentie(
    *, session: AsyncSession, partner: str, referentie: UUID, geheugen: Referentiegeheugen | None = None
) -> UUID | None:
    """Intake's case id behind this partner's reference, or None when the partner was never shown it."""
    if geheugen is not None and (bekend := geheugen.get(partner, referentie)) is not None:
        return bekend
    casus_id: UUID | None = await session.scalar(
        _CASUS_VOOR_REFERENTIE, {"partner": partner, "referentie": referentie}
    )
    if geheugen is not None and casus_id is not None:
        geheugen.onthoud(partner, referentie, casus_id)
    return casus_id


async def record_adviesreferenties(
    *, session: AsyncSession, partner: str, referenties: Mapping[UUID, UUID]
) -> None:
    """Record an expert's references to advice questions being shown (intake id -> reference)."""
    if not referenties:
        return
    rijen: list[dict[str, object]] = [
        {"partner": partner, "referentie": r, "adviesvraag_id": a} for a, r in referenties.items()
    ]
    await _insert_nieuw(session, AdviesvraagReferentie, rijen)


async def adviesvraag_for_referentie(*, session: AsyncSession, partner: str, referentie: UUID) -> UUID | None:
    """Intake's advice question behind this expert's reference, or None when it was never shown it."""
    adviesvraag_id: UUID | None = await session.scalar(
        sa.select(AdviesvraagReferentie.adviesvraag_id).where(
            AdviesvraagReferentie.partner == partner, AdviesvraagReferentie.referentie == referentie
        )
    )
    return adviesvraag_id
