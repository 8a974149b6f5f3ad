"""Advice, tracks, outcomes, follow-on purposes, consent and the dry-run: over real HTTP, intake a real process.

Each operation the gateway gained is walked with intake-api running as a process (the session `stack`), so the
gateway's reading of intake's internal API is checked against intake itself, not against a fake: the advice a
pair of experts reads (doel `advies`, no identity and no pseudonyms, scrubbed text, a reference of each expert's
own), the answer, an outcome on a track and the one refused for a purpose without a track, a follow-on purpose
the covenant forbids, a CoMensha read after the victim withdrew consent, and the attention officer's dry-run.
Every disclosure and refusal is looked up in the verwerkingenlog as the FG sees it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import Stack
from privacy_gateway.pseudoniemen import partner_adviesvraag_referentie, partner_casus_referentie

from tests.builders import betrokkene, signaal

GEMEENTE = "GM1955"  # Montferland: no other test in the session writes signals for it
ANDERE_GEMEENTE = "GM0294"
RIEC = "riec-oost-nederland"
POLITIE = "politie-oost-nederland"
ZORG = "zorgcoordinatie-noord-oost-gelderland"
COMENSHA = "comensha"
BELASTING = "belastingdienst"
NAAM, BSN, TELEFOON = "Anna Wiśniewska", "123456782", "06-98765432"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _ok(antwoord: httpx.Response, *statussen: int) -> Any:
    assert antwoord.status_code in statussen, (
        f"{antwoord.request.url}: {antwoord.status_code} {antwoord.text}"
    )
    return antwoord.json()


@dataclass
class Omgeving:
    http: httpx.Client
    issuer: DevIssuer
    intake: str
    gateway: str
    sleutel: bytes  # the gateway's development pseudonym key: the references partners must get

    def partner(self, organisatie: str, *, rol: str = "partner") -> dict[str, str]:
        return _bearer(self.issuer.mint(rol=rol, organisatie=organisatie, sub=f"{organisatie}-medewerker"))

    def af(self, gemeente: str = GEMEENTE, *, dienst: str | None = None) -> dict[str, str]:
        return _bearer(
            self.issuer.mint(
                rol="aandachtsfunctionaris", gemeente=gemeente, sub=f"af-{gemeente}", audience=dienst
            )
        )

    @property
    def fg(self) -> dict[str, str]:
        return _bearer(self.issuer.mint(rol="fg", sub="fg-trajecten"))

    def signaal(self, *, leeftijdsklasse: str | None = None) -> str:
        """A new signal of GEMEENTE naming one victim, taken into treatment; returns intake's id."""
        persoon = betrokkene() | {"bsn": BSN, "naam": NAAM, "geboortedatum": "1994-03-02"}
        body = signaal(
            gemeenteCode=GEMEENTE,
            omschrijving=f"Zij slaapt op de werkplek; de beheerder {NAAM} is bereikbaar op {TELEFOON}.",
            betrokkenen=[persoon],
        )
        melder = _bearer(self.issuer.mint(rol="melder", gemeente=GEMEENTE, sub="melder-trajecten"))
        nieuw = _ok(
            self.http.post(
                f"{self.intake}/v1/signalen",
                json=body,
                headers={**melder, "Idempotency-Key": str(uuid.uuid4())},
            ),
            201,
        )
        self.beoordeel(nieuw["id"], {"status": "in_behandeling", "toelichting": "Oppakken."})
        return str(nieuw["id"])

    def signaal_lezen(self, signaal_id: str) -> httpx.Response:
        return self.http.get(f"{self.intake}/v1/signalen/{signaal_id}", headers=self.af())

    def intake_post(self, signaal_id: str, pad: str, body: dict[str, Any]) -> httpx.Response:
        etag = self.signaal_lezen(signaal_id).headers["etag"]
        return self.http.post(
            f"{self.intake}/v1/signalen/{signaal_id}{pad}", json=body, headers={**self.af(), "If-Match": etag}
        )

    def beoordeel(self, signaal_id: str, besluit: dict[str, Any]) -> None:
        _ok(self.intake_post(signaal_id, "/beoordelingen", besluit), 200, 201)

    def opschalen(self, signaal_id: str, trajecten: list[dict[str, Any]]) -> None:
        self.beoordeel(
            signaal_id, {"status": "opgeschaald", "toelichting": "Opschalen.", "trajecten": trajecten}
        )

    def referentie(self, signaal_id: str, partner: str) -> str:
        """The partner's reference to the case, found in its list the way a partner finds it."""
        verwacht = str(
            partner_casus_referentie(sleutel=self.sleutel, partner_id=partner, casus_id=uuid.UUID(signaal_id))
        )
        lijst = _ok(
            self.http.get(
                f"{self.gateway}/v1/casussen", params={"pageSize": 100}, headers=self.partner(partner)
            ),
            200,
        )
        assert signaal_id not in str(lijst), "the list shows intake's id"
        assert any(c["id"] == verwacht for c in lijst["casussen"]), f"{partner} does not list the case"
        return verwacht

    def log(self, signaal_id: str) -> list[dict[str, Any]]:
        rijen = _ok(
            self.http.get(
                f"{self.gateway}/v1/verwerkingen",
                params={"casusId": signaal_id, "pageSize": 100},
                headers=self.fg,
            ),
            200,
        )
        return list(rijen["verwerkingen"])

    def log_alles(self) -> list[dict[str, Any]]:
        """Every row of the log (all pages): a refusal of a reference the gateway cannot resolve names no case."""
        rijen: list[dict[str, Any]] = []
        params: dict[str, str | int] = {"pageSize": 100}
        while True:
            pagina = _ok(
                self.http.get(f"{self.gateway}/v1/verwerkingen", params=params, headers=self.fg), 200
            )
            rijen += pagina["verwerkingen"]
            if pagina["volgende"] is None:
                return rijen
            params["cursor"] = pagina["volgende"]


@pytest.fixture(scope="module")
def omgeving(stack: Stack, issuer: DevIssuer, local_dir: Path) -> Iterator[Omgeving]:
    sleutel = bytes.fromhex((local_dir / "keys" / "gateway-pseudonym.key").read_text().strip())
    with httpx.Client(timeout=30) as http:
        yield Omgeving(
            http=http, issuer=issuer, intake=stack.url("intake-api"), gateway=stack.url("privacy-gateway"),
            sleutel=sleutel,
        )  # fmt: skip


def _geen_identiteit(tekst: str) -> None:
    for geheim in (NAAM, "Wiśniewska", BSN, TELEFOON, "98765432"):
        assert geheim not in tekst, f"{geheim!r} left the gateway"


def test_advice_is_read_and_answered_under_each_experts_own_reference_and_logged(omgeving: Omgeving) -> None:
    signaal_id = omgeving.signaal()
    vraag = f"Wijst dit op uitbuiting? De beheerder {NAAM} belde vanaf {TELEFOON}."
    adviesvraag = _ok(
        omgeving.intake_post(signaal_id, "/adviesvragen", {"vraag": vraag, "experts": [RIEC, POLITIE]}), 201
    )
    intern_id = adviesvraag["id"]

    gezien: dict[str, dict[str, Any]] = {}
    for expert in (RIEC, POLITIE):
        lijst = omgeving.http.get(
            f"{omgeving.gateway}/v1/adviesvragen", params={"pageSize": 100}, headers=omgeving.partner(expert)
        )
        body = _ok(lijst, 200)
        verwacht = str(
            partner_adviesvraag_referentie(
                sleutel=omgeving.sleutel, partner_id=expert, adviesvraag_id=uuid.UUID(intern_id)
            )
        )
        [eigen] = [v for v in body["adviesvragen"] if v["id"] == verwacht]
        assert intern_id not in lijst.text and signaal_id not in lijst.text
        _geen_identiteit(lijst.text)
        assert (
            "pseudoniem" not in lijst.text
            and "betrokkenen" not in eigen
            and "linkPseudoniem" not in lijst.text
        )
        assert eigen["doel"] == "advies" and eigen["beantwoord"] is False and eigen["grondslag"]["referentie"]
        assert set(eigen["categorieen"]) <= {"kern", "kenmerken", "omschrijving"} and eigen["categorieen"]
        assert "[TELEFOON]" in eigen["vraag"]
        if eigen["omschrijving"] is not None:
            assert "[TELEFOON]" in eigen["omschrijving"]
        een = _ok(
            omgeving.http.get(
                f"{omgeving.gateway}/v1/adviesvragen/{verwacht}", headers=omgeving.partner(expert)
            ),
            200,
        )
        assert een == eigen
        gezien[expert] = eigen
    # Two experts cannot join on the question: each has its own reference, and neither works for the other.
    assert gezien[RIEC]["id"] != gezien[POLITIE]["id"]
    for expert, ander in ((RIEC, POLITIE), (POLITIE, RIEC)):
        for vreemd in (gezien[ander]["id"], intern_id):
            _ok(
                omgeving.http.get(
                    f"{omgeving.gateway}/v1/adviesvragen/{vreemd}", headers=omgeving.partner(expert)
                ),
                404,
            )
            _ok(
                omgeving.http.post(
                    f"{omgeving.gateway}/v1/adviesvragen/{vreemd}/antwoorden", json={"antwoord": "Ja."},
                    headers=omgeving.partner(expert),
                ),
                404,
            )  # fmt: skip
    # A partner that is no expert of it does not see it at all.
    niet = omgeving.http.get(
        f"{omgeving.gateway}/v1/adviesvragen", params={"pageSize": 100}, headers=omgeving.partner(BELASTING)
    )
    assert _ok(niet, 200) is not None and vraag[:20] not in niet.text

    antwoord = omgeving.http.post(
        f"{omgeving.gateway}/v1/adviesvragen/{gezien[RIEC]['id']}/antwoorden",
        json={"antwoord": f"Ja, bel {NAAM} niet zelf; zij is bereikbaar via {TELEFOON}."},
        headers=omgeving.partner(RIEC),
    )
    assert _ok(antwoord, 201)["adviesvraag"] == gezien[RIEC]["id"]
    _geen_identiteit(antwoord.text)
    # The approver role may read but not answer (casussen:terugkoppelen is the partner role's).
    _ok(
        omgeving.http.post(
            f"{omgeving.gateway}/v1/adviesvragen/{gezien[POLITIE]['id']}/antwoorden", json={"antwoord": "Nee."},
            headers=omgeving.partner(POLITIE, rol="goedkeurder"),
        ),
        403,
    )  # fmt: skip
    nu = _ok(
        omgeving.http.get(
            f"{omgeving.gateway}/v1/adviesvragen/{gezien[RIEC]['id']}", headers=omgeving.partner(RIEC)
        ),
        200,
    )
    assert nu["beantwoord"] is True

    # The attention officer sees the answer on the signal, scrubbed.
    getoond = omgeving.signaal_lezen(signaal_id)
    [advies] = _ok(getoond, 200)["adviesvragen"]
    assert [a["partner"] for a in advies["antwoorden"]] == [RIEC]
    assert "[TELEFOON]" in advies["antwoorden"][0]["antwoord"] and TELEFOON not in getoond.text

    # The FG sees every read and the answer, under doel advies with its legal basis; no text of the answer.
    rijen = omgeving.log(signaal_id)
    verstrekt = [r for r in rijen if r["actie"] == "verstrekking" and r["doel"] == "advies"]
    assert {r["afnemer"] for r in verstrekt} == {RIEC, POLITIE}
    assert all(r["grondslag"] and not r["grondslag"].startswith("geen") for r in verstrekt)
    assert all(r["betrokkene"] is None for r in verstrekt)
    [beantwoord] = [r for r in rijen if r["actie"] == "adviesantwoord"]
    assert beantwoord["detail"]["organisatie"] == RIEC and beantwoord["doel"] == "advies"
    # The probes with the other expert's reference or intake's id are logged too (naming no case: the
    # gateway cannot tell which question a reference it never handed out would name).
    geprobeerd = {
        (r["detail"]["organisatie"], r["detail"]["casusReferentie"])
        for r in omgeving.log_alles()
        if r["actie"] == "weigering"
        and r["doel"] == "advies"
        and r["detail"].get("reden") == "onbekend_of_niet_gedeeld"
    }
    for expert, ander in ((RIEC, POLITIE), (POLITIE, RIEC)):
        assert {(expert, gezien[ander]["id"]), (expert, intern_id)} <= geprobeerd
    _geen_identiteit(str(rijen))


def test_outcome_on_a_track_and_refused_for_a_purpose_without_one(omgeving: Omgeving) -> None:
    signaal_id = omgeving.signaal()
    omgeving.opschalen(
        signaal_id,
        [
            {"doel": "casusoverleg", "partners": [RIEC, POLITIE]},
            {"doel": "zorg_en_opvang", "partners": [ZORG]},
        ],
    )
    riec = omgeving.referentie(signaal_id, RIEC)
    zorg = omgeving.referentie(signaal_id, ZORG)
    lijst = _ok(
        omgeving.http.get(
            f"{omgeving.gateway}/v1/casussen", params={"pageSize": 100}, headers=omgeving.partner(ZORG)
        ),
        200,
    )
    [eigen] = [c for c in lijst["casussen"] if c["id"] == zorg]
    assert eigen["doelen"] == ["zorg_en_opvang"] and eigen["doel"] == "zorg_en_opvang" and eigen["toegang"]
    # The care coordinator reads the case for its own track's purpose.
    _ok(
        omgeving.http.get(
            f"{omgeving.gateway}/v1/casussen/{zorg}",
            params={"doel": "zorg_en_opvang"},
            headers=omgeving.partner(ZORG),
        ),
        200,
    )

    url = f"{omgeving.gateway}/v1/casussen/{riec}/terugkoppelingen"
    # RIEC has no care track: refused with the reason, logged.
    geweigerd = omgeving.http.post(
        url, json={"doel": "zorg_en_opvang", "terugkoppeling": "opvang_geregeld", "opvangvorm": "cosm"},
        headers=omgeving.partner(RIEC),
    )  # fmt: skip
    probleem = _ok(geweigerd, 403)
    assert probleem["reden"] in {"ander_doel", "geen_ontvanger"}, probleem
    # Bad input is refused naming the field, before anything happens.
    for body, veld in (
        ({"doel": "casusoverleg", "terugkoppeling": "geen_vervolg"}, "reden"),
        ({"doel": "casusoverleg", "terugkoppeling": "opgepakt", "opvangvorm": "cosm"}, "opvangvorm"),
        ({"doel": "casusoverleg", "terugkoppeling": "opgelost"}, "terugkoppeling"),
        (
            {"doel": "casusoverleg", "terugkoppeling": "bestuurlijke_maatregel", "maatregel": "boete"},
            "maatregel",
        ),
    ):
        fout = _ok(omgeving.http.post(url, json=body, headers=omgeving.partner(RIEC)), 400)
        assert [p["name"] for p in fout["invalidParams"]] == [veld], fout
    # A read-only role may not send feedback at all.
    _ok(
        omgeving.http.post(
            url,
            json={"doel": "casusoverleg", "terugkoppeling": "opgepakt"},
            headers=omgeving.partner(RIEC, rol="goedkeurder"),
        ),
        403,
    )

    vastgelegd = omgeving.http.post(
        url,
        json={"doel": "casusoverleg", "terugkoppeling": "geen_vervolg", "reden": "onvoldoende_aanwijzingen",
              "toelichting": f"Gesproken met {NAAM}, {TELEFOON}."},
        headers=omgeving.partner(RIEC),
    )  # fmt: skip
    body = _ok(vastgelegd, 201)
    assert body["casusId"] == riec and body["terugkoppeling"] == "geen_vervolg"
    _ok(
        omgeving.http.post(
            f"{omgeving.gateway}/v1/casussen/{zorg}/terugkoppelingen",
            json={"doel": "zorg_en_opvang", "terugkoppeling": "opvang_geregeld", "opvangvorm": "cosm"},
            headers=omgeving.partner(ZORG),
        ),
        201,
    )

    # The attention officer sees both outcomes on their tracks, the free text scrubbed.
    getoond = omgeving.signaal_lezen(signaal_id)
    trajecten = {t["doel"]: t for t in _ok(getoond, 200)["trajecten"]}
    assert [t["terugkoppeling"] for t in trajecten["casusoverleg"]["terugkoppelingen"]] == ["geen_vervolg"]
    assert [t["terugkoppeling"] for t in trajecten["zorg_en_opvang"]["terugkoppelingen"]] == [
        "opvang_geregeld"
    ]
    assert TELEFOON not in getoond.text and NAAM not in getoond.text

    rijen = omgeving.log(signaal_id)
    teruggekoppeld = [r for r in rijen if r["actie"] == "terugkoppeling"]
    assert {(r["detail"]["organisatie"], r["doel"]) for r in teruggekoppeld} == {
        (RIEC, "casusoverleg"),
        (ZORG, "zorg_en_opvang"),
    }
    [weigering] = [r for r in rijen if r["actie"] == "weigering" and r["doel"] == "zorg_en_opvang"]
    assert weigering["detail"]["organisatie"] == RIEC and weigering["detail"]["reden"] == probleem["reden"]
    _geen_identiteit(str(rijen))


def test_a_follow_on_purpose_the_covenant_forbids_is_refused_naming_the_code(omgeving: Omgeving) -> None:
    signaal_id = omgeving.signaal()
    omgeving.opschalen(signaal_id, [{"doel": "casusoverleg", "partners": [RIEC, POLITIE]}])
    riec, politie = omgeving.referentie(signaal_id, RIEC), omgeving.referentie(signaal_id, POLITIE)
    verboden = omgeving.http.post(
        f"{omgeving.gateway}/v1/casussen/{riec}/doelverzoeken",
        json={"doel": "strafrechtelijk_onderzoek", "reden": "Doorpakken."}, headers=omgeving.partner(RIEC),
    )  # fmt: skip
    probleem = _ok(verboden, 403)
    assert probleem["reden"] == "doel_niet_toegestaan", probleem
    onbekend = _ok(
        omgeving.http.post(
            f"{omgeving.gateway}/v1/casussen/{riec}/doelverzoeken", json={"doel": "opsporing", "reden": "x"},
            headers=omgeving.partner(RIEC),
        ),
        403,
    )  # fmt: skip
    assert onbekend["reden"] == "onbekend_doel"
    # A partner not on the case is 404 under any id.
    for casus_id in (riec, signaal_id):
        _ok(
            omgeving.http.post(
                f"{omgeving.gateway}/v1/casussen/{casus_id}/doelverzoeken",
                json={"doel": "casusoverleg", "reden": "x"}, headers=omgeving.partner(BELASTING),
            ),
            404,
        )  # fmt: skip
    # Police may ask for the criminal investigation; asking for the purpose it already has is a conflict.
    toegestaan = omgeving.http.post(
        f"{omgeving.gateway}/v1/casussen/{politie}/doelverzoeken",
        json={"doel": "strafrechtelijk_onderzoek", "reden": f"Aangifte verwacht van {NAAM}."},
        headers=omgeving.partner(POLITIE),
    )
    assert _ok(toegestaan, 201) == {
        "casusId": politie,
        "doel": "strafrechtelijk_onderzoek",
        "status": "gevraagd",
    }
    _ok(
        omgeving.http.post(
            f"{omgeving.gateway}/v1/casussen/{politie}/doelverzoeken", json={"doel": "casusoverleg", "reden": "x"},
            headers=omgeving.partner(POLITIE),
        ),
        409,
    )  # fmt: skip
    [verzoek] = _ok(omgeving.signaal_lezen(signaal_id), 200)["doelverzoeken"]
    assert verzoek["doel"] == "strafrechtelijk_onderzoek" and verzoek["partner"] == POLITIE

    rijen = omgeving.log(signaal_id)
    assert [r["detail"]["organisatie"] for r in rijen if r["actie"] == "doelverzoek"] == [POLITIE]
    redenen = {r["detail"].get("reden") for r in rijen if r["actie"] == "weigering"}
    assert {"doel_niet_toegestaan", "onbekend_doel"} <= redenen
    _geen_identiteit(str(rijen))


def test_comensha_reads_only_with_valid_consent_and_is_refused_once_it_is_withdrawn(
    omgeving: Omgeving,
) -> None:
    signaal_id = omgeving.signaal()
    omgeving.opschalen(signaal_id, [{"doel": "registratie_slachtoffer", "partners": [COMENSHA]}])
    comensha = omgeving.referentie(signaal_id, COMENSHA)
    url = f"{omgeving.gateway}/v1/casussen/{comensha}"
    params = {"doel": "registratie_slachtoffer"}
    # No consent recorded yet: refused.
    assert (
        _ok(omgeving.http.get(url, params=params, headers=omgeving.partner(COMENSHA)), 403)["reden"]
        == "toestemming_ontbreekt"
    )

    [slachtoffer] = _ok(omgeving.signaal_lezen(signaal_id), 200)["betrokkenen"]
    vandaag = datetime.now(UTC).date().isoformat()
    toestemming = _ok(
        omgeving.intake_post(
            signaal_id, f"/betrokkenen/{slachtoffer['id']}/toestemmingen",
            {"gegeven": True, "datum": vandaag, "vastlegging": "schriftelijk", "onder16": False, "doorVoogd": False},
        ),
        201,
    )  # fmt: skip
    gelezen = omgeving.http.get(url, params=params, headers=omgeving.partner(COMENSHA))
    casus = _ok(gelezen, 200)
    assert len(casus["betrokkenen"]) == 1 and casus["regelId"]
    _geen_identiteit(gelezen.text)

    _ok(
        omgeving.intake_post(
            signaal_id, f"/betrokkenen/{slachtoffer['id']}/toestemmingen/{toestemming['id']}/intrekking",
            {"datum": vandaag, "toelichting": "Trekt toestemming in."},
        ),
        200,
    )  # fmt: skip
    geweigerd = _ok(omgeving.http.get(url, params=params, headers=omgeving.partner(COMENSHA)), 403)
    assert geweigerd["reden"] == "toestemming_ontbreekt", geweigerd

    rijen = omgeving.log(signaal_id)
    comensha_rijen = sorted(
        (r for r in rijen if r["doel"] == "registratie_slachtoffer"), key=lambda r: r["volgnummer"]
    )
    # Refused before the consent, one disclosure (one row for the one consenting victim), refused after.
    assert [r["actie"] for r in comensha_rijen] == ["weigering", "verstrekking", "weigering"], comensha_rijen
    assert comensha_rijen[1]["afnemer"] == COMENSHA and comensha_rijen[1]["betrokkene"]
    assert all(r["detail"]["reden"] == "toestemming_ontbreekt" for r in comensha_rijen[::2])


def test_attention_officer_reads_the_policy_and_runs_the_dry_run_for_its_own_municipality_only(
    omgeving: Omgeving,
) -> None:
    af = omgeving.af(dienst="privacy-gateway")
    beleid = _ok(omgeving.http.get(f"{omgeving.gateway}/v1/beleid", headers=af), 200)
    assert "advies" in {d["id"] for d in beleid["doelen"]}
    # The token for intake is not one for the gateway.
    _ok(omgeving.http.get(f"{omgeving.gateway}/v1/beleid", headers=omgeving.af()), 401)

    signaal_id = omgeving.signaal()
    verzoek = {
        "signaalId": signaal_id,
        "trajecten": [
            {"doel": "casusoverleg", "partners": [RIEC, "riec-oost-nedrland"]},
            {"doel": "zorg_en_opvang", "partners": [ZORG, RIEC]},
            {"doel": "registratie_slachtoffer", "partners": [COMENSHA]},
        ],
    }
    toets = _ok(
        omgeving.http.post(f"{omgeving.gateway}/v1/beleid/opschalingstoetsen", json=verzoek, headers=af), 200
    )
    uitkomsten = {(u["doel"], u["partner"]): u for u in toets["uitkomsten"]}
    assert list(uitkomsten) == [
        ("casusoverleg", RIEC), ("casusoverleg", "riec-oost-nedrland"), ("zorg_en_opvang", ZORG),
        ("zorg_en_opvang", RIEC), ("registratie_slachtoffer", COMENSHA),
    ]  # fmt: skip
    assert uitkomsten[("casusoverleg", RIEC)]["toegestaan"] and uitkomsten[("casusoverleg", RIEC)]["regelId"]
    assert uitkomsten[("zorg_en_opvang", ZORG)]["toegestaan"]
    assert uitkomsten[("casusoverleg", "riec-oost-nedrland")]["reden"]["code"] == "onbekende_partner"
    assert uitkomsten[("zorg_en_opvang", RIEC)]["reden"]["code"] == "doel_niet_toegestaan"
    # No consent recorded: the dry-run says what disclosure to CoMensha would do.
    assert uitkomsten[("registratie_slachtoffer", COMENSHA)]["reden"]["code"] == "toestemming_ontbreekt"
    _geen_identiteit(str(toets))

    # Another municipality's attention officer gets 404, as for a signal that does not exist.
    ander = omgeving.af(ANDERE_GEMEENTE, dienst="privacy-gateway")
    for vreemd in (signaal_id, str(uuid.uuid4())):
        _ok(
            omgeving.http.post(
                f"{omgeving.gateway}/v1/beleid/opschalingstoetsen", json={**verzoek, "signaalId": vreemd},
                headers=ander,
            ),
            404,
        )  # fmt: skip
    # A partner holds beleid:lezen but names no municipality: refused.
    _ok(
        omgeving.http.post(
            f"{omgeving.gateway}/v1/beleid/opschalingstoetsen", json=verzoek, headers=omgeving.partner(RIEC)
        ),
        403,
    )

    rijen = omgeving.log(signaal_id)
    evaluaties = [r for r in rijen if r["actie"] == "evaluatie"]
    assert {r["doel"] for r in evaluaties} == {"casusoverleg", "zorg_en_opvang", "registratie_slachtoffer"}
    assert all(r["detail"]["gemeente"] == GEMEENTE and r["afnemer"] is None for r in evaluaties)
