"""Attack: partner organisations pooling their notifications to find out which cases, or which person, they share.

Two partners hold several subscriptions each (webhooks and e-mail, made through the gateway), the
municipality one of its own and a third partner that is on no case one too; two cases about the same person
are escalated to both partners, one of them asks for an identity, the other reports an outcome. Every
webhook is received over real HTTP and every mail over real SMTP (in-process servers), then each
organisation's haul is set against the others' and against what each partner sees through the gateway
(its case references and betrokkene references) and what only intake knows (signal and betrokkene ids):
nothing a notification carries, apart from its type and the time it was sent, may occur in another
organisation's notifications or name a case in a form another organisation sees. The real intake app with
its notification relay runs in-process behind the gateway, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import json
import re
from collections.abc import AsyncIterator
from email.message import Message
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from aiosmtpd.controller import Controller
from meldroute_common.devissuer import DevIssuer
from meldroute_common.meldingen import KOP_HANDTEKENING, Meldingsoort, build_mail
from meldroute_dev.testing import ServiceHarness, clear_tables, free_port, running
from privacy_gateway.main import create_app
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.builders import betrokkene, signaal

from .conftest import ReferentieVan
from .test_gateway_aantekeningen import DOEL, POLITIE, RIEC, _kop

COMENSHA = "comensha"
GEMEENTE = "GM1509"
SOORTEN = ["traject.geopend", "goedkeuring.wacht", "advies.gevraagd", "terugkoppeling.vastgelegd"]
#: The same person in both cases: what a partner would like to link.
PERSOON = {"bsn": "123456782", "naam": "Canarius Zwartveld", "geboortedatum": "1990-02-03"}
#: Fields every notification has alike (or that say when, not what): left out of the comparison.
GEDEELD = {"specversion", "source", "type", "datacontenttype", "time"}
_TOKEN = re.compile(r"[A-Za-z0-9_\-]{8,}")
#: The words of every notification mail whatever it is about.
SJABLOON = {
    w
    for soort in Meldingsoort
    for w in re.findall(
        r"[A-Za-z0-9_\-]{8,}",
        build_mail(afzender="a@b.nl", aan="c@d.nl", soort=soort, kenmerk="-", bericht_id="-").get_content(),
    )
}


class Haken:
    """A webhook receiver over real HTTP: every path is one subscription; keeps each body with its path."""

    def __init__(self) -> None:
        self.poort = free_port()
        self.ontvangen: list[tuple[str, bytes, dict[str, str]]] = []

    def url(self, pad: str) -> str:
        return f"http://127.0.0.1:{self.poort}/{pad}"

    async def ontvang(self, request: Request) -> Response:
        self.ontvangen.append((request.url.path.strip("/"), await request.body(), dict(request.headers)))
        return Response(status_code=204)


@contextlib.asynccontextmanager
async def _luisterend(haken: Haken) -> AsyncIterator[None]:
    app = Starlette(routes=[Route("/{pad}", haken.ontvang, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=haken.poort, log_level="warning", lifespan="off")
    )
    taak = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while True:
            if server.started:
                break
            await asyncio.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        await taak


class Postbus:
    """An SMTP server in this process (aiosmtpd in a thread): every accepted mail, by recipient."""

    def __init__(self) -> None:
        self.poort = free_port()
        self.mails: list[tuple[str, Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for ontvanger in envelope.rcpt_tos:
            self.mails.append((ontvanger, email.message_from_bytes(envelope.content)))
        return "250 OK"


@contextlib.asynccontextmanager
async def _keten(
    intake_harness: ServiceHarness, gateway_harness: ServiceHarness, haken: Haken, postbus: Postbus
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Intake with its notification relay running, and the gateway calling it in-process."""
    smtp = Controller(postbus, hostname="127.0.0.1", port=postbus.poort)
    smtp.start()
    intake_app = intake_harness.app(
        outbox_relay_aan=False, retentie_taak_aan=False, meldingen_interval_seconden=0.05,
        meldingen_eerste_wachttijd_seconden=0.05, meldingen_max_wachttijd_seconden=0.2,
        webhook_intern_toegestaan=True, smtp_host="127.0.0.1", smtp_poort=postbus.poort, smtp_starttls=False,
    )  # fmt: skip
    try:
        async with _luisterend(haken), running(intake_app) as intake:
            gateway_app = create_app(
                gateway_harness.settings(), intake_transport=httpx.ASGITransport(app=intake_app)
            )
            async with running(gateway_app) as gateway:
                yield intake, gateway
    finally:
        smtp.stop()
        await clear_tables(intake_harness.database_url, intake_harness.metadata)
        await clear_tables(gateway_harness.database_url, gateway_harness.metadata)


async def _meldingen(harness: ServiceHarness) -> list[dict[str, Any]]:
    from intake_api.models import Melding

    engine = create_async_engine(harness.database_url)
    try:
        async with engine.connect() as verbinding:
            return [dict(r) for r in (await verbinding.execute(sa.select(Melding.__table__))).mappings()]
    finally:
        await engine.dispose()


def _tokens(waarde: Any) -> set[str]:
    """The identifier-like words of the values (not the keys) in `waarde`."""
    if isinstance(waarde, dict):
        return set().union(set(), *(_tokens(v) for v in waarde.values()))
    if isinstance(waarde, list | tuple | set):
        return set().union(set(), *(_tokens(v) for v in waarde))
    return set(_TOKEN.findall(str(waarde)))


async def test_no_notification_lets_two_organisations_link_a_case_or_a_person(
    intake_harness: ServiceHarness, gateway_harness: ServiceHarness, issuer: DevIssuer,
    referentie_van: ReferentieVan,
) -> None:  # fmt: skip
    haken, postbus = Haken(), Postbus()
    af = _kop(issuer, "aandachtsfunctionaris", gemeente=GEMEENTE, sub="af-1")
    melder = _kop(issuer, "melder", gemeente=GEMEENTE, sub="melder-1")
    partner = {o: _kop(issuer, "partner", organisatie=o, sub=f"{o}-1") for o in (RIEC, POLITIE, COMENSHA)}
    abonnement_van: dict[str, str] = {}  # webhook path or mail address -> organisation
    async with _keten(intake_harness, gateway_harness, haken, postbus) as (intake, gateway):
        # Many subscriptions per partner, through the gateway; the municipality's own at intake.
        for organisatie, webhooks in ((RIEC, 3), (POLITIE, 2), (COMENSHA, 1)):
            for n in range(webhooks):
                pad = f"{organisatie}-{n}"
                body = {"soorten": SOORTEN[: 2 + n % 2], "kanaal": "webhook", "url": haken.url(pad)}
                nieuw = await gateway.post("/v1/abonnementen", json=body, headers=partner[organisatie])
                assert nieuw.status_code == 201, nieuw.text
                abonnement_van[pad] = organisatie
            adres = f"meldingen@{organisatie}.example"
            body = {"soorten": SOORTEN[:2], "kanaal": "email", "email": adres}
            assert (
                await gateway.post("/v1/abonnementen", json=body, headers=partner[organisatie])
            ).status_code == 201
            abonnement_van[adres] = organisatie
        body = {"soorten": ["terugkoppeling.vastgelegd"], "kanaal": "webhook", "url": haken.url("gemeente")}
        assert (await intake.post("/v1/abonnementen", json=body, headers=af)).status_code == 201
        abonnement_van["gemeente"] = GEMEENTE

        # Two cases about the same person, both escalated to the two partners.
        signalen: list[str] = []
        for _ in range(2):
            nieuw = await intake.post(
                "/v1/signalen", json=signaal(betrokkenen=[betrokkene(**PERSOON)]), headers=melder
            )
            assert nieuw.status_code == 201, nieuw.text
            sid = nieuw.json()["id"]
            pad = f"/v1/signalen/{sid}/beoordelingen"
            for versie, body in (
                ('"1"', {"status": "in_behandeling", "toelichting": "Oppakken."}),
                ('"2"', {"status": "opgeschaald", "toelichting": "Opschalen.", "partners": [RIEC, POLITIE],
                         "doel": DOEL}),
            ):  # fmt: skip
                stap = await intake.post(pad, json=body, headers={**af, "If-Match": versie})
                assert stap.status_code == 200, stap.text
            signalen.append(sid)

        # What each partner sees of the cases: its own references to each case and to the person.
        gezien: dict[str, set[str]] = {}
        for organisatie in (RIEC, POLITIE):
            gezien[organisatie] = set()
            for sid in signalen:
                referentie = await referentie_van(gateway, partner[organisatie], sid)
                casus = await gateway.get(
                    f"/v1/casussen/{referentie}", params={"doel": DOEL}, headers=partner[organisatie]
                )
                assert casus.status_code == 200, casus.text
                gezien[organisatie] |= {referentie, *(b["referentie"] for b in casus.json()["betrokkenen"])}
        # The police asks for the person's identity in the first case (the approvers are told), RIEC reports
        # an outcome in the second (the municipality is told).
        riec_ref = await referentie_van(gateway, partner[RIEC], signalen[1])
        politie_ref = await referentie_van(gateway, partner[POLITIE], signalen[0])
        casus = (
            await gateway.get(f"/v1/casussen/{politie_ref}", params={"doel": DOEL}, headers=partner[POLITIE])
        ).json()
        verzoek = await gateway.post(
            f"/v1/casussen/{politie_ref}/identiteitsverzoeken", headers=partner[POLITIE],
            json={"betrokkene": casus["betrokkenen"][0]["referentie"], "doel": DOEL,
                  "reden": "Nodig voor afstemming van opvang en veiligheid in het casusoverleg."},
        )  # fmt: skip
        assert verzoek.status_code == 201, verzoek.text
        uitkomst = await gateway.post(
            f"/v1/casussen/{riec_ref}/terugkoppelingen", headers=partner[RIEC],
            json={"doel": DOEL, "terugkoppeling": "opgepakt"},
        )  # fmt: skip
        assert uitkomst.status_code == 201, uitkomst.text

        async with asyncio.timeout(15):
            while True:
                rijen = await _meldingen(intake_harness)
                if rijen and all(r["afgeleverd_op"] is not None for r in rijen):
                    break
                await asyncio.sleep(0.05)
        intern = set(signalen)
        for rij in rijen:
            intern.add(str(rij["signaal_id"]))
        intern_betrokkenen = {
            b["id"]
            for sid in signalen
            for b in (
                await intake.get(f"/v1/intern/casussen/{sid}", headers=_kop(issuer, "privacy-gateway"))
            ).json()["betrokkenen"]
        }

    # Each organisation's haul: per notification the identifiers it carries, and every subject per case.
    per_organisatie: dict[str, list[dict[str, Any]]] = {}
    for pad, body, koppen in haken.ontvangen:
        event = json.loads(body)
        assert set(event["data"]) <= {"organisatie", "signaalId"}, event  # ids and types only
        assert event["data"]["organisatie"] == abonnement_van[pad]
        # Of the headers only the signature varies with the notification (the rest is the HTTP client's).
        mee = {k: v for k, v in koppen.items() if k.lower() == KOP_HANDTEKENING.lower()}
        per_organisatie.setdefault(abonnement_van[pad], []).append(
            {"pad": pad, "soort": event["type"], "onderwerp": event["subject"], "id": event["id"],
             "tokens": _tokens({k: v for k, v in event.items() if k not in GEDEELD}) | _tokens(mee)}
        )  # fmt: skip
    for adres, mail in postbus.mails:
        kenmerk = re.search(r"Kenmerk: (\S+)", mail.get_payload())
        assert kenmerk is not None, mail.as_string()
        # The mail is a fixed text around its reference: what is left of it beyond the template counts.
        kop_tokens = _tokens(mail["Message-ID"])
        per_organisatie.setdefault(abonnement_van[adres], []).append(
            {"pad": adres, "soort": mail["Subject"], "onderwerp": kenmerk.group(1), "id": mail["Message-ID"],
             "tokens": (_tokens(mail.get_payload()) - SJABLOON) | kop_tokens}
        )  # fmt: skip

    # Everyone told what concerns them, the partner on no case nothing; every subscription heard.
    assert COMENSHA not in per_organisatie
    assert {m["pad"] for ms in per_organisatie.values() for m in ms} == {
        p for p, o in abonnement_van.items() if o != COMENSHA
    }
    assert len(per_organisatie[RIEC]) >= 2 * 4 and len(per_organisatie[POLITIE]) >= 2 * 3 + 3
    # Within one organisation the cases are told apart (two subjects), across its subscriptions grouped.
    for organisatie in (RIEC, POLITIE):
        assert len({m["onderwerp"] for m in per_organisatie[organisatie]}) == 2, per_organisatie[organisatie]
    ids = [m["id"] for ms in per_organisatie.values() for m in ms]
    assert len(ids) == len(set(ids))

    vaste = _tokens([*SOORTEN, "meldroute", "traject", "goedkeuring", "terugkoppeling"]) | {
        RIEC, POLITIE, COMENSHA, GEMEENTE, *abonnement_van,
    }  # fmt: skip
    for organisatie, meldingen in per_organisatie.items():
        eigen = set().union(*(m["tokens"] for m in meldingen))
        for andere, hunne in per_organisatie.items():
            if andere == organisatie:
                continue
            theirs = set().union(*(m["tokens"] for m in hunne))
            # Nothing one organisation receives, besides names of kinds and of organisations, is in another's.
            assert (eigen & theirs) - vaste == set(), (organisatie, andere)
            # Nor a reference another partner sees through the gateway.
            assert not {t for t in eigen if any(t in g for g in gezien.get(andere, set()))}, (
                organisatie,
                andere,
            )
        if organisatie != GEMEENTE:
            # A partner never gets intake's own ids: no signal id, no betrokkene id.
            assert not [t for t in eigen if any(t in i for i in intern | intern_betrokkenen)], organisatie
