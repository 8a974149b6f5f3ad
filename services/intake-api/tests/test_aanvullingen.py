"""Additions to a signal: indicators, betrokkenen and supplements, each one history entry, nothing erased."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from meldroute_common.problems import PROBLEM_JSON

from tests.builders import betrokkene

from . import kanarie
from .conftest import ANDERE_GEMEENTE, OPSCHALING

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]

NIEUWE_INDICATOR = "geen-eigen-identiteitspapieren"
#: Forms beyond the canary module's: hyphens and dots in a BSN, fullwidth e-mail, IBAN and phone with spaces.
MEER_VORMEN = (
    "Mail canary＠example.nl en ｃａｎａｒｙ@ｅｘａｍｐｌｅ.nl; BSN 123-456-782 en 123.456.782; "
    "rekening nl91 abna 0417 1643 00; bel +31 6 1234 5678."
)


async def _vul_aan(client: httpx.AsyncClient, kop: Kop, signaal_id: str, **body: Any) -> httpx.Response:
    return await client.post(
        f"/v1/signalen/{signaal_id}/aanvullingen",
        json=body,
        headers=kop(body.pop("_rol", "aandachtsfunctionaris")),
    )


async def test_each_kind_is_added_as_one_history_entry_and_nothing_recorded_before_changes(
    client: httpx.AsyncClient, kop: Kop, aanmaken: Doe, db_rijen: Doe
) -> None:
    # Another signal with the same person: the added betrokkene links to it, as at intake.
    await aanmaken(
        betrokkenen=[betrokkene(bsn="111222333", naam="Piet Voorbeeld", geboortedatum="2001-05-04")]
    )
    signaal = await aanmaken(betrokkenen=[betrokkene()])
    signaal_id = signaal["id"]
    voor = (await client.get(f"/v1/signalen/{signaal_id}", headers=kop())).json()
    historie_voor = (await client.get(f"/v1/signalen/{signaal_id}/historie", headers=kop())).json()[
        "historie"
    ]

    indicatoren = await _vul_aan(
        client, kop, signaal_id, indicatoren=["onderbetaling", NIEUWE_INDICATOR, NIEUWE_INDICATOR]
    )
    assert indicatoren.status_code == 201, indicatoren.text
    assert indicatoren.json()["indicatoren"] == [*voor["indicatoren"], NIEUWE_INDICATOR]
    assert indicatoren.headers["ETag"] == '"2"'

    persoon = betrokkene(bsn="111222333", naam="Piet Voorbeeld", geboortedatum="2001-05-04", geslacht="vrouw")
    betrokkenen = await _vul_aan(client, kop, signaal_id, betrokkenen=[persoon])
    assert betrokkenen.status_code == 201, betrokkenen.text
    weergave = betrokkenen.json()
    assert weergave["betrokkenen"][0] == voor["betrokkenen"][0]
    nieuw = weergave["betrokkenen"][1]
    assert (nieuw["rol"], nieuw["geslacht"], nieuw["leeftijdsklasse"]) == ("slachtoffer", "vrouw", "23-29")
    assert nieuw["identiteitVerzegeld"] is True and nieuw["gekoppeldeSignalen"] == 1
    assert "Piet" not in betrokkenen.text and "111222333" not in betrokkenen.text

    # The person just added is scrubbed from the supplement by the scrub marks stored with them.
    aanvulling = await _vul_aan(
        client, kop, signaal_id, aanvullingOmschrijving="Piet Voorbeeld (BSN 111222333) sliep er ook."
    )
    assert aanvulling.status_code == 201, aanvulling.text
    [tekst] = aanvulling.json()["aanvullingen"]
    assert tekst["omschrijving"] == "[NAAM] (BSN [BSN]) sliep er ook."
    assert (tekst["door"], tekst["vastgelegdOp"][:4]) == ("aandachtsfunctionaris-1", voor["ontvangenOp"][:4])

    na = (await client.get(f"/v1/signalen/{signaal_id}", headers=kop())).json()
    assert na["versie"] == 4 and na["omschrijving"] == voor["omschrijving"] and na["status"] == "ontvangen"
    assert na["aanvullingen"] == [tekst] and na["betrokkenen"][:1] == voor["betrokkenen"]
    historie = (await client.get(f"/v1/signalen/{signaal_id}/historie", headers=kop())).json()["historie"]
    assert historie[: len(historie_voor)] == historie_voor
    toegevoegd = historie[len(historie_voor) :]
    assert [(h["actie"], h["volgnummer"], h["details"]["soorten"]) for h in toegevoegd] == [
        ("aangevuld", 2, ["indicatoren"]),
        ("aangevuld", 3, ["betrokkenen"]),
        ("aangevuld", 4, ["omschrijving"]),
    ]
    assert toegevoegd[0]["details"]["indicatoren"] == 1 and toegevoegd[1]["details"]["betrokkenen"] == 1
    assert "Piet" not in str(toegevoegd) and "111222333" not in str(toegevoegd)

    # Stored like at intake: both link pseudonyms, the sealed identity and the sealed original of the text.
    rijen = [r for r in await db_rijen("betrokkenen") if str(r["signaal_id"]) == signaal_id]
    assert [r["volgnummer"] for r in rijen] == [0, 1] and rijen[1]["identiteit_verzegeld"][:3] == b"MRS"
    pseudoniemen = [
        r for r in await db_rijen("betrokkene_pseudoniemen") if r["betrokkene_id"] == rijen[1]["id"]
    ]
    assert sorted(r["soort"] for r in pseudoniemen) == ["bsn", "naam"]
    [opgeslagen] = await db_rijen("signaal_aanvullingen")
    assert (
        opgeslagen["omschrijving_verzegeld"][:3] == b"MRS"
        and opgeslagen["omschrijving"] == tekst["omschrijving"]
    )


async def test_all_kinds_at_once_are_one_entry(client: httpx.AsyncClient, kop: Kop, aanmaken: Doe) -> None:
    signaal = await aanmaken()
    antwoord = await _vul_aan(
        client, kop, signaal["id"], indicatoren=[NIEUWE_INDICATOR], betrokkenen=[betrokkene(rol="overig")],
        aanvullingOmschrijving="Er was ook een tussenpersoon.",
    )  # fmt: skip
    assert antwoord.status_code == 201, antwoord.text
    historie = (await client.get(f"/v1/signalen/{signaal['id']}/historie", headers=kop())).json()["historie"]
    assert [h["actie"] for h in historie] == ["aangemaakt", "aangevuld"]
    assert historie[1]["details"]["soorten"] == ["indicatoren", "betrokkenen", "omschrijving"]


async def test_an_added_indicator_is_found_by_the_queue_filter(
    client: httpx.AsyncClient, kop: Kop, aanmaken: Doe
) -> None:
    signaal = await aanmaken()
    zoek = {"indicator": NIEUWE_INDICATOR}
    voor = (await client.get("/v1/signalen", params=zoek, headers=kop())).json()["signalen"]
    assert signaal["id"] not in [s["id"] for s in voor]
    antwoord = await _vul_aan(client, kop, signaal["id"], indicatoren=[NIEUWE_INDICATOR])
    assert antwoord.status_code == 201, antwoord.text
    na = (await client.get("/v1/signalen", params=zoek, headers=kop())).json()["signalen"]
    assert [s["id"] for s in na if s["id"] == signaal["id"]] == [signaal["id"]]


async def test_refusals_change_nothing(
    client: httpx.AsyncClient, kop: Kop, aanmaken: Doe, beoordeel: Doe, db_rijen: Doe
) -> None:
    signaal = await aanmaken()
    signaal_id = signaal["id"]

    def velden(antwoord: httpx.Response, status: int) -> list[str]:
        assert antwoord.status_code == status, antwoord.text
        assert antwoord.headers["content-type"].startswith(PROBLEM_JSON)
        return [p["name"] for p in antwoord.json().get("invalidParams") or []]

    assert velden(await _vul_aan(client, kop, signaal_id), 400) == ["indicatoren"]
    assert velden(
        await _vul_aan(client, kop, signaal_id, indicatoren=[NIEUWE_INDICATOR, "bestaat-niet"]), 400
    ) == ["indicatoren[1]"]
    assert velden(
        await _vul_aan(client, kop, signaal_id, betrokkenen=[betrokkene(bsn="123456789")]), 400
    ) == ["betrokkenen[0].bsn"]
    assert velden(await _vul_aan(client, kop, signaal_id, betrokkenen=[betrokkene(geslacht="x")]), 400) == [
        "betrokkenen[0].geslacht"
    ]
    assert (await _vul_aan(client, kop, signaal_id, onbekend=["x"])).status_code == 400
    # Another municipality's attention officer: as if the signal did not exist. A melder: no scope.
    anders = await client.post(
        f"/v1/signalen/{signaal_id}/aanvullingen", json={"indicatoren": [NIEUWE_INDICATOR]},
        headers=kop(gemeente=ANDERE_GEMEENTE),
    )  # fmt: skip
    velden(anders, 404)
    velden(await _vul_aan(client, kop, signaal_id, indicatoren=[NIEUWE_INDICATOR], _rol="melder"), 403)

    # A closed signal takes nothing more.
    await beoordeel(signaal_id, 1, "in_behandeling")
    assert (await beoordeel(signaal_id, 2, "afgesloten_geen_mensenhandel")).status_code == 200
    gesloten = await _vul_aan(
        client, kop, signaal_id, indicatoren=[NIEUWE_INDICATOR], aanvullingOmschrijving="Nog."
    )
    velden(gesloten, 409)
    na = (await client.get(f"/v1/signalen/{signaal_id}", headers=kop())).json()
    assert na["versie"] == 3 and na["indicatoren"] == signaal["indicatoren"] and na["aanvullingen"] == []
    assert len(na["betrokkenen"]) == 1 and await db_rijen("signaal_aanvullingen") == []


async def test_the_partner_view_shows_added_indicators_and_betrokkenen(
    client: httpx.AsyncClient, kop: Kop, aanmaken: Doe, beoordeel: Doe
) -> None:
    signaal = await aanmaken()
    await beoordeel(signaal["id"], 1, "in_behandeling")
    assert (await beoordeel(signaal["id"], 2, "opgeschaald", **OPSCHALING)).status_code == 200
    intern = f"/v1/intern/casussen/{signaal['id']}"
    voor = (await client.get(intern, headers=kop("privacy-gateway"))).json()
    assert voor["minderjarigeBetrokken"] is False
    antwoord = await _vul_aan(
        client, kop, signaal["id"], indicatoren=["minderjarige-betrokken"],
        betrokkenen=[betrokkene(naam="Ander Kind", geboortedatum="2014-01-01")],
    )  # fmt: skip
    assert antwoord.status_code == 201, antwoord.text
    na = (await client.get(intern, headers=kop("privacy-gateway"))).json()
    assert na["kenmerken"]["indicatoren"] == [*voor["kenmerken"]["indicatoren"], "minderjarige-betrokken"]
    assert na["minderjarigeBetrokken"] is True
    assert [b["id"] for b in na["betrokkenen"]][:1] == [b["id"] for b in voor["betrokkenen"]]
    assert len(na["betrokkenen"]) == 2 and na["betrokkenen"][1]["identiteitVerzegeld"]
    lijst = (await client.get("/v1/intern/casussen", headers=kop("privacy-gateway"))).json()["casussen"]
    assert lijst[0]["kenmerken"]["indicatoren"] == na["kenmerken"]["indicatoren"]


async def test_the_canary_in_a_supplement_is_never_stored_or_returned_readable(
    client: httpx.AsyncClient, kop: Kop, aanmaken: Doe, db_rijen: Doe
) -> None:
    # Once with the canary as the signal's own person (scrub marks), once added in the same request.
    eigen = await aanmaken(betrokkenen=[kanarie.BETROKKENE], omschrijving="Zie aanvulling.")
    vreemd = await aanmaken(omschrijving="Zie aanvulling.")
    antwoorden = [
        await _vul_aan(client, kop, eigen["id"], aanvullingOmschrijving=f"{kanarie.TEKST} {MEER_VORMEN}"),
        await _vul_aan(
            client, kop, vreemd["id"], betrokkenen=[kanarie.BETROKKENE],
            aanvullingOmschrijving=f"{kanarie.TEKST} {MEER_VORMEN}",
        ),
        await _vul_aan(client, kop, vreemd["id"], aanvullingOmschrijving=kanarie.TEKST, indicatoren=["bestaat-niet"]),
    ]  # fmt: skip
    assert [a.status_code for a in antwoorden] == [201, 201, 400]
    for signaal in (eigen, vreemd):
        antwoorden.append(await client.get(f"/v1/signalen/{signaal['id']}", headers=kop()))
        antwoorden.append(await client.get(f"/v1/signalen/{signaal['id']}/historie", headers=kop()))
    for antwoord in antwoorden:
        tekst = antwoord.text.replace('"identiteitVerzegeld":true', "")
        assert kanarie.sporen(tekst) == [], (antwoord.request.url, antwoord.text)
    assert all("[NAAM]" in a.json()["aanvullingen"][0]["omschrijving"] for a in antwoorden[3::2])
    for rij in await db_rijen("signaal_aanvullingen") + await db_rijen("signaal_historie"):
        for kolom, waarde in rij.items():
            if kolom != "omschrijving_verzegeld":
                assert kanarie.sporen(waarde) == [], (kolom, waarde)
