"""Decisions of the covenant engine over the shipped RIEC Oost-Nederland policy.

The expectations below are written out by hand from the covenant's intent (who gets what), not read
back from the policy file, so a change to the file that widens or narrows access fails here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from meldroute_common.beleid import (
    Beleid,
    Beslissing,
    CasusFeiten,
    Categorie,
    Fase,
    TrajectFeiten,
    Vertrouwelijkheid,
    WeigerReden,
    decide,
    load_policy,
    toets_opschaling,
    validate_policy,
)
from privacy_gateway.config import POLICIES_DIR

# The example policy the gateway ships: the engine is tested against what runs.
BELEID_PAD = POLICIES_DIR / "riec-oost-nederland.yaml"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

K, KM, OMS, P, ID = (
    Categorie.KERN,
    Categorie.KENMERKEN,
    Categorie.OMSCHRIJVING,
    Categorie.PSEUDONIEM,
    Categorie.IDENTITEIT,
)
ALLES = frozenset(Categorie)
AF_IDS = (
    "af-gm0197",
    "af-gm1859",
    "af-gm1876",
    "af-gm0222",
    "af-gm1955",
    "af-gm1586",
    "af-gm1509",
    "af-gm0294",
)

OPGESCHAALD_OP = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
NU = OPGESCHAALD_OP + timedelta(days=1)


@cache
def beleid() -> Beleid:
    return load_policy(BELEID_PAD)


def beleid_data() -> dict[str, Any]:
    data = yaml.safe_load(BELEID_PAD.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def casus(**wijzig: Any) -> CasusFeiten:
    velden: dict[str, Any] = {
        "fase": "opgeschaald",
        "vertrouwelijkheidaanduiding": "vertrouwelijk",
        "opgeschaald_op": OPGESCHAALD_OP,
        "ontvangers": ["politie-oost-nederland"],
        "doel": "casusoverleg",
        "minderjarige_betrokken": False,
        "toestemming": False,
    }
    velden.update(wijzig)
    # The tables below speak of one track: its recipients and purpose, opened at the escalation.
    traject = TrajectFeiten(
        doel=velden.pop("doel"), ontvangers=velden.pop("ontvangers"), sinds=velden["opgeschaald_op"]
    )
    return CasusFeiten(**velden, trajecten=[traject])


@dataclass(frozen=True)
class Verwacht:
    partner: str
    doel: str
    regel: str
    categorieen: frozenset[Categorie]
    dagen: int
    max_vertrouwelijkheid: Vertrouwelijkheid
    vier_ogen: frozenset[Categorie] = frozenset()
    # When a minor is involved: None means as without a minor, an empty set means all is withheld.
    categorieen_minderjarige: frozenset[Categorie] | None = None
    dagen_minderjarige: int | None = None
    toestemming_nodig: bool = False
    #: The case stage the rule is for: advice is read while it is asked, everything else once escalated.
    fase: str = "opgeschaald"

    @property
    def id(self) -> str:
        return f"{self.partner}:{self.doel}"

    def bij_minderjarige(self) -> tuple[frozenset[Categorie] | None, int]:
        """Expected categories (None: all withheld) and window when a minor is involved."""
        dagen = self.dagen if self.dagen_minderjarige is None else self.dagen_minderjarige
        if self.categorieen_minderjarige is None:
            return self.categorieen, dagen
        return (self.categorieen_minderjarige or None), dagen


V, CF = Vertrouwelijkheid.VERTROUWELIJK, Vertrouwelijkheid.CONFIDENTIEEL
ALLES_ID = frozenset({ID})

VERWACHTINGEN: tuple[Verwacht, ...] = (
    # advies: the experts see a pseudonymised summary while the advice is asked; with a minor no description.
    *(
        Verwacht(
            p,
            "advies",
            "advies-experts",
            frozenset({K, KM, OMS}),
            30,
            V,
            categorieen_minderjarige=frozenset({K, KM}),
            fase="advies_gevraagd",
        )
        for p in ("riec-oost-nederland", "zorgcoordinatie-noord-oost-gelderland", "politie-oost-nederland")
    ),
    # casusoverleg: RIEC and police get everything, identity only with four eyes.
    *(
        Verwacht(
            p, "casusoverleg", "casusoverleg-riec-politie", ALLES, 365, V, ALLES_ID, dagen_minderjarige=180
        )
        for p in ("riec-oost-nederland", "politie-oost-nederland")
    ),
    *(
        Verwacht(
            p,
            "casusoverleg",
            "casusoverleg-om-kmar-arbeidsinspectie",
            frozenset({K, KM, OMS, P}),
            365,
            V,
            categorieen_minderjarige=frozenset({K, KM, P}),
        )
        for p in ("openbaar-ministerie", "kmar", "nederlandse-arbeidsinspectie")
    ),
    *(
        Verwacht(
            af,
            "casusoverleg",
            "casusoverleg-aandachtsfunctionarissen",
            frozenset({K, KM, OMS, P}),
            365,
            V,
            categorieen_minderjarige=frozenset({K, KM, P}),
        )
        for af in AF_IDS
    ),
    Verwacht(
        "zorgcoordinatie-noord-oost-gelderland",
        "casusoverleg",
        "casusoverleg-zorgcoordinatie",
        frozenset({K, KM, P}),
        365,
        V,
    ),
    Verwacht(
        "belastingdienst",
        "casusoverleg",
        "casusoverleg-belastingdienst",
        frozenset({K, KM}),
        180,
        V,
        categorieen_minderjarige=frozenset(),
    ),
    Verwacht("ind", "casusoverleg", "casusoverleg-ind", frozenset({K, KM, P}), 180, V, dagen_minderjarige=90),
    *(
        Verwacht(p, "strafrechtelijk_onderzoek", "strafrechtelijk-onderzoek", ALLES, 730, CF, ALLES_ID)
        for p in ("politie-oost-nederland", "openbaar-ministerie", "kmar", "nederlandse-arbeidsinspectie")
    ),
    *(
        Verwacht(
            p,
            "toezicht_en_handhaving",
            "toezicht-en-handhaving",
            frozenset({K, KM, OMS}),
            180,
            V,
            categorieen_minderjarige=frozenset({K, KM}),
        )
        for p in ("nederlandse-arbeidsinspectie", "belastingdienst")
    ),
    *(
        Verwacht(
            p,
            "bestuurlijke_interventie",
            "bestuurlijke-interventie",
            frozenset({K, KM, OMS, P}),
            180,
            V,
            categorieen_minderjarige=frozenset({K, KM, P}),
        )
        for p in ("riec-oost-nederland", *AF_IDS)
    ),
    Verwacht(
        "zorgcoordinatie-noord-oost-gelderland",
        "zorg_en_opvang",
        "zorg-en-opvang",
        frozenset({K, KM, OMS, P, ID}),
        365,
        V,
        ALLES_ID,
    ),
    Verwacht(
        "comensha",
        "registratie_slachtoffer",
        "registratie-comensha",
        frozenset({K, KM}),
        90,
        V,
        toestemming_nodig=True,
    ),
)
PER_PAAR = {(v.partner, v.doel): v for v in VERWACHTINGEN}


def casus_voor(v: Verwacht, **wijzig: Any) -> CasusFeiten:
    velden: dict[str, Any] = {
        "ontvangers": [v.partner],
        "doel": v.doel,
        "toestemming": v.toestemming_nodig,
        "vertrouwelijkheidaanduiding": v.max_vertrouwelijkheid.value,
        "fase": v.fase,
    }
    velden.update(wijzig)
    return casus(**velden)


def beslis_voor(v: Verwacht, *, nu: datetime = NU, **wijzig: Any) -> Beslissing:
    return decide(beleid=beleid(), partner_id=v.partner, doel=v.doel, casus=casus_voor(v, **wijzig), nu=nu)


# --- the table covers the policy exactly ---------------------------------------------------------


def test_tabel_dekt_elke_regel_en_elk_toegestaan_paar() -> None:
    b = beleid()
    assert {v.regel for v in VERWACHTINGEN} == {r.id for r in b.regels}
    assert set(b.index.regels) == set(PER_PAAR)


def test_elk_ander_paar_van_partner_en_doel_wordt_geweigerd() -> None:
    b = beleid()
    geweigerd = 0
    for partner in b.partners:
        for doel in b.doelen:
            if (partner.id, doel.id) in PER_PAAR:
                continue
            uitkomst = decide(
                beleid=b,
                partner_id=partner.id,
                doel=doel.id,
                casus=casus(ontvangers=[partner.id], doel=doel.id, toestemming=True),
                nu=NU,
            )
            assert not uitkomst.toegestaan
            assert uitkomst.reden is not None
            assert uitkomst.reden.code is WeigerReden.DOEL_NIET_TOEGESTAAN
            geweigerd += 1
    assert geweigerd == len(b.partners) * len(b.doelen) - len(PER_PAAR)


# --- every allowed pair ---------------------------------------------------------------------------


@pytest.mark.parametrize("v", VERWACHTINGEN, ids=lambda v: v.id)
def test_toegestaan_volgens_de_regel(v: Verwacht) -> None:
    uitkomst = beslis_voor(v)
    doel = beleid().doel(v.doel)
    assert doel is not None
    assert uitkomst.toegestaan
    assert uitkomst.reden is None
    assert uitkomst.categorieen == v.categorieen
    assert uitkomst.vier_ogen == v.vier_ogen
    assert uitkomst.regel_id == v.regel
    assert uitkomst.doel == v.doel
    assert uitkomst.grondslag == doel.grondslag
    assert uitkomst.venster_tot == OPGESCHAALD_OP + timedelta(days=v.dagen)
    assert set(uitkomst.geweigerd) == ALLES - v.categorieen
    assert all(w.code is WeigerReden.NIET_IN_REGEL for w in uitkomst.geweigerd.values())


@pytest.mark.parametrize("v", VERWACHTINGEN, ids=lambda v: v.id)
def test_identiteit_nooit_zonder_vier_ogen(v: Verwacht) -> None:
    for minderjarige in (False, True):
        uitkomst = beslis_voor(v, minderjarige_betrokken=minderjarige)
        if ID in uitkomst.categorieen:
            assert ID in uitkomst.vier_ogen


@pytest.mark.parametrize("v", VERWACHTINGEN, ids=lambda v: v.id)
def test_toegangsvenster(v: Verwacht) -> None:
    einde = OPGESCHAALD_OP + timedelta(days=v.dagen)
    assert beslis_voor(v, nu=einde - timedelta(microseconds=1)).toegestaan
    verlopen = beslis_voor(v, nu=einde)
    assert not verlopen.toegestaan
    assert verlopen.reden is not None
    assert verlopen.reden.code is WeigerReden.VENSTER_VERSTREKEN
    # The reason reaches the partner: it names the day the window ended, not the moment.
    assert verlopen.reden.toelichting.endswith(f"op {einde.astimezone(AMSTERDAM).date().isoformat()}")
    assert verlopen.regel_id == v.regel
    assert verlopen.venster_tot is None
    assert set(verlopen.geweigerd) == ALLES


@pytest.mark.parametrize("v", VERWACHTINGEN, ids=lambda v: v.id)
def test_maximale_vertrouwelijkheid(v: Verwacht) -> None:
    schaal = list(Vertrouwelijkheid)
    for niveau in schaal:
        uitkomst = beslis_voor(v, vertrouwelijkheidaanduiding=niveau.value)
        if schaal.index(niveau) <= schaal.index(v.max_vertrouwelijkheid):
            assert uitkomst.toegestaan, niveau
        else:
            assert not uitkomst.toegestaan, niveau
            assert uitkomst.reden is not None
            assert uitkomst.reden.code is WeigerReden.VERTROUWELIJKHEID_TE_HOOG


@pytest.mark.parametrize("v", VERWACHTINGEN, ids=lambda v: v.id)
def test_andere_fasen_geweigerd(v: Verwacht) -> None:
    for fase in (*(f for f in Fase if f != v.fase), "onbekend"):
        uitkomst = beslis_voor(v, fase=str(fase))
        assert not uitkomst.toegestaan
        assert uitkomst.reden is not None
        assert uitkomst.reden.code is WeigerReden.FASE_NIET_TOEGESTAAN


@pytest.mark.parametrize("v", VERWACHTINGEN, ids=lambda v: v.id)
def test_minderjarige(v: Verwacht) -> None:
    categorieen, dagen = v.bij_minderjarige()
    uitkomst = beslis_voor(v, minderjarige_betrokken=True)
    if categorieen is None:
        assert not uitkomst.toegestaan
        assert uitkomst.reden is not None
        assert uitkomst.reden.code is WeigerReden.MINDERJARIGE
        assert uitkomst.regel_id == v.regel
        assert {w.code for c, w in uitkomst.geweigerd.items() if c in v.categorieen} == {
            WeigerReden.MINDERJARIGE
        }
        return
    assert uitkomst.toegestaan
    assert uitkomst.categorieen == categorieen
    assert uitkomst.venster_tot == OPGESCHAALD_OP + timedelta(days=dagen)
    for categorie in v.categorieen - categorieen:
        assert uitkomst.geweigerd[categorie].code is WeigerReden.MINDERJARIGE
    verlopen = beslis_voor(v, minderjarige_betrokken=True, nu=OPGESCHAALD_OP + timedelta(days=dagen))
    assert verlopen.reden is not None
    assert verlopen.reden.code is WeigerReden.VENSTER_VERSTREKEN
    if dagen < v.dagen:
        assert "minderjarige" in verlopen.reden.toelichting


@pytest.mark.parametrize("v", VERWACHTINGEN, ids=lambda v: v.id)
def test_toestemming(v: Verwacht) -> None:
    zonder = beslis_voor(v, toestemming=False)
    met = beslis_voor(v, toestemming=True)
    assert met.toegestaan
    if v.toestemming_nodig:
        assert not zonder.toegestaan
        assert zonder.reden is not None
        assert zonder.reden.code is WeigerReden.TOESTEMMING_ONTBREEKT
    else:
        assert zonder == met


# --- negative cases -------------------------------------------------------------------------------

POLITIE = PER_PAAR[("politie-oost-nederland", "casusoverleg")]


def reden(uitkomst: Beslissing) -> WeigerReden:
    assert not uitkomst.toegestaan
    assert uitkomst.categorieen == frozenset()
    assert uitkomst.venster_tot is None
    assert uitkomst.reden is not None
    assert set(uitkomst.geweigerd) == ALLES
    assert {w.code for w in uitkomst.geweigerd.values()} == {uitkomst.reden.code}
    return uitkomst.reden.code


def test_onbekende_partner() -> None:
    uitkomst = decide(
        beleid=beleid(),
        partner_id="onbekend",
        doel="casusoverleg",
        casus=casus(ontvangers=["onbekend"]),
        nu=NU,
    )
    assert reden(uitkomst) is WeigerReden.ONBEKENDE_PARTNER
    assert uitkomst.regel_id is None
    assert uitkomst.grondslag is None


def test_geen_ontvanger_van_de_casus() -> None:
    uitkomst = decide(
        beleid=beleid(),
        partner_id="politie-oost-nederland",
        doel="casusoverleg",
        casus=casus(ontvangers=["riec-oost-nederland"]),
        nu=NU,
    )
    assert reden(uitkomst) is WeigerReden.GEEN_ONTVANGER


def test_onbekend_doel() -> None:
    uitkomst = decide(
        beleid=beleid(), partner_id="politie-oost-nederland", doel="nieuwsgierigheid", casus=casus(), nu=NU
    )
    assert reden(uitkomst) is WeigerReden.ONBEKEND_DOEL


def test_doel_anders_dan_waarvoor_de_casus_is_opgeschaald() -> None:
    uitkomst = decide(
        beleid=beleid(),
        partner_id="politie-oost-nederland",
        doel="strafrechtelijk_onderzoek",
        casus=casus(doel="casusoverleg"),
        nu=NU,
    )
    assert reden(uitkomst) is WeigerReden.ANDER_DOEL


def test_doel_niet_toegestaan_voor_partner() -> None:
    uitkomst = decide(
        beleid=beleid(),
        partner_id="comensha",
        doel="casusoverleg",
        casus=casus(ontvangers=["comensha"], toestemming=True),
        nu=NU,
    )
    assert reden(uitkomst) is WeigerReden.DOEL_NIET_TOEGESTAAN


def test_onbekende_vertrouwelijkheidaanduiding() -> None:
    uitkomst = beslis_voor(POLITIE, vertrouwelijkheidaanduiding="Vertrouwelijk")
    assert reden(uitkomst) is WeigerReden.ONBEKENDE_VERTROUWELIJKHEID


def test_beleid_nog_niet_geldig() -> None:
    begin = datetime(2026, 1, 1, tzinfo=AMSTERDAM)
    casus_vroeg = {"opgeschaald_op": begin - timedelta(days=1)}
    assert reden(beslis_voor(POLITIE, nu=begin - timedelta(microseconds=1), **casus_vroeg)) is (
        WeigerReden.BELEID_NIET_GELDIG
    )
    assert beslis_voor(POLITIE, nu=begin, **casus_vroeg).toegestaan


def beleid_met_lidmaatschap(partner_id: str, *, van: str, tot: str | None) -> Beleid:
    data = beleid_data()
    for partner in data["partners"]:
        if partner["id"] == partner_id:
            partner["lidmaatschap"] = {"van": van, "tot": tot}
    return validate_policy(data, bron="test")


def test_lidmaatschap_beeindigd() -> None:
    b = beleid_met_lidmaatschap("politie-oost-nederland", van="2026-01-01", tot="2026-10-15")
    einde = datetime(2026, 10, 15, tzinfo=AMSTERDAM)  # the first day without membership
    args: dict[str, Any] = {
        "beleid": b,
        "partner_id": "politie-oost-nederland",
        "doel": "casusoverleg",
        "casus": casus(),
    }
    ervoor = decide(**args, nu=einde - timedelta(microseconds=1))
    assert ervoor.toegestaan
    assert ervoor.venster_tot == einde  # access ends with membership, before the 365-day window
    assert reden(decide(**args, nu=einde)) is WeigerReden.LIDMAATSCHAP_BEEINDIGD
    assert reden(decide(**args, nu=einde + timedelta(days=30))) is WeigerReden.LIDMAATSCHAP_BEEINDIGD
    # Other partners are unaffected.
    riec = decide(
        beleid=b,
        partner_id="riec-oost-nederland",
        doel="casusoverleg",
        casus=casus(ontvangers=["riec-oost-nederland"]),
        nu=einde,
    )
    assert riec.toegestaan


def test_lidmaatschap_niet_begonnen() -> None:
    b = beleid_met_lidmaatschap("politie-oost-nederland", van="2026-10-05", tot=None)
    begin = datetime(2026, 10, 5, tzinfo=AMSTERDAM)
    args: dict[str, Any] = {
        "beleid": b,
        "partner_id": "politie-oost-nederland",
        "doel": "casusoverleg",
        "casus": casus(),
    }
    assert (
        reden(decide(**args, nu=begin - timedelta(microseconds=1))) is WeigerReden.LIDMAATSCHAP_NIET_BEGONNEN
    )
    assert decide(**args, nu=begin).toegestaan


def test_lidmaatschapsgrens_is_middernacht_in_nederland() -> None:
    # 15 October 2026 00:00 in Amsterdam is 14 October 22:00 UTC (summer time).
    b = beleid_met_lidmaatschap("politie-oost-nederland", van="2026-01-01", tot="2026-10-15")
    args: dict[str, Any] = {
        "beleid": b,
        "partner_id": "politie-oost-nederland",
        "doel": "casusoverleg",
        "casus": casus(),
    }
    assert decide(**args, nu=datetime(2026, 10, 14, 21, 59, 59, tzinfo=UTC)).toegestaan
    assert not decide(**args, nu=datetime(2026, 10, 14, 22, 0, 0, tzinfo=UTC)).toegestaan


def test_volgorde_van_controles_lekt_geen_casusfeiten() -> None:
    # A partner that is not a recipient learns nothing about stage, confidentiality or minors.
    uitkomst = decide(
        beleid=beleid(),
        partner_id="kmar",
        doel="onbekend-doel",
        casus=casus(fase="ontvangen", vertrouwelijkheidaanduiding="zeer_geheim", minderjarige_betrokken=True),
        nu=OPGESCHAALD_OP + timedelta(days=5000),
    )
    assert reden(uitkomst) is WeigerReden.GEEN_ONTVANGER
    # Membership is checked before anything about the case.
    onbekend = decide(
        beleid=beleid(), partner_id="niemand", doel="casusoverleg", casus=casus(ontvangers=["niemand"]), nu=NU
    )
    assert reden(onbekend) is WeigerReden.ONBEKENDE_PARTNER


def test_vertrouwelijkheid_gaat_voor_toestemming_en_venster() -> None:
    comensha = PER_PAAR[("comensha", "registratie_slachtoffer")]
    uitkomst = beslis_voor(
        comensha,
        vertrouwelijkheidaanduiding="geheim",
        toestemming=False,
        nu=OPGESCHAALD_OP + timedelta(days=400),
    )
    assert reden(uitkomst) is WeigerReden.VERTROUWELIJKHEID_TE_HOOG
    uitkomst = beslis_voor(comensha, toestemming=False, nu=OPGESCHAALD_OP + timedelta(days=400))
    assert reden(uitkomst) is WeigerReden.TOESTEMMING_ONTBREEKT


# --- inputs, determinism, speed -------------------------------------------------------------------


def test_naieve_tijdstippen_worden_geweigerd() -> None:
    with pytest.raises(ValueError, match="tijdzone"):
        decide(
            beleid=beleid(),
            partner_id="politie-oost-nederland",
            doel="casusoverleg",
            casus=casus(),
            nu=datetime(2026, 10, 2),
        )
    with pytest.raises(ValueError, match="tijdzone"):
        casus(opgeschaald_op=datetime(2026, 10, 1))


def test_ontvangers_als_tekst_is_een_fout() -> None:
    with pytest.raises(TypeError):
        casus(ontvangers="politie-oost-nederland")


def test_deterministisch_ook_na_opnieuw_laden() -> None:
    opnieuw = load_policy(BELEID_PAD)
    for v in VERWACHTINGEN:
        for minderjarige in (False, True):
            feiten = casus_voor(v, minderjarige_betrokken=minderjarige)
            eerste = decide(beleid=beleid(), partner_id=v.partner, doel=v.doel, casus=feiten, nu=NU)
            tweede = decide(beleid=beleid(), partner_id=v.partner, doel=v.doel, casus=feiten, nu=NU)
            derde = decide(beleid=opnieuw, partner_id=v.partner, doel=v.doel, casus=feiten, nu=NU)
            assert eerste == tweede == derde
            assert eerste.als_dict() == derde.als_dict()


def test_als_dict() -> None:
    uitkomst = beslis_voor(PER_PAAR[("kmar", "casusoverleg")])
    assert uitkomst.als_dict() == {
        "toegestaan": True,
        "categorieen": ["kern", "kenmerken", "omschrijving", "pseudoniem"],
        "geweigerd": {
            "gekoppelde_signalen": {
                "code": "niet_in_regel",
                "toelichting": "niet toegestaan door regel 'casusoverleg-om-kmar-arbeidsinspectie' (dataminimalisatie)",
            },
            "identiteit": {
                "code": "niet_in_regel",
                "toelichting": "niet toegestaan door regel 'casusoverleg-om-kmar-arbeidsinspectie' (dataminimalisatie)",
            },
        },
        "reden": None,
        "regelId": "casusoverleg-om-kmar-arbeidsinspectie",
        "doel": "casusoverleg",
        "grondslag": {
            "omschrijving": "Taak van algemeen belang: de gezamenlijke, integrale aanpak van mensenhandel onder "
            "het RIEC-convenant.",
            "referentie": "art. 6 lid 1 sub e AVG; art. 10 AVG; convenant RIEC art. 5",
        },
        "vierOgen": [],
        "vensterTot": "2027-10-01T09:30:00+00:00",
    }


PARTNER_IDS = sorted({v.partner for v in VERWACHTINGEN} | {"onbekend"})
DOEL_IDS = sorted({v.doel for v in VERWACHTINGEN} | {"onbekend"})


@settings(max_examples=300, deadline=None)
@given(
    partner=st.sampled_from(PARTNER_IDS),
    doel=st.sampled_from(DOEL_IDS),
    casus_doel=st.sampled_from(DOEL_IDS),
    ontvangers=st.sets(st.sampled_from(PARTNER_IDS), max_size=4),
    fase=st.sampled_from([*Fase, "x"]),
    vertrouwelijkheid=st.sampled_from([*Vertrouwelijkheid, "x"]),
    minderjarige=st.booleans(),
    toestemming=st.booleans(),
    dagen=st.integers(min_value=-400, max_value=800),
)
def test_eigenschappen_van_elke_beslissing(
    partner: str,
    doel: str,
    casus_doel: str,
    ontvangers: set[str],
    fase: str,
    vertrouwelijkheid: str,
    minderjarige: bool,
    toestemming: bool,
    dagen: int,
) -> None:
    feiten = casus(
        fase=str(fase),
        vertrouwelijkheidaanduiding=str(vertrouwelijkheid),
        ontvangers=ontvangers,
        doel=casus_doel,
        minderjarige_betrokken=minderjarige,
        toestemming=toestemming,
    )
    nu = OPGESCHAALD_OP + timedelta(days=dagen)
    uitkomst = decide(beleid=beleid(), partner_id=partner, doel=doel, casus=feiten, nu=nu)
    assert uitkomst == decide(beleid=beleid(), partner_id=partner, doel=doel, casus=feiten, nu=nu)
    assert uitkomst.categorieen.isdisjoint(uitkomst.geweigerd)
    assert uitkomst.categorieen | set(uitkomst.geweigerd) == ALLES
    assert uitkomst.toegestaan == bool(uitkomst.categorieen)
    assert uitkomst.vier_ogen <= uitkomst.categorieen
    if uitkomst.toegestaan:
        v = PER_PAAR[(partner, doel)]
        assert partner in ontvangers
        assert doel == casus_doel
        assert fase == "opgeschaald"
        assert uitkomst.categorieen <= v.categorieen
        assert uitkomst.regel_id == v.regel
        assert uitkomst.venster_tot is not None
        assert nu < uitkomst.venster_tot
        assert ID not in uitkomst.categorieen or ID in uitkomst.vier_ogen
        assert not v.toestemming_nodig or toestemming
    else:
        assert uitkomst.reden is not None


# --- a case with tracks ---------------------------------------------------------------------------

ZORG = "zorgcoordinatie-noord-oost-gelderland"


def casus_met_trajecten(*trajecten: TrajectFeiten, toestemming: bool = False) -> CasusFeiten:
    return CasusFeiten(
        fase="opgeschaald",
        vertrouwelijkheidaanduiding="vertrouwelijk",
        opgeschaald_op=OPGESCHAALD_OP,
        trajecten=trajecten,
        minderjarige_betrokken=False,
        toestemming=toestemming,
    )


VEILIGHEID = TrajectFeiten(
    doel="casusoverleg", ontvangers=["riec-oost-nederland", "politie-oost-nederland"], sinds=OPGESCHAALD_OP
)
ZORGTRAJECT = TrajectFeiten(doel="zorg_en_opvang", ontvangers=[ZORG, "comensha"], sinds=OPGESCHAALD_OP)


def test_two_tracks_side_by_side_each_partner_reads_only_its_own_purpose() -> None:
    feiten = casus_met_trajecten(VEILIGHEID, ZORGTRAJECT)
    assert decide(beleid=beleid(), partner_id=ZORG, doel="zorg_en_opvang", casus=feiten, nu=NU).toegestaan
    assert decide(
        beleid=beleid(), partner_id="politie-oost-nederland", doel="casusoverleg", casus=feiten, nu=NU
    ).toegestaan
    # The police is not on the care track: purpose limitation holds per track, not per case.
    politie_zorg = decide(
        beleid=beleid(), partner_id="politie-oost-nederland", doel="zorg_en_opvang", casus=feiten, nu=NU
    )
    assert reden(politie_zorg) is WeigerReden.ANDER_DOEL
    # The care coordinator may join a casusoverleg by the policy, but is not on that track.
    zorg_overleg = decide(beleid=beleid(), partner_id=ZORG, doel="casusoverleg", casus=feiten, nu=NU)
    assert reden(zorg_overleg) is WeigerReden.ANDER_DOEL
    assert reden(decide(beleid=beleid(), partner_id="ind", doel="casusoverleg", casus=feiten, nu=NU)) is (
        WeigerReden.GEEN_ONTVANGER
    )


def test_a_closed_track_gives_access_to_no_one() -> None:
    afgerond = TrajectFeiten(
        doel="casusoverleg", ontvangers=["riec-oost-nederland"], sinds=OPGESCHAALD_OP, afgerond=True
    )
    feiten = casus_met_trajecten(afgerond, ZORGTRAJECT)
    uitkomst = decide(
        beleid=beleid(), partner_id="riec-oost-nederland", doel="casusoverleg", casus=feiten, nu=NU
    )
    assert reden(uitkomst) is WeigerReden.GEEN_ONTVANGER


def test_a_follow_on_purpose_has_its_own_window_from_its_track() -> None:
    later = OPGESCHAALD_OP + timedelta(days=300)
    vervolg = TrajectFeiten(
        doel="strafrechtelijk_onderzoek", ontvangers=["politie-oost-nederland"], sinds=later
    )
    feiten = casus_met_trajecten(VEILIGHEID, vervolg)
    nu = OPGESCHAALD_OP + timedelta(days=400)
    # casusoverleg's 365 days have passed; the follow-on purpose's 730 days count from its own opening.
    overleg = decide(
        beleid=beleid(), partner_id="politie-oost-nederland", doel="casusoverleg", casus=feiten, nu=nu
    )
    assert reden(overleg) is WeigerReden.VENSTER_VERSTREKEN
    onderzoek = decide(
        beleid=beleid(),
        partner_id="politie-oost-nederland",
        doel="strafrechtelijk_onderzoek",
        casus=feiten,
        nu=nu,
    )
    assert onderzoek.toegestaan and onderzoek.venster_tot == later + timedelta(days=730)


@pytest.mark.parametrize(
    ("partner", "doel", "code"),
    [
        ("riec-oost-nedrland", "casusoverleg", WeigerReden.ONBEKENDE_PARTNER),
        ("riec-oost-nederland", "nieuwsgierigheid", WeigerReden.ONBEKEND_DOEL),
        ("comensha", "casusoverleg", WeigerReden.DOEL_NIET_TOEGESTAAN),
        ("belastingdienst", "strafrechtelijk_onderzoek", WeigerReden.DOEL_NIET_TOEGESTAAN),
    ],
)
def test_an_escalation_the_covenant_does_not_allow_is_refused_before_it_is_stored(
    partner: str, doel: str, code: WeigerReden
) -> None:
    uitkomst = toets_opschaling(
        beleid=beleid(), partner_id=partner, doel=doel, vertrouwelijkheidaanduiding="vertrouwelijk", nu=NU
    )
    assert reden(uitkomst) is code


def test_the_escalation_check_allows_every_pair_of_the_policy_and_names_its_rule() -> None:
    for v in VERWACHTINGEN:
        uitkomst = toets_opschaling(
            beleid=beleid(), partner_id=v.partner, doel=v.doel,
            vertrouwelijkheidaanduiding=v.max_vertrouwelijkheid.value, nu=NU,
        )  # fmt: skip
        # Consent is judged at each disclosure, not when CoMensha is given a track.
        assert uitkomst.toegestaan and uitkomst.regel_id == v.regel, v.id
    te_hoog = toets_opschaling(
        beleid=beleid(), partner_id="riec-oost-nederland", doel="casusoverleg",
        vertrouwelijkheidaanduiding="geheim", nu=NU,
    )  # fmt: skip
    assert reden(te_hoog) is WeigerReden.VERTROUWELIJKHEID_TE_HOOG
    assert te_hoog.regel_id == "casusoverleg-riec-politie"
