"""Work notes on a signal and on its tracks: who sees which, scrubbed, and gone with the retention purge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from intake_api.retentie.service import Termijnen, purge
from meldroute_common.db import make_engine
from meldroute_dev.testing import ServiceHarness
from sqlalchemy.ext.asyncio import async_sessionmaker

from . import kanarie
from .conftest import ANDERE_GEMEENTE, OPSCHALING

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]

RIEC, POLITIE = OPSCHALING["partners"]
DOEL = OPSCHALING["doel"]


async def _casus(aanmaken: Doe, beoordeel: Doe, **velden: Any) -> dict[str, Any]:
    signaal = await aanmaken(**velden)
    await beoordeel(signaal["id"], 1, "in_behandeling")
    antwoord = await beoordeel(signaal["id"], 2, "opgeschaald", **OPSCHALING)
    assert antwoord.status_code == 200, antwoord.text
    casus: dict[str, Any] = antwoord.json()
    return casus


def _partner(client: httpx.AsyncClient, kop: Kop, signaal_id: str) -> Callable[..., Any]:
    async def schrijf(partner: str, tekst: str, doel: str = DOEL) -> httpx.Response:
        return await client.post(
            f"/v1/intern/casussen/{signaal_id}/aantekeningen",
            json={"partner": partner, "door": f"{partner}-1", "doel": doel, "tekst": tekst},
            headers=kop("privacy-gateway"),
        )

    return schrijf


async def test_notes_of_the_attention_officer_and_of_partners_and_who_sees_them(
    client: httpx.AsyncClient, kop: Kop, aanmaken: Doe, beoordeel: Doe
) -> None:
    casus = await _casus(aanmaken, beoordeel)
    signaal_id, traject_id = casus["id"], casus["trajecten"][0]["id"]
    signaal_pad = f"/v1/signalen/{signaal_id}/aantekeningen"
    traject_pad = f"/v1/signalen/{signaal_id}/trajecten/{traject_id}/aantekeningen"

    bij_signaal = await client.post(signaal_pad, json={"tekst": "Werkgever gebeld."}, headers=kop())
    assert bij_signaal.status_code == 201, bij_signaal.text
    assert (bij_signaal.json()["trajectId"], bij_signaal.json()["partner"]) == (None, None)
    bij_traject = await client.post(
        traject_pad, json={"tekst": "Overleg donderdag."}, headers=kop(sub="af-2")
    )
    assert bij_traject.status_code == 201 and bij_traject.json()["trajectId"] == traject_id
    schrijf = _partner(client, kop, signaal_id)
    riec = await schrijf(RIEC, "Besproken in het overleg.")
    assert riec.status_code == 201, riec.text
    assert set(riec.json()) == {"vastgelegdOp"}  # no id of intake's travels to the gateway
    assert (await schrijf(POLITIE, "Dossier aangelegd.")).status_code == 201

    # The attention officer: the signal's notes apart from the track's, which include the partners'.
    signaalnotities = (await client.get(signaal_pad, headers=kop())).json()["aantekeningen"]
    assert [(a["tekst"], a["door"]) for a in signaalnotities] == [
        ("Werkgever gebeld.", "aandachtsfunctionaris-1")
    ]
    trajectnotities = (await client.get(traject_pad, headers=kop())).json()["aantekeningen"]
    assert [(a["partner"], a["door"], a["tekst"]) for a in trajectnotities] == [
        (None, "af-2", "Overleg donderdag."),
        (RIEC, f"{RIEC}-1", "Besproken in het overleg."),
        (POLITIE, f"{POLITIE}-1", "Dossier aangelegd."),
    ]

    # A partner reads back only its own organisation's notes: never the municipality's, never another's.
    async def eigen(partner: str, doel: str = DOEL) -> list[str]:
        antwoord = await client.get(
            f"/v1/intern/casussen/{signaal_id}/aantekeningen", params={"partner": partner, "doel": doel},
            headers=kop("privacy-gateway"),
        )  # fmt: skip
        assert antwoord.status_code == 200, antwoord.text
        return [a["tekst"] for a in antwoord.json()["aantekeningen"]]

    assert await eigen(RIEC) == ["Besproken in het overleg."]
    assert await eigen(POLITIE) == ["Dossier aangelegd."]
    assert await eigen("comensha") == [] and await eigen(RIEC, "zorg_en_opvang") == []

    # Another municipality sees nothing and writes nothing; a track of another signal is not this one's.
    anders = kop(gemeente=ANDERE_GEMEENTE)
    for pad in (signaal_pad, traject_pad):
        assert (await client.get(pad, headers=anders)).status_code == 404
        assert (await client.post(pad, json={"tekst": "x"}, headers=anders)).status_code == 404
    ander = await _casus(aanmaken, beoordeel)
    vreemd = f"/v1/signalen/{ander['id']}/trajecten/{traject_id}/aantekeningen"
    assert (await client.get(vreemd, headers=kop())).status_code == 404
    assert (await client.post(vreemd, json={"tekst": "x"}, headers=kop())).status_code == 404
    assert (await client.post(signaal_pad, json={"tekst": "x"}, headers=kop("melder"))).status_code == 403
    assert (await client.post(signaal_pad, json={"tekst": ""}, headers=kop())).status_code == 400


async def test_a_partner_writes_only_on_its_own_open_track(
    client: httpx.AsyncClient, kop: Kop, aanmaken: Doe, beoordeel: Doe, db_rijen: Doe
) -> None:
    casus = await _casus(aanmaken, beoordeel)
    schrijf = _partner(client, kop, casus["id"])
    assert (await schrijf("comensha", "Niet van ons.")).status_code == 404
    assert (await schrijf(RIEC, "Ander doel.", doel="zorg_en_opvang")).status_code == 404
    traject_id = casus["trajecten"][0]["id"]
    afgerond = await client.post(
        f"/v1/signalen/{casus['id']}/trajecten/{traject_id}/afronding", json={"toelichting": "Klaar."},
        headers=kop(),
    )  # fmt: skip
    assert afgerond.status_code == 200, afgerond.text
    assert (await schrijf(RIEC, "Na afronding.")).status_code == 404
    niet_opgeschaald = await aanmaken()
    assert (await _partner(client, kop, niet_opgeschaald["id"])(RIEC, "x")).status_code == 404
    assert await db_rijen("aantekeningen") == []


async def test_the_canary_in_notes_is_never_stored_or_returned_readable(
    client: httpx.AsyncClient, kop: Kop, aanmaken: Doe, beoordeel: Doe, db_rijen: Doe
) -> None:
    casus = await _casus(aanmaken, beoordeel, betrokkenen=[kanarie.BETROKKENE], omschrijving="Zie notities.")
    signaal_id, traject_id = casus["id"], casus["trajecten"][0]["id"]
    signaal_pad = f"/v1/signalen/{signaal_id}/aantekeningen"
    traject_pad = f"/v1/signalen/{signaal_id}/trajecten/{traject_id}/aantekeningen"
    antwoorden = [
        await client.post(signaal_pad, json={"tekst": kanarie.TEKST}, headers=kop()),
        await client.post(traject_pad, json={"tekst": kanarie.TEKST}, headers=kop()),
        await _partner(client, kop, signaal_id)(RIEC, kanarie.TEKST),
        await client.get(signaal_pad, headers=kop()),
        await client.get(traject_pad, headers=kop()),
        await client.get(
            f"/v1/intern/casussen/{signaal_id}/aantekeningen", params={"partner": RIEC, "doel": DOEL},
            headers=kop("privacy-gateway"),
        ),
    ]  # fmt: skip
    assert [a.status_code for a in antwoorden] == [201, 201, 201, 200, 200, 200]
    for antwoord in antwoorden:
        assert kanarie.sporen(antwoord.text) == [], (antwoord.request.url, antwoord.text)
    assert "[NAAM]" in antwoorden[-1].json()["aantekeningen"][0]["tekst"]
    rijen = await db_rijen("aantekeningen")
    assert len(rijen) == 3
    for rij in rijen:
        assert rij["tekst_verzegeld"][:3] == b"MRS"
        assert all(kanarie.sporen(v) == [] for k, v in rij.items() if k != "tekst_verzegeld"), rij


async def test_retention_removes_notes_and_seals_of_supplements(
    client: httpx.AsyncClient, kop: Kop, aanmaken: Doe, beoordeel: Doe, db_rijen: Doe,
    intake_harness: ServiceHarness,
) -> None:  # fmt: skip
    gewoon = await aanmaken()
    casus = await _casus(aanmaken, beoordeel)
    for signaal in (gewoon, casus):
        pad = f"/v1/signalen/{signaal['id']}"
        assert (
            await client.post(f"{pad}/aantekeningen", json={"tekst": "Notitie."}, headers=kop())
        ).status_code == 201
        aanvulling = await client.post(
            f"{pad}/aanvullingen", json={"aanvullingOmschrijving": "Meer."}, headers=kop()
        )
        assert aanvulling.status_code == 201
    assert (await _partner(client, kop, casus["id"])(RIEC, "Van de partner.")).status_code == 201

    engine = make_engine(intake_harness.database_url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    termijnen = Termijnen(niet_opgeschaald="P6M", opgeschaald="P5Y")
    try:
        nu = datetime.now(UTC)
        assert await purge(maker=maker, termijnen=termijnen, moment=nu + timedelta(days=200)) == 1
        over = {str(r["signaal_id"]) for r in await db_rijen("aantekeningen")}
        assert over == {casus["id"]} and len(await db_rijen("aantekeningen")) == 2
        assert await purge(maker=maker, termijnen=termijnen, moment=nu + timedelta(days=5 * 366)) == 1
    finally:
        await engine.dispose()
    assert await db_rijen("aantekeningen") == []
    aanvullingen = await db_rijen("signaal_aanvullingen")
    assert len(aanvullingen) == 2 and all(r["omschrijving_verzegeld"] is None for r in aanvullingen)
    assert all(
        r["omschrijving"] == "Meer." for r in aanvullingen
    )  # the scrubbed text stays, like the description
    historie = (await client.get(f"/v1/signalen/{casus['id']}/historie", headers=kop())).json()["historie"]
    assert historie[-1]["details"]["aantekeningen"] == 2
    # After the purge nothing new can outlive it: no notes, no additions.
    pad = f"/v1/signalen/{gewoon['id']}"
    assert (
        await client.post(f"{pad}/aantekeningen", json={"tekst": "Te laat."}, headers=kop())
    ).status_code == 409
    assert (
        await client.post(f"{pad}/aanvullingen", json={"aanvullingOmschrijving": "x"}, headers=kop())
    ).status_code == 409
    assert (await _partner(client, kop, casus["id"])(RIEC, "Te laat.")).status_code == 409
    assert (await client.get(f"{pad}/aantekeningen", headers=kop())).json()["aantekeningen"] == []
