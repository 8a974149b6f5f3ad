"""The whole route over real HTTP between the three services as processes.

melder submits → the attention officer triages and escalates → RIEC pulls through the gateway → identity with four
eyes → events reach reporting → once their month has closed, the published statistics count the signals → the FG
verifies the log.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_common.migrations import upgrade
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import Stack, TestDatabases
from reporting.gebeurtenissen.models import GebeurtenisRij
from reporting.statistieken.publicatie import gesloten, publish_closed
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from tests.builders import betrokkene, signaal

ROOT = Path(__file__).resolve().parents[2]
GEMEENTE = "GM0222"  # Doetinchem: no other test in the session writes signals for it
BSN = "111222333"
AANTAL = 16  # above the threshold (10) by more than the largest perturbation (4): always shown


@pytest.fixture(scope="module")
def journey_stack(
    tmp_path_factory: pytest.TempPathFactory, test_databases: TestDatabases, local_dir: Path
) -> Iterator[Stack]:
    urls = {}
    for dienst in DIENSTEN:
        urls[dienst.naam] = test_databases.create(f"e2e-{dienst.naam}")
        upgrade(service_dir=dienst.folder(ROOT), database_url=urls[dienst.naam])
    stack = Stack(
        local_dir=local_dir,
        database_urls=urls,
        log_dir=tmp_path_factory.mktemp("e2e-logs"),
        env={
            "INTAKE_OUTBOX_INTERVAL_SECONDEN": "0.2",
            "REPORTING_DREMPEL": "10",
            "REPORTING_MINIMALE_POPULATIE": "10",
        },
    )
    stack.start()
    yield stack
    stack.stop()


async def _in_reporting(
    url: str, *, gemeente: str, publiceren_op: datetime | None = None
) -> tuple[int, list[str]]:
    """Signals of `gemeente` stored in reporting; with `publiceren_op`, first publish as the daily task would then."""
    engine = create_async_engine(url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        if publiceren_op is not None:
            await publish_closed(maker=maker, drempel=10, embargo=timedelta(days=14), nu=publiceren_op)
        async with maker() as session:
            aantal = await session.scalar(
                select(func.count()).where(
                    GebeurtenisRij.gemeente_code == gemeente, GebeurtenisRij.type == "signaal_ontvangen"
                )
            )
            maanden = await session.scalars(select(GebeurtenisRij.maand).distinct())
            return int(aantal or 0), list(maanden)
    finally:
        await engine.dispose()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _signaal(nummer: int) -> dict[str, Any]:
    persoon = betrokkene()
    if nummer == 0:
        persoon |= {"bsn": BSN, "naam": "Jan Kowalski", "geboortedatum": "2001-05-04"}
    return signaal(
        gemeenteCode=GEMEENTE,
        omschrijving="Arbeiders slapen in een schuur; bel 06-12345678 voor de beheerder.",
        betrokkenen=[persoon],
    )


def test_the_whole_journey(journey_stack: Stack, issuer: DevIssuer) -> None:
    intake, gateway, reporting = (
        journey_stack.url(n) for n in ("intake-api", "privacy-gateway", "reporting")
    )
    melder = _bearer(issuer.mint(rol="melder", gemeente=GEMEENTE, sub="melder-1"))
    af = _bearer(issuer.mint(rol="aandachtsfunctionaris", gemeente=GEMEENTE, sub="af-1"))
    riec = _bearer(issuer.mint(rol="partner", organisatie="riec-oost-nederland", sub="riec-analist"))
    riec_approver = _bearer(
        issuer.mint(rol="goedkeurder", organisatie="riec-oost-nederland", sub="riec-teamleider")
    )
    belasting = _bearer(issuer.mint(rol="partner", organisatie="belastingdienst", sub="bd-1"))
    fg = _bearer(issuer.mint(rol="fg", sub="fg-1"))
    beleid = _bearer(issuer.mint(rol="beleidsmedewerker", sub="beleid-1"))

    with httpx.Client(timeout=20) as http:
        # 1. A melder submits signals; the first names a person.
        ids = []
        for nummer in range(AANTAL):
            response = http.post(
                f"{intake}/v1/signalen",
                json=_signaal(nummer),
                headers={**melder, "Idempotency-Key": str(uuid.uuid4())},
            )
            assert response.status_code == 201, response.text
            assert (
                BSN not in response.text
                and "Kowalski" not in response.text
                and "06-12345678" not in response.text
            )
            ids.append(response.json()["id"])
        signaal = ids[0]

        # 2. The attention officer triages and escalates to RIEC and police for the case meeting.
        for besluit in (
            {"status": "in_behandeling", "toelichting": "Oppakken."},
            {
                "status": "opgeschaald",
                "toelichting": "Meerdere indicatoren van arbeidsuitbuiting.",
                "partners": ["riec-oost-nederland", "politie-oost-nederland"],
                "doel": "casusoverleg",
            },
        ):
            etag = http.get(f"{intake}/v1/signalen/{signaal}", headers=af).headers["etag"]
            response = http.post(
                f"{intake}/v1/signalen/{signaal}/beoordelingen",
                json=besluit,
                headers={**af, "If-Match": etag},
            )
            assert response.status_code in (200, 201), response.text

        # 3. RIEC sees the case through the gateway under its own reference, never intake's id; the
        #    Belastingdienst, not a recipient, does not see it under either.
        lijst = http.get(f"{gateway}/v1/casussen", headers=riec)
        assert lijst.status_code == 200 and signaal not in lijst.text
        [referentie_casus] = [c["id"] for c in lijst.json()["casussen"]]
        casus = http.get(
            f"{gateway}/v1/casussen/{referentie_casus}", params={"doel": "casusoverleg"}, headers=riec
        )
        assert casus.status_code == 200, casus.text
        view = casus.json()
        assert view["id"] == referentie_casus and signaal not in casus.text
        assert BSN not in casus.text and "Kowalski" not in casus.text
        assert "[TELEFOON]" in view["omschrijving"]
        assert "identiteit" not in view["categorieen"]
        for casus_id in (referentie_casus, signaal):
            assert (
                http.get(
                    f"{gateway}/v1/casussen/{casus_id}", params={"doel": "casusoverleg"}, headers=belasting
                ).status_code
                == 404
            )

        # 4. Identity with four eyes: the requester cannot approve their own request; a colleague can.
        referentie = view["betrokkenen"][0]["referentie"]
        verzoek = http.post(
            f"{gateway}/v1/casussen/{referentie_casus}/identiteitsverzoeken",
            json={
                "betrokkene": referentie,
                "doel": "casusoverleg",
                "reden": "Afstemming van opvang in het casusoverleg.",
            },
            headers=riec,
        )
        assert verzoek.status_code == 201, verzoek.text
        verzoek_id = verzoek.json()["id"]
        assert http.get(
            f"{gateway}/v1/identiteitsverzoeken/{verzoek_id}/identiteit", headers=riec
        ).status_code in (403, 409)
        assert (
            http.post(
                f"{gateway}/v1/identiteitsverzoeken/{verzoek_id}/goedkeuringen", headers=riec
            ).status_code
            == 403
        )
        goedkeuring = http.post(
            f"{gateway}/v1/identiteitsverzoeken/{verzoek_id}/goedkeuringen", headers=riec_approver
        )
        assert goedkeuring.status_code == 201, goedkeuring.text
        identiteit = http.get(f"{gateway}/v1/identiteitsverzoeken/{verzoek_id}/identiteit", headers=riec)
        assert identiteit.status_code == 200, identiteit.text
        assert identiteit.json()["bsn"] == BSN and identiteit.json()["naam"] == "Jan Kowalski"

        # 5. The outbox delivers the anonymous events to reporting.
        reporting_db = journey_stack.services["reporting"].env["REPORTING_DATABASE_URL"]
        deadline, aantal, maanden = time.monotonic() + 30, 0, []
        while time.monotonic() < deadline:
            aantal, maanden = asyncio.run(_in_reporting(reporting_db, gemeente=GEMEENTE))
            if aantal == AANTAL:
                break
            time.sleep(0.5)
        assert aantal == AANTAL
        # Their month is still open, so nothing of it is published: live figures would reveal each new signal.
        nu = datetime.now(UTC)
        params = {"groeperenOp": "gemeente", "periode": "maand", "van": min(maanden), "tot": max(maanden)}
        stats = http.get(f"{reporting}/v1/statistieken/signalen", params=params, headers=beleid)
        assert stats.status_code == 200, stats.text
        assert stats.json()["cellen"] == [] and stats.json()["gepubliceerdePerioden"] == [
            m for m in maanden if gesloten(m, nu=nu, embargo=timedelta(days=14))
        ]
        # Once the month has closed (plus the embargo) the daily publication counts them, protected.
        asyncio.run(_in_reporting(reporting_db, gemeente=GEMEENTE, publiceren_op=nu + timedelta(days=62)))
        stats = http.get(f"{reporting}/v1/statistieken/signalen", params=params, headers=beleid)
        assert stats.status_code == 200, stats.text
        cellen = [c for c in stats.json()["cellen"] if c["waarden"]["gemeente"] == GEMEENTE]
        gepubliceerd = sum(c["aantal"] or 0 for c in cellen)
        assert cellen and abs(gepubliceerd - AANTAL) <= 4 * len(cellen), cellen

        # 6. The FG verifies the log: every step is there and the chain holds.
        verificatie = http.get(f"{gateway}/v1/verwerkingen/verificatie", headers=fg)
        assert verificatie.status_code == 200 and verificatie.json()["ok"] is True
        rijen = http.get(f"{gateway}/v1/verwerkingen", params={"casusId": signaal}, headers=fg).json()
        acties = {rij["actie"] for rij in rijen["verwerkingen"]}
        assert verificatie.json()["aantal"] >= len(rijen["verwerkingen"]) >= 4, acties
        # The FG sees intake's id and the reference RIEC knew the case by.
        assert {r["detail"].get("casusReferentie") for r in rijen["verwerkingen"]} == {referentie_casus}
        inzage = http.post(f"{gateway}/v1/inzageverzoeken", json={"bsn": BSN}, headers=fg)
        assert inzage.status_code == 200, inzage.text
        assert {o["afnemer"] for o in inzage.json()["ontvangsten"]} >= {"riec-oost-nederland"}
