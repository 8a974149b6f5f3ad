"""Denied probes past the log budget are counted, not each written: one row per window says how many."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness, clear_tables, running
from privacy_gateway.main import create_app
from privacy_gateway.verwerkingen.weigeringen import Weigeringsbudget

RIEC = "riec-oost-nederland"
#: Wide enough that 32 probes fit in one window on a busy machine, short enough to wait for it to roll.
BUDGET = "5/5 seconds"


def partner(issuer: DevIssuer, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='partner', organisatie=RIEC, sub=sub)}"}


async def rijen(client: Any, issuer: DevIssuer) -> list[dict[str, Any]]:
    fg = {"Authorization": f"Bearer {issuer.mint(rol='fg')}"}
    antwoord = await client.get("/v1/verwerkingen", params={"pageSize": 100}, headers=fg)
    assert antwoord.status_code == 200, antwoord.text
    gezien: list[dict[str, Any]] = antwoord.json()["verwerkingen"]
    return gezien


async def probeer(client: Any, issuer: DevIssuer, sub: str, aantal: int) -> None:
    for _ in range(aantal):
        antwoord = await client.get(
            f"/v1/casussen/{uuid.uuid4()}", params={"doel": "casusoverleg"}, headers=partner(issuer, sub)
        )
        assert antwoord.status_code == 404, antwoord.text


async def test_probes_past_the_budget_become_one_counted_row_per_window(
    gateway: Any, issuer: DevIssuer
) -> None:
    async with gateway(weigeringen_logbudget=BUDGET) as client:
        await probeer(client, issuer, "sonde-1", 30)
        await probeer(client, issuer, "sonde-2", 2)  # another user of the same partner: own budget
        eerst = await rijen(client, issuer)
        weigeringen = [r for r in eerst if r["actie"] == "weigering"]
        assert [r["detail"]["gebruiker"] for r in weigeringen] == ["sonde-1"] * 5 + ["sonde-2"] * 2
        # The window rolls; the background flush writes the count.
        for _ in range(150):
            await asyncio.sleep(0.1)
            geteld = [r for r in await rijen(client, issuer) if r["actie"] == "weigeringen_geteld"]
            if geteld:
                break
        assert len(geteld) == 1, geteld
        rij = geteld[0]
        assert rij["detail"]["aantal"] == 25 and rij["detail"]["gebruiker"] == "sonde-1"
        assert rij["detail"]["organisatie"] == RIEC and rij["afnemer"] is None and rij["betrokkene"] is None
        assert rij["detail"]["van"] < rij["detail"]["tot"]
        # A new window logs individually again; the chain with the counted row still verifies.
        await probeer(client, issuer, "sonde-1", 1)
        alles = await rijen(client, issuer)
        assert len(alles) == 5 + 2 + 1 + 1
        fg = {"Authorization": f"Bearer {issuer.mint(rol='fg')}"}
        verificatie = (await client.get("/v1/verwerkingen/verificatie", headers=fg)).json()
        assert verificatie["ok"] is True and verificatie["aantal"] == len(alles)


async def test_counts_still_open_at_shutdown_are_written(
    gateway_harness: ServiceHarness, intake: Any, issuer: DevIssuer, sql: Any
) -> None:
    app = create_app(
        gateway_harness.settings(weigeringen_logbudget="2/hour"),
        intake_transport=httpx.MockTransport(intake.handler),
    )
    try:
        async with running(app) as client:
            await probeer(client, issuer, "sonde-stop", 7)
            # Kept until the window ends (an hour) — or until the service stops.
            assert [r["actie"] for r in await rijen(client, issuer)] == ["weigering"] * 2
        rows = await sql("SELECT actie, detail FROM verwerkingen ORDER BY volgnummer")
        assert [r[0] for r in rows] == ["weigering", "weigering", "weigeringen_geteld"]
        detail = rows[2][1] if isinstance(rows[2][1], dict) else json.loads(rows[2][1])
        assert detail["aantal"] == 5 and detail["gebruiker"] == "sonde-stop"
    finally:
        await clear_tables(gateway_harness.database_url, gateway_harness.metadata)


async def test_a_failed_write_keeps_the_count_for_the_next_flush() -> None:
    from privacy_gateway.verwerkingen.weigeringen import Telling, flush

    klok = [0.0]
    budget = Weigeringsbudget(budget="1/minute", klok=lambda: klok[0])
    assert budget.individueel(organisatie=RIEC, gebruiker="a") is True
    assert [budget.individueel(organisatie=RIEC, gebruiker="a") for _ in range(3)] == [False] * 3
    assert budget.individueel(organisatie=RIEC, gebruiker="b") is True
    klok[0] = 61.0
    geschreven: list[Telling] = []

    async def mislukt(tellingen: list[Telling]) -> None:
        raise OSError("database weg")

    async def lukt(tellingen: list[Telling]) -> None:
        geschreven.extend(tellingen)

    await flush(budget=budget, schrijf=mislukt)
    await flush(budget=budget, schrijf=lukt)
    assert [(t.gebruiker, t.aantal) for t in geschreven] == [("a", 3)]
    # A window without counted denials writes nothing.
    await flush(budget=budget, schrijf=lukt)
    assert len(geschreven) == 1


@pytest.mark.parametrize("budget", ["5/1 second", "20/minute", "3/2 hours"])
def test_budget_notation(budget: str) -> None:
    assert Weigeringsbudget(budget=budget).per_venster >= 1
