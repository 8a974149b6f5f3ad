"""Migration 20261201_04: signals recorded before it get one indicator row per indicator (and keep everything
else), nobody is assigned, and down again drops the column and the table, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from intake_api.models import Signaal
from meldroute_common.migrations import downgrade, upgrade
from meldroute_dev.testing import TestDatabases
from sqlalchemy.ext.asyncio import create_async_engine

SERVICE_DIR = Path(__file__).parents[1]
MOMENT = datetime(2026, 10, 8, 14, 0, tzinfo=UTC)


async def _sql(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as verbinding:
            resultaat = await verbinding.execute(sa.text(sql))
            return [tuple(r) for r in resultaat] if resultaat.returns_rows else []
    finally:
        await engine.dispose()


async def test_existing_signals_get_their_indicator_rows(test_databases: TestDatabases) -> None:
    url = test_databases.create("migratie-toewijzing")
    await asyncio.to_thread(upgrade, service_dir=SERVICE_DIR, database_url=url, revision="20261201_03")
    signalen = {
        uuid.uuid4(): ["onderbetaling", "woont-op-werkplek"],
        uuid.uuid4(): [],
        uuid.uuid4(): ["bedelarij"],
    }
    engine = create_async_engine(url)
    async with engine.begin() as verbinding:
        for signaal_id, indicatoren in signalen.items():
            # Only the columns of 20261201_03 are named, so the model's definition fits.
            await verbinding.execute(
                Signaal.__table__.insert().values(
                    id=signaal_id, gemeente_code="GM1509", melder_domein="toezicht", waargenomen_op=MOMENT.date(),
                    ontvangen_op=MOMENT, uitbuitingsvormen=["arbeid"], indicatoren=indicatoren, sector="agrarisch",
                    locatietype="boerenerf", omschrijving="", toestemming=False, status="ontvangen", versie=1,
                    status_gewijzigd_op=MOMENT, aangemaakt_door="melder-1",
                )
            )  # fmt: skip
    await engine.dispose()

    await asyncio.to_thread(upgrade, service_dir=SERVICE_DIR, database_url=url)
    rijen = await _sql(url, "SELECT signaal_id, indicator FROM signaal_indicatoren")
    assert sorted((str(uuid.UUID(str(s))), str(i)) for s, i in rijen) == sorted(
        (str(s), i) for s, codes in signalen.items() for i in codes
    )
    assert await _sql(url, "SELECT toegewezen_aan FROM signalen") == [(None,)] * 3
    await asyncio.to_thread(downgrade, service_dir=SERVICE_DIR, database_url=url, revision="20261201_03")
    assert len(await _sql(url, "SELECT id FROM signalen")) == 3
    kolommen = {c["name"] for c in await asyncio.to_thread(_kolommen, url)}
    assert "toegewezen_aan" not in kolommen and "indicatoren" in kolommen
    await asyncio.to_thread(upgrade, service_dir=SERVICE_DIR, database_url=url)
    # Up again: the rows are rebuilt from `signalen.indicatoren`, once each.
    assert len(await _sql(url, "SELECT indicator FROM signaal_indicatoren")) == 3


def _kolommen(url: str) -> list[dict[str, object]]:
    async def lees() -> list[dict[str, object]]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as verbinding:
                return await verbinding.run_sync(lambda c: list(sa.inspect(c).get_columns("signalen")))
        finally:
            await engine.dispose()

    return asyncio.run(lees())
