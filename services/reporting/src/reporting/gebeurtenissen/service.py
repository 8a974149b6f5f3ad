"""Store anonymous events idempotently: INSERT … ON CONFLICT DO NOTHING, batched by the driver."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from meldroute_common.catalogus import ONBEKEND
from meldroute_common.gebeurtenissen import Gebeurtenis
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.gebeurtenissen.models import GebeurtenisRij, GebeurtenisVorm
from reporting.perioden import jaar_van, kwartaal_van


@dataclass(frozen=True, slots=True)
class Opgeslagen:
    nieuw: int
    dubbel: int


def _insert(session: AsyncSession, table: Table) -> Any:
    # Both dialects spell ON CONFLICT DO NOTHING the same way, but SQLAlchemy builds it per dialect.
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"database {dialect!r} wordt niet ondersteund")


def _rij(gebeurtenis: Gebeurtenis) -> dict[str, Any]:
    return {
        "id": gebeurtenis.id,
        "type": gebeurtenis.type,
        "maand": gebeurtenis.maand,
        "kwartaal": kwartaal_van(gebeurtenis.maand),
        "jaar": jaar_van(gebeurtenis.maand),
        "gemeente_code": gebeurtenis.gemeente_code,
        # A deadline event says nothing about its signal: its attributes are stored as unknown, and every table
        # but the deadline table counts other types only.
        "sector": gebeurtenis.sector or ONBEKEND,
        "locatietype": gebeurtenis.locatietype or ONBEKEND,
        "melder_domein": gebeurtenis.melder_domein or ONBEKEND,
        "leeftijdsklasse": gebeurtenis.leeftijdsklasse or ONBEKEND,
        "geslacht": gebeurtenis.geslacht or ONBEKEND,
        "nationaliteitsgroep": gebeurtenis.nationaliteitsgroep or ONBEKEND,
        "uitkomst": gebeurtenis.uitkomst,
        "doorlooptijd_dagen": gebeurtenis.doorlooptijd_dagen,
        "terugkoppeling": gebeurtenis.terugkoppeling,
        "eerste_terugkoppeling": gebeurtenis.eerste_terugkoppeling,
        "termijn": gebeurtenis.termijn,
        "celsleutel": secrets.randbits(32),
    }


async def store_gebeurtenissen(*, session: AsyncSession, gebeurtenissen: Sequence[Gebeurtenis]) -> Opgeslagen:
    """Store the events not seen before; an event id seen before (or twice in the batch) changes nothing."""
    uniek: dict[UUID, Gebeurtenis] = {}
    for gebeurtenis in gebeurtenissen:
        uniek.setdefault(gebeurtenis.id, gebeurtenis)  # the first of a repeated id wins
    if not uniek:
        return Opgeslagen(nieuw=0, dubbel=0)
    tabel = GebeurtenisRij.__table__
    assert isinstance(tabel, Table)
    # executemany, not one VALUES list: SQLAlchemy batches it ("insertmanyvalues") with a cached statement,
    # where a 1,000-row VALUES clause would be compiled anew for every batch.
    invoegen = _insert(session, tabel).on_conflict_do_nothing(index_elements=["id"]).returning(tabel.c.id)
    resultaat = await session.execute(invoegen, [_rij(g) for g in uniek.values()])
    nieuw_ids = set(resultaat.scalars().all())
    vormen = [
        {"gebeurtenis_id": g.id, "uitbuitingsvorm": vorm}
        for g in uniek.values()
        if g.id in nieuw_ids
        for vorm in g.uitbuitingsvormen or ()
    ]
    if vormen:
        vormtabel = GebeurtenisVorm.__table__
        assert isinstance(vormtabel, Table)
        await session.execute(_insert(session, vormtabel).on_conflict_do_nothing(), vormen)
    await session.flush()
    return Opgeslagen(nieuw=len(nieuw_ids), dubbel=len(gebeurtenissen) - len(nieuw_ids))
