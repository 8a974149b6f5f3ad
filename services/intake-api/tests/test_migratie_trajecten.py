"""Migration 20261201_03: an escalation made before tracks existed becomes one track, nothing else moves,
and the status check takes advies_gevraagd (and still refuses anything else), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from intake_api.models import Betrokkene, HistorieRegel, Signaal
from meldroute_common.migrations import downgrade, upgrade
from meldroute_dev.testing import TestDatabases
from sqlalchemy.ext.asyncio import create_async_engine

SERVICE_DIR = Path(__file__).parents[1]
MOMENT = datetime(2026, 10, 8, 14, 0, tzinfo=UTC)


def _signaal(signaal_id: uuid.UUID, status: str, **extra: object) -> dict[str, object]:
    return {
        "id": signaal_id, "gemeente_code": "GM1509", "melder_domein": "toezicht", "waargenomen_op": MOMENT.date(),
        "ontvangen_op": MOMENT, "uitbuitingsvormen": ["arbeid"], "indicatoren": [], "sector": "agrarisch",
        "locatietype": "boerenerf", "omschrijving": "", "toestemming": False, "status": status, "versie": 3,
        "status_gewijzigd_op": MOMENT, "aangemaakt_door": "melder-1", "opgeschaald_op": None, "partners": None,
        "doel": None, "vertrouwelijkheidaanduiding": None, **extra,
    }  # fmt: skip


async def _vul(url: str, opgeschaald: uuid.UUID, open_: uuid.UUID) -> None:
    # These three tables are the same before and after the migration: the models' definitions fit.
    signalen, betrokkenen, historie = (Signaal.__table__, Betrokkene.__table__, HistorieRegel.__table__)
    engine = create_async_engine(url)
    async with engine.begin() as verbinding:
        for rij in (
            _signaal(
                opgeschaald, "opgeschaald", opgeschaald_op=MOMENT, doel="casusoverleg",
                partners=["riec-oost-nederland", "politie-oost-nederland"], vertrouwelijkheidaanduiding="vertrouwelijk",
            ),
            _signaal(open_, "in_behandeling"),
        ):  # fmt: skip
            await verbinding.execute(signalen.insert().values(**rij))
        for signaal_id in (opgeschaald, open_):
            await verbinding.execute(
                betrokkenen.insert().values(
                    id=uuid.uuid4(), signaal_id=signaal_id, volgnummer=0, rol="slachtoffer", leeftijdsklasse="23-29",
                    geslacht="man", nationaliteitsgroep="eu-eer",
                )
            )  # fmt: skip
        await verbinding.execute(
            historie.insert().values(
                id=uuid.uuid4(), signaal_id=opgeschaald, volgnummer=3, tijdstip=MOMENT, actie="beoordeeld",
                door="af-1", van_status="in_behandeling", naar_status="opgeschaald",
            )
        )  # fmt: skip
    await engine.dispose()


async def _lees(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as verbinding:
            return [tuple(r) for r in await verbinding.execute(sa.text(sql))]
    finally:
        await engine.dispose()


async def _status(url: str, signaal_id: uuid.UUID, status: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as verbinding:
            await verbinding.execute(
                sa.update(Signaal.__table__).where(Signaal.__table__.c.id == signaal_id).values(status=status)
            )
    finally:
        await engine.dispose()


async def test_an_old_escalation_becomes_one_track_and_nothing_else_moves(
    test_databases: TestDatabases,
) -> None:
    url = test_databases.create("migratie-trajecten")
    await asyncio.to_thread(upgrade, service_dir=SERVICE_DIR, database_url=url, revision="20261201_02")
    opgeschaald, open_ = uuid.uuid4(), uuid.uuid4()
    await _vul(url, opgeschaald, open_)

    await asyncio.to_thread(upgrade, service_dir=SERVICE_DIR, database_url=url)
    assert len(await _lees(url, "SELECT id FROM signalen")) == 2
    assert len(await _lees(url, "SELECT id FROM betrokkenen")) == 2  # the rebuild on SQLite kept the children
    assert len(await _lees(url, "SELECT id FROM signaal_historie")) == 1
    trajecten = await _lees(url, "SELECT doel, status, geopend_door, volgnummer FROM trajecten")
    assert trajecten == [("casusoverleg", "open", "af-1", 1)]
    partners = await _lees(url, "SELECT partner, volgnummer FROM traject_partners ORDER BY volgnummer")
    assert partners == [("riec-oost-nederland", 1), ("politie-oost-nederland", 2)]

    await _status(url, open_, "advies_gevraagd")
    with pytest.raises(sa.exc.IntegrityError):
        await _status(url, open_, "zomaar_iets")

    # Down again: advice becomes in_behandeling, the old check is back.
    await asyncio.to_thread(downgrade, service_dir=SERVICE_DIR, database_url=url, revision="20261201_02")
    assert sorted(str(s) for (s,) in await _lees(url, "SELECT status FROM signalen")) == [
        "in_behandeling",
        "opgeschaald",
    ]
    with pytest.raises(sa.exc.IntegrityError):
        await _status(url, open_, "advies_gevraagd")
    assert len(await _lees(url, "SELECT id FROM betrokkenen")) == 2
