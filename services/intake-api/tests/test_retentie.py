"""Retention: sealed identity and original text purged when the period ends, and recorded."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from intake_api.config import IntakeSettings
from intake_api.retentie.service import Termijnen, purge
from meldroute_common.db import make_engine
from meldroute_common.duur import parse_duur
from meldroute_dev.testing import ServiceHarness, running
from sqlalchemy.ext.asyncio import async_sessionmaker

from .conftest import OPSCHALING

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]


def test_iso_durations() -> None:
    assert parse_duur("P6M").terug(datetime(2026, 8, 31, tzinfo=UTC)) == datetime(2026, 2, 28, tzinfo=UTC)
    assert parse_duur("P5Y").terug(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(2023, 2, 28, tzinfo=UTC)
    assert parse_duur("P1Y2M3DT4H").terug(datetime(2026, 5, 10, 12, tzinfo=UTC)) == datetime(
        2025, 3, 7, 8, tzinfo=UTC
    )
    for fout in ("6M", "P", "PT", "P0D", "zes maanden", "P-1M"):
        with pytest.raises(ValueError):
            parse_duur(fout)
    with pytest.raises(ValueError):
        IntakeSettings(bewaartermijn_opgeschaald="5 jaar")


async def test_purge_after_the_short_and_the_long_period(
    aanmaken: Doe,
    beoordeel: Doe,
    client: httpx.AsyncClient,
    kop: Kop,
    intake_harness: ServiceHarness,
    db_rijen: Doe,
) -> None:
    gewoon = await aanmaken()
    casus = await aanmaken()
    await beoordeel(casus["id"], 1, "in_behandeling")
    await beoordeel(casus["id"], 2, "opgeschaald", **OPSCHALING)
    termijnen = Termijnen(niet_opgeschaald="P6M", opgeschaald="P5Y")
    engine = make_engine(intake_harness.database_url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    try:
        nu = datetime.now(UTC)
        assert await purge(maker=maker, termijnen=termijnen, moment=nu + timedelta(days=150)) == 0
        assert await purge(maker=maker, termijnen=termijnen, moment=nu + timedelta(days=200)) == 1
        assert (
            await purge(maker=maker, termijnen=termijnen, moment=nu + timedelta(days=200)) == 0
        )  # done once
        signalen = {str(r["id"]): r for r in await db_rijen("signalen")}
        assert (
            signalen[gewoon["id"]]["omschrijving_verzegeld"] is None and signalen[gewoon["id"]]["gewist_op"]
        )
        assert signalen[casus["id"]]["omschrijving_verzegeld"] is not None
        assert await purge(maker=maker, termijnen=termijnen, moment=nu + timedelta(days=5 * 366)) == 1
    finally:
        await engine.dispose()
    assert all(
        r["identiteit_verzegeld"] is None and r["sleutel_id"] is None for r in await db_rijen("betrokkenen")
    )

    weergave = (await client.get(f"/v1/signalen/{gewoon['id']}", headers=kop())).json()
    assert weergave["gewistOp"] and weergave["versie"] == 2
    assert weergave["betrokkenen"][0]["identiteitVerzegeld"] is False
    historie = (await client.get(f"/v1/signalen/{casus['id']}/historie", headers=kop())).json()["historie"]
    laatste = historie[-1]
    assert (laatste["actie"], laatste["door"], laatste["details"]["bewaartermijn"]) == (
        "identiteit_gewist",
        "retentie",
        "P5Y",
    )
    intern = (await client.get(f"/v1/intern/casussen/{casus['id']}", headers=kop("privacy-gateway"))).json()
    assert intern["betrokkenen"][0]["identiteitVerzegeld"] is None


async def test_the_service_runs_the_purge_itself(
    aanmaken: Doe, intake_harness: ServiceHarness, db_rijen: Doe
) -> None:
    await aanmaken()
    await asyncio.sleep(1.1)
    app = intake_harness.app(
        retentie_taak_aan=True, bewaartermijn_niet_opgeschaald="PT1S", outbox_relay_aan=False
    )
    async with running(app):
        async with asyncio.timeout(10):
            while True:
                if all(r["gewist_op"] for r in await db_rijen("signalen")):
                    break
                await asyncio.sleep(0.05)
    assert [r["actie"] for r in await db_rijen("signaal_historie")] == ["aangemaakt", "identiteit_gewist"]


@pytest.mark.processes
async def test_the_command_purges_with_a_progress_bar(
    aanmaken: Doe, intake_harness: ServiceHarness, db_rijen: Doe
) -> None:
    await aanmaken()
    await asyncio.sleep(1.1)
    env = {
        **os.environ, "MELDROUTE_ENV": "test", "MELDROUTE_LOCAL_DIR": str(intake_harness.local_dir),
        "INTAKE_DATABASE_URL": intake_harness.database_url, "INTAKE_BEWAARTERMIJN_NIET_OPGESCHAALD": "PT1S",
    }  # fmt: skip

    async def cli(*args: str) -> str:
        proces = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from intake_api.cli import app; app()", "retentie", *args,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        uit, fout = await proces.communicate()
        assert proces.returncode == 0, fout.decode()
        return uit.decode()

    # The dry run in-process (a second interpreter start would only cost time), the real one as a command.
    from intake_api import cli as cli_module
    from intake_api.config import get_settings

    with pytest.MonkeyPatch.context() as mp:
        for naam, waarde in env.items():
            mp.setenv(naam, waarde)
        get_settings.cache_clear()
        try:
            assert await cli_module._retentie(droog=True) == 1
        finally:
            get_settings.cache_clear()
    assert (await db_rijen("signalen"))[0]["gewist_op"] is None
    assert "gewist: 1 signalen" in await cli()
    assert (await db_rijen("signalen"))[0]["gewist_op"] is not None
