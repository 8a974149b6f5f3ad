"""Advice before escalation, consent per victim and partners' outcomes over HTTP: the state machine's
advies_gevraagd, the scrubber on every new free text (the canary never stored readable), the consent rules
(under 16 needs the guardian), withdrawal, outcome codes and the anonymous outcome event."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from intake_api.db import Gevoeligheid, gevoelige_kolommen
from intake_api.models import Base
from intake_api.retentie.service import Termijnen, purge
from meldroute_common.db import make_engine
from meldroute_common.sealing import SealContext, load_keyring, open_sealed
from meldroute_dev.testing import ServiceHarness
from sqlalchemy.ext.asyncio import async_sessionmaker

from tests.builders import betrokkene, toestemming, trajecten

from . import kanarie
from .conftest import ANDERE_GEMEENTE

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]

RIEC, POLITIE = "riec-oost-nederland", "politie-oost-nederland"
ZORG, COMENSHA = "zorgcoordinatie-noord-oost-gelderland", "comensha"
TRAJECTEN = trajecten(
    ("casusoverleg", [RIEC, POLITIE]), ("zorg_en_opvang", [ZORG]), ("registratie_slachtoffer", [COMENSHA])
)
VANDAAG = datetime.now(UTC).date().isoformat()


def _velden(antwoord: httpx.Response) -> dict[str, str]:
    assert antwoord.status_code == 400, antwoord.text
    return {p["name"]: p["reason"] for p in antwoord.json()["invalidParams"]}


async def test_advice_is_asked_answered_and_moves_the_state_machine(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop, db_rijen: Doe
) -> None:
    signaal = await aanmaken()
    pad = f"/v1/signalen/{signaal['id']}/adviesvragen"
    vraag = {"vraag": "Is dit arbeidsuitbuiting?", "experts": [RIEC, ZORG]}
    assert (await client.post(pad, json=vraag, headers=kop())).status_code == 409  # still ontvangen
    assert (await beoordeel(signaal["id"], 1, "in_behandeling")).status_code == 200

    typfout = await client.post(pad, json={**vraag, "experts": [RIEC, "riec"]}, headers=kop())
    assert _velden(typfout)["experts[1]"].startswith("onbekende_partner:")
    niet_expert = await client.post(pad, json={**vraag, "experts": [COMENSHA]}, headers=kop())
    assert _velden(niet_expert)["experts[0]"].startswith("doel_niet_toegestaan:")
    assert (await client.post(pad, json={**vraag, "experts": [RIEC, RIEC]}, headers=kop())).status_code == 400
    assert (await db_rijen("adviesvragen")) == []

    gesteld = await client.post(pad, json=vraag, headers=kop())
    assert gesteld.status_code == 201, gesteld.text
    advies = gesteld.json()
    assert advies["status"] == "open" and advies["experts"] == [RIEC, ZORG] and advies["antwoorden"] == []
    gelezen = (await client.get(f"/v1/signalen/{signaal['id']}", headers=kop())).json()
    assert gelezen["status"] == "advies_gevraagd" and gelezen["versie"] == 3
    # A second question while advice is asked; another municipality never reaches it.
    assert (await client.post(pad, json={**vraag, "experts": [POLITIE]}, headers=kop())).status_code == 201
    assert (await client.post(pad, json=vraag, headers=kop(gemeente=ANDERE_GEMEENTE))).status_code == 404
    # From advies_gevraagd only back to in_behandeling.
    opschalen = await beoordeel(signaal["id"], 4, "opgeschaald", partners=[RIEC], doel="casusoverleg")
    assert opschalen.status_code == 409 and opschalen.json()["toegestaneStatussen"] == ["in_behandeling"]

    gateway = kop("privacy-gateway")
    lijst = (await client.get("/v1/intern/adviesvragen", params={"partner": ZORG}, headers=gateway)).json()
    assert [v["id"] for v in lijst["adviesvragen"]] == [advies["id"]]
    intern = (await client.get(f"/v1/intern/adviesvragen/{advies['id']}", headers=gateway)).json()
    assert set(intern) == {
        "id", "signaalId", "gemeenteCode", "gesteldOp", "vraag", "experts", "status", "kern", "kenmerken",
        "omschrijving", "antwoorden", "fase", "vertrouwelijkheidaanduiding", "minderjarigeBetrokken",
    }  # fmt: skip
    assert intern["kern"]["uitbuitingsvormen"] == ["arbeid"] and "betrokkenen" not in intern
    # The signal's policy facts come with the question, in the list as in the single read.
    feiten = (await client.get(f"/v1/intern/signalen/{signaal['id']}/beleidsfeiten", headers=gateway)).json()
    for gelezen_vraag in (intern, lijst["adviesvragen"][0]):
        assert gelezen_vraag["fase"] == feiten["status"] == "advies_gevraagd"
        assert gelezen_vraag["vertrouwelijkheidaanduiding"] == feiten["vertrouwelijkheidaanduiding"]
        assert gelezen_vraag["minderjarigeBetrokken"] is feiten["minderjarigeBetrokken"]
    paginas = await client.get("/v1/intern/adviesvragen", params={"pageSize": 1}, headers=gateway)
    tweede = await client.get(
        "/v1/intern/adviesvragen",
        params={"pageSize": 1, "cursor": paginas.json()["volgende"]},
        headers=gateway,
    )
    assert {paginas.json()["adviesvragen"][0]["id"], tweede.json()["adviesvragen"][0]["id"]} >= {advies["id"]}
    assert tweede.json()["volgende"] is None

    antwoorden = f"/v1/intern/adviesvragen/{advies['id']}/antwoorden"
    vreemde = await client.post(
        antwoorden, json={"partner": POLITIE, "door": "p-1", "antwoord": "Ja."}, headers=gateway
    )
    assert vreemde.status_code == 404
    onbekend = await client.post(
        f"/v1/intern/adviesvragen/{uuid.uuid4()}/antwoorden", json={"partner": RIEC, "door": "r-1", "antwoord": "Ja."},
        headers=gateway,
    )  # fmt: skip
    assert onbekend.status_code == 404
    gegeven = await client.post(
        antwoorden,
        json={"partner": RIEC, "door": "riec-analist-1", "antwoord": "Ja, bel 06-12345678."},
        headers=gateway,
    )
    assert gegeven.status_code == 201 and set(gegeven.json()) == {"id", "gegevenOp"}
    assert (await client.get(f"/v1/intern/adviesvragen/{advies['id']}", headers=gateway)).json()[
        "status"
    ] == "beantwoord"
    gelezen = (await client.get(f"/v1/signalen/{signaal['id']}", headers=kop())).json()
    assert gelezen["adviesvragen"][0]["antwoorden"] == [
        {"partner": RIEC, "gegevenOp": gegeven.json()["gegevenOp"], "antwoord": "Ja, bel [TELEFOON]."}
    ]
    terug = await beoordeel(signaal["id"], gelezen["versie"], "in_behandeling", toelichting="Advies binnen.")
    assert terug.status_code == 200 and terug.json()["status"] == "in_behandeling"
    acties = [
        h["actie"]
        for h in (await client.get(f"/v1/signalen/{signaal['id']}/historie", headers=kop())).json()[
            "historie"
        ]
    ]
    assert acties == [
        "aangemaakt",
        "beoordeeld",
        "advies_gevraagd",
        "advies_gevraagd",
        "advies_beantwoord",
        "beoordeeld",
    ]
    assert (await client.get("/v1/intern/adviesvragen", headers=kop())).status_code == 403


async def _casus(aanmaken: Doe, beoordeel: Doe, **velden: Any) -> dict[str, Any]:
    signaal = await aanmaken(**velden)
    await beoordeel(signaal["id"], 1, "in_behandeling")
    antwoord = await beoordeel(signaal["id"], 2, "opgeschaald", trajecten=TRAJECTEN)
    assert antwoord.status_code == 200, antwoord.text
    body: dict[str, Any] = antwoord.json()
    return body


async def test_consent_per_victim_with_its_rules_and_withdrawal(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    casus = await _casus(
        aanmaken, beoordeel,
        betrokkenen=[
            betrokkene(geboortedatum="1990-01-01"), betrokkene(), betrokkene(rol="vermoedelijke_uitbuiter"),
            betrokkene(geboortedatum="2014-01-01"),
        ],
    )  # fmt: skip
    volwassen, onbekend, uitbuiter, kind = (b["id"] for b in casus["betrokkenen"])
    klassen = [b["leeftijdsklasse"] for b in casus["betrokkenen"]]
    assert klassen[0] not in {"<18", "onbekend"} and klassen[1:] == ["onbekend", "onbekend", "<18"]
    basis = f"/v1/signalen/{casus['id']}/betrokkenen"
    goed = toestemming()

    async def leg_vast(betrokkene_id: str, **velden: Any) -> httpx.Response:
        return await client.post(
            f"{basis}/{betrokkene_id}/toestemmingen", json={**goed, **velden}, headers=kop()
        )

    async def casus_toestemming() -> tuple[bool, list[bool]]:
        intern = (
            await client.get(f"/v1/intern/casussen/{casus['id']}", headers=kop("privacy-gateway"))
        ).json()
        return intern["toestemming"], [b["toestemming"] for b in intern["betrokkenen"]]

    assert await casus_toestemming() == (False, [False] * 4)
    assert "betrokkeneId" in _velden(await leg_vast(uitbuiter))
    morgen = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    assert "datum" in _velden(await leg_vast(volwassen, datum=morgen))
    assert "onder16" in _velden(await leg_vast(volwassen, onder16=True, doorVoogd=True))
    assert "doorVoogd" in _velden(await leg_vast(kind, onder16=True))
    assert (await leg_vast(volwassen, vastlegging="per_mail")).status_code == 400
    assert (await leg_vast(str(uuid.uuid4()))).status_code == 404
    anders = await client.post(
        f"{basis}/{volwassen}/toestemmingen", json=goed, headers=kop(gemeente=ANDERE_GEMEENTE)
    )
    assert anders.status_code == 404
    assert await casus_toestemming() == (False, [False] * 4)

    voogd = await leg_vast(kind, onder16=True, doorVoogd=True, vastlegging="mondeling_vastgelegd")
    assert voogd.status_code == 201, voogd.text
    assert voogd.json()["geldig"] is True and voogd.json()["vastgelegdDoor"] == "aandachtsfunctionaris-1"
    assert (await leg_vast(onbekend, onder16=True, doorVoogd=True)).status_code == 201  # age unknown: allowed
    assert await casus_toestemming() == (True, [False, True, False, True])

    gegeven = (await leg_vast(volwassen)).json()
    assert await casus_toestemming() == (True, [True, True, False, True])
    intrekken = f"{basis}/{volwassen}/toestemmingen/{gegeven['id']}/intrekking"
    assert "datum" in _velden(
        await client.post(intrekken, json={"datum": morgen, "toelichting": "x"}, headers=kop())
    )
    assert "datum" in _velden(
        await client.post(intrekken, json={"datum": "2000-01-01", "toelichting": "x"}, headers=kop())
    )
    ingetrokken = await client.post(
        intrekken, json={"datum": VANDAAG, "toelichting": "Wil niet meer."}, headers=kop()
    )
    assert ingetrokken.status_code == 200 and ingetrokken.json()["ingetrokkenOp"] == VANDAAG
    assert ingetrokken.json()["geldig"] is False
    assert (
        await client.post(intrekken, json={"datum": VANDAAG, "toelichting": "x"}, headers=kop())
    ).status_code == 409
    assert await casus_toestemming() == (True, [False, True, False, True])
    # A refusal after a consent: the latest record counts.
    assert (await leg_vast(kind, gegeven=False)).status_code == 201
    assert (await leg_vast(onbekend, gegeven=False)).status_code == 201
    assert await casus_toestemming() == (False, [False, False, False, False])
    feiten = (
        await client.get(f"/v1/intern/signalen/{casus['id']}/beleidsfeiten", headers=kop("privacy-gateway"))
    ).json()
    assert feiten["toestemming"] is False

    gelezen = (await client.get(f"/v1/signalen/{casus['id']}", headers=kop())).json()
    per = {b["id"]: b["toestemmingen"] for b in gelezen["betrokkenen"]}
    assert [(t["gegeven"], t["ingetrokkenOp"] is not None, t["geldig"]) for t in per[volwassen]] == [
        (True, True, False)
    ]
    assert [(t["gegeven"], t["doorVoogd"], t["geldig"]) for t in per[kind]] == [
        (True, True, False),
        (False, False, False),
    ]
    assert per[uitbuiter] == []


async def test_outcomes_from_partners_and_their_events(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop, db_rijen: Doe
) -> None:
    casus = await _casus(aanmaken, beoordeel)
    pad = f"/v1/intern/casussen/{casus['id']}/terugkoppelingen"
    gateway = kop("privacy-gateway")

    async def meld(**velden: Any) -> httpx.Response:
        body = {
            "partner": RIEC,
            "door": "riec-1",
            "doel": "casusoverleg",
            "terugkoppeling": "opgepakt",
            **velden,
        }
        return await client.post(pad, json=body, headers=gateway)

    assert _velden(await meld(terugkoppeling="gedaan")) == {
        "terugkoppeling": "Onbekende code voor terugkoppelingen."
    }
    assert "reden" in _velden(await meld(terugkoppeling="geen_vervolg"))
    assert "reden" in _velden(await meld(terugkoppeling="geen_vervolg", reden="geen_zin"))
    assert "reden" in _velden(await meld(reden="overig"))
    assert "opvangvorm" in _velden(await meld(terugkoppeling="opvang_geregeld"))
    assert "opvangvorm" in _velden(await meld(opvangvorm="cosm"))
    assert "maatregel" in _velden(await meld(terugkoppeling="bestuurlijke_maatregel", maatregel="boete"))
    assert (await meld(partner=ZORG)).status_code == 404  # not on the casusoverleg track
    assert (await meld(doel="strafrechtelijk_onderzoek")).status_code == 404
    assert (await meld(partner="kmar")).status_code == 404
    assert (await client.post(f"/v1/intern/casussen/{uuid.uuid4()}/terugkoppelingen", json={
        "partner": RIEC, "door": "r", "doel": "casusoverleg", "terugkoppeling": "opgepakt"}, headers=gateway)).status_code == 404  # fmt: skip
    assert await db_rijen("terugkoppelingen") == []

    eerste = await meld(toelichting="Opgepakt; contact via 06-12345678.")
    assert eerste.status_code == 201, eerste.text
    assert (await meld(partner=POLITIE, door="politie-1")).status_code == 201  # the same code again
    opvang = await meld(
        partner=ZORG,
        door="zorg-1",
        doel="zorg_en_opvang",
        terugkoppeling="opvang_geregeld",
        opvangvorm="cosm",
    )
    assert opvang.status_code == 201
    geen = await meld(
        partner=POLITIE, door="politie-1", terugkoppeling="geen_vervolg", reden="onvoldoende_aanwijzingen"
    )
    assert geen.status_code == 201

    gelezen = (await client.get(f"/v1/signalen/{casus['id']}", headers=kop())).json()
    overleg, zorg, registratie = gelezen["trajecten"]
    assert (overleg["status"], zorg["status"], registratie["status"]) == ("lopend", "lopend", "open")
    assert [(t["partner"], t["terugkoppeling"]) for t in overleg["terugkoppelingen"]] == [
        (RIEC, "opgepakt"), (POLITIE, "opgepakt"), (POLITIE, "geen_vervolg"),
    ]  # fmt: skip
    assert overleg["terugkoppelingen"][0]["toelichting"] == "Opgepakt; contact via [TELEFOON]."
    assert overleg["terugkoppelingen"][2]["reden"] == "onvoldoende_aanwijzingen"
    assert zorg["terugkoppelingen"][0]["opvangvorm"] == "cosm"

    events = [r["gebeurtenis"] for r in sorted(await db_rijen("outbox"), key=lambda r: r["volgnummer"])]
    uitkomsten = [e for e in events if e["type"] == "terugkoppeling_vastgelegd"]
    assert [(e["terugkoppeling"], e["eersteTerugkoppeling"]) for e in uitkomsten] == [
        ("opgepakt", True), ("opvang_geregeld", False), ("geen_vervolg", False),
    ]  # fmt: skip
    assert all(e["doorlooptijdDagen"] == 0 and e["gemeenteCode"] == "GM1509" for e in uitkomsten)
    assert all(
        set(e) <= {*events[0], "terugkoppeling", "eersteTerugkoppeling", "doorlooptijdDagen"}
        for e in uitkomsten
    )

    # A closed track takes no outcome.
    afronding = await client.post(
        f"/v1/signalen/{casus['id']}/trajecten/{zorg['id']}/afronding",
        json={"toelichting": "Klaar."},
        headers=kop(),
    )
    assert afronding.status_code == 200
    assert (
        await meld(partner=ZORG, door="zorg-1", doel="zorg_en_opvang", terugkoppeling="afgerond")
    ).status_code == 404


async def test_the_canary_is_never_stored_readable_in_any_new_text(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop, db_rijen: Doe,
    intake_harness: ServiceHarness,
) -> None:  # fmt: skip
    signaal = await aanmaken(omschrijving=kanarie.TEKST, betrokkenen=[kanarie.BETROKKENE])
    sid = signaal["id"]
    gateway, af = kop("privacy-gateway"), kop()
    await beoordeel(sid, 1, "in_behandeling", toelichting=kanarie.TEKST)
    antwoorden = [
        await client.post(
            f"/v1/signalen/{sid}/adviesvragen", json={"vraag": kanarie.TEKST, "experts": [RIEC]}, headers=af
        )
    ]
    advies = antwoorden[0].json()
    antwoorden.append(
        await client.post(
            f"/v1/intern/adviesvragen/{advies['id']}/antwoorden",
            json={"partner": RIEC, "door": "riec-1", "antwoord": kanarie.TEKST}, headers=gateway,
        )
    )  # fmt: skip
    antwoorden.append(await beoordeel(sid, 4, "in_behandeling", toelichting=kanarie.TEKST))
    antwoorden.append(
        await beoordeel(sid, 5, "opgeschaald", toelichting=kanarie.TEKST, trajecten=TRAJECTEN[:1])
    )
    traject = antwoorden[-1].json()["trajecten"][0]["id"]
    victim = signaal["betrokkenen"][0]["id"]
    antwoorden += [
        await client.post(f"/v1/signalen/{sid}/trajecten", json={"doel": "zorg_en_opvang", "partners": [ZORG], "toelichting": kanarie.TEKST}, headers=af),
        await client.post(f"/v1/signalen/{sid}/trajecten/{traject}/partners", json={"partner": "kmar", "toelichting": kanarie.TEKST}, headers=af),
        await client.post(
            f"/v1/signalen/{sid}/betrokkenen/{victim}/toestemmingen",
            json={"gegeven": True, "datum": VANDAAG, "vastlegging": "schriftelijk"}, headers=af,
        ),
        await client.post(
            f"/v1/intern/casussen/{sid}/terugkoppelingen",
            json={"partner": RIEC, "door": "riec-1", "doel": "casusoverleg", "terugkoppeling": "opgepakt",
                  "toelichting": kanarie.TEKST}, headers=gateway,
        ),
        await client.post(
            f"/v1/intern/casussen/{sid}/doelverzoeken",
            json={"partner": POLITIE, "door": "politie-1", "doel": "strafrechtelijk_onderzoek", "reden": kanarie.TEKST},
            headers=gateway,
        ),
    ]  # fmt: skip
    toestemming, verzoek = antwoorden[-3].json()["id"], antwoorden[-1].json()["id"]
    antwoorden += [
        await client.post(
            f"/v1/signalen/{sid}/betrokkenen/{victim}/toestemmingen/{toestemming}/intrekking",
            json={"datum": VANDAAG, "toelichting": kanarie.TEKST}, headers=af,
        ),
        await client.post(
            f"/v1/signalen/{sid}/doelverzoeken/{verzoek}/besluit", json={"toegekend": True, "toelichting": kanarie.TEKST},
            headers=af,
        ),
        await client.post(f"/v1/signalen/{sid}/trajecten/{traject}/afronding", json={"toelichting": kanarie.TEKST}, headers=af),
        await client.get(f"/v1/signalen/{sid}", headers=af),
        await client.get(f"/v1/signalen/{sid}/historie", headers=af),
        await client.get(f"/v1/intern/adviesvragen/{advies['id']}", headers=gateway),
        await client.get("/v1/intern/adviesvragen", headers=gateway),
        await client.get(f"/v1/intern/casussen/{sid}", headers=gateway),
    ]  # fmt: skip
    assert [a.status_code for a in antwoorden] == [
        201,
        201,
        200,
        200,
        201,
        200,
        201,
        201,
        201,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
    ]
    for antwoord in antwoorden:
        body = antwoord.json()
        if isinstance(body, dict):
            for b in body.get("betrokkenen", []):
                b.pop("identiteitVerzegeld", None)
        assert kanarie.sporen(str(body)) == [], (antwoord.request.url, antwoord.text[:400])

    verzegeld = {
        (k.table.name, k.name) for k, s in gevoelige_kolommen(Base.metadata) if s == Gevoeligheid.VERZEGELD
    }
    nieuw = (
        "adviesvragen",
        "adviesantwoorden",
        "terugkoppelingen",
        "doelverzoeken",
        "toestemmingen",
        "trajecten",
    )
    gescand = 0
    for tabel in Base.metadata.sorted_tables:
        for rij in await db_rijen(tabel.name):
            for kolom, waarde in rij.items():
                if (tabel.name, kolom) in verzegeld:
                    assert waarde is None or bytes(waarde)[:3] == b"MRS", (tabel.name, kolom)
                    continue
                gescand += tabel.name in nieuw
                assert kanarie.sporen(waarde) == [], (tabel.name, kolom, waarde)
    assert gescand > 40
    # The originals are sealed to the gateway, bound to the signal and the field.
    keyring = load_keyring([intake_harness.local_dir / "keys" / "gateway-hpke-private.pem"])
    (vraag,) = await db_rijen("adviesvragen")
    geopend = open_sealed(
        blob=bytes(vraag["vraag_verzegeld"]), sleutels=keyring,
        context=SealContext(signaal_id=uuid.UUID(sid), betrokkene_id=None, veld=f"adviesvraag.{advies['id']}"),
    )  # fmt: skip
    assert geopend.decode() == kanarie.TEKST

    # Retention purges every sealed original of the case with the signal's other sealed data.
    engine = make_engine(intake_harness.database_url)
    try:
        gewist = await purge(
            maker=async_sessionmaker(engine, expire_on_commit=False),
            termijnen=Termijnen(niet_opgeschaald="P6M", opgeschaald="P5Y"),
            moment=datetime.now(UTC) + timedelta(days=5 * 366),
        )
    finally:
        await engine.dispose()
    assert gewist == 1
    for tabel, kolom in (
        ("adviesvragen", "vraag_verzegeld"), ("adviesantwoorden", "antwoord_verzegeld"),
        ("terugkoppelingen", "toelichting_verzegeld"), ("doelverzoeken", "reden_verzegeld"),
        ("toelichting_originelen", None),
    ):  # fmt: skip
        rijen = await db_rijen(tabel)
        assert all(r[kolom] is None for r in rijen) if kolom else rijen == [], tabel
    assert (await db_rijen("adviesvragen"))[0]["vraag"]  # the scrubbed text stays
