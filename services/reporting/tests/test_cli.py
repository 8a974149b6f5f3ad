"""`meldroute-reporting publiceren`: idempotent, refuses open periods, republication only explicitly."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness
from reporting import cli
from reporting.config import get_settings
from reporting.statistieken.models import Publicatie
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from .conftest import gebeurtenis, invoeren


@pytest.fixture
def omgeving(reporting_harness: ServiceHarness, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("REPORTING_DATABASE_URL", reporting_harness.database_url)
    monkeypatch.setenv("MELDROUTE_ENV", "test")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _versies(url: str) -> dict[str, int]:
    async def lees() -> dict[str, int]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as verbinding:
                rijen = await verbinding.execute(sa.select(Publicatie.periode, Publicatie.versie))
                return {str(r[0]): int(r[1]) for r in rijen}
        finally:
            await engine.dispose()

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, lees()).result()


async def test_publish_command(reporting_harness: ServiceHarness, issuer: DevIssuer, omgeving: Any) -> None:
    runner = CliRunner()
    async with reporting_harness.client() as client:
        await invoeren(client, issuer, [gebeurtenis(maand="2026-09") for _ in range(12)])

        def draai(*args: str) -> Any:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=1) as pool:  # the command runs its own event loop
                return pool.submit(runner.invoke, cli.app, ["publiceren", *args]).result()

        eerste = draai()
        assert eerste.exit_code == 0, eerste.output
        assert "gepubliceerd: 2026-09" in eerste.output and "2026-K3" in eerste.output
        versies = _versies(reporting_harness.database_url)
        nu = datetime.now(UTC)
        deze_maand = f"{nu.year:04d}-{nu.month:02d}"
        assert versies["2026-09"] == 1 and deze_maand not in versies
        tweede = draai()
        assert tweede.exit_code == 0 and "niets te publiceren" in tweede.output
        assert _versies(reporting_harness.database_url) == versies
        # The current month is never published; republication needs a period and a reason.
        assert draai("--periode", deze_maand).exit_code != 0
        assert draai("--periode", "2026-13").exit_code != 0
        assert draai("--periode", "2026-09", "--opnieuw").exit_code != 0
        assert draai("--periode", "2026-09").exit_code == 0  # already published: nothing changes
        assert _versies(reporting_harness.database_url) == versies
        opnieuw = draai("--periode", "2026-09", "--opnieuw", "--reden", "late gebeurtenissen")
        assert opnieuw.exit_code == 0, opnieuw.output
        assert _versies(reporting_harness.database_url)["2026-09"] == 2


async def test_the_service_publishes_closed_periods_itself(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    import asyncio as aio

    from .conftest import lezer_headers

    async with reporting_harness.client(publicatie_taak_aan=True, publicatie_interval_seconden=0.2) as client:
        await invoeren(client, issuer, [gebeurtenis(maand="2026-02") for _ in range(40)])
        params = {"periode": "maand", "van": "2026-01", "tot": "2026-03"}
        for _ in range(150):
            body = (
                await client.get("/v1/statistieken/signalen", params=params, headers=lezer_headers(issuer))
            ).json()
            if len(body["gepubliceerdePerioden"]) == 2:
                break
            await aio.sleep(0.1)
        assert body["gepubliceerdePerioden"] == ["2026-02", "2026-03"]
        eerste = body
        await aio.sleep(0.5)  # more rounds of the task: nothing changes
        assert (
            await client.get("/v1/statistieken/signalen", params=params, headers=lezer_headers(issuer))
        ).json() == eerste
