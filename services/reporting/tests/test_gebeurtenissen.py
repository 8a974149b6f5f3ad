"""Ingest: strict validation, idempotency by event id, one batch up to 1000 events."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import uuid
from typing import Any

import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_common.gebeurtenissen import TERMIJN_VOORBEELD
from meldroute_dev.testing import ServiceHarness, running
from reporting.gebeurtenissen import router
from reporting.gebeurtenissen.models import GebeurtenisRij, GebeurtenisVorm
from reporting.main import JONGE_GENERATIE
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


async def test_a_batch_goes_in_through_the_batch_check_and_an_odd_body_through_the_model(
    reporting_harness: ServiceHarness, issuer: DevIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ordinary batch never builds an event model; a body only Python's `json` reads (UTF-16) is taken by the
    batch model as before, with the same rows."""
    via_model: list[Any] = []
    echt = router.als_gecontroleerd

    def geteld(g: Any) -> Any:
        via_model.append(g)
        return echt(g)

    monkeypatch.setattr(router, "als_gecontroleerd", geteld)
    gewoon = [gebeurtenis(uitbuitingsvormen=["seksueel", "arbeid"]), gebeurtenis(uitkomst="opgeschaald")]
    vreemd = [gebeurtenis(uitbuitingsvormen=["seksueel", "arbeid"]), gebeurtenis(uitkomst="opgeschaald")]
    async with reporting_harness.client() as client:
        headers = {**invoer_headers(issuer), "Content-Type": "application/json"}
        antwoord = await client.post(
            "/v1/gebeurtenissen", content=json.dumps({"gebeurtenissen": gewoon}).encode(), headers=headers
        )
        assert antwoord.json() == {"nieuw": 2, "dubbel": 0}
        assert via_model == []
        antwoord = await client.post(
            "/v1/gebeurtenissen",
            content=json.dumps({"gebeurtenissen": vreemd}).encode("utf-16"),
            headers=headers,
        )
        assert antwoord.status_code == 200, antwoord.text
        assert antwoord.json() == {"nieuw": 2, "dubbel": 0}
        assert len(via_model) == 2
        opgeslagen = await _rijen(reporting_harness.database_url)
    for paar in zip(gewoon, vreemd, strict=True):
        gelijk = [opgeslagen[uuid.UUID(e["id"])] for e in paar]
        # Same columns (but the cell key, drawn per event) and the same forms, sorted.
        assert gelijk[0][0] == gelijk[1][0]
        assert gelijk[0][1] == gelijk[1][1]
    assert opgeslagen[uuid.UUID(gewoon[0]["id"])][1] == ["arbeid", "seksueel"]


async def _rijen(url: str) -> dict[uuid.UUID, tuple[dict[str, Any], list[str]]]:
    """Every stored event: its columns but id and cell key, and its forms in order."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as verbinding:
            rijen = (await verbinding.execute(select(GebeurtenisRij))).mappings().all()
            vormen = (
                await verbinding.execute(
                    select(GebeurtenisVorm.gebeurtenis_id, GebeurtenisVorm.uitbuitingsvorm).order_by(
                        GebeurtenisVorm.gebeurtenis_id, GebeurtenisVorm.uitbuitingsvorm
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    per_id: dict[uuid.UUID, list[str]] = {}
    for gebeurtenis_id, vorm in vormen:
        per_id.setdefault(gebeurtenis_id, []).append(vorm)
    return {
        r["id"]: ({k: v for k, v in r.items() if k not in ("id", "celsleutel")}, per_id.get(r["id"], []))
        for r in rijen
    }


async def test_stored_rows_carry_every_field_and_the_periods(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    termijn = {**TERMIJN_VOORBEELD, "id": str(uuid.uuid4()), "maand": "2026-05"}
    terug = gebeurtenis(terugkoppeling="opvang_geregeld", eersteTerugkoppeling=False, doorlooptijdDagen=4)
    beoordeeld = gebeurtenis(uitkomst="opgeschaald", doorlooptijdDagen=3, maand="2025-12")
    async with reporting_harness.client() as client:
        antwoord = await client.post(
            "/v1/gebeurtenissen",
            json={"gebeurtenissen": [termijn, terug, beoordeeld]},
            headers=invoer_headers(issuer),
        )
        assert antwoord.json() == {"nieuw": 3, "dubbel": 0}
        opgeslagen = await _rijen(reporting_harness.database_url)
    onbekend = dict.fromkeys(
        ("sector", "locatietype", "melder_domein", "leeftijdsklasse", "geslacht", "nationaliteitsgroep"),
        "onbekend",
    )
    leeg = {
        "uitkomst": None,
        "doorlooptijd_dagen": None,
        "terugkoppeling": None,
        "eerste_terugkoppeling": None,
    }
    kenmerken = {
        "sector": "agrarisch", "locatietype": "boerenerf", "melder_domein": "toezicht", "leeftijdsklasse": "23-29",
        "geslacht": "man", "nationaliteitsgroep": "eu-eer",
    }  # fmt: skip
    assert opgeslagen[uuid.UUID(termijn["id"])] == (
        {"type": "termijn_verstreken", "maand": "2026-05", "kwartaal": "2026-K2", "jaar": "2026",
         "gemeente_code": "GM1509", **onbekend, **leeg, "termijn": "triage"},
        [],
    )  # fmt: skip
    assert opgeslagen[uuid.UUID(terug["id"])] == (
        {"type": "terugkoppeling_vastgelegd", "maand": "2026-03", "kwartaal": "2026-K1", "jaar": "2026",
         "gemeente_code": "GM1509", **kenmerken, **leeg, "doorlooptijd_dagen": 4, "terugkoppeling": "opvang_geregeld",
         "eerste_terugkoppeling": False, "termijn": None},
        ["arbeid"],
    )  # fmt: skip
    assert opgeslagen[uuid.UUID(beoordeeld["id"])] == (
        {"type": "beoordeling_vastgelegd", "maand": "2025-12", "kwartaal": "2025-K4", "jaar": "2025",
         "gemeente_code": "GM1509", **kenmerken, **leeg, "uitkomst": "opgeschaald", "doorlooptijd_dagen": 3,
         "termijn": None},
        ["arbeid"],
    )  # fmt: skip


async def test_known_events_anywhere_in_a_batch_and_concurrent_batches_store_each_event_once(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    """A known id in the middle of a batch, and batches sharing events sent at the same time: every event is
    stored once with its forms, and the answers count each event once as new."""
    bekend = gebeurtenis(uitbuitingsvormen=["arbeid", "seksueel"])
    gedeeld = [gebeurtenis(uitbuitingsvormen=["arbeid", "crimineel"]) for _ in range(50)]
    eigen = [[gebeurtenis() for _ in range(50)] for _ in range(4)]
    async with reporting_harness.client() as client:
        headers = invoer_headers(issuer)
        eerste = await client.post("/v1/gebeurtenissen", json={"gebeurtenissen": [bekend]}, headers=headers)
        assert eerste.json() == {"nieuw": 1, "dubbel": 0}
        midden = [gebeurtenis(), bekend, gebeurtenis(uitbuitingsvormen=["seksueel", "crimineel"])]
        tweede = await client.post("/v1/gebeurtenissen", json={"gebeurtenissen": midden}, headers=headers)
        assert tweede.json() == {"nieuw": 2, "dubbel": 1}
        antwoorden = await asyncio.gather(
            *(
                client.post("/v1/gebeurtenissen", json={"gebeurtenissen": [*gedeeld, *e]}, headers=headers)
                for e in eigen
            )
        )
        assert [a.status_code for a in antwoorden] == [200] * 4
        assert sum(a.json()["nieuw"] for a in antwoorden) == 50 + 4 * 50
        assert all(a.json()["dubbel"] == 100 - a.json()["nieuw"] for a in antwoorden)
        assert await _tellen(reporting_harness.database_url) == (3 + 250, 2 + 1 + 2 + 100 + 200)


async def test_errors_name_the_field_and_come_before_or_after_the_token_as_before(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    async with reporting_harness.client() as client:
        fout = await client.post(
            "/v1/gebeurtenissen",
            json={"gebeurtenissen": [gebeurtenis(), gebeurtenis(sector="x y")]},
            headers=invoer_headers(issuer),
        )
        assert fout.status_code == 400
        assert [p["name"] for p in fout.json()["invalidParams"]] == ["gebeurtenissen[1].sector"]
        # The body is read as JSON before the token is checked; its fields after.
        headers = {"Content-Type": "application/json"}
        kapot = await client.post("/v1/gebeurtenissen", content=b'{"gebeurtenissen": [', headers=headers)
        assert kapot.status_code == 400
        assert kapot.json()["invalidParams"][0]["reason"] == "Geen geldige JSON."
        goed = json.dumps({"gebeurtenissen": [gebeurtenis()]}).encode()
        assert (await client.post("/v1/gebeurtenissen", content=goed, headers=headers)).status_code == 401
        slecht = json.dumps({"gebeurtenissen": [gebeurtenis(sector="x y")]}).encode()
        assert (await client.post("/v1/gebeurtenissen", content=slecht, headers=headers)).status_code == 401
        # A body that is not JSON by its content type is refused as before.
        tekst = await client.post(
            "/v1/gebeurtenissen",
            content=goed,
            headers={**invoer_headers(issuer), "Content-Type": "text/plain"},
        )
        assert tekst.status_code in (400, 415, 422)
        assert await _tellen(reporting_harness.database_url) == (0, 0)


async def test_the_garbage_collector_is_tuned_while_the_app_runs(reporting_harness: ServiceHarness) -> None:
    voor = gc.get_threshold()
    async with running(reporting_harness.app()):
        assert gc.get_threshold()[0] == JONGE_GENERATIE
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == voor
    assert gc.get_freeze_count() == 0


async def test_every_event_gets_its_own_random_cell_key(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    async with reporting_harness.client() as client:
        antwoord = await client.post(
            "/v1/gebeurtenissen",
            json={"gebeurtenissen": [gebeurtenis() for _ in range(200)]},
            headers=invoer_headers(issuer),
        )
        assert antwoord.json() == {"nieuw": 200, "dubbel": 0}
        engine = create_async_engine(reporting_harness.database_url)
        try:
            async with engine.connect() as verbinding:
                sleutels = list((await verbinding.execute(select(GebeurtenisRij.celsleutel))).scalars())
        finally:
            await engine.dispose()
    assert len(sleutels) == 200
    assert all(0 <= k < 2**32 for k in sleutels)
    assert len(set(sleutels)) >= 199  # two equal keys of 2^32 among 200: about 5 in a million
    # Uniform over 32 bits: both halves of the range occur (all in one half: chance 2^-199).
    assert min(sleutels) < 2**31 <= max(sleutels)
