"""Helpers for reporting's tests: events and tokens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness
from reporting.statistieken.publicatie import publish_closed
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from tests import builders

#: A moment at which every month of 2026 is closed and past the embargo: tests publish "as of" then.
NA_2026 = datetime(2027, 2, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _zonder_publicatietaak(reporting_harness: ServiceHarness) -> Iterator[None]:
    """The service's own daily publication would race the test's explicit one: off unless a test turns it on."""
    origineel = reporting_harness.settings

    def settings(**overrides: Any) -> Any:
        return origineel(**{"publicatie_taak_aan": False, **overrides})

    reporting_harness.settings = settings  # type: ignore[method-assign]
    yield
    reporting_harness.settings = origineel  # type: ignore[method-assign]


async def publiceer(
    harness: ServiceHarness,
    *,
    drempel: int = 10,
    nu: datetime = NA_2026,
    embargo: timedelta = timedelta(days=14),
) -> list[str]:
    """Publish every closed period of the harness database, as the daily task does at moment `nu`."""
    engine = create_async_engine(harness.database_url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        return await publish_closed(maker=maker, drempel=drempel, embargo=embargo, nu=nu)
    finally:
        await engine.dispose()


def gebeurtenis(**wijziging: Any) -> dict[str, Any]:
    """A valid event of March 2026: `signaal_ontvangen`, with `uitkomst` a decision (five days unless given), with
    `terugkoppeling` a partner's outcome (a first one, nine days after the escalation, unless given)."""
    if "terugkoppeling" in wijziging:
        return builders.terugkoppeling(**{"maand": "2026-03", **wijziging})
    if "uitkomst" in wijziging:
        return builders.beoordeling(**{"maand": "2026-03", "doorlooptijdDagen": 5, **wijziging})
    return builders.gebeurtenis(**{"maand": "2026-03", **wijziging})


def invoer_headers(issuer: DevIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='intake-api')}"}


def lezer_headers(issuer: DevIssuer, sub: str = "beleid-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='beleidsmedewerker', sub=sub)}"}


async def invoeren(client: httpx.AsyncClient, issuer: DevIssuer, events: list[dict[str, Any]]) -> None:
    """Post events in batches of at most 1000; fails the test on any error."""
    headers = invoer_headers(issuer)
    for begin in range(0, len(events), 1000):
        antwoord = await client.post(
            "/v1/gebeurtenissen", json={"gebeurtenissen": events[begin : begin + 1000]}, headers=headers
        )
        assert antwoord.status_code == 200, antwoord.text
