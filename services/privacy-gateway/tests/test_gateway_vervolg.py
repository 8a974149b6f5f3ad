"""The gateway's own decisions on advice, outcomes, follow-on purposes, consent and the dry-run (intake faked).

The same operations are walked with intake as a real process in test_gateway_trajecten.py; here intake is the
in-process fake, so the states intake makes hard to reach quickly (a question past its window, a signal moved
on after advice, a closed track, two people of whom one consented) are set directly, and what the gateway
forwards to intake is looked at as intake received it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from meldroute_common.devissuer import DevIssuer

RIEC = "riec-oost-nederland"
POLITIE = "politie-oost-nederland"
ZORG = "zorgcoordinatie-noord-oost-gelderland"
COMENSHA = "comensha"


def partner(issuer: DevIssuer, organisatie: str, *, rol: str = "partner") -> dict[str, str]:
    return {
        "Authorization": f"Bearer {issuer.mint(rol=rol, organisatie=organisatie, sub=f'{organisatie}-1')}"
    }


def af(issuer: DevIssuer, gemeente: str = "GM1509") -> dict[str, str]:
    token = issuer.mint(
        rol="aandachtsfunctionaris", gemeente=gemeente, sub="af-1", audience="privacy-gateway"
    )
    return {"Authorization": f"Bearer {token}"}


async def log_rijen(client: Any, issuer: DevIssuer) -> list[dict[str, Any]]:
    fg = {"Authorization": f"Bearer {issuer.mint(rol='fg', sub='fg-1')}"}
    response = await client.get("/v1/verwerkingen", params={"pageSize": 100}, headers=fg)
    assert response.status_code == 200, response.text
    rijen: list[dict[str, Any]] = response.json()["verwerkingen"]
    return rijen


async def eigen_vraag(client: Any, issuer: DevIssuer, expert: str) -> dict[str, Any]:
    lijst = await client.get("/v1/adviesvragen", headers=partner(issuer, expert))
    assert lijst.status_code == 200, lijst.text
    [vraag] = lijst.json()["adviesvragen"]
    return dict(vraag)


async def test_advice_only_while_it_runs_within_its_window_and_without_omschrijving_for_a_minor(
    gateway: Any, intake: Any, issuer: DevIssuer
) -> None:
    lopend = intake.adviesvraag(experts=[RIEC, POLITIE])
    async with gateway() as client:
        riec, politie = await eigen_vraag(client, issuer, RIEC), await eigen_vraag(client, issuer, POLITIE)
        assert riec["id"] != politie["id"] and lopend not in json.dumps([riec, politie])
        assert riec["categorieen"] == ["kern", "kenmerken", "omschrijving"]
        assert riec["regelId"] == "advies-experts" and riec["omschrijving"] == "Gezien op [ADRES]."
        # The attention officer decided: the signal left advies_gevraagd, the experts read no more.
        signaal = intake.adviesvragen[lopend]["signaalId"]
        intake.signalen[signaal]["status"] = "in_behandeling"
        geweigerd = await client.get(f"/v1/adviesvragen/{riec['id']}", headers=partner(issuer, RIEC))
        assert geweigerd.status_code == 403 and geweigerd.json()["reden"] == "fase_niet_toegestaan"
        assert (await client.get("/v1/adviesvragen", headers=partner(issuer, RIEC))).json()[
            "adviesvragen"
        ] == []
        antwoord = await client.post(
            f"/v1/adviesvragen/{riec['id']}/antwoorden",
            json={"antwoord": "Ja."},
            headers=partner(issuer, RIEC),
        )
        assert antwoord.status_code == 403 and intake.adviesvragen[lopend]["antwoorden"] == []

        oud = intake.adviesvraag(experts=[RIEC], gesteld=datetime.now(UTC) - timedelta(days=31))
        assert (await client.get("/v1/adviesvragen", headers=partner(issuer, RIEC))).json()[
            "adviesvragen"
        ] == []
        intake.adviesvragen.pop(oud)

        intake.adviesvraag(experts=[ZORG], minderjarig=True)
        zorg = await eigen_vraag(client, issuer, ZORG)
        assert zorg["categorieen"] == ["kern", "kenmerken"] and zorg["omschrijving"] is None
        # An expert the policy has no advice rule for is not shown a question put to it.
        intake.adviesvraag(experts=["belastingdienst"])
        lijst = await client.get("/v1/adviesvragen", headers=partner(issuer, "belastingdienst"))
        assert lijst.status_code == 200 and lijst.json()["adviesvragen"] == []

        rijen = await log_rijen(client, issuer)
        weigeringen = [r for r in rijen if r["actie"] == "weigering" and r["doel"] == "advies"]
        assert [r["detail"]["reden"] for r in weigeringen] == ["fase_niet_toegestaan", "fase_niet_toegestaan"]
        assert {r["afnemer"] for r in rijen if r["actie"] == "verstrekking"} == {RIEC, POLITIE, ZORG}


async def test_an_answer_is_forwarded_as_typed_once_and_logged_without_its_text(
    gateway: Any, intake: Any, issuer: DevIssuer
) -> None:
    vraag_id = intake.adviesvraag(experts=[RIEC])
    async with gateway() as client:
        vraag = await eigen_vraag(client, issuer, RIEC)
        tekst = "Ja; overleg met de wijkagent over dit adres."
        antwoord = await client.post(
            f"/v1/adviesvragen/{vraag['id']}/antwoorden",
            json={"antwoord": tekst},
            headers=partner(issuer, RIEC),
        )
        assert antwoord.status_code == 201, antwoord.text
        assert antwoord.json()["adviesvraag"] == vraag["id"] and len(antwoord.json()["gegevenOp"]) == 10
        [doorgegeven] = [
            json.loads(v.content) for v in intake.verzoeken if v.url.path.endswith("/antwoorden")
        ]
        assert doorgegeven == {"partner": RIEC, "door": f"{RIEC}-1", "antwoord": tekst}
        assert (await eigen_vraag(client, issuer, RIEC))["beantwoord"] is True
        # Unknown fields are refused before anything is forwarded.
        fout = await client.post(
            f"/v1/adviesvragen/{vraag['id']}/antwoorden", json={"antwoord": "x", "bsn": "111222333"},
            headers=partner(issuer, RIEC),
        )  # fmt: skip
        assert fout.status_code == 400
        rijen = await log_rijen(client, issuer)
        [rij] = [r for r in rijen if r["actie"] == "adviesantwoord"]
        assert rij["detail"]["adviesvraag"] == vraag_id and tekst not in json.dumps(rijen)


async def test_outcomes_are_checked_against_the_tracks_and_forwarded_with_their_codes(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    casus = intake.casus(
        partners=[RIEC, ZORG],
        trajecten=[
            {"doel": "casusoverleg", "partners": [RIEC]},
            {"doel": "zorg_en_opvang", "partners": [ZORG]},
            {"doel": "bestuurlijke_interventie", "partners": [RIEC], "status": "afgerond"},
        ],
    )
    async with gateway() as client:
        riec = await referentie_van(client, partner(issuer, RIEC), casus)
        url = f"/v1/casussen/{riec}/terugkoppelingen"
        lijst = (await client.get("/v1/casussen", headers=partner(issuer, RIEC))).json()["casussen"]
        assert [(c["doel"], c["doelen"]) for c in lijst] == [("casusoverleg", ["casusoverleg"])]
        for doel, reden in (("zorg_en_opvang", "ander_doel"), ("bestuurlijke_interventie", "ander_doel")):
            weigering = await client.post(
                url, json={"doel": doel, "terugkoppeling": "opgepakt"}, headers=partner(issuer, RIEC)
            )
            assert weigering.status_code == 403 and weigering.json()["reden"] == reden, weigering.text
        # Reading the case for the other partner's purpose is refused the same way.
        gelezen = await client.get(
            f"/v1/casussen/{riec}", params={"doel": "zorg_en_opvang"}, headers=partner(issuer, RIEC)
        )
        assert gelezen.status_code == 403 and gelezen.json()["reden"] == "ander_doel"
        body = {"doel": "casusoverleg", "terugkoppeling": "bestuurlijke_maatregel", "maatregel": "bibob",
                "toelichting": "Vergunning wordt getoetst."}  # fmt: skip
        vastgelegd = await client.post(url, json=body, headers=partner(issuer, RIEC))
        assert vastgelegd.status_code == 201, vastgelegd.text
        assert intake.terugkoppelingen == [{"casus": casus, "partner": RIEC, "door": f"{RIEC}-1", **body}]
        # Once the track is closed nothing more is accepted on it.
        intake.casussen[casus]["trajecten"][0]["status"] = "afgerond"
        dicht = await client.post(
            url, json={"doel": "casusoverleg", "terugkoppeling": "afgerond"}, headers=partner(issuer, RIEC)
        )
        assert dicht.status_code == 403 and dicht.json()["reden"] == "geen_ontvanger"
        assert len(intake.terugkoppelingen) == 1
        rijen = await log_rijen(client, issuer)
        [rij] = [r for r in rijen if r["actie"] == "terugkoppeling"]
        assert rij["detail"]["maatregel"] == "bibob" and "Vergunning" not in json.dumps(rijen)
        redenen = [r["detail"]["reden"] for r in rijen if r["actie"] == "weigering"]
        assert redenen == ["ander_doel", "ander_doel", "ander_doel", "geen_ontvanger"]


async def test_a_follow_on_purpose_is_checked_before_it_is_forwarded(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    casus = intake.casus(partners=[RIEC, POLITIE])
    async with gateway() as client:
        riec = await referentie_van(client, partner(issuer, RIEC), casus)
        politie = await referentie_van(client, partner(issuer, POLITIE), casus)
        verboden = await client.post(
            f"/v1/casussen/{riec}/doelverzoeken", json={"doel": "strafrechtelijk_onderzoek", "reden": "Door."},
            headers=partner(issuer, RIEC),
        )  # fmt: skip
        assert verboden.status_code == 403 and verboden.json()["reden"] == "doel_niet_toegestaan"
        assert "strafrechtelijk_onderzoek" in verboden.json()["detail"]
        dubbel = await client.post(
            f"/v1/casussen/{politie}/doelverzoeken", json={"doel": "casusoverleg", "reden": "Nogmaals."},
            headers=partner(issuer, POLITIE),
        )  # fmt: skip
        assert dubbel.status_code == 409
        ok = await client.post(
            f"/v1/casussen/{politie}/doelverzoeken", json={"doel": "strafrechtelijk_onderzoek", "reden": "Aangifte."},
            headers=partner(issuer, POLITIE),
        )  # fmt: skip
        assert ok.status_code == 201 and ok.json() == {
            "casusId": politie, "doel": "strafrechtelijk_onderzoek", "status": "gevraagd",
        }  # fmt: skip
        assert [v["partner"] for v in intake.doelverzoeken] == [POLITIE]
        rijen = await log_rijen(client, issuer)
        # The conflict left no row (nothing was stored); the refusal and the request did.
        assert [r["actie"] for r in rijen if r["actie"] in {"doelverzoek", "weigering"}] == [
            "weigering",
            "doelverzoek",
        ]


async def test_a_rule_resting_on_consent_discloses_only_the_people_who_consented(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    casus = intake.casus(
        partners=[COMENSHA], doel="registratie_slachtoffer", toestemming=True,
        betrokkenen=[
            {"rol": "slachtoffer", "bsn": "111222333", "toestemming": True},
            {"rol": "slachtoffer", "bsn": "123456782", "toestemming": False},
            {"rol": "verdachte", "bsn": "999999990"},
        ],
    )  # fmt: skip
    async with gateway() as client:
        ref = await referentie_van(client, partner(issuer, COMENSHA), casus)
        gelezen = await client.get(
            f"/v1/casussen/{ref}",
            params={"doel": "registratie_slachtoffer"},
            headers=partner(issuer, COMENSHA),
        )
        assert gelezen.status_code == 200, gelezen.text
        [persoon] = gelezen.json()["betrokkenen"]
        toegestemd = intake.casussen[casus]["betrokkenen"][0]
        assert persoon["referentie"] != toegestemd["id"] and persoon["rol"] == "slachtoffer"
        rijen = [r for r in await log_rijen(client, issuer) if r["actie"] == "verstrekking"]
        assert len(rijen) == 1 and rijen[0]["betrokkene"] is not None
        # Withdrawn: intake no longer counts a valid consent.
        intake.casussen[casus]["toestemming"] = False
        intake.casussen[casus]["betrokkenen"][0]["toestemming"] = False
        geweigerd = await client.get(
            f"/v1/casussen/{ref}",
            params={"doel": "registratie_slachtoffer"},
            headers=partner(issuer, COMENSHA),
        )
        assert geweigerd.status_code == 403 and geweigerd.json()["reden"] == "toestemming_ontbreekt"
        assert [
            r["detail"].get("reden") for r in await log_rijen(client, issuer) if r["actie"] == "weigering"
        ] == ["toestemming_ontbreekt"]


async def test_the_dry_run_decides_on_intakes_facts_for_the_own_municipality_only(
    gateway: Any, intake: Any, issuer: DevIssuer
) -> None:
    vraag = intake.adviesvraag(experts=[RIEC], status="in_behandeling")
    signaal = intake.adviesvragen[vraag]["signaalId"]
    body = {
        "signaalId": signaal,
        "trajecten": [
            {"doel": "casusoverleg", "partners": [RIEC, "riec-oost-nedrland"]},
            {"doel": "registratie_slachtoffer", "partners": [COMENSHA]},
        ],
    }
    async with gateway() as client:
        toets = await client.post("/v1/beleid/opschalingstoetsen", json=body, headers=af(issuer))
        assert toets.status_code == 200, toets.text
        uitkomsten = toets.json()["uitkomsten"]
        assert [(u["partner"], u["toegestaan"]) for u in uitkomsten] == [
            (RIEC, True), ("riec-oost-nedrland", False), (COMENSHA, False),
        ]  # fmt: skip
        assert [None if u["reden"] is None else u["reden"]["code"] for u in uitkomsten] == [
            None, "onbekende_partner", "toestemming_ontbreekt",
        ]  # fmt: skip
        intake.signalen[signaal]["toestemming"] = True
        toets = await client.post("/v1/beleid/opschalingstoetsen", json=body, headers=af(issuer))
        assert toets.json()["uitkomsten"][2]["toegestaan"] is True
        # A confidentiality above the rule's maximum, asked for by the attention officer.
        hoog = await client.post(
            "/v1/beleid/opschalingstoetsen",
            json={**body, "vertrouwelijkheidaanduiding": "geheim"},
            headers=af(issuer),
        )
        assert {u["reden"]["code"] for u in hoog.json()["uitkomsten"]} == {
            "vertrouwelijkheid_te_hoog", "onbekende_partner",
        }  # fmt: skip
        assert (
            await client.post("/v1/beleid/opschalingstoetsen", json=body, headers=af(issuer, "GM0294"))
        ).status_code == 404
        assert (
            await client.post("/v1/beleid/opschalingstoetsen", json=body, headers=partner(issuer, RIEC))
        ).status_code == 403
        assert (await client.get("/v1/beleid", headers=af(issuer))).status_code == 200
        rijen = [r for r in await log_rijen(client, issuer) if r["actie"] == "evaluatie"]
        assert len(rijen) == 6 and {r["casusId"] for r in rijen} == {signaal}


async def test_intakes_refusal_of_an_outcome_names_its_fields_and_never_its_texts(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    """Intake's reasons could quote the input: only field names it gives in the expected shape are passed on."""
    casus = intake.casus(partners=[RIEC])
    intake.weigering_terugkoppeling = {
        "status": 400,
        "invalidParams": [
            {"name": "maatregel", "reason": "Onbekend: Jan Jansen 0612345678"},
            {"name": "<script>alert(1)</script>", "reason": "x"},
            "geen object",
        ],
    }
    async with gateway() as client:
        ref = await referentie_van(client, partner(issuer, RIEC), casus)
        antwoord = await client.post(
            f"/v1/casussen/{ref}/terugkoppelingen", json={"doel": "casusoverleg", "terugkoppeling": "opgepakt"},
            headers=partner(issuer, RIEC),
        )  # fmt: skip
        assert antwoord.status_code == 400, antwoord.text
        assert [p["name"] for p in antwoord.json()["invalidParams"]] == ["maatregel"]
        assert (
            "Jansen" not in antwoord.text
            and "0612345678" not in antwoord.text
            and "script" not in antwoord.text
        )
        # Nothing was stored, so the row written before forwarding is rolled back with the request.
        assert [r for r in await log_rijen(client, issuer) if r["actie"] == "terugkoppeling"] == []


async def test_listing_questions_asks_intake_once_per_page_whatever_their_number(
    gateway: Any, intake: Any, issuer: DevIssuer
) -> None:
    """The policy facts come with the questions (stage, confidentiality, minors): no call per question."""

    async def intake_verzoeken_voor_lijst(client: Any) -> tuple[int, int]:
        voor = len(intake.verzoeken)
        lijst = await client.get("/v1/adviesvragen", params={"pageSize": 100}, headers=partner(issuer, RIEC))
        assert lijst.status_code == 200, lijst.text
        return len(intake.verzoeken) - voor, len(lijst.json()["adviesvragen"])

    async with gateway() as client:
        intake.adviesvraag(experts=[RIEC])
        een = await intake_verzoeken_voor_lijst(client)
        for i in range(11):
            # A minor in some (the policy withholds the description then), another stage in one (not listed).
            intake.adviesvraag(
                experts=[RIEC],
                minderjarig=i % 3 == 0,
                status="in_behandeling" if i == 5 else "advies_gevraagd",
            )
        twaalf = await intake_verzoeken_voor_lijst(client)
    assert een == (1, 1) and twaalf == (1, 11)
    assert all(v.url.path == "/v1/intern/adviesvragen" for v in intake.verzoeken)
