"""The outbox relay over real HTTP, against a small stand-in for reporting's ingest."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from intake_api.models import OutboxGebeurtenis
from intake_api.outbox.relay import Relay
from meldroute_common.codering import decode_b64url
from meldroute_common.db import make_engine
from meldroute_common.gebeurtenissen import GebeurtenisBatch
from meldroute_common.servicetokens import ServiceTokenSource
from meldroute_dev import testing
from meldroute_dev.testing import ServiceHarness
from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.builders import gebeurtenis

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]


@dataclass
class Rapportage:
    """Stand-in for reporting's `POST /v1/gebeurtenissen`: records accepted event ids; can be 'down'."""

    url: str = ""
    beschikbaar: bool = True
    vertraging: float = 0.0
    ontvangen: list[str] = field(default_factory=list)
    geweigerd: int = 0

    async def ingest(self, request: Request) -> JSONResponse:
        if not self.beschikbaar:
            self.geweigerd += 1
            return JSONResponse({"status": 503}, status_code=503)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        claims = json.loads(decode_b64url(token.split(".")[1]))
        assert scheme == "Bearer" and claims["aud"] == "reporting"
        assert "rapportage:invoeren" in claims["scope"].split()
        batch = GebeurtenisBatch.model_validate_json(await request.body())  # what reporting accepts
        if self.vertraging:
            await asyncio.sleep(self.vertraging)
        self.ontvangen += [str(g.id) for g in batch.gebeurtenissen]
        return JSONResponse({"ontvangen": len(batch.gebeurtenissen)}, status_code=202)


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def rapportage() -> AsyncIterator[Rapportage]:
    stand_in = Rapportage()
    poort = _vrije_poort()
    app = Starlette(routes=[Route("/v1/gebeurtenissen", stand_in.ingest, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=poort, log_level="warning", lifespan="off")
    )
    taak = asyncio.create_task(server.serve())
    await _wacht_tot(lambda: server.started)
    stand_in.url = f"http://127.0.0.1:{poort}"
    yield stand_in
    server.should_exit = True
    await taak


async def _wacht_tot(voorwaarde: Callable[[], bool], *, seconden: float = 15.0) -> None:
    async with asyncio.timeout(seconden):
        while True:
            if voorwaarde():
                return
            await asyncio.sleep(0.02)


async def test_events_wait_while_reporting_is_down_and_all_arrive_after(
    intake_harness: ServiceHarness, rapportage: Rapportage, kop: Kop, signaal_body: Callable[..., dict[str, Any]],
    db_rijen: Doe,
) -> None:  # fmt: skip
    rapportage.beschikbaar = False
    instellingen = {
        "reporting_url": rapportage.url, "outbox_interval_seconden": 0.05, "outbox_max_wachttijd_seconden": 0.2,
        "retentie_taak_aan": False,
    }  # fmt: skip
    async with intake_harness.client(**instellingen) as client:
        ids = []
        for _ in range(3):
            response = await client.post("/v1/signalen", json=signaal_body(), headers=kop("melder"))
            ids.append(response.json()["id"])
        besluit = await client.post(
            f"/v1/signalen/{ids[0]}/beoordelingen",
            json={"status": "in_behandeling", "toelichting": "Opgepakt."},
            headers={**kop(), "If-Match": '"1"'},
        )
        assert besluit.status_code == 200
        await _wacht_tot(lambda: rapportage.geweigerd >= 3)
        wachtend = await db_rijen("outbox")
        assert len(wachtend) == 4 and all(r["afgeleverd_op"] is None for r in wachtend)
        assert rapportage.ontvangen == []

        rapportage.beschikbaar = True
        await _wacht_tot(lambda: len(set(rapportage.ontvangen)) == 4)
        afgeleverd = await db_rijen("outbox")
    assert {str(r["id"]) for r in afgeleverd} == set(rapportage.ontvangen)
    # Anonymous: codes and a month only, nothing that points at the signal or a person.
    for rij in afgeleverd:
        gebeurtenis = rij["gebeurtenis"]
        assert set(gebeurtenis) <= {
            "id", "type", "maand", "gemeenteCode", "uitbuitingsvormen", "sector", "locatietype", "melderDomein",
            "leeftijdsklasse", "geslacht", "nationaliteitsgroep", "uitkomst", "doorlooptijdDagen",
        }  # fmt: skip
        assert not any(signaal_id in json.dumps(gebeurtenis) for signaal_id in ids)


@pytest.mark.skipif(
    testing.test_backend() != "postgresql",
    reason="Two relays competing needs row locks (FOR UPDATE SKIP LOCKED); SQLite has one writer and no such "
    "locks, so the case does not arise there.",
)
async def test_two_relays_never_send_an_event_twice(
    intake_harness: ServiceHarness, rapportage: Rapportage
) -> None:
    rapportage.vertraging = 0.005
    sjabloon = gebeurtenis(leeftijdsklasse="onbekend", geslacht="onbekend", nationaliteitsgroep="onbekend")
    rijen = []
    for _ in range(600):
        event_id = uuid.uuid4()
        rijen.append(
            {
                "id": event_id,
                "gebeurtenis": {**sjabloon, "id": str(event_id)},
                "aangemaakt_op": datetime.now(UTC),
                "pogingen": 0,
            }
        )
    settings = intake_harness.settings(reporting_url=rapportage.url)
    engines = [make_engine(intake_harness.database_url) for _ in range(2)]
    try:
        async with engines[0].begin() as connection:
            await connection.execute(sa.insert(OutboxGebeurtenis.__table__), rijen)
        async with httpx.AsyncClient() as http:
            relays = [
                Relay(
                    maker=async_sessionmaker(engine, expire_on_commit=False),
                    http=http,
                    tokens=ServiceTokenSource(settings=settings, audience="reporting", http=http),
                    url=rapportage.url + "/v1/gebeurtenissen",
                    batchgrootte=25,
                    interval=0.01,
                )
                for engine in engines
            ]
            taken = [asyncio.create_task(r.run()) for r in relays]
            try:
                await _wacht_tot(lambda: len(rapportage.ontvangen) >= 600, seconden=60)
                await asyncio.sleep(0.2)  # anything sent twice would arrive now
            finally:
                for taak in taken:
                    taak.cancel()
                await asyncio.gather(*taken, return_exceptions=True)
        assert all(r.afgeleverd > 0 for r in relays), "both relays should have taken part"
        tellingen = Counter(rapportage.ontvangen)
        assert len(tellingen) == 600 and max(tellingen.values()) == 1
        async with engines[0].connect() as connection:
            open_ = await connection.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxGebeurtenis)
                .where(OutboxGebeurtenis.afgeleverd_op.is_(None))
            )
        assert open_ == 0
    finally:
        for engine in engines:
            await engine.dispose()
