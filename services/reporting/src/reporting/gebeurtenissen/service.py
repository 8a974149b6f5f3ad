"""Store anonymous events idempotently: INSERT … ON CONFLICT DO NOTHING.

On PostgreSQL a batch is one statement per table over arrays (`unnest`), sent through the driver: no
per-row statement, compilation or type processing in Python. SQLite takes the same rows by executemany.
"""

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


#: The columns of an event row with their PostgreSQL types, in the order of `_rij`.
_PG_KOLOMMEN: tuple[tuple[str, str], ...] = (
    ("id", "uuid"), ("type", "text"), ("maand", "text"), ("kwartaal", "text"), ("jaar", "text"),
    ("gemeente_code", "text"), ("sector", "text"), ("locatietype", "text"), ("melder_domein", "text"),
    ("leeftijdsklasse", "text"), ("geslacht", "text"), ("nationaliteitsgroep", "text"), ("uitkomst", "text"),
    ("doorlooptijd_dagen", "int"), ("terugkoppeling", "text"), ("eerste_terugkoppeling", "bool"),
    ("termijn", "text"), ("celsleutel", "bigint"),
)  # fmt: skip


def _unnest_insert(tabel: str, kolommen: Sequence[tuple[str, str]], *, returning: str | None) -> str:
    namen = ", ".join(k for k, _ in kolommen)
    arrays = ", ".join(f"${i}::{t}[]" for i, (_, t) in enumerate(kolommen, start=1))
    einde = f" RETURNING {returning}" if returning else ""
    # Only constants of this module go into the text; the values travel as parameters.
    return f"INSERT INTO {tabel} ({namen}) SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING{einde}"  # noqa: S608  # nosec B608


_PG_GEBEURTENISSEN = _unnest_insert("gebeurtenissen", _PG_KOLOMMEN, returning="id")
_PG_VORMEN = _unnest_insert(
    "gebeurtenis_uitbuitingsvormen", (("gebeurtenis_id", "uuid"), ("uitbuitingsvorm", "text")), returning=None
)


async def _store_postgresql(session: AsyncSession, uniek: Sequence[Gebeurtenis]) -> set[UUID]:
    """One INSERT … SELECT FROM unnest per table, in the session's transaction; the ids stored anew."""
    rijen = [_rij(g) for g in uniek]
    connection = await session.connection()
    kolommen = tuple([r[k] for r in rijen] for k, _ in _PG_KOLOMMEN)
    nieuw_ids = {r[0] for r in await connection.exec_driver_sql(_PG_GEBEURTENISSEN, kolommen)}
    vormen = [(g.id, vorm) for g in uniek if g.id in nieuw_ids for vorm in g.uitbuitingsvormen or ()]
    if vormen:
        await connection.exec_driver_sql(_PG_VORMEN, ([i for i, _ in vormen], [v for _, v in vormen]))
    return nieuw_ids


async def _store_sqlite(session: AsyncSession, uniek: Sequence[Gebeurtenis]) -> set[UUID]:
    tabel = GebeurtenisRij.__table__
    assert isinstance(tabel, Table)
    # executemany, not one VALUES list: SQLAlchemy batches it ("insertmanyvalues") with a cached statement,
    # where a 1,000-row VALUES clause would be compiled anew for every batch.
    invoegen = _insert(session, tabel).on_conflict_do_nothing(index_elements=["id"]).returning(tabel.c.id)
    resultaat = await session.execute(invoegen, [_rij(g) for g in uniek])
    nieuw_ids = set(resultaat.scalars().all())
    vormen = [
        {"gebeurtenis_id": g.id, "uitbuitingsvorm": vorm}
        for g in uniek
        if g.id in nieuw_ids
        for vorm in g.uitbuitingsvormen or ()
    ]
    if vormen:
        vormtabel = GebeurtenisVorm.__table__
        assert isinstance(vormtabel, Table)
        await session.execute(_insert(session, vormtabel).on_conflict_do_nothing(), vormen)
    return nieuw_ids


async def store_gebeurtenissen(*, session: AsyncSession, gebeurtenissen: Sequence[Gebeurtenis]) -> Opgeslagen:
    """Store the events not seen before; an event id seen before (or twice in the batch) changes nothing."""
    uniek: dict[UUID, Gebeurtenis] = {}
    for gebeurtenis in gebeurtenissen:
        uniek.setdefault(gebeurtenis.id, gebeurtenis)  # the first of a repeated id wins
    if not uniek:
        return Opgeslagen(nieuw=0, dubbel=0)
    if session.get_bind().dialect.name == "postgresql":
        nieuw_ids = await _store_postgresql(session, list(uniek.values()))
    else:
        nieuw_ids = await _store_sqlite(session, list(uniek.values()))
    await session.flush()
    return Opgeslagen(nieuw=len(nieuw_ids), dubbel=len(gebeurtenissen) - len(nieuw_ids))
