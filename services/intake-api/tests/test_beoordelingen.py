"""POST /v1/signalen/{id}/beoordelingen: the state machine, versions, history and outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from intake_api.beoordelingen.service import OVERGANGEN

from .conftest import OPSCHALING

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]

#: The fields each target status needs.
VELDEN: dict[str, dict[str, Any]] = {
    "in_behandeling": {},
    "afgesloten_geen_mensenhandel": {},
    "doorverwezen_ander_domein": {"doorverwezenNaar": "veilig-thuis"},
    "opgeschaald": OPSCHALING,
}
#: How to reach each status from `ontvangen`.
ROUTE: dict[str, list[str]] = {
    "ontvangen": [],
    "in_behandeling": ["in_behandeling"],
    **{
        s: ["in_behandeling", s]
        for s in ("afgesloten_geen_mensenhandel", "doorverwezen_ander_domein", "opgeschaald")
    },
}


async def test_escalation_records_who_when_why(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop, db_rijen: Doe
) -> None:
    signaal = await aanmaken()
    eerste = await beoordeel(signaal["id"], 1, "in_behandeling", toelichting="Ik pak dit op.")
    assert eerste.status_code == 200, eerste.text
    assert eerste.headers["etag"] == '"2"' and eerste.json()["status"] == "in_behandeling"
    tweede = await beoordeel(
        signaal["id"], 2, "opgeschaald", toelichting="Bel 06-12345678 voor overleg.", **OPSCHALING
    )
    assert tweede.status_code == 200, tweede.text
    body = tweede.json()
    assert body["status"] == "opgeschaald" and body["versie"] == 3
    assert body["partners"] == OPSCHALING["partners"] and body["doel"] == "casusoverleg"
    assert body["vertrouwelijkheidaanduiding"] == "vertrouwelijk" and body["opgeschaaldOp"]

    historie = await client.get(f"/v1/signalen/{signaal['id']}/historie", headers=kop())
    regels = historie.json()["historie"]
    assert [(r["actie"], r["vanStatus"], r["naarStatus"]) for r in regels] == [
        ("aangemaakt", None, "ontvangen"),
        ("beoordeeld", "ontvangen", "in_behandeling"),
        ("beoordeeld", "in_behandeling", "opgeschaald"),
    ]
    assert regels[2]["door"] == "aandachtsfunctionaris-1"
    assert regels[2]["toelichting"] == "Bel [TELEFOON] voor overleg."
    assert regels[2]["details"]["partners"] == OPSCHALING["partners"]

    events = sorted(db_rijen_ := await db_rijen("outbox"), key=lambda r: r["volgnummer"])
    assert len(db_rijen_) == 3
    assert [e["gebeurtenis"]["type"] for e in events] == [
        "signaal_ontvangen", "beoordeling_vastgelegd", "beoordeling_vastgelegd",
    ]  # fmt: skip
    assert events[2]["gebeurtenis"]["uitkomst"] == "opgeschaald"
    assert events[2]["gebeurtenis"]["leeftijdsklasse"] == "23-29"
    partners = await db_rijen("casus_partners")
    assert {p["partner"] for p in partners} == set(OPSCHALING["partners"])


async def test_referral_names_a_catalogue_domain(aanmaken: Doe, beoordeel: Doe) -> None:
    signaal = await aanmaken()
    await beoordeel(signaal["id"], 1, "in_behandeling")
    zonder = await beoordeel(signaal["id"], 2, "doorverwezen_ander_domein")
    onbekend = await beoordeel(signaal["id"], 2, "doorverwezen_ander_domein", doorverwezenNaar="nergens")
    teveel = await beoordeel(signaal["id"], 2, "afgesloten_geen_mensenhandel", doel="casusoverleg")
    geen_partners = await beoordeel(signaal["id"], 2, "opgeschaald", doel="casusoverleg")
    for response, veld in (
        (zonder, "doorverwezenNaar"),
        (onbekend, "doorverwezenNaar"),
        (teveel, "doel"),
        (geen_partners, "partners"),
    ):
        assert response.status_code == 400, response.text
        assert veld in {p["name"] for p in response.json()["invalidParams"]}
    goed = await beoordeel(signaal["id"], 2, "doorverwezen_ander_domein", doorverwezenNaar="veilig-thuis")
    assert goed.status_code == 200 and goed.json()["doorverwezenNaar"] == "veilig-thuis"


async def test_every_forbidden_transition_is_409_listing_the_allowed(aanmaken: Doe, beoordeel: Doe) -> None:
    geprobeerd = 0
    for van, route in ROUTE.items():
        verboden = [s for s in VELDEN if s not in OVERGANGEN[van]]
        if not verboden:
            continue
        signaal = await aanmaken()
        versie = 1
        for stap in route:
            assert (await beoordeel(signaal["id"], versie, stap, **VELDEN[stap])).status_code == 200
            versie += 1
        for naar in verboden:
            response = await beoordeel(signaal["id"], versie, naar, **VELDEN[naar])
            assert response.status_code == 409, (van, naar, response.text)
            problem = response.json()
            assert problem["toegestaneStatussen"] == list(OVERGANGEN[van]), (van, naar)
            assert problem["huidigeStatus"] == van
            geprobeerd += 1
    assert geprobeerd == 16  # 3 from ontvangen, 1 from in_behandeling, 4 from each of the 3 outcomes


async def test_versions_are_required_and_checked(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    signaal = await aanmaken()
    assert (await beoordeel(signaal["id"], None, "in_behandeling")).status_code == 428
    assert (await beoordeel(signaal["id"], 7, "in_behandeling")).status_code == 412
    ongeldig = await client.post(
        f"/v1/signalen/{signaal['id']}/beoordelingen",
        json={"status": "in_behandeling", "toelichting": "x"},
        headers={**kop(), "If-Match": "geen-etag"},
    )
    assert ongeldig.status_code == 400
    # The version may also travel in the body.
    met_versie = await beoordeel(signaal["id"], None, "in_behandeling", versie=1)
    assert met_versie.status_code == 200 and met_versie.json()["versie"] == 2
    opgehaald = await client.get(f"/v1/signalen/{signaal['id']}", headers=kop())
    assert opgehaald.headers["etag"] == '"2"'


async def test_two_officers_deciding_at_once_one_wins(aanmaken: Doe, beoordeel: Doe, db_rijen: Doe) -> None:
    signaal = await aanmaken()
    await beoordeel(signaal["id"], 1, "in_behandeling")
    antwoorden = await asyncio.gather(
        beoordeel(signaal["id"], 2, "afgesloten_geen_mensenhandel", _claims={"sub": "af-1"}),
        beoordeel(signaal["id"], 2, "opgeschaald", _claims={"sub": "af-2"}, **OPSCHALING),
    )
    assert sorted(a.status_code for a in antwoorden) == [200, 412], [a.text for a in antwoorden]
    beoordelingen = [r for r in await db_rijen("signaal_historie") if r["actie"] == "beoordeeld"]
    assert len(beoordelingen) == 2  # in_behandeling and the one winner
    assert len(await db_rijen("outbox")) == 3


async def test_another_municipalitys_signal_cannot_be_decided(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    signaal = await aanmaken()
    response = await beoordeel(signaal["id"], 1, "in_behandeling", _claims={"gemeente": "GM0222"})
    assert response.status_code == 404
    ongewijzigd = await client.get(f"/v1/signalen/{signaal['id']}", headers=kop())
    assert ongewijzigd.json()["status"] == "ontvangen" and ongewijzigd.json()["versie"] == 1
