"""From signal to case, over real HTTP between the three services as processes.

A melder records a signal → the attention officer asks regional experts for advice, which they read and
answer through the gateway → the officer escalates with a safety track (RIEC, police) and care tracks
(zorgcoördinatie; CoMensha with the victim's own consent) → the police asks for a follow-on purpose, the
officer grants it → two partners report outcomes → the officer reads everything → the melder sees the status
→ the victim withdraws consent and CoMensha's next read is refused → the FG finds every step in the
verwerkingenlog → the outcome figures appear in reporting, protected like every other figure.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_common.migrations import upgrade
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import Stack, TestDatabases
from reporting.gebeurtenissen.models import GebeurtenisRij
from reporting.statistieken.publicatie import publish_closed
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from tests.builders import betrokkene, signaal

ROOT = Path(__file__).resolve().parents[2]
GEMEENTE = "GM1586"  # Oost Gelre
BSN = "111222333"
NAAM = "Jan Kowalski"
#: Escalated cases the police reports on: above the threshold (10) by more than the largest perturbation (4),
#: so the published outcome count is always shown, and enough for the lead-time minimum (10).
AANTAL = 16
RIEC, POLITIE = "riec-oost-nederland", "politie-oost-nederland"
ZORG, COMENSHA = "zorgcoordinatie-noord-oost-gelderland", "comensha"


@pytest.fixture(scope="module")
def traject_stack(
    tmp_path_factory: pytest.TempPathFactory, test_databases: TestDatabases, local_dir: Path
) -> Iterator[Stack]:
    urls = {}
    for dienst in DIENSTEN:
        urls[dienst.naam] = test_databases.create(f"traject-{dienst.naam}")
        upgrade(service_dir=dienst.folder(ROOT), database_url=urls[dienst.naam])
    stack = Stack(
        local_dir=local_dir,
        database_urls=urls,
        log_dir=tmp_path_factory.mktemp("traject-logs"),
        env={
            "INTAKE_OUTBOX_INTERVAL_SECONDEN": "0.2",
            "REPORTING_DREMPEL": "10",
            "REPORTING_MINIMALE_POPULATIE": "10",
        },
    )
    stack.start()
    yield stack
    stack.stop()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Route:
    """The people of the journey, each with their own token, and the calls they make."""

    def __init__(self, http: httpx.Client, stack: Stack, issuer: DevIssuer) -> None:
        self.http = http
        self.intake, self.gateway, self.reporting = (
            stack.url(n) for n in ("intake-api", "privacy-gateway", "reporting")
        )
        self.melder = _bearer(issuer.mint(rol="melder", gemeente=GEMEENTE, sub="melder-1"))
        self.andere_melder = _bearer(issuer.mint(rol="melder", gemeente=GEMEENTE, sub="melder-2"))
        self.af = _bearer(issuer.mint(rol="aandachtsfunctionaris", gemeente=GEMEENTE, sub="af-1"))
        self.af_gateway = _bearer(
            issuer.mint(
                rol="aandachtsfunctionaris", gemeente=GEMEENTE, sub="af-1", audience="privacy-gateway"
            )
        )
        self.partner = {
            p: _bearer(issuer.mint(rol="partner", organisatie=p, sub=f"{p}-medewerker"))
            for p in (RIEC, POLITIE, ZORG, COMENSHA)
        }
        self.fg = _bearer(issuer.mint(rol="fg", sub="fg-1"))
        self.beleid = _bearer(issuer.mint(rol="beleidsmedewerker", sub="beleid-1"))

    def record(self, **wijziging: Any) -> str:
        response = self.http.post(
            f"{self.intake}/v1/signalen",
            json=signaal(gemeenteCode=GEMEENTE, **wijziging),
            headers={**self.melder, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def signal(self, signaal_id: str) -> httpx.Response:
        response = self.http.get(f"{self.intake}/v1/signalen/{signaal_id}", headers=self.af)
        assert response.status_code == 200, response.text
        return response

    def decide(self, signaal_id: str, **besluit: Any) -> httpx.Response:
        etag = self.signal(signaal_id).headers["etag"]
        return self.http.post(
            f"{self.intake}/v1/signalen/{signaal_id}/beoordelingen",
            json={"toelichting": "Besloten in het overleg.", **besluit},
            headers={**self.af, "If-Match": etag},
        )

    def case_reference(self, partner: str, doel: str) -> str:
        """The partner's own reference to the one case it has a track for with `doel`."""
        lijst = self.http.get(f"{self.gateway}/v1/casussen", headers=self.partner[partner])
        assert lijst.status_code == 200, lijst.text
        [referentie] = [c["id"] for c in lijst.json()["casussen"] if doel in c["doelen"]]
        return str(referentie)

    def read_case(self, partner: str, referentie: str, doel: str) -> httpx.Response:
        return self.http.get(
            f"{self.gateway}/v1/casussen/{referentie}", params={"doel": doel}, headers=self.partner[partner]
        )

    def report(self, partner: str, referentie: str, **terugkoppeling: Any) -> httpx.Response:
        return self.http.post(
            f"{self.gateway}/v1/casussen/{referentie}/terugkoppelingen",
            json=terugkoppeling,
            headers=self.partner[partner],
        )


async def _events_in_reporting(url: str, *, type: str) -> int:
    engine = create_async_engine(url)
    try:
        async with async_sessionmaker(engine)() as session:
            aantal = await session.scalar(
                select(func.count()).where(
                    GebeurtenisRij.gemeente_code == GEMEENTE, GebeurtenisRij.type == type
                )
            )
            return int(aantal or 0)
    finally:
        await engine.dispose()


async def _publish(url: str, *, nu: datetime) -> None:
    engine = create_async_engine(url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        await publish_closed(maker=maker, drempel=10, embargo=timedelta(days=14), nu=nu)
    finally:
        await engine.dispose()


def test_from_signal_to_case_with_advice_tracks_outcomes_and_consent(
    traject_stack: Stack, issuer: DevIssuer
) -> None:
    with httpx.Client(timeout=30) as http:
        route = Route(http, traject_stack, issuer)
        gateway, intake = route.gateway, route.intake

        # 1. A melder records a signal naming the victim.
        slachtoffer = betrokkene(bsn=BSN, naam=NAAM, geboortedatum="2001-05-04")
        signaal_id = route.record(
            omschrijving=f"{NAAM} slaapt in een schuur op het erf; bel 06-12345678.",
            betrokkenen=[slachtoffer],
        )
        assert route.decide(signaal_id, status="in_behandeling").status_code == 200

        # 2. Advice first: the question names the victim, the experts never see who it is.
        vraag = http.post(
            f"{intake}/v1/signalen/{signaal_id}/adviesvragen",
            json={
                "vraag": f"Is dit arbeidsuitbuiting? {NAAM} (BSN {BSN}) werkt er al maanden.",
                "experts": [RIEC, ZORG],
            },
            headers=route.af,
        )
        assert vraag.status_code == 201, vraag.text
        assert NAAM not in vraag.text and BSN not in vraag.text
        assert route.signal(signaal_id).json()["status"] == "advies_gevraagd"
        referenties = {}
        for expert in (RIEC, ZORG):
            lijst = http.get(f"{gateway}/v1/adviesvragen", headers=route.partner[expert])
            assert lijst.status_code == 200, lijst.text
            [vraag_uit] = lijst.json()["adviesvragen"]
            for geheim in (NAAM, "Kowalski", BSN, "06-12345678", signaal_id):
                assert geheim not in lijst.text, geheim
            referenties[expert] = vraag_uit["id"]
        assert referenties[RIEC] != referenties[ZORG], "two experts could join on one id"
        # The police was not asked: it sees no question.
        assert (
            http.get(f"{gateway}/v1/adviesvragen", headers=route.partner[POLITIE]).json()["adviesvragen"]
            == []
        )
        antwoord = http.post(
            f"{gateway}/v1/adviesvragen/{referenties[RIEC]}/antwoorden",
            json={"antwoord": "Ja, opschalen naar het casusoverleg; de zorgcoördinator erbij."},
            headers=route.partner[RIEC],
        )
        assert antwoord.status_code == 201, antwoord.text
        [advies] = route.signal(signaal_id).json()["adviesvragen"]
        assert [a["partner"] for a in advies["antwoorden"]] == [RIEC]
        assert route.decide(signaal_id, status="in_behandeling").status_code == 200

        # 3. The officer reads the policy and runs the dry-run before escalating.
        beleid = http.get(f"{gateway}/v1/beleid", headers=route.af_gateway)
        assert beleid.status_code == 200 and "advies" in {d["id"] for d in beleid.json()["doelen"]}
        trajecten = [
            {"doel": "casusoverleg", "partners": [RIEC, POLITIE]},
            {"doel": "zorg_en_opvang", "partners": [ZORG]},
            {"doel": "registratie_slachtoffer", "partners": [COMENSHA]},
        ]

        def dry_run() -> dict[tuple[str, str], dict[str, Any]]:
            toets = http.post(
                f"{gateway}/v1/beleid/opschalingstoetsen",
                json={"signaalId": signaal_id, "trajecten": trajecten},
                headers=route.af_gateway,
            )
            assert toets.status_code == 200, toets.text
            return {(u["partner"], u["doel"]): u for u in toets.json()["uitkomsten"]}

        # Without the victim's consent CoMensha could not read; the dry-run says so before anything is sent.
        eerst = dry_run()
        assert eerst[(COMENSHA, "registratie_slachtoffer")]["reden"]["code"] == "toestemming_ontbreekt"
        assert all(u["toegestaan"] for k, u in eerst.items() if k[0] != COMENSHA)

        # 4. Consent of the victim (25, so their own), then the escalation with a safety and care tracks.
        [betrokkene_id] = [b["id"] for b in route.signal(signaal_id).json()["betrokkenen"]]
        toestemming = http.post(
            f"{intake}/v1/signalen/{signaal_id}/betrokkenen/{betrokkene_id}/toestemmingen",
            json={
                "gegeven": True, "datum": date.today().isoformat(), "vastlegging": "schriftelijk",
                "onder16": False, "doorVoogd": False,
            },
            headers=route.af,
        )  # fmt: skip
        assert toestemming.status_code == 201, toestemming.text
        assert all(u["toegestaan"] for u in dry_run().values())
        opgeschaald = route.decide(signaal_id, status="opgeschaald", trajecten=trajecten)
        assert opgeschaald.status_code == 200, opgeschaald.text

        # 5. Each partner reads the case for its own track only.
        riec_ref = route.case_reference(RIEC, "casusoverleg")
        assert route.read_case(RIEC, riec_ref, "casusoverleg").status_code == 200
        zorg_ref = route.case_reference(ZORG, "zorg_en_opvang")
        zorg = route.read_case(ZORG, zorg_ref, "zorg_en_opvang")
        assert zorg.status_code == 200, zorg.text
        assert BSN not in zorg.text and NAAM not in zorg.text
        assert route.read_case(ZORG, zorg_ref, "casusoverleg").status_code == 403
        comensha_ref = route.case_reference(COMENSHA, "registratie_slachtoffer")
        registratie = route.read_case(COMENSHA, comensha_ref, "registratie_slachtoffer")
        assert registratie.status_code == 200, registratie.text
        assert len(registratie.json()["betrokkenen"]) == 1
        assert riec_ref != zorg_ref != comensha_ref

        # 6. The police asks for a follow-on purpose; the officer grants it; the police reads for it.
        politie_ref = route.case_reference(POLITIE, "casusoverleg")
        assert route.read_case(POLITIE, politie_ref, "strafrechtelijk_onderzoek").status_code == 403
        verzoek = http.post(
            f"{gateway}/v1/casussen/{politie_ref}/doelverzoeken",
            json={"doel": "strafrechtelijk_onderzoek", "reden": "Aanwijzingen voor een strafbaar feit."},
            headers=route.partner[POLITIE],
        )
        assert verzoek.status_code == 201, verzoek.text
        [doelverzoek] = route.signal(signaal_id).json()["doelverzoeken"]
        assert (doelverzoek["partner"], doelverzoek["doel"]) == (POLITIE, "strafrechtelijk_onderzoek")
        besluit = http.post(
            f"{intake}/v1/signalen/{signaal_id}/doelverzoeken/{doelverzoek['id']}/besluit",
            json={"toegekend": True, "toelichting": "Akkoord in het casusoverleg."},
            headers=route.af,
        )
        assert besluit.status_code == 200, besluit.text
        assert route.read_case(POLITIE, politie_ref, "strafrechtelijk_onderzoek").status_code == 200

        # 7. Outcomes from two partners; the officer reads them on the tracks.
        gestart = route.report(
            POLITIE,
            politie_ref,
            doel="strafrechtelijk_onderzoek",
            terugkoppeling="strafrechtelijk_onderzoek_gestart",
        )
        assert gestart.status_code == 201, gestart.text
        opvang = route.report(
            ZORG, zorg_ref, doel="zorg_en_opvang", terugkoppeling="opvang_geregeld", opvangvorm="cosm"
        )
        assert opvang.status_code == 201, opvang.text
        # The care coordinator has no track for the case meeting: its report there is refused.
        assert route.report(ZORG, zorg_ref, doel="casusoverleg", terugkoppeling="opgepakt").status_code == 403
        gezien = route.signal(signaal_id).json()
        per_doel = {t["doel"]: t for t in gezien["trajecten"]}
        assert set(per_doel) == {
            "casusoverleg",
            "zorg_en_opvang",
            "registratie_slachtoffer",
            "strafrechtelijk_onderzoek",
        }
        assert [t["terugkoppeling"] for t in per_doel["zorg_en_opvang"]["terugkoppelingen"]] == [
            "opvang_geregeld"
        ]
        assert per_doel["zorg_en_opvang"]["status"] == "lopend"
        assert NAAM not in str(gezien) and BSN not in str(gezien)

        # 8. The melder sees the status and the date, nothing else; another melder sees nothing.
        status = http.get(f"{intake}/v1/signalen/{signaal_id}/status", headers=route.melder)
        assert status.status_code == 200, status.text
        assert status.json()["status"] == "in_behandeling" and set(status.json()) == {"status", "sinds"}
        assert (
            http.get(f"{intake}/v1/signalen/{signaal_id}/status", headers=route.andere_melder).status_code
            == 404
        )

        # 9. The victim withdraws consent: CoMensha's next read is refused, and the refusal is logged.
        intrekking = http.post(
            f"{intake}/v1/signalen/{signaal_id}/betrokkenen/{betrokkene_id}/toestemmingen/"
            f"{toestemming.json()['id']}/intrekking",
            json={"datum": date.today().isoformat(), "toelichting": "Telefonisch ingetrokken."},
            headers=route.af,
        )
        assert intrekking.status_code == 200, intrekking.text
        geweigerd = route.read_case(COMENSHA, comensha_ref, "registratie_slachtoffer")
        assert geweigerd.status_code == 403 and geweigerd.json()["reden"] == "toestemming_ontbreekt"

        # 10. The FG finds every step in the verwerkingenlog, and the chain holds.
        verificatie = http.get(f"{gateway}/v1/verwerkingen/verificatie", headers=route.fg)
        assert verificatie.status_code == 200 and verificatie.json()["ok"] is True
        rijen = http.get(
            f"{gateway}/v1/verwerkingen", params={"casusId": signaal_id, "pageSize": 100}, headers=route.fg
        ).json()["verwerkingen"]
        doelen = {(r["doel"], r["detail"].get("organisatie")) for r in rijen}
        for stap in [
            ("advies", RIEC), ("advies", ZORG), ("casusoverleg", RIEC), ("zorg_en_opvang", ZORG),
            ("registratie_slachtoffer", COMENSHA), ("strafrechtelijk_onderzoek", POLITIE),
        ]:  # fmt: skip
            assert stap in doelen, (stap, doelen)
        assert any(r["detail"].get("reden") == "toestemming_ontbreekt" for r in rijen)

        # 11. Outcome figures in reporting: escalate more cases the police takes up, publish, read.
        for _ in range(AANTAL - 1):
            nummer = route.record()
            assert route.decide(nummer, status="in_behandeling").status_code == 200
            assert (
                route.decide(
                    nummer, status="opgeschaald", partners=[POLITIE], doel="casusoverleg"
                ).status_code
                == 200
            )
        lijst = http.get(f"{gateway}/v1/casussen", params={"pageSize": 100}, headers=route.partner[POLITIE])
        for casus in lijst.json()["casussen"]:
            if casus["id"] != politie_ref:
                assert (
                    route.report(
                        POLITIE, casus["id"], doel="casusoverleg", terugkoppeling="opgepakt"
                    ).status_code
                    == 201
                )
        assert (
            route.report(POLITIE, politie_ref, doel="casusoverleg", terugkoppeling="opgepakt").status_code
            == 201
        )
        reporting_db = traject_stack.services["reporting"].env["REPORTING_DATABASE_URL"]
        deadline, aantal = time.monotonic() + 60, 0
        while time.monotonic() < deadline:
            aantal = asyncio.run(_events_in_reporting(reporting_db, type="terugkoppeling_vastgelegd"))
            if aantal >= AANTAL + 2:
                break
            time.sleep(0.5)
        assert aantal == AANTAL + 2  # each case's opgepakt once, and the two outcomes of the first case
        nu = datetime.now(UTC)
        asyncio.run(_publish(reporting_db, nu=nu + timedelta(days=62)))
        maand = f"{nu.year:04d}-{nu.month:02d}"
        evaluatie = http.get(
            f"{route.reporting}/v1/statistieken/evaluatie",
            params={"periode": "maand", "van": maand, "tot": maand},
            headers=route.beleid,
        )
        assert evaluatie.status_code == 200, evaluatie.text
        cellen = evaluatie.json()["terugkoppelingen"]["cellen"]
        opgepakt = [c for c in cellen if c["waarden"].get("terugkoppeling") == "opgepakt"]
        assert opgepakt and opgepakt[0]["aantal"] is not None, cellen
        assert abs(opgepakt[0]["aantal"] - AANTAL) <= 4
