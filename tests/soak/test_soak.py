"""Soak: many clients record signals while reporting is killed twice and intake once, with SIGKILL.

Each client records signals as a melder of its own municipality with an `Idempotency-Key` per signal, and
sends a key again (same body) after a connection error, a time-out it forced on itself, a 409 (the first
request with that key still running), or simply at random. Afterwards:

- every acknowledged signal (201 with an id) is stored, and every stored signal was acknowledged, once;
- a key sent again answers the id of its first answer;
- the outbox has delivered everything, and reporting holds exactly the outbox's event ids;
- no answer was a 5xx, nor any other status a correct client could not expect.

`MELDROUTE_SOAK_SECONDS` and `MELDROUTE_SOAK_CLIENTS` set the length and the load (`make soak`: 60 s, 50
clients; inside `make test` the defaults, 8 s and 10 clients).
"""

from __future__ import annotations

import asyncio
import copy
import os
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from intake_api.models import OutboxGebeurtenis, Signaal
from meldroute_common.devissuer import DevIssuer
from meldroute_common.migrations import upgrade
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import ServiceProcess, Stack, TestDatabases
from reporting.gebeurtenissen.models import GebeurtenisRij
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[2]
SECONDEN = float(os.environ.get("MELDROUTE_SOAK_SECONDS", "8"))
CLIENTS = int(os.environ.get("MELDROUTE_SOAK_CLIENTS", "10"))
#: When, as a share of the run, which service is killed.
KILLS = ((0.2, "reporting"), (0.4, "intake-api"), (0.7, "reporting"))
KANS_HERHALING = 0.15  # an acknowledged key sent once more, at random
KANS_TIMEOUT = 0.05  # a request with a time-out too short to be answered
#: A key still "in progress" this long after the last restart is taken as held by a killed request (asked
#: once more at the very end, so a request that was merely slow is still counted).
HOUDEN_NA_HERSTART = 3.0
AFRONDEN = 60.0  # longest wait for pending keys and for the outbox to drain

ENV = {
    # Poll the outbox often and back off briefly, so delivery catches up within the test.
    "INTAKE_OUTBOX_INTERVAL_SECONDEN": "0.2",
    "INTAKE_OUTBOX_MAX_WACHTTIJD_SECONDEN": "1",
    # A batch claimed by a relay that was killed is taken over after this long.
    "INTAKE_OUTBOX_CLAIM_SECONDEN": "3",
    "INTAKE_RETENTIE_TAAK_AAN": "false",
    # The soak is about crashes and retries, not the per-client brake.
    "INTAKE_RATE_LIMIT": "1000000/minute",
    "INTAKE_RATE_LIMIT_ORGANISATIE": "1000000/minute",
    "INTAKE_INTERN_RATE_LIMIT": "1000000/minute",
    "REPORTING_RATE_LIMIT": "1000000/minute",
    "REPORTING_RATE_LIMIT_ORGANISATIE": "1000000/minute",
    "GATEWAY_RATE_LIMIT": "1000000/minute",
    "GATEWAY_RATE_LIMIT_ORGANISATIE": "1000000/minute",
    "GATEWAY_INZAGE_RATE_LIMIT": "1000000/minute",
}


@dataclass
class Poging:
    """One signal a client wants recorded: its key and body never change between sends."""

    sleutel: str
    body: dict[str, Any]
    klaar_om: float = 0.0
    #: Set when an acknowledged key is sent again on purpose: the answer must carry this id.
    verwacht_id: str | None = None
    bezig_sinds: float | None = None


@dataclass
class Cijfers:
    verzoeken: int = 0
    herhalingen: int = 0
    verbindingsfouten: int = 0
    timeouts: int = 0
    bezig: int = 0
    bevestigd: dict[str, str] = field(default_factory=dict)  # key -> signal id
    fouten: list[str] = field(default_factory=list)
    vastgehouden: list[tuple[Poging, str]] = field(default_factory=list)  # with the client's token
    kills: int = 0
    laatste_herstart: float = 0.0


@dataclass(frozen=True)
class Opstelling:
    stack: Stack
    databases: dict[str, str]
    voorbeeld: dict[str, Any]  # the request example intake publishes for recording a signal
    gemeenten: list[str]  # the municipalities of intake's catalogue


@pytest.fixture
def opstelling(
    tmp_path: Path, test_databases: TestDatabases, local_dir: Path, issuer: DevIssuer
) -> Iterator[Opstelling]:
    """Its own three processes and databases: the kills must not reach the session's stack."""
    urls = {}
    for dienst in DIENSTEN:
        urls[dienst.naam] = test_databases.create(f"soak-{dienst.naam}")
        upgrade(service_dir=dienst.folder(ROOT), database_url=urls[dienst.naam])
    stack = Stack(local_dir=local_dir, database_urls=urls, log_dir=tmp_path, env=ENV)
    try:
        stack.start()
        for naam in urls:
            _controleer_identiteit(stack.services[naam])
        intake = stack.url("intake-api")
        document = httpx.get(f"{intake}/v1/openapi.json", timeout=10).json()
        schema = document["paths"]["/signalen"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ]
        voorbeeld = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]["examples"][0]
        kop = {"Authorization": f"Bearer {issuer.mint(rol='melder')}"}
        catalogus = httpx.get(f"{intake}/v1/catalogus", headers=kop, timeout=10).json()
        yield Opstelling(
            stack=stack,
            databases=urls,
            voorbeeld=voorbeeld,
            gemeenten=[g["code"] for g in catalogus["gemeenten"]],
        )
    finally:
        stack.stop()


def _controleer_identiteit(proces: ServiceProcess) -> None:
    """The process answering on the port is ours: a port taken by another in between would fool /health/ready."""
    assert proces.process is not None and proces.process.poll() is None, (
        f"{proces.dienst.naam} is not running"
    )
    titel = httpx.get(f"{proces.url}/v1/openapi.json", timeout=10).json()["info"]["title"]
    assert titel == f"meldroute {proces.dienst.naam}", f"{proces.url} answers as {titel!r}"


async def _client(
    nummer: int, *, url: str, token: str, gemeente: str, voorbeeld: dict[str, Any], einde: float, cijfers: Cijfers,
    kills_klaar: asyncio.Event,
) -> None:  # fmt: skip
    willekeur = random.Random(nummer)
    wachtrij: list[Poging] = []
    volgnummer = 0
    onbereikbaar = 0  # connection errors in a row: back off instead of hammering a service that is down

    def nieuw() -> Poging:
        nonlocal volgnummer
        volgnummer += 1
        body = copy.deepcopy(voorbeeld)
        body["gemeenteCode"] = gemeente
        body["omschrijving"] = f"Soak client {nummer}, signaal {volgnummer}: arbeiders slapen op het erf."
        body["toestemming"] = willekeur.random() < 0.5
        if willekeur.random() < 0.3:
            body["betrokkenen"] = []
        return Poging(sleutel=str(uuid.uuid4()), body=body)

    def later(poging: Poging, seconden: float) -> None:
        poging.klaar_om = time.monotonic() + seconden
        wachtrij.append(poging)

    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
        while True:
            nu = time.monotonic()
            klaar = [p for p in wachtrij if p.klaar_om <= nu]
            if klaar:
                poging = min(klaar, key=lambda p: p.klaar_om)
                wachtrij.remove(poging)
                cijfers.herhalingen += 1
            elif nu < einde:
                poging = nieuw()
            elif wachtrij:
                await asyncio.sleep(0.05)
                continue
            else:
                return
            timeout = willekeur.uniform(0.005, 0.05) if willekeur.random() < KANS_TIMEOUT else 30.0
            cijfers.verzoeken += 1
            try:
                antwoord = await http.post(
                    "/v1/signalen",
                    json=poging.body,
                    headers={"Idempotency-Key": poging.sleutel},
                    timeout=timeout,
                )
            except httpx.TimeoutException:
                cijfers.timeouts += 1
                later(poging, willekeur.uniform(0.05, 0.3))
                continue
            except httpx.TransportError:
                # Refused or cut off while a process is down: the client tries the same key again.
                cijfers.verbindingsfouten += 1
                onbereikbaar += 1
                later(poging, willekeur.uniform(0.1, 0.4))
                await asyncio.sleep(min(1.0, 0.05 * 2**onbereikbaar) * willekeur.uniform(0.5, 1.0))
                continue
            onbereikbaar = 0
            if antwoord.status_code == 201:
                signaal_id = str(antwoord.json()["id"])
                eerder = cijfers.bevestigd.setdefault(poging.sleutel, signaal_id)
                if eerder != signaal_id or poging.verwacht_id not in {None, signaal_id}:
                    cijfers.fouten.append(f"key {poging.sleutel} answered {signaal_id}, earlier {eerder}")
                if poging.verwacht_id is None and willekeur.random() < KANS_HERHALING:
                    poging.verwacht_id = signaal_id
                    later(poging, willekeur.uniform(0.0, 0.5))
            elif antwoord.status_code == 409:
                # The first request with this key is still running, or was killed while it ran.
                cijfers.bezig += 1
                if kills_klaar.is_set() and nu >= einde:
                    poging.bezig_sinds = poging.bezig_sinds or nu
                    if nu - max(poging.bezig_sinds, cijfers.laatste_herstart) > HOUDEN_NA_HERSTART:
                        cijfers.vastgehouden.append((poging, token))
                        continue
                later(poging, willekeur.uniform(0.2, 0.6))
            elif antwoord.status_code == 429:
                later(poging, float(antwoord.headers.get("retry-after", "1")))
            else:
                cijfers.fouten.append(f"{antwoord.status_code}: {antwoord.text[:300]}")
                if antwoord.status_code >= 500:
                    later(poging, 0.5)


async def _kill(stack: Stack, naam: str, moment: float, cijfers: Cijfers, slot: asyncio.Lock) -> None:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))
    async with slot:
        proces = stack.services[naam]
        await asyncio.to_thread(proces.kill)
        cijfers.kills += 1
        await asyncio.sleep(random.uniform(0.2, 0.8))
        await asyncio.to_thread(proces.start)
        await asyncio.to_thread(_controleer_identiteit, proces)
        cijfers.laatste_herstart = time.monotonic()


async def _lees(url: str, query: sa.Select[Any]) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as verbinding:
            return list((await verbinding.execute(query)).scalars())
    finally:
        await engine.dispose()


async def test_soak_with_kills(opstelling: Opstelling, issuer: DevIssuer) -> None:
    stack, databases, gemeenten = opstelling.stack, opstelling.databases, opstelling.gemeenten
    intake_url = stack.url("intake-api")
    tokens = [
        (issuer.mint(rol="melder", gemeente=gemeenten[i % len(gemeenten)], sub=f"soak-melder-{i}"), gemeenten[i % len(gemeenten)])
        for i in range(CLIENTS)
    ]  # fmt: skip

    cijfers = Cijfers()
    begin = time.monotonic()
    einde = begin + SECONDEN
    kills_klaar = asyncio.Event()
    sloten = {naam: asyncio.Lock() for _, naam in KILLS}
    kill_taken = [
        asyncio.create_task(_kill(stack, naam, begin + deel * SECONDEN, cijfers, sloten[naam]))
        for deel, naam in KILLS
    ]

    async def kills() -> None:
        await asyncio.gather(*kill_taken)
        kills_klaar.set()

    async with asyncio.timeout(SECONDEN + 4 * AFRONDEN):
        await asyncio.gather(
            kills(),
            *(
                _client(i, url=intake_url, token=token, gemeente=gemeente, voorbeeld=opstelling.voorbeeld, einde=einde,
                        cijfers=cijfers, kills_klaar=kills_klaar)
                for i, (token, gemeente) in enumerate(tokens)
            ),
        )  # fmt: skip

    # A key held by a request killed with its process stays "in progress" until its claim lapses: it must have
    # stored nothing. Asked once more now, it is still 409 or, if its request was only slow, acknowledged.
    vastgehouden = 0
    async with httpx.AsyncClient(base_url=intake_url, timeout=30) as http:
        for poging, token in cijfers.vastgehouden:
            kop = {"Authorization": f"Bearer {token}", "Idempotency-Key": poging.sleutel}
            antwoord = await http.post("/v1/signalen", json=poging.body, headers=kop)
            if antwoord.status_code == 201:
                cijfers.bevestigd[poging.sleutel] = str(antwoord.json()["id"])
            elif antwoord.status_code == 409:
                vastgehouden += 1
            else:
                cijfers.fouten.append(
                    f"held key {poging.sleutel}: {antwoord.status_code} {antwoord.text[:300]}"
                )

    # The relay catches up: nothing left undelivered in intake's outbox.
    onafgeleverd = sa.select(OutboxGebeurtenis.id).where(OutboxGebeurtenis.afgeleverd_op.is_(None))
    grens = time.monotonic() + AFRONDEN
    while await _lees(databases["intake-api"], onafgeleverd):
        assert time.monotonic() < grens, "the outbox did not drain"
        await asyncio.sleep(0.5)

    opgeslagen = {str(i) for i in await _lees(databases["intake-api"], sa.select(Signaal.id))}
    outbox = await _lees(databases["intake-api"], sa.select(OutboxGebeurtenis.gebeurtenis))
    pogingen = sum(await _lees(databases["intake-api"], sa.select(OutboxGebeurtenis.pogingen)))
    ontvangen = {str(i) for i in await _lees(databases["reporting"], sa.select(GebeurtenisRij.id))}
    bevestigd = set(cijfers.bevestigd.values())
    print(
        f"\nsoak {SECONDEN:.0f} s, {CLIENTS} clients, {time.monotonic() - begin:.1f} s in all: "
        f"requests {cijfers.verzoeken}, acknowledged {len(bevestigd)}, retries {cijfers.herhalingen} "
        f"(connection errors {cijfers.verbindingsfouten}, forced time-outs {cijfers.timeouts}, in progress 409 "
        f"{cijfers.bezig}), keys held by a killed request {vastgehouden}, stored {len(opgeslagen)}, "
        f"events {len(outbox)}, delivered {len(ontvangen)} (delivery attempts {pogingen}), kills {cijfers.kills}"
    )

    assert not cijfers.fouten, "\n".join(cijfers.fouten[:20])
    assert cijfers.kills == len(KILLS)
    # The run did what it is for: the kills hit traffic, keys were sent again, signals got through.
    assert cijfers.verbindingsfouten > 0 and cijfers.herhalingen > 0 and bevestigd
    # None lost, none twice: one id per key, every acknowledged id stored, nothing stored unacknowledged.
    assert len(bevestigd) == len(cijfers.bevestigd)
    assert opgeslagen == bevestigd, (len(opgeslagen - bevestigd), len(bevestigd - opgeslagen))
    # One anonymous event per stored signal, written with it; reporting holds exactly those, once each.
    outbox_ids = {g["id"] for g in outbox}
    assert len(outbox_ids) == len(outbox) == len(opgeslagen)
    assert {g["type"] for g in outbox} == {"signaal_ontvangen"}
    assert ontvangen == outbox_ids
