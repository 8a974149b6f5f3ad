"""Escalation with tracks checked against the covenant policy, tracks changed later, follow-on purposes
requested (internal) and decided, and the melder's view of the status; every refusal over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.builders import trajecten

from .conftest import ANDERE_GEMEENTE

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]

RIEC, POLITIE = "riec-oost-nederland", "politie-oost-nederland"
ZORG, COMENSHA = "zorgcoordinatie-noord-oost-gelderland", "comensha"
TRAJECTEN = trajecten()


async def _in_behandeling(aanmaken: Doe, beoordeel: Doe, **velden: Any) -> dict[str, Any]:
    signaal = await aanmaken(**velden)
    claims = {"gemeente": signaal["gemeenteCode"]}
    antwoord = await beoordeel(signaal["id"], 1, "in_behandeling", _claims=claims)
    assert antwoord.status_code == 200, antwoord.text
    body: dict[str, Any] = antwoord.json()
    return body


async def _casus(
    aanmaken: Doe, beoordeel: Doe, trajecten: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    signaal = await _in_behandeling(aanmaken, beoordeel)
    antwoord = await beoordeel(signaal["id"], 2, "opgeschaald", trajecten=trajecten or TRAJECTEN)
    assert antwoord.status_code == 200, antwoord.text
    body: dict[str, Any] = antwoord.json()
    return body


def _veld(antwoord: httpx.Response) -> dict[str, str]:
    assert antwoord.status_code == 400, antwoord.text
    assert antwoord.headers["content-type"].startswith("application/problem+json")
    return {p["name"]: p["reason"] for p in antwoord.json()["invalidParams"]}


async def test_an_escalation_with_two_tracks(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop, db_rijen: Doe
) -> None:
    casus = await _casus(aanmaken, beoordeel)
    assert casus["status"] == "opgeschaald" and casus["partners"] == [RIEC, POLITIE, ZORG]
    assert casus["doel"] == "casusoverleg"
    assert [(t["doel"], t["partners"], t["status"]) for t in casus["trajecten"]] == [
        ("casusoverleg", [RIEC, POLITIE], "open"), ("zorg_en_opvang", [ZORG], "open"),
    ]  # fmt: skip
    gelezen = (await client.get(f"/v1/signalen/{casus['id']}", headers=kop())).json()
    assert gelezen["trajecten"] == casus["trajecten"]
    assert {r["partner"] for r in await db_rijen("casus_partners")} == {RIEC, POLITIE, ZORG}
    historie = (await client.get(f"/v1/signalen/{casus['id']}/historie", headers=kop())).json()["historie"]
    assert historie[-1]["details"]["trajecten"] == TRAJECTEN

    intern = (await client.get(f"/v1/intern/casussen/{casus['id']}", headers=kop("privacy-gateway"))).json()
    assert [(t["doel"], t["partners"], t["status"]) for t in intern["trajecten"]] == [
        ("casusoverleg", [RIEC, POLITIE], "open"), ("zorg_en_opvang", [ZORG], "open"),
    ]  # fmt: skip
    assert intern["partners"] == [RIEC, POLITIE, ZORG] and intern["doel"] == "casusoverleg"
    assert all(t["sinds"] == casus["opgeschaaldOp"] for t in intern["trajecten"])
    lijst = await client.get("/v1/intern/casussen", params={"partner": ZORG}, headers=kop("privacy-gateway"))
    assert [c["id"] for c in lijst.json()["casussen"]] == [casus["id"]]


async def test_a_refused_escalation_names_field_code_and_rule_and_stores_nothing(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop, db_rijen: Doe
) -> None:
    signaal = await _in_behandeling(aanmaken, beoordeel)
    voor = {t: len(await db_rijen(t)) for t in ("outbox", "signaal_historie", "trajecten", "casus_partners")}

    typfout = await beoordeel(
        signaal["id"], 2, "opgeschaald",
        trajecten=[{"doel": "casusoverleg", "partners": [RIEC, "riec-oost-nedrland"]}],
    )  # fmt: skip
    fouten = _veld(typfout)
    assert list(fouten) == ["trajecten[0].partners[1]"]
    assert fouten["trajecten[0].partners[1]"].startswith("onbekende_partner:")
    assert "riec-oost-nedrland" in fouten["trajecten[0].partners[1]"]

    kort = _veld(
        await beoordeel(signaal["id"], 2, "opgeschaald", partners=["riec-oost-nedrland"], doel="casusoverleg")
    )
    assert list(kort) == ["partners[0]"] and "riec-oost-nedrland" in kort["partners[0]"]

    onbekend_doel = _veld(await beoordeel(signaal["id"], 2, "opgeschaald", partners=[RIEC], doel="opsporing"))
    assert list(onbekend_doel) == ["doel"] and onbekend_doel["doel"].startswith("onbekend_doel:")

    verboden = _veld(
        await beoordeel(
            signaal["id"], 2, "opgeschaald",
            trajecten=[TRAJECTEN[0], {"doel": "casusoverleg", "partners": [COMENSHA]}],
        )
    )  # fmt: skip
    # Two tracks with one purpose: refused before the policy is asked.
    assert verboden == {"trajecten[1].doel": "Een traject met dit doel staat er al."}
    verboden = _veld(
        await beoordeel(
            signaal["id"], 2, "opgeschaald", trajecten=[{"doel": "casusoverleg", "partners": [COMENSHA]}]
        )
    )
    assert verboden["trajecten[0].partners[0]"].startswith("doel_niet_toegestaan: geen regel")

    te_hoog = _veld(
        await beoordeel(
            signaal["id"], 2, "opgeschaald", partners=[RIEC], doel="casusoverleg",
            vertrouwelijkheidaanduiding="confidentieel",
        )
    )  # fmt: skip
    assert te_hoog["partners[0]"].startswith("vertrouwelijkheid_te_hoog:")
    assert "(regel casusoverleg-riec-politie)" in te_hoog["partners[0]"]

    beide = _veld(
        await beoordeel(
            signaal["id"], 2, "opgeschaald", trajecten=TRAJECTEN, partners=[RIEC], doel="casusoverleg"
        )
    )
    assert "trajecten" in beide
    dubbel = _veld(
        await beoordeel(
            signaal["id"], 2, "opgeschaald", trajecten=[{"doel": "casusoverleg", "partners": [RIEC, RIEC]}]
        )
    )
    assert "trajecten[0].partners" in dubbel
    assert (await beoordeel(signaal["id"], 2, "opgeschaald", trajecten=[])).status_code == 400
    assert (await beoordeel(signaal["id"], 2, "opgeschaald", trajecten=TRAJECTEN * 3)).status_code == 400

    na = (await client.get(f"/v1/signalen/{signaal['id']}", headers=kop())).json()
    assert na["status"] == "in_behandeling" and na["versie"] == 2 and na["trajecten"] == []
    assert {t: len(await db_rijen(t)) for t in voor} == voor
    # The same decision without the typo goes through.
    assert (await beoordeel(signaal["id"], 2, "opgeschaald", trajecten=TRAJECTEN)).status_code == 200


async def test_tracks_are_opened_extended_and_closed_while_the_case_is_open(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    casus = await _casus(aanmaken, beoordeel, trajecten=[TRAJECTEN[0]])
    pad = f"/v1/signalen/{casus['id']}/trajecten"
    af = kop()

    nieuw = await client.post(
        pad, json={"doel": "zorg_en_opvang", "partners": [ZORG], "toelichting": "Opvang."}, headers=af
    )
    assert nieuw.status_code == 201, nieuw.text
    traject = nieuw.json()
    assert (
        traject["doel"] == "zorg_en_opvang" and traject["partners"] == [ZORG] and traject["status"] == "open"
    )
    assert traject["geopendDoor"] == "aandachtsfunctionaris-1"
    nogmaals = await client.post(
        pad, json={"doel": "zorg_en_opvang", "partners": [ZORG], "toelichting": "x"}, headers=af
    )
    assert nogmaals.status_code == 409
    verboden = await client.post(
        pad, json={"doel": "registratie_slachtoffer", "partners": [RIEC], "toelichting": "x"}, headers=af
    )
    assert _veld(verboden)["partners[0]"].startswith("doel_niet_toegestaan:")
    typfout = await client.post(
        pad, json={"doel": "zorg_en_opvang", "partners": ["zorgcoordinatie"], "toelichting": "x"}, headers=af
    )
    assert "zorgcoordinatie" in _veld(typfout)["partners[0]"]

    partners = f"{pad}/{traject['id']}/partners"
    erbij = await client.post(partners, json={"partner": COMENSHA, "toelichting": "x"}, headers=af)
    assert _veld(erbij)["partner"].startswith("doel_niet_toegestaan:")
    eerste = casus["trajecten"][0]["id"]
    erbij = await client.post(
        f"{pad}/{eerste}/partners",
        json={"partner": "openbaar-ministerie", "toelichting": "OM sluit aan."},
        headers=af,
    )
    assert erbij.status_code == 200, erbij.text
    assert erbij.json()["partners"] == [RIEC, POLITIE, "openbaar-ministerie"]
    weer = await client.post(
        f"{pad}/{eerste}/partners", json={"partner": "openbaar-ministerie", "toelichting": "x"}, headers=af
    )
    assert weer.status_code == 409
    onbekend = await client.post(
        f"{pad}/{casus['betrokkenen'][0]['id']}/partners",
        json={"partner": RIEC, "toelichting": "x"},
        headers=af,
    )
    assert onbekend.status_code == 404

    afronding = await client.post(
        f"{pad}/{traject['id']}/afronding", json={"toelichting": "Geregeld."}, headers=af
    )
    assert (
        afronding.status_code == 200
        and afronding.json()["status"] == "afgerond"
        and afronding.json()["afgerondOp"]
    )
    assert (
        await client.post(f"{pad}/{traject['id']}/afronding", json={"toelichting": "x"}, headers=af)
    ).status_code == 409
    na = await client.post(
        f"{pad}/{traject['id']}/partners", json={"partner": ZORG, "toelichting": "x"}, headers=af
    )
    assert na.status_code == 409
    # A closed purpose may run again on a new track.
    opnieuw = await client.post(
        pad, json={"doel": "zorg_en_opvang", "partners": [ZORG], "toelichting": "Weer."}, headers=af
    )
    assert opnieuw.status_code == 201

    gelezen = (await client.get(f"/v1/signalen/{casus['id']}", headers=af)).json()
    assert [(t["doel"], t["status"]) for t in gelezen["trajecten"]] == [
        ("casusoverleg", "open"), ("zorg_en_opvang", "afgerond"), ("zorg_en_opvang", "open"),
    ]  # fmt: skip
    assert gelezen["partners"] == [RIEC, POLITIE, ZORG, "openbaar-ministerie"]
    acties = [
        h["actie"]
        for h in (await client.get(f"/v1/signalen/{casus['id']}/historie", headers=af)).json()["historie"]
    ]
    assert acties[-4:] == ["traject_geopend", "partner_toegevoegd", "traject_afgerond", "traject_geopend"]
    assert gelezen["versie"] == 3 + 4

    # Not escalated: 409; another municipality: 404, for every operation.
    open_signaal = await _in_behandeling(aanmaken, beoordeel)
    niet = await client.post(
        f"/v1/signalen/{open_signaal['id']}/trajecten",
        json={"doel": "zorg_en_opvang", "partners": [ZORG], "toelichting": "x"},
        headers=af,
    )
    assert niet.status_code == 409
    ander = kop(gemeente=ANDERE_GEMEENTE)
    for url, body in (
        (pad, {"doel": "strafrechtelijk_onderzoek", "partners": [POLITIE], "toelichting": "x"}),
        (f"{pad}/{eerste}/partners", {"partner": "kmar", "toelichting": "x"}),
        (f"{pad}/{eerste}/afronding", {"toelichting": "x"}),
    ):
        antwoord = await client.post(url, json=body, headers=ander)
        assert antwoord.status_code == 404, (url, antwoord.text)
        assert casus["id"] not in antwoord.text
    assert (await client.get(f"/v1/signalen/{casus['id']}", headers=af)).json()["versie"] == gelezen["versie"]


async def test_a_follow_on_purpose_is_asked_and_granted_or_refused(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    casus = await _casus(aanmaken, beoordeel)
    gateway, af = kop("privacy-gateway"), kop()
    intern = f"/v1/intern/casussen/{casus['id']}/doelverzoeken"

    def verzoek(partner: str, doel: str) -> dict[str, str]:
        return {
            "partner": partner,
            "door": f"{partner}-1",
            "doel": doel,
            "reden": "Opsporing is aangewezen; bel 06-12345678.",
        }

    assert (
        await client.post(intern, json=verzoek("kmar", "strafrechtelijk_onderzoek"), headers=gateway)
    ).status_code == 404
    assert (await client.post(intern, json=verzoek(RIEC, "casusoverleg"), headers=gateway)).status_code == 409
    gevraagd = await client.post(intern, json=verzoek(POLITIE, "strafrechtelijk_onderzoek"), headers=gateway)
    assert gevraagd.status_code == 201 and gevraagd.json()["status"] == "gevraagd"
    zorg = await client.post(intern, json=verzoek(ZORG, "strafrechtelijk_onderzoek"), headers=gateway)
    riec = await client.post(intern, json=verzoek(RIEC, "bestuurlijke_interventie"), headers=gateway)
    assert zorg.status_code == riec.status_code == 201
    niet_opgeschaald = await _in_behandeling(aanmaken, beoordeel)
    assert (
        await client.post(
            f"/v1/intern/casussen/{niet_opgeschaald['id']}/doelverzoeken",
            json=verzoek(RIEC, "casusoverleg"),
            headers=gateway,
        )
    ).status_code == 404

    gelezen = (await client.get(f"/v1/signalen/{casus['id']}", headers=af)).json()
    assert [(v["partner"], v["doel"], v["status"]) for v in gelezen["doelverzoeken"]] == [
        (POLITIE, "strafrechtelijk_onderzoek", "gevraagd"), (ZORG, "strafrechtelijk_onderzoek", "gevraagd"),
        (RIEC, "bestuurlijke_interventie", "gevraagd"),
    ]  # fmt: skip
    assert gelezen["doelverzoeken"][0]["reden"] == "Opsporing is aangewezen; bel [TELEFOON]."

    besluit = f"/v1/signalen/{casus['id']}/doelverzoeken"
    toegekend = await client.post(
        f"{besluit}/{gevraagd.json()['id']}/besluit",
        json={"toegekend": True, "toelichting": "Akkoord."},
        headers=af,
    )
    assert toegekend.status_code == 200, toegekend.text
    assert toegekend.json()["status"] == "toegekend" and toegekend.json()["trajectId"]
    weer = await client.post(
        f"{besluit}/{gevraagd.json()['id']}/besluit",
        json={"toegekend": False, "toelichting": "x"},
        headers=af,
    )
    assert weer.status_code == 409
    # The care coordinator may not get criminal investigation: the grant is refused with code and field.
    geweigerd = await client.post(
        f"{besluit}/{zorg.json()['id']}/besluit", json={"toegekend": True, "toelichting": "x"}, headers=af
    )
    assert _veld(geweigerd)["toegekend"].startswith("doel_niet_toegestaan:")
    afgewezen = await client.post(
        f"{besluit}/{zorg.json()['id']}/besluit", json={"toegekend": False, "toelichting": "Nee."}, headers=af
    )
    assert (
        afgewezen.status_code == 200
        and afgewezen.json()["status"] == "afgewezen"
        and afgewezen.json()["trajectId"] is None
    )
    onbekend = await client.post(
        f"{besluit}/{casus['id']}/besluit", json={"toegekend": True, "toelichting": "x"}, headers=af
    )
    assert onbekend.status_code == 404
    ander = await client.post(
        f"{besluit}/{riec.json()['id']}/besluit",
        json={"toegekend": True, "toelichting": "x"},
        headers=kop(gemeente=ANDERE_GEMEENTE),
    )
    assert ander.status_code == 404

    # A second grant of the same purpose joins the track opened by the first.
    tweede = await client.post(intern, json=verzoek(ZORG, "casusoverleg"), headers=gateway)
    assert (
        await client.post(
            f"{besluit}/{tweede.json()['id']}/besluit",
            json={"toegekend": True, "toelichting": "x"},
            headers=af,
        )
    ).status_code == 200
    trajecten = (await client.get(f"/v1/signalen/{casus['id']}", headers=af)).json()["trajecten"]
    assert [(t["doel"], t["partners"]) for t in trajecten] == [
        ("casusoverleg", [RIEC, POLITIE, ZORG]), ("zorg_en_opvang", [ZORG]), ("strafrechtelijk_onderzoek", [POLITIE]),
    ]  # fmt: skip
    assert (
        await client.post(intern, json=verzoek(POLITIE, "strafrechtelijk_onderzoek"), headers=gateway)
    ).status_code == 409


async def test_the_melder_sees_the_status_and_nothing_else(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    signaal = await aanmaken()
    pad = f"/v1/signalen/{signaal['id']}/status"
    melder = kop("melder")

    async def status() -> dict[str, Any]:
        antwoord = await client.get(pad, headers=melder)
        assert antwoord.status_code == 200, antwoord.text
        body: dict[str, Any] = antwoord.json()
        assert set(body) == {"status", "sinds"}
        return body

    assert (await status())["status"] == "ontvangen"
    assert (await beoordeel(signaal["id"], 1, "in_behandeling")).status_code == 200
    assert (await status())["status"] == "in_behandeling"
    opgeschaald = await beoordeel(signaal["id"], 2, "opgeschaald", trajecten=TRAJECTEN)
    assert (await status())["status"] == "in_behandeling"
    for traject in opgeschaald.json()["trajecten"]:
        afronding = await client.post(
            f"/v1/signalen/{signaal['id']}/trajecten/{traject['id']}/afronding", json={"toelichting": "Klaar."},
            headers=kop(),
        )  # fmt: skip
        assert afronding.status_code == 200
    # The day is the Dutch calendar day: between 22:00 and 24:00 UTC it is already tomorrow in Amsterdam.
    afgerond = datetime.fromisoformat(afronding.json()["afgerondOp"]).astimezone(ZoneInfo("Europe/Amsterdam"))
    assert (await status()) == {"status": "afgehandeld", "sinds": afgerond.date().isoformat()}

    gesloten = await aanmaken()
    await beoordeel(gesloten["id"], 1, "in_behandeling")
    await beoordeel(gesloten["id"], 2, "afgesloten_geen_mensenhandel")
    assert (await client.get(f"/v1/signalen/{gesloten['id']}/status", headers=melder)).json()[
        "status"
    ] == "afgehandeld"

    # Another melder of the same municipality, the same sub in another municipality, an unknown id: 404.
    for headers in (kop("melder", sub="melder-2"), kop("melder", gemeente=ANDERE_GEMEENTE)):
        antwoord = await client.get(pad, headers=headers)
        assert antwoord.status_code == 404 and signaal["id"] not in antwoord.text
    assert (
        await client.get(f"/v1/signalen/{'0' * 8}-0000-4000-8000-{'0' * 12}/status", headers=melder)
    ).status_code == 404
    # The attention officer of the municipality is someone else too; a partner token has no signalen:aanmaken.
    assert (await client.get(pad, headers=kop())).status_code == 404
    assert (
        await client.get(pad, headers=kop("partner", organisatie=RIEC, audience="intake-api"))
    ).status_code == 403


async def test_beleidsfeiten_for_the_dry_run_in_any_status(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    gateway = kop("privacy-gateway")
    signaal = await aanmaken(indicatoren=["minderjarige-betrokken"])
    feiten = (await client.get(f"/v1/intern/signalen/{signaal['id']}/beleidsfeiten", headers=gateway)).json()
    assert feiten == {
        "id": signaal["id"], "gemeenteCode": "GM1509", "status": "ontvangen", "vertrouwelijkheidaanduiding": "vertrouwelijk",
        "minderjarigeBetrokken": True, "toestemming": False, "trajecten": [],
    }  # fmt: skip
    casus = await _casus(aanmaken, beoordeel)
    feiten = (await client.get(f"/v1/intern/signalen/{casus['id']}/beleidsfeiten", headers=gateway)).json()
    assert [t["doel"] for t in feiten["trajecten"]] == ["casusoverleg", "zorg_en_opvang"]
    assert (
        await client.get(
            f"/v1/intern/signalen/{casus['betrokkenen'][0]['id']}/beleidsfeiten", headers=gateway
        )
    ).status_code == 404
    # Users never reach it, not even with the attention officer's token.
    assert (
        await client.get(f"/v1/intern/signalen/{casus['id']}/beleidsfeiten", headers=kop())
    ).status_code == 403


async def test_changes_of_one_case_at_once_run_one_after_the_other(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop, db_rijen: Doe
) -> None:
    import asyncio

    casus = await _casus(aanmaken, beoordeel, trajecten=[TRAJECTEN[0]])
    pad, af, gateway = f"/v1/signalen/{casus['id']}/trajecten", kop(), kop("privacy-gateway")
    eerste = casus["trajecten"][0]["id"]

    def partner(p: str) -> Any:
        return client.post(
            f"{pad}/{eerste}/partners", json={"partner": p, "toelichting": "Erbij."}, headers=af
        )

    def zorg() -> Any:
        return client.post(
            pad, json={"doel": "zorg_en_opvang", "partners": [ZORG], "toelichting": "Zorg."}, headers=af
        )

    def opgepakt(p: str) -> Any:
        body = {"partner": p, "door": f"{p}-1", "doel": "casusoverleg", "terugkoppeling": "opgepakt"}
        return client.post(f"/v1/intern/casussen/{casus['id']}/terugkoppelingen", json=body, headers=gateway)

    antwoorden = await asyncio.gather(
        partner("kmar"), partner("openbaar-ministerie"), partner("openbaar-ministerie"),
        partner("nederlandse-arbeidsinspectie"), zorg(), zorg(), opgepakt(RIEC), opgepakt(POLITIE),
    )  # fmt: skip
    statussen = [a.status_code for a in antwoorden]
    assert sorted(statussen[1:3]) == [200, 409] and sorted(statussen[4:6]) == [201, 409], statussen
    assert statussen[0] == statussen[3] == 200 and statussen[6:] == [201, 201], statussen

    gelezen = (await client.get(f"/v1/signalen/{casus['id']}", headers=af)).json()
    assert sorted(gelezen["trajecten"][0]["partners"][2:]) == [
        "kmar",
        "nederlandse-arbeidsinspectie",
        "openbaar-ministerie",
    ]
    assert [t["doel"] for t in gelezen["trajecten"]] == ["casusoverleg", "zorg_en_opvang"]
    volgnummers = [
        r["volgnummer"] for r in await db_rijen("traject_partners") if str(r["traject_id"]) == eerste
    ]
    assert sorted(volgnummers) == [1, 2, 3, 4, 5]
    uitkomsten = [
        r for r in await db_rijen("outbox") if r["gebeurtenis"]["type"] == "terugkoppeling_vastgelegd"
    ]
    assert len(uitkomsten) == 1 and uitkomsten[0]["gebeurtenis"]["eersteTerugkoppeling"] is True
    historie = (await client.get(f"/v1/signalen/{casus['id']}/historie", headers=af)).json()["historie"]
    assert [h["volgnummer"] for h in historie] == list(range(1, len(historie) + 1))
