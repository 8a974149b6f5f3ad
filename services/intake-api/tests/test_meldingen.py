"""Notifications: subscriptions over HTTP (own municipality or partner only, SSRF refused), and delivery
through a real webhook receiver and a real SMTP server process that are down at first: every notification
arrives exactly once, signed, and without any trace of the case's content (canary scan)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import mailbox
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from intake_api.meldingen.schemas import AbonnementInvoer
from intake_api.meldingen.service import check_kanaal
from meldroute_common.codering import decode_b64url
from meldroute_common.meldingen import verify_handtekening
from meldroute_common.problems import BadRequest
from meldroute_common.settings import Omgeving
from meldroute_dev.testing import ServiceHarness, free_port
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.builders import trajecten

from . import kanarie
from .conftest import ANDERE_GEMEENTE, GEMEENTE

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]
RIEC, POLITIE = "riec-oost-nederland", "politie-oost-nederland"


# --- A webhook receiver and an SMTP server ------------------------------------------------------------


@dataclass
class Ontvanger:
    """A webhook receiver over real HTTP: answers 500 to the first `fouten` requests, then 204. Keeps every
    raw request, so a double send shows even where a receiver would deduplicate."""

    poort: int
    fouten: int = 0
    verzoeken: list[tuple[str, int, bytes, dict[str, str]]] = field(default_factory=list)

    def url(self, pad: str) -> str:
        return f"http://127.0.0.1:{self.poort}/{pad}"

    async def ontvang(self, request: Request) -> Response:
        body = await request.body()
        status = 500 if self.fouten > 0 else 204
        self.fouten -= 1
        self.verzoeken.append((request.url.path.strip("/"), status, body, dict(request.headers)))
        return Response(status_code=status)

    def geslaagd(self) -> list[tuple[str, bytes, dict[str, str]]]:
        return [(pad, body, kop) for pad, status, body, kop in self.verzoeken if status == 204]


@contextlib.asynccontextmanager
async def luisterend(ontvanger: Ontvanger) -> AsyncIterator[None]:
    app = Starlette(routes=[Route("/{pad}", ontvanger.ontvang, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=ontvanger.poort, log_level="warning", lifespan="off")
    )
    taak = asyncio.create_task(server.serve())
    await _wacht_tot(lambda: server.started)
    try:
        yield
    finally:
        server.should_exit = True
        await taak


class SmtpServer:
    """`python -m aiosmtpd` as a process, writing every mail it accepts into a Maildir."""

    def __init__(self, map: Path) -> None:
        self.poort, self.map, self.proces = free_port(), map, None

    def start(self) -> None:
        self.proces = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.poort}",
             "-c", "aiosmtpd.handlers.Mailbox", str(self.map)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        grens = time.monotonic() + 10
        while time.monotonic() < grens:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.poort), timeout=0.2),
            ):
                return
            time.sleep(0.05)
        raise AssertionError("aiosmtpd start niet")

    def stop(self) -> None:
        if self.proces is not None:
            self.proces.terminate()
            self.proces.wait(timeout=10)
            self.proces = None

    def mails(self) -> list[bytes]:
        if not (self.map / "new").exists():
            return []
        return [bytes(m) for m in mailbox.Maildir(self.map, create=False)]


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path / "maildir")
    yield server
    server.stop()


async def _wacht_tot(voorwaarde: Callable[[], bool], *, seconden: float = 15.0) -> None:
    async with asyncio.timeout(seconden):
        while True:
            if voorwaarde():
                return
            await asyncio.sleep(0.02)


async def _wacht_tot_async(voorwaarde: Callable[[], Any], *, seconden: float = 15.0) -> None:
    async with asyncio.timeout(seconden):
        while True:
            if await voorwaarde():
                return
            await asyncio.sleep(0.05)


def _aangemaakt(antwoord: httpx.Response) -> dict[str, Any]:
    assert antwoord.status_code == 201, antwoord.text
    body: dict[str, Any] = antwoord.json()
    return body


# --- Subscriptions --------------------------------------------------------------------------------------


async def test_an_officer_manages_the_subscriptions_of_their_own_municipality_only(
    client: httpx.AsyncClient, kop: Kop, db_rijen: Doe
) -> None:
    eigen, ander = kop(), kop(gemeente=ANDERE_GEMEENTE, sub="af-2")
    body = {"soorten": ["terugkoppeling.vastgelegd"], "kanaal": "webhook", "url": "https://8.8.8.8/hook"}
    nieuw = _aangemaakt(await client.post("/v1/abonnementen", json=body, headers=eigen))
    assert nieuw["organisatie"] == GEMEENTE and len(decode_b64url(nieuw["geheim"])) == 32
    # The secret is shown once, and stored only encrypted.
    lijst = (await client.get("/v1/abonnementen", headers=eigen)).json()["abonnementen"]
    assert [a["id"] for a in lijst] == [nieuw["id"]] and "geheim" not in lijst[0]
    rij = (await db_rijen("abonnementen"))[0]
    assert decode_b64url(nieuw["geheim"]) not in rij["geheim_versleuteld"]
    assert nieuw["geheim"].encode() not in rij["geheim_versleuteld"]
    # Another municipality sees none of it and cannot remove it.
    assert (await client.get("/v1/abonnementen", headers=ander)).json() == {"abonnementen": []}
    weg = await client.delete(f"/v1/abonnementen/{nieuw['id']}", headers=ander)
    assert weg.status_code == 404 and weg.headers["content-type"].startswith("application/problem+json")
    # A melder may not, a token naming no municipality may not.
    assert (await client.get("/v1/abonnementen", headers=kop("melder"))).status_code == 403
    assert (await client.delete(f"/v1/abonnementen/{nieuw['id']}", headers=eigen)).status_code == 204
    assert (await client.get("/v1/abonnementen", headers=eigen)).json() == {"abonnementen": []}
    assert await db_rijen("abonnementen") == []


async def test_refused_subscriptions_name_the_field(client: httpx.AsyncClient, kop: Kop) -> None:
    async def veld(body: dict[str, Any]) -> list[str]:
        antwoord = await client.post("/v1/abonnementen", json=body, headers=kop())
        assert antwoord.status_code == 400, antwoord.text
        return [p["name"] for p in antwoord.json()["invalidParams"]]

    soorten = ["traject.geopend"]
    # SSRF: loopback, private, link-local (cloud metadata) and names that resolve there.
    for url in (
        "http://127.0.0.1:9/hook",
        "https://10.0.0.1/",
        "https://169.254.169.254/",
        "https://localhost/",
    ):
        assert await veld({"soorten": soorten, "kanaal": "webhook", "url": url}) == ["url"], url
    assert await veld({"soorten": soorten, "kanaal": "webhook"}) == ["url"]
    assert await veld({"soorten": soorten, "kanaal": "webhook", "url": "ftp://8.8.8.8/x"}) == ["url"]
    assert await veld({"soorten": ["onbekend"], "kanaal": "webhook", "url": "https://8.8.8.8/"}) == [
        "soorten[0]"
    ]
    assert await veld({"soorten": soorten * 2, "kanaal": "webhook", "url": "https://8.8.8.8/"}) == ["soorten"]
    assert await veld({"soorten": soorten, "kanaal": "email", "email": "a@b.example"}) == [
        "kanaal"
    ]  # no SMTP
    assert await veld({"soorten": soorten, "kanaal": "email", "url": "https://8.8.8.8/"}) == ["url"]
    assert await veld({"soorten": soorten, "kanaal": "email", "email": "geen adres"}) == ["email"]
    assert (await client.get("/v1/abonnementen", headers=kop())).json() == {"abonnementen": []}


async def test_production_takes_https_only_and_development_also_http(intake_harness: ServiceHarness) -> None:
    invoer = AbonnementInvoer.model_validate(
        {"soorten": ["traject.geopend"], "kanaal": "webhook", "url": "http://8.8.8.8/hook"}
    )
    await check_kanaal(invoer=invoer, settings=intake_harness.settings())
    with pytest.raises(BadRequest) as fout:
        await check_kanaal(
            invoer=invoer,
            settings=intake_harness.settings(env=Omgeving.production, jwks_url="https://idp.example/jwks"),
        )
    assert fout.value.invalid_params[0].name == "url"
    https = invoer.model_copy(update={"url": "https://8.8.8.8/hook"})
    await check_kanaal(
        invoer=https,
        settings=intake_harness.settings(env=Omgeving.production, jwks_url="https://idp.example/jwks"),
    )


async def test_a_partners_subscriptions_through_the_internal_api(client: httpx.AsyncClient, kop: Kop) -> None:
    gateway = kop("privacy-gateway")
    body = {"soorten": ["traject.geopend"], "kanaal": "webhook", "url": "https://8.8.8.8/"}
    riec = _aangemaakt(
        await client.post(
            "/v1/intern/abonnementen", json={**body, "organisatie": RIEC, "door": "riec-1"}, headers=gateway
        )
    )
    assert riec["organisatie"] == RIEC
    lijst = await client.get("/v1/intern/abonnementen", params={"organisatie": POLITIE}, headers=gateway)
    assert lijst.json() == {"abonnementen": []}
    pad = f"/v1/intern/abonnementen/{riec['id']}"
    assert (await client.delete(pad, params={"organisatie": POLITIE}, headers=gateway)).status_code == 404
    # Only the gateway's client: an officer holding the scope gets nowhere near it.
    assert (
        await client.get("/v1/intern/abonnementen", params={"organisatie": RIEC}, headers=kop())
    ).status_code == 403
    assert (await client.delete(pad, params={"organisatie": RIEC}, headers=gateway)).status_code == 204


# --- Delivery -----------------------------------------------------------------------------------------------


def _instellingen(smtp: SmtpServer, **meer: Any) -> dict[str, Any]:
    return {
        "outbox_relay_aan": False, "retentie_taak_aan": False, "meldingen_interval_seconden": 0.05,
        "meldingen_eerste_wachttijd_seconden": 0.05, "meldingen_max_wachttijd_seconden": 0.2,
        "meldingen_max_pogingen": 100, "webhook_intern_toegestaan": True, "smtp_host": "127.0.0.1",
        "smtp_poort": smtp.poort, "smtp_starttls": False, **meer,
    }  # fmt: skip


@pytest.mark.processes  # the SMTP server is a real process, stopped and started again
async def test_every_notification_arrives_once_after_an_outage_and_holds_nothing_of_the_case(
    intake_harness: ServiceHarness, kop: Kop, signaal_body: Callable[..., dict[str, Any]], smtp: SmtpServer,
    db_rijen: Doe,
) -> None:  # fmt: skip
    ontvanger = Ontvanger(poort=free_port(), fouten=3)  # not listening yet: connection refused
    smtp.start()
    smtp.stop()  # the mail server goes down before anything is sent
    af, gateway = kop(), kop("privacy-gateway")
    async with intake_harness.client(**_instellingen(smtp)) as client:
        geheimen: dict[str, bytes] = {}
        for pad, headers, body in (
            ("gemeente", af, {"soorten": ["terugkoppeling.vastgelegd"]}),
            ("ander", kop(gemeente=ANDERE_GEMEENTE), {"soorten": ["terugkoppeling.vastgelegd", "traject.geopend"]}),
            ("riec", gateway, {"soorten": ["traject.geopend", "advies.gevraagd", "goedkeuring.wacht"],
                               "organisatie": RIEC, "door": "riec-1"}),
        ):  # fmt: skip
            url = "/v1/intern/abonnementen" if headers is gateway else "/v1/abonnementen"
            nieuw = _aangemaakt(
                await client.post(
                    url, json={**body, "kanaal": "webhook", "url": ontvanger.url(pad)}, headers=headers
                )
            )
            geheimen[pad] = decode_b64url(nieuw["geheim"])
        _aangemaakt(await client.post(
            "/v1/abonnementen", headers=af,
            json={"soorten": ["terugkoppeling.vastgelegd"], "kanaal": "email", "email": "af@gemeente.example"},
        ))  # fmt: skip
        _aangemaakt(await client.post(
            "/v1/intern/abonnementen", headers=gateway,
            json={"soorten": ["traject.geopend"], "kanaal": "email", "email": "intake@politie.example",
                  "organisatie": POLITIE, "door": "politie-1"},
        ))  # fmt: skip

        # The case, with the canary person in every free text on the way.
        signaal = await client.post(
            "/v1/signalen", json=signaal_body(omschrijving=kanarie.TEKST, betrokkenen=[kanarie.BETROKKENE]),
            headers=kop("melder"),
        )  # fmt: skip
        signaal_id = signaal.json()["id"]
        pad = f"/v1/signalen/{signaal_id}"
        stappen = [
            await client.post(f"{pad}/beoordelingen", headers={**af, "If-Match": '"1"'},
                              json={"status": "in_behandeling", "toelichting": kanarie.TEKST}),
            await client.post(f"{pad}/adviesvragen", headers=af, json={"vraag": kanarie.TEKST, "experts": [RIEC]}),
            await client.post(f"{pad}/beoordelingen", headers={**af, "If-Match": '"3"'},
                              json={"status": "in_behandeling", "toelichting": kanarie.TEKST}),
            await client.post(f"{pad}/beoordelingen", headers={**af, "If-Match": '"4"'},
                              json={"status": "opgeschaald", "toelichting": kanarie.TEKST,
                                    "trajecten": trajecten(("casusoverleg", [RIEC, POLITIE]))}),
            await client.post(f"/v1/intern/casussen/{signaal_id}/terugkoppelingen", headers=gateway,
                              json={"partner": RIEC, "door": "riec-1", "doel": "casusoverleg",
                                    "terugkoppeling": "opgepakt", "toelichting": kanarie.TEKST}),
            await client.post("/v1/intern/meldingen", headers=gateway,
                              json={"soort": "goedkeuring.wacht", "organisaties": [RIEC], "signaalId": signaal_id}),
        ]  # fmt: skip
        assert [s.status_code for s in stappen] == [200, 201, 200, 200, 201, 201], [s.text for s in stappen]

        # riec: advice, track, approval; the municipality: the outcome; the other municipality: nothing.
        async def alle_geprobeerd() -> bool:
            rijen = await db_rijen("meldingen")
            return len(rijen) == 6 and all(r["pogingen"] >= 2 for r in rijen)

        await _wacht_tot_async(alle_geprobeerd)
        assert ontvanger.verzoeken == [] and smtp.mails() == []
        assert all(r["afgeleverd_op"] is None and r["laatste_fout"] for r in await db_rijen("meldingen"))

        smtp.start()
        async with luisterend(ontvanger):

            async def alle_afgeleverd() -> bool:
                return all(r["afgeleverd_op"] is not None for r in await db_rijen("meldingen"))

            await _wacht_tot_async(alle_afgeleverd)
            await asyncio.sleep(0.5)  # anything sent twice would arrive now
        rijen = await db_rijen("meldingen")
        kanalen = {a["id"]: a["kanaal"] for a in await db_rijen("abonnementen")}

    # Exactly once: each notification's id arrived with success once, the three 500s were retried.
    geslaagd = ontvanger.geslaagd()
    ids = [_event(body)["id"] for _, body, _ in geslaagd]
    assert Counter(ids) == Counter(
        {str(r["id"]): 1 for r in rijen if kanalen[r["abonnement_id"]] == "webhook"}
    )
    assert len(geslaagd) == 4 and sum(1 for v in ontvanger.verzoeken if v[1] == 500) == 3
    assert Counter(pad for pad, _, _ in geslaagd) == Counter({"riec": 3, "gemeente": 1})
    mails = smtp.mails()
    assert len(mails) == 2 and len({m.split(b"Message-ID: ")[1].split(b"\n")[0] for m in mails}) == 2
    assert sorted(b"af@gemeente.example" in m for m in mails) == [False, True]

    for pad, body, headers in geslaagd:
        # Signed with the subscription's secret, fresh.
        assert verify_handtekening(geheim=geheimen[pad], body=body, headers=headers, nu=int(time.time()))
        assert not verify_handtekening(
            geheim=geheimen["ander"], body=body, headers=headers, nu=int(time.time())
        )
        assert headers["content-type"].startswith("application/cloudevents+json")
        event = _event(body)
        assert event["specversion"] == "1.0" and event["source"] == "urn:meldroute:intake-api"
        assert set(event["data"]) <= {"organisatie", "signaalId"}
        if pad == "gemeente":
            assert event["type"] == "nl.meldroute.terugkoppeling.vastgelegd"
            assert event["data"] == {"organisatie": GEMEENTE, "signaalId": signaal_id}
        else:  # a partner never gets intake's signal id; its subject is its own
            assert signaal_id not in body.decode() and event["data"] == {"organisatie": RIEC}
    soorten = Counter(_event(body)["type"] for pad, body, _ in geslaagd if pad == "riec")
    assert soorten == Counter(
        {
            "nl.meldroute.advies.gevraagd": 1,
            "nl.meldroute.traject.geopend": 1,
            "nl.meldroute.goedkeuring.wacht": 1,
        }
    )
    assert len({_event(body)["subject"] for pad, body, _ in geslaagd if pad == "riec"}) == 1
    gemeente_onderwerp = next(_event(body)["subject"] for pad, body, _ in geslaagd if pad == "gemeente")
    assert gemeente_onderwerp not in {_event(body)["subject"] for pad, body, _ in geslaagd if pad == "riec"}

    # The canary: in no body, header or mail, whatever was typed on the way.
    for _, _, body, headers in ontvanger.verzoeken:
        assert kanarie.sporen(body) == [] and kanarie.sporen(str(headers)) == []
    for mail in mails:
        assert kanarie.sporen(mail) == [] and signaal_id.encode() not in mail


def _event(body: bytes) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(body)
    return event


async def test_a_notification_is_given_up_after_the_last_attempt(
    intake_harness: ServiceHarness, kop: Kop, aanmaken: Doe, smtp: SmtpServer, db_rijen: Doe
) -> None:
    ontvanger = Ontvanger(poort=free_port(), fouten=10_000)  # always 500
    async with (
        intake_harness.client(**_instellingen(smtp, meldingen_max_pogingen=3)) as client,
        luisterend(ontvanger),
    ):
        _aangemaakt(
            await client.post(
                "/v1/intern/abonnementen", headers=kop("privacy-gateway"),
                json={"soorten": ["advies.gevraagd"], "kanaal": "webhook", "url": ontvanger.url("riec"),
                      "organisatie": RIEC, "door": "riec-1"},
            )
        )  # fmt: skip
        signaal = await aanmaken()
        pad = f"/v1/signalen/{signaal['id']}"
        besluit = await client.post(
            f"{pad}/beoordelingen", headers={**kop(), "If-Match": '"1"'},
            json={"status": "in_behandeling", "toelichting": "Opgepakt."},
        )  # fmt: skip
        assert besluit.status_code == 200
        vraag = await client.post(
            f"{pad}/adviesvragen", headers=kop(), json={"vraag": "Advies?", "experts": [RIEC]}
        )
        assert vraag.status_code == 201

        async def opgegeven() -> bool:
            rijen = await db_rijen("meldingen")
            return len(rijen) == 1 and rijen[0]["opgegeven_op"] is not None

        await _wacht_tot_async(opgegeven)
        await asyncio.sleep(0.4)  # no fourth attempt follows
        [rij] = await db_rijen("meldingen")
    assert rij["pogingen"] == 3 and rij["afgeleverd_op"] is None and rij["laatste_fout"] == "status 500"
    assert len(ontvanger.verzoeken) == 3 and len({_event(b)["id"] for _, _, b, _ in ontvanger.verzoeken}) == 1
