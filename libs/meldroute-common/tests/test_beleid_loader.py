"""Loading the covenant policy: the shipped example, and invalid policies whose errors name the field."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from meldroute_common.beleid import (
    BeleidFout,
    Categorie,
    Fase,
    PartnerType,
    load_policy,
    validate_policy,
)
from privacy_gateway.config import POLICIES_DIR

# The example policy the gateway ships: the engine is tested against what runs.
BELEID_PAD = POLICIES_DIR / "riec-oost-nederland.yaml"

ACHTERHOEK = {
    "GM0197": "Aalten",
    "GM1859": "Berkelland",
    "GM1876": "Bronckhorst",
    "GM0222": "Doetinchem",
    "GM1955": "Montferland",
    "GM1586": "Oost Gelre",
    "GM1509": "Oude IJsselstreek",
    "GM0294": "Winterswijk",
}
OVERIGE_PARTNERS = {
    "riec-oost-nederland": PartnerType.RIEC,
    "politie-oost-nederland": PartnerType.POLITIE,
    "openbaar-ministerie": PartnerType.OPENBAAR_MINISTERIE,
    "nederlandse-arbeidsinspectie": PartnerType.ARBEIDSINSPECTIE,
    "belastingdienst": PartnerType.BELASTINGDIENST,
    "kmar": PartnerType.KMAR,
    "ind": PartnerType.IND,
    "zorgcoordinatie-noord-oost-gelderland": PartnerType.ZORGCOORDINATIE,
    "comensha": PartnerType.COMENSHA,
}


def data() -> dict[str, Any]:
    geladen = yaml.safe_load(BELEID_PAD.read_text(encoding="utf-8"))
    assert isinstance(geladen, dict)
    return copy.deepcopy(geladen)


def regel_index(d: dict[str, Any], regel_id: str) -> int:
    return next(i for i, r in enumerate(d["regels"]) if r["id"] == regel_id)


# --- the shipped example --------------------------------------------------------------------------


def test_meegeleverd_beleid_laadt() -> None:
    beleid = load_policy(BELEID_PAD)
    assert beleid.versie == "1.0.0"
    assert beleid.geldig_vanaf == date(2026, 1, 1)
    assert "functionaris gegevensbescherming" in beleid.disclaimer
    assert "FG" in beleid.disclaimer
    assert "VOORBEELD" in BELEID_PAD.read_text(encoding="utf-8")


def test_meegeleverd_beleid_noemt_de_partners_van_de_achterhoek() -> None:
    beleid = load_policy(BELEID_PAD)
    afs = {p.gemeente_code: p for p in beleid.partners if p.type is PartnerType.AANDACHTSFUNCTIONARIS}
    assert set(afs) == set(ACHTERHOEK)
    for code, naam in ACHTERHOEK.items():
        assert afs[code].id == f"af-{code.lower()}"
        assert naam in afs[code].naam
    overige = {p.id: p.type for p in beleid.partners if p.type is not PartnerType.AANDACHTSFUNCTIONARIS}
    assert overige == OVERIGE_PARTNERS


def test_meegeleverd_beleid_doelen_en_fasen() -> None:
    beleid = load_policy(BELEID_PAD)
    assert beleid.doel("casusoverleg") is not None
    for doel in beleid.doelen:
        assert doel.grondslag.referentie.strip()
        assert "AVG" in doel.grondslag.referentie
    for regel in beleid.regels:
        # Advice is read while it is asked; every other purpose only once the case is escalated.
        assert regel.fasen == (
            (Fase.ADVIES_GEVRAAGD,) if regel.doelen == ("advies",) else (Fase.OPGESCHAALD,)
        )
        if Categorie.IDENTITEIT in regel.categorieen:
            assert Categorie.IDENTITEIT in regel.vier_ogen


def test_comensha_alleen_registratie_met_toestemming() -> None:
    beleid = load_policy(BELEID_PAD)
    regels = [r for r in beleid.regels if "comensha" in r.partners or PartnerType.COMENSHA in r.partner_typen]
    assert [r.doelen for r in regels] == [("registratie_slachtoffer",)]
    assert all(r.vereist_toestemming for r in regels)


def test_publiceren_geeft_de_yaml_namen_terug() -> None:
    beleid = load_policy(BELEID_PAD)
    gepubliceerd = beleid.model_dump(mode="json")
    assert gepubliceerd["geldigVanaf"] == "2026-01-01"
    assert gepubliceerd["partners"][0]["gemeenteCode"] == "GM0197"
    assert "maxVertrouwelijkheid" in gepubliceerd["regels"][0]
    # Publishing and reading back gives the same policy.
    assert validate_policy(gepubliceerd, bron="gepubliceerd") == beleid


# --- invalid policies name the failing field ------------------------------------------------------


def fout_bij(wijzig: Callable[[dict[str, Any]], None]) -> BeleidFout:
    d = data()
    wijzig(d)
    with pytest.raises(BeleidFout) as info:
        validate_policy(d, bron="test.yaml")
    return info.value


def zet(pad: tuple[str | int, ...], waarde: object) -> Callable[[dict[str, Any]], None]:
    def wijzig(d: dict[str, Any]) -> None:
        doel: Any = d
        for deel in pad[:-1]:
            doel = doel[deel]
        doel[pad[-1]] = waarde

    return wijzig


def verwijder(pad: tuple[str | int, ...]) -> Callable[[dict[str, Any]], None]:
    def wijzig(d: dict[str, Any]) -> None:
        doel: Any = d
        for deel in pad[:-1]:
            doel = doel[deel]
        del doel[pad[-1]]

    return wijzig


ONGELDIG: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("onbekend doel", zet(("regels", 3, "doelen"), ["x"]), "regels[3].doelen[0]: onbekend doel 'x'"),
    (
        "onbekende partner",
        zet(("regels", 1, "partners"), ["kmar", "nep-partner"]),
        "regels[1].partners[1]: onbekende partner 'nep-partner'",
    ),
    (
        "onbekende categorie",
        zet(("regels", 2, "categorieen", 1), "bsn"),
        "regels[2].categorieen[1]: onbekende waarde 'bsn'",
    ),
    (
        "onbekend partnertype",
        zet(("regels", 0, "partnerTypen", 0), "bank"),
        "regels[0].partnerTypen[0]: onbekende waarde",
    ),
    (
        "onbekende fase",
        zet(("regels", 0, "fasen"), ["opgeschaald", "gesloten"]),
        "regels[0].fasen[1]: onbekende waarde",
    ),
    (
        "onbekende vertrouwelijkheid",
        zet(("regels", 0, "maxVertrouwelijkheid"), "geheimpje"),
        "regels[0].maxVertrouwelijkheid: onbekende waarde",
    ),
    ("onbekend veld", zet(("regels", 0, "extraVeld"), 1), "regels[0].extraVeld: onbekend veld"),
    (
        "snake_case veld",
        zet(("regels", 0, "vier_ogen"), ["identiteit"]),
        "regels[0].vier_ogen: onbekend veld",
    ),
    ("ontbrekend veld", verwijder(("partners", 0, "naam")), "partners[0].naam: verplicht veld ontbreekt"),
    ("ontbrekende disclaimer", verwijder(("disclaimer",)), "disclaimer: verplicht veld ontbreekt"),
    ("lege disclaimer", zet(("disclaimer",), ""), "disclaimer: "),
    ("versie geen semver", zet(("versie",), "1.0"), "versie: ongeldige waarde '1.0'"),
    ("versie als getal", zet(("versie",), 1.0), "versie: "),
    (
        "partner-id niet kebab-case",
        zet(("partners", 8, "id"), "RIEC_Oost"),
        "partners[8].id: ongeldige waarde",
    ),
    ("doel-id niet snake_case", zet(("doelen", 0, "id"), "Casus-Overleg"), "doelen[0].id: ongeldige waarde"),
    (
        "dubbel partner-id",
        zet(("partners", 9, "id"), "riec-oost-nederland"),
        "partners[9].id: dubbel id 'riec-oost-nederland' (ook partners[8])",
    ),
    ("dubbel doel-id", zet(("doelen", 1, "id"), "casusoverleg"), "doelen[1].id: dubbel id 'casusoverleg'"),
    ("dubbel regel-id", zet(("regels", 1, "id"), "casusoverleg-riec-politie"), "regels[1].id: dubbel id"),
    (
        "dubbele categorie",
        zet(("regels", 2, "categorieen"), ["kern", "kenmerken", "kern"]),
        "regels[2].categorieen[2]: dubbele waarde 'kern'",
    ),
    (
        "geen partners",
        zet(("regels", 1, "partners"), []),
        "regels[1].partners: noem partners en/of partnerTypen",
    ),
    ("geen categorieen", zet(("regels", 1, "categorieen"), []), "regels[1].categorieen: "),
    (
        "vier ogen buiten categorieen",
        zet(("regels", 1, "vierOgen"), ["identiteit"]),
        "regels[1].vierOgen[0]: 'identiteit' staat niet in categorieen",
    ),
    (
        "identiteit zonder vier ogen",
        zet(("regels", 0, "vierOgen"), []),
        "regels[0].vierOgen: 'identiteit' is toegestaan en moet dan vier ogen vereisen",
    ),
    (
        "venster minderjarigen ruimer",
        zet(("regels", 0, "minderjarigen", "toegangsvensterDagen"), 400),
        "regels[0].minderjarigen.toegangsvensterDagen: 400 is ruimer dan toegangsvensterDagen (365)",
    ),
    (
        "minderjarigen houdt onbekende categorie achter",
        zet(("regels", 1, "minderjarigen", "achterhouden"), ["identiteit"]),
        "regels[1].minderjarigen.achterhouden[0]: 'identiteit' staat niet in categorieen",
    ),
    (
        "minderjarigen zonder beperking",
        zet(("regels", 1, "minderjarigen"), {}),
        "regels[1].minderjarigen: noem achterhouden en/of toegangsvensterDagen",
    ),
    ("venster nul", zet(("regels", 0, "toegangsvensterDagen"), 0), "regels[0].toegangsvensterDagen: "),
    (
        "venster als tekst",
        zet(("regels", 0, "toegangsvensterDagen"), "30"),
        "regels[0].toegangsvensterDagen: ",
    ),
    (
        "toestemming als tekst",
        zet(("regels", 0, "vereistToestemming"), "ja"),
        "regels[0].vereistToestemming: ",
    ),
    (
        "af zonder gemeentecode",
        verwijder(("partners", 0, "gemeenteCode")),
        "partners[0].gemeenteCode: verplicht",
    ),
    (
        "gemeentecode bij politie",
        zet(("partners", 9, "gemeenteCode"), "GM1509"),
        "partners[9].gemeenteCode: alleen toegestaan voor een aandachtsfunctionaris",
    ),
    (
        "ongeldige gemeentecode",
        zet(("partners", 0, "gemeenteCode"), "1509"),
        "partners[0].gemeenteCode: ongeldige",
    ),
    (
        "lidmaatschap eindigt voor begin",
        zet(("partners", 2, "lidmaatschap"), {"van": "2026-05-01", "tot": "2026-05-01"}),
        "partners[2].lidmaatschap.tot: 2026-05-01 ligt niet na van (2026-05-01)",
    ),
    ("datum als getal", zet(("geldigVanaf",), 20260101), "geldigVanaf: verwacht een datum"),
    (
        "datum met tijd",
        zet(("partners", 0, "lidmaatschap", "van"), "2026-01-01T10:00:00"),
        "partners[0].lidmaatschap.van",
    ),
    ("geen regels", zet(("regels",), []), "regels: "),
]


@pytest.mark.parametrize(
    ("wijzig", "verwacht"), [(w, v) for _, w, v in ONGELDIG], ids=[n for n, _, _ in ONGELDIG]
)
def test_ongeldig_beleid_noemt_het_veld(wijzig: Callable[[dict[str, Any]], None], verwacht: str) -> None:
    fout = fout_bij(wijzig)
    assert verwacht in str(fout)
    assert str(fout).startswith("ongeldig beleid test.yaml: ")
    pad = verwacht.split(":")[0]
    assert pad in {p for p, _ in fout.fouten}


def test_overlappende_regels() -> None:
    def wijzig(d: dict[str, Any]) -> None:
        # RIEC already has casusoverleg through its type; naming it again in another rule is ambiguous.
        d["regels"][regel_index(d, "casusoverleg-ind")]["partners"] = ["ind", "riec-oost-nederland"]

    fout = fout_bij(wijzig)
    assert (
        "regels[5]: overlapt met regels[0] ('casusoverleg-riec-politie') voor partner 'riec-oost-nederland', "
        "doel 'casusoverleg', fase 'opgeschaald'" in str(fout)
    )


def test_regels_mogen_elkaar_aanvullen_in_andere_fasen() -> None:
    d = data()
    extra = copy.deepcopy(d["regels"][regel_index(d, "casusoverleg-ind")])
    extra["id"] = "casusoverleg-ind-in-behandeling"
    extra["fasen"] = ["in_behandeling"]
    d["regels"].append(extra)
    beleid = validate_policy(d, bron="test.yaml")
    assert set(beleid.index.regels[("ind", "casusoverleg")]) == {"opgeschaald", "in_behandeling"}


def test_meerdere_fouten_tegelijk() -> None:
    def wijzig(d: dict[str, Any]) -> None:
        d["regels"][3]["doelen"] = ["x"]
        d["regels"][4]["partners"] = ["y"]

    fout = fout_bij(wijzig)
    assert ("regels[3].doelen[0]", "onbekend doel 'x'") in fout.fouten
    assert ("regels[4].partners[0]", "onbekende partner 'y'") in fout.fouten


# --- reading files ---------------------------------------------------------------------------------


def test_laad_beleid_meldt_het_veld(tmp_path: Path) -> None:
    d = data()
    d["regels"][3]["doelen"] = ["x"]
    pad = tmp_path / "beleid.yaml"
    pad.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BeleidFout, match=r"beleid\.yaml: regels\[3\]\.doelen\[0\]: onbekend doel 'x'"):
        load_policy(pad)


def test_dubbele_yaml_sleutel(tmp_path: Path) -> None:
    tekst = BELEID_PAD.read_text(encoding="utf-8").replace(
        'versie: "1.0.0"\n', 'versie: "1.0.0"\nversie: "2.0.0"\n', 1
    )
    pad = tmp_path / "dubbel.yaml"
    pad.write_text(tekst, encoding="utf-8")
    with pytest.raises(BeleidFout, match="dubbele sleutel 'versie'"):
        load_policy(pad)


def test_dubbele_sleutel_diep_in_een_regel(tmp_path: Path) -> None:
    tekst = BELEID_PAD.read_text(encoding="utf-8").replace(
        "    vereistToestemming: true\n", "    vereistToestemming: true\n    vereistToestemming: false\n", 1
    )
    pad = tmp_path / "dubbel.yaml"
    pad.write_text(tekst, encoding="utf-8")
    with pytest.raises(BeleidFout, match="dubbele sleutel 'vereistToestemming'"):
        load_policy(pad)


def test_geen_geldige_yaml(tmp_path: Path) -> None:
    pad = tmp_path / "kapot.yaml"
    pad.write_text("versie: [\n", encoding="utf-8")
    with pytest.raises(BeleidFout, match="geen geldige YAML"):
        load_policy(pad)


def test_onveilige_yaml_tag_wordt_niet_uitgevoerd(tmp_path: Path) -> None:
    pad = tmp_path / "tag.yaml"
    pad.write_text("versie: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(BeleidFout, match="geen geldige YAML"):
        load_policy(pad)


def test_bestand_ontbreekt(tmp_path: Path) -> None:
    with pytest.raises(BeleidFout, match="kan het bestand niet lezen"):
        load_policy(tmp_path / "bestaat-niet.yaml")


def test_geen_mapping(tmp_path: Path) -> None:
    pad = tmp_path / "lijst.yaml"
    pad.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(BeleidFout, match="moet een mapping zijn"):
        load_policy(pad)


def test_beleid_is_onveranderlijk() -> None:
    beleid = load_policy(BELEID_PAD)
    with pytest.raises(ValueError, match="frozen"):
        beleid.regels[0].categorieen = ()  # type: ignore[misc]
