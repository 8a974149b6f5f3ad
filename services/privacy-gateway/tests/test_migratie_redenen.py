"""Upgrading an installation that stored reasons in the clear and had analysed its tables.

Before revision 0002_partner the reason was stored as typed, and ANALYZE had copied it into the planner
statistics. After the upgrade the clear reason is gone from the table and, after the next ANALYZE,
from the statistics too (the migration runs as a superuser here, so it removes what was gathered).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from meldroute_common.db import make_engine
from meldroute_common.migrations import upgrade
from meldroute_dev.testing import TestDatabases, clear_tables
from meldroute_dev.testing import test_backend as _backend
from sqlalchemy import text

SERVICE_DIR = Path(__file__).resolve().parents[1]
PG = _backend() == "postgresql"
CANARY = "Canarius Zwartveld 123456782 0612345678 canary@example.nl"


def _uuid() -> object:
    """A fresh id as the column stores it (uuid on PostgreSQL, 32 hex characters on SQLite)."""
    waarde = uuid.uuid4()
    return waarde if PG else waarde.hex


async def _statistieken(url: str) -> str:
    engine = make_engine(url)
    try:
        async with engine.begin() as verbinding:
            await verbinding.execute(text("ANALYZE"))
            if PG:
                rijen = await verbinding.execute(
                    text(
                        "SELECT attname, concat_ws(' ', most_common_vals::text, histogram_bounds::text) "
                        "FROM pg_stats WHERE schemaname = 'public' AND tablename = 'identiteitsverzoeken'"
                    )
                )
                return repr(rijen.all())
            namen = (
                await verbinding.execute(
                    text("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")
                )
            ).scalars()
            return repr([(await verbinding.execute(text(f'SELECT * FROM "{n}"'))).all() for n in list(namen)])
    finally:
        await engine.dispose()


async def test_clear_reasons_and_their_statistics_are_gone_after_the_upgrade(
    test_databases: TestDatabases,
) -> None:
    url = test_databases.create("gateway-redenen")
    upgrade(service_dir=SERVICE_DIR, database_url=url, revision="0001")
    engine = make_engine(url)
    try:
        async with engine.begin() as verbinding:
            for _ in range(20):  # enough rows for a most-common value
                await verbinding.execute(
                    text(
                        "INSERT INTO identiteitsverzoeken (id, casus_id, betrokkene_id, partner, aanvrager, doel, "
                        "reden, status, aangevraagd_op) VALUES (:id, :c, :b, 'politie-oost-nederland', 'agent-1', "
                        "'casusoverleg', :reden, 'aangevraagd', :op)"
                    ),
                    {
                        "id": _uuid(),
                        "c": _uuid(),
                        "b": _uuid(),
                        "reden": CANARY,
                        "op": datetime.now(UTC),
                    },
                )
    finally:
        await engine.dispose()
    voor = await _statistieken(url)
    if PG:
        assert "Zwartveld" in voor, "the control: ANALYZE did copy the clear reason into pg_statistic"

    upgrade(service_dir=SERVICE_DIR, database_url=url)
    na = await _statistieken(url)
    assert "Zwartveld" not in na and "123456782" not in na
    engine = make_engine(url)
    try:
        async with engine.connect() as verbinding:
            redenen = (
                (await verbinding.execute(text("SELECT reden FROM identiteitsverzoeken"))).scalars().all()
            )
    finally:
        await engine.dispose()
    assert redenen == [None] * 20


def test_the_retention_command_counts_then_purges(
    gateway_harness: Any, local_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`meldroute-gateway retentie`: `--droog` only counts; without it the old request goes, logged as a count."""
    import asyncio

    from privacy_gateway.cli import app
    from privacy_gateway.config import get_settings
    from typer.testing import CliRunner

    url = gateway_harness.database_url

    async def voeg_toe() -> None:
        engine = make_engine(url)
        try:
            async with engine.begin() as verbinding:
                for op in (datetime(2020, 1, 1, tzinfo=UTC), datetime.now(UTC)):
                    await verbinding.execute(
                        text(
                            "INSERT INTO identiteitsverzoeken (id, casus_id, betrokkene_id, partner, aanvrager, "
                            "doel, status, aangevraagd_op, verloopt_op) VALUES (:id, :c, :b, "
                            "'politie-oost-nederland', 'agent-1', 'casusoverleg', 'aangevraagd', :op, :tot)"
                        ),
                        {"id": _uuid(), "c": _uuid(), "b": _uuid(), "op": op, "tot": op + timedelta(days=14)},
                    )
        finally:
            await engine.dispose()

    async def lees(sql: str) -> list[Any]:
        engine = make_engine(url)
        try:
            async with engine.connect() as verbinding:
                return list((await verbinding.execute(text(sql))).all())
        finally:
            await engine.dispose()

    asyncio.run(voeg_toe())
    monkeypatch.setenv("GATEWAY_DATABASE_URL", url)
    # The purge writes to the verwerkingenlog, under the chain and checkpoint keys of this test session.
    monkeypatch.setenv("MELDROUTE_LOCAL_DIR", str(local_dir))
    monkeypatch.setenv("GATEWAY_RETENTIE_IDENTITEITSVERZOEKEN", "P1Y")
    get_settings.cache_clear()
    try:
        droog = CliRunner().invoke(app, ["retentie", "--droog"])
        assert droog.exit_code == 0, droog.output
        assert "te wissen: 1 identiteitsverzoeken (bewaartermijn P1Y)" in droog.output
        assert len(asyncio.run(lees("SELECT id FROM identiteitsverzoeken"))) == 2
        echt = CliRunner().invoke(app, ["retentie"])
        assert echt.exit_code == 0, echt.output
        assert "gewist: 1 identiteitsverzoeken" in echt.output
        assert len(asyncio.run(lees("SELECT id FROM identiteitsverzoeken"))) == 1
        [rij] = asyncio.run(lees("SELECT actie, betrokkene, casus_id FROM verwerkingen"))
        assert tuple(rij) == ("retentie", None, None)
    finally:
        get_settings.cache_clear()
        asyncio.run(clear_tables(url, gateway_harness.metadata))
