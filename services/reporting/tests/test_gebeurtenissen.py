"""Ingest: strict validation, idempotency by event id, one batch up to 1000 events."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness
from reporting.gebeurtenissen.models import GebeurtenisRij, GebeurtenisVorm
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from .conftest import gebeurtenis, invoer_headers, lezer_headers


async def _tellen(url: str) -> tuple[int, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as verbinding:
            rijen = (await verbinding.execute(select(func.count()).select_from(GebeurtenisRij))).scalar_one()
            vormen = (
                await verbinding.execute(select(func.count()).select_from(GebeurtenisVorm))
            ).scalar_one()
            return int(rijen), int(vormen)
    finally:
        await engine.dispose()


async def test_batch_is_stored_once_and_resending_changes_nothing(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    events = [
        gebeurtenis(uitbuitingsvormen=["arbeid", "crimineel"]),
        gebeurtenis(uitkomst="opgeschaald", doorlooptijdDagen=3),
        gebeurtenis(maand="2025-12", gemeenteCode="GM0197"),
    ]
    async with reporting_harness.client() as client:
        eerste = await client.post(
            "/v1/gebeurtenissen", json={"gebeurtenissen": events}, headers=invoer_headers(issuer)
        )
        assert eerste.status_code == 200, eerste.text
        assert eerste.json() == {"nieuw": 3, "dubbel": 0}
        assert await _tellen(reporting_harness.database_url) == (3, 4)

        # At-least-once delivery: the same batch again, plus one new event and an id repeated in the batch.
        nieuw = gebeurtenis()
        tweede = await client.post(
            "/v1/gebeurtenissen",
            json={"gebeurtenissen": [*events, nieuw, nieuw]},
            headers=invoer_headers(issuer),
        )
        assert tweede.json() == {"nieuw": 1, "dubbel": 4}
        assert await _tellen(reporting_harness.database_url) == (4, 5)


async def test_a_full_batch_of_1000_goes_in_one_request(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    events = [gebeurtenis(uitbuitingsvormen=["seksueel", "crimineel"]) for _ in range(1000)]
    async with reporting_harness.client() as client:
        antwoord = await client.post(
            "/v1/gebeurtenissen", json={"gebeurtenissen": events}, headers=invoer_headers(issuer)
        )
        assert antwoord.status_code == 200, antwoord.text
        assert antwoord.json() == {"nieuw": 1000, "dubbel": 0}
        te_veel = await client.post(
            "/v1/gebeurtenissen",
            json={"gebeurtenissen": [*events, gebeurtenis()]},
            headers=invoer_headers(issuer),
        )
        assert te_veel.status_code == 400
        assert await _tellen(reporting_harness.database_url) == (1000, 2000)


PSEUDONIEM = hashlib.sha256(b"111222333").hexdigest()


def _fout(**wijziging: Any) -> dict[str, Any]:
    return gebeurtenis(**wijziging)


ONGELDIG: dict[str, Any] = {
    "onbekend veld": {**gebeurtenis(), "naam": "Jan"},
    "vrije tekst als sector": _fout(sector="werkt op een boerderij bij Jan"),
    "pseudoniem als sector": _fout(sector=PSEUDONIEM),
    "pseudoniem als geslacht": _fout(geslacht=PSEUDONIEM[:20]),
    "exacte datum": _fout(maand="2026-03-14"),
    "onbekende gemeente": _fout(gemeenteCode="GM9999"),
    "uitkomst bij ontvangst": {**gebeurtenis(), "uitkomst": "opgeschaald"},
    "bsn als code": _fout(locatietype="111222333"),
    "onbekende terugkoppeling": _fout(terugkoppeling="zaak_gesloten"),
    "pseudoniem als terugkoppeling": _fout(terugkoppeling=PSEUDONIEM[:30]),
    "terugkoppeling zonder eersteTerugkoppeling": {
        k: v for k, v in _fout(terugkoppeling="opgepakt").items() if k != "eersteTerugkoppeling"
    },
    "terugkoppeling zonder doorlooptijd": _fout(terugkoppeling="opgepakt", doorlooptijdDagen=None),
    "eersteTerugkoppeling als tekst": _fout(terugkoppeling="opgepakt", eersteTerugkoppeling="ja"),
    "terugkoppeling met uitkomst": _fout(terugkoppeling="opgepakt", uitkomst="opgeschaald"),
    "terugkoppeling bij ontvangst": {**gebeurtenis(), "terugkoppeling": "opgepakt"},
    "terugkoppeling bij beoordeling": {**gebeurtenis(uitkomst="opgeschaald"), "eersteTerugkoppeling": True},
}


async def test_strict_validation_refuses_the_whole_batch(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    async with reporting_harness.client() as client:
        for naam, fout in ONGELDIG.items():
            antwoord = await client.post(
                "/v1/gebeurtenissen",
                json={"gebeurtenissen": [gebeurtenis(), fout]},
                headers=invoer_headers(issuer),
            )
            assert antwoord.status_code == 400, naam
            body = antwoord.json()
            assert body["invalidParams"], naam
            assert PSEUDONIEM not in antwoord.text and "Jan" not in antwoord.text, naam
        leeg = await client.post(
            "/v1/gebeurtenissen", json={"gebeurtenissen": []}, headers=invoer_headers(issuer)
        )
        assert leeg.status_code == 400
        assert await _tellen(reporting_harness.database_url) == (0, 0)


async def test_only_the_intake_service_may_ingest(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    async with reporting_harness.client() as client:
        body = {"gebeurtenissen": [gebeurtenis(id=str(uuid.uuid4()))]}
        assert (await client.post("/v1/gebeurtenissen", json=body)).status_code == 401
        verboden = await client.post("/v1/gebeurtenissen", json=body, headers=lezer_headers(issuer))
        assert verboden.status_code == 403
