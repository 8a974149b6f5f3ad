"""Store anonymous events idempotently: an event id already stored (or repeated in the batch) changes nothing.

The events come as checked plain data (`GecontroleerdeGebeurtenis`) and go straight to row tuples. On
PostgreSQL a batch is COPYed into both tables through the driver (binary, no per-row statement or type
processing in Python); a batch holding a known id falls back to one INSERT … SELECT FROM unnest … ON CONFLICT
DO NOTHING per table. SQLite takes the same rows by executemany with ON CONFLICT DO NOTHING.
"""

from __future__ import annotations

import operator
import secrets
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from asyncpg.exceptions import UniqueViolationError  # type: ignore[import-untyped]
from meldroute_common.catalogus import ONBEKEND
from meldroute_common.gebeurtenissen import GecontroleerdeGebeurtenis
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


#: The fields of a checked event that are columns of its row, in the order of `_PG_KOLOMMEN`.
_VELDEN = (
    "id", "type", "maand", "gemeenteCode", "sector", "locatietype", "melderDomein", "leeftijdsklasse", "geslacht",
    "nationaliteitsgroep", "uitkomst", "doorlooptijdDagen", "terugkoppeling", "eersteTerugkoppeling", "termijn",
)  # fmt: skip
_waarden = operator.itemgetter(*_VELDEN)
#: Where the signal's attributes are in a row: a deadline event has none (None), stored as `onbekend`.
_KENMERKEN = slice(4, 10)

#: The columns of an event row with their PostgreSQL types: the fields of `_VELDEN`, the periods derived from
#: `maand`, the cell key.
_PG_KOLOMMEN: tuple[tuple[str, str], ...] = (
    ("id", "uuid"), ("type", "text"), ("maand", "text"), ("gemeente_code", "text"), ("sector", "text"),
    ("locatietype", "text"), ("melder_domein", "text"), ("leeftijdsklasse", "text"), ("geslacht", "text"),
    ("nationaliteitsgroep", "text"), ("uitkomst", "text"), ("doorlooptijd_dagen", "int"), ("terugkoppeling", "text"),
    ("eerste_terugkoppeling", "bool"), ("termijn", "text"), ("kwartaal", "text"), ("jaar", "text"),
    ("celsleutel", "bigint"),
)  # fmt: skip


def _celsleutels(aantal: int) -> tuple[int, ...]:
    """`aantal` independent uniform keys in 0..2^32-1 from the system's CSPRNG, in one call (as many calls of
    `secrets.randbits(32)` would give, without a system call per event)."""
    return struct.unpack(f"<{aantal}I", secrets.token_bytes(4 * aantal))


def _rijen(gebeurtenissen: Sequence[GecontroleerdeGebeurtenis]) -> list[tuple[Any, ...]]:
    """The rows of events, in the order of `_PG_KOLOMMEN`, straight from the checked data: no object per event."""
    perioden = {m: (kwartaal_van(m), jaar_van(m)) for m in {g["maand"] for g in gebeurtenissen}}
    sleutels = _celsleutels(len(gebeurtenissen))
    rijen = [
        (*_waarden(g), *perioden[g["maand"]], sleutel)
        for g, sleutel in zip(gebeurtenissen, sleutels, strict=True)
    ]
    # A deadline event says nothing about its signal: its attributes are stored as unknown, and every table but
    # the deadline table counts other types only. (Every other type carries all of them.)
    return [r if r[1] != "termijn_verstreken" else _onbekende_kenmerken(r) for r in rijen]


def _onbekende_kenmerken(rij: tuple[Any, ...]) -> tuple[Any, ...]:
    kenmerken = tuple(k or ONBEKEND for k in rij[_KENMERKEN])
    return (*rij[: _KENMERKEN.start], *kenmerken, *rij[_KENMERKEN.stop :])


def _vormen(gebeurtenissen: Iterable[GecontroleerdeGebeurtenis]) -> list[tuple[UUID, str]]:
    return [(g["id"], vorm) for g in gebeurtenissen for vorm in g["uitbuitingsvormen"] or ()]


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


_KOLOMNAMEN = tuple(k for k, _ in _PG_KOLOMMEN)
_VORMKOLOMMEN = ("gebeurtenis_id", "uitbuitingsvorm")


async def _store_postgresql(session: AsyncSession, uniek: Sequence[GecontroleerdeGebeurtenis]) -> int:
    """COPY into both tables, in a savepoint of the session's transaction; the number of events stored anew.

    COPY cannot skip a known id: if any event is stored already (a redelivery, or a concurrent batch holding
    the same event, which COPY waits for like an INSERT does), the savepoint is rolled back and the batch goes
    in by INSERT … ON CONFLICT DO NOTHING instead, which stores exactly the unknown ones.
    """
    rijen = _rijen(uniek)
    vormen = _vormen(uniek)
    connection = await session.connection()
    try:
        async with session.begin_nested():  # SAVEPOINT, through SQLAlchemy: its transaction is begun
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            await driver.copy_records_to_table("gebeurtenissen", records=rijen, columns=_KOLOMNAMEN)
            if vormen:
                await driver.copy_records_to_table(
                    "gebeurtenis_uitbuitingsvormen", records=vormen, columns=_VORMKOLOMMEN
                )
        return len(rijen)
    except UniqueViolationError:
        pass  # rolled back to the savepoint: nothing of the batch is stored
    kolommen = tuple(list(kolom) for kolom in zip(*rijen, strict=True))
    nieuw_ids = {r[0] for r in await connection.exec_driver_sql(_PG_GEBEURTENISSEN, kolommen)}
    vormen = [(i, vorm) for i, vorm in vormen if i in nieuw_ids]
    if vormen:
        await connection.exec_driver_sql(_PG_VORMEN, ([i for i, _ in vormen], [v for _, v in vormen]))
    return len(nieuw_ids)


async def _store_sqlite(session: AsyncSession, uniek: Sequence[GecontroleerdeGebeurtenis]) -> int:
    tabel = GebeurtenisRij.__table__
    assert isinstance(tabel, Table)
    # executemany, not one VALUES list: SQLAlchemy batches it ("insertmanyvalues") with a cached statement,
    # where a 1,000-row VALUES clause would be compiled anew for every batch.
    invoegen = _insert(session, tabel).on_conflict_do_nothing(index_elements=["id"]).returning(tabel.c.id)
    rijen = [dict(zip(_KOLOMNAMEN, rij, strict=True)) for rij in _rijen(uniek)]
    resultaat = await session.execute(invoegen, rijen)
    nieuw_ids = set(resultaat.scalars().all())
    vormen = [{"gebeurtenis_id": i, "uitbuitingsvorm": vorm} for i, vorm in _vormen(uniek) if i in nieuw_ids]
    if vormen:
        vormtabel = GebeurtenisVorm.__table__
        assert isinstance(vormtabel, Table)
        await session.execute(_insert(session, vormtabel).on_conflict_do_nothing(), vormen)
    return len(nieuw_ids)


async def store_gebeurtenissen(
    *, session: AsyncSession, gebeurtenissen: Sequence[GecontroleerdeGebeurtenis]
) -> Opgeslagen:
    """Store the events not seen before; an event id seen before (or twice in the batch) changes nothing."""
    uniek: dict[UUID, GecontroleerdeGebeurtenis] = {}
    for gebeurtenis in gebeurtenissen:
        uniek.setdefault(gebeurtenis["id"], gebeurtenis)  # the first of a repeated id wins
    if not uniek:
        return Opgeslagen(nieuw=0, dubbel=0)
    # The one place that chooses by database.
    if session.get_bind().dialect.name == "postgresql":
        nieuw = await _store_postgresql(session, list(uniek.values()))
    else:
        nieuw = await _store_sqlite(session, list(uniek.values()))
    await session.flush()
    return Opgeslagen(nieuw=nieuw, dubbel=len(gebeurtenissen) - nieuw)
