from __future__ import annotations

import json
import re
from datetime import date

import pytest
from meldroute_common.catalogus import (
    ACHTERHOEK_GEMEENTEN,
    CATALOGUS_VERSIE,
    LIJSTEN,
    Catalogus,
    CatalogusItem,
    leeftijdsklasse,
    nationaliteitsgroep,
    standaard_catalogus,
)
from pydantic import ValidationError
from pydantic.alias_generators import to_camel

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def catalogus() -> Catalogus:
    return standaard_catalogus()


def test_every_list_is_filled_and_versioned(catalogus: Catalogus) -> None:
    assert catalogus.versie == CATALOGUS_VERSIE
    assert re.fullmatch(r"[0-9]+\.[0-9]+", catalogus.versie)
    for lijst in LIJSTEN:
        assert catalogus.codes(lijst), lijst


def test_forms_of_exploitation_from_the_policy_plan(catalogus: Catalogus) -> None:
    assert catalogus.codes("uitbuitingsvormen") == {
        "seksueel",
        "arbeid",
        "crimineel",
        "orgaanverwijdering",
        "onbekend",
    }


def test_indicators_are_many_and_each_points_to_concrete_forms(catalogus: Catalogus) -> None:
    assert len(catalogus.indicatoren) >= 25
    concreet = catalogus.codes("uitbuitingsvormen") - {"onbekend"}
    for indicator in catalogus.indicatoren:
        assert indicator.uitbuitingsvormen, indicator.code
        assert set(indicator.uitbuitingsvormen) <= concreet, indicator.code
    # Every concrete form has indicators of its own, so a form never stands without observable signs.
    for vorm in concreet:
        assert any(vorm in i.uitbuitingsvormen for i in catalogus.indicatoren), vorm


@pytest.mark.parametrize(
    ("lijst", "codes"),
    [
        (
            "indicatoren",
            {
                "geen-eigen-identiteitspapieren",
                "woont-op-werkplek",
                "veel-personen-ingeschreven-op-een-adres",
                "schuld-bij-werkgever-of-tussenpersoon",
                "wordt-gebracht-en-gehaald",
                "excessieve-werkuren",
                "onderbetaling",
                "tekenen-van-mishandeling",
                "spreekt-geen-nederlands-of-engels",
                "biedt-seksuele-diensten-aan",
                "minderjarige-betrokken",
            },
        ),
        (
            "sectoren",
            {
                "agrarisch",
                "bouw",
                "horeca",
                "vleesverwerking",
                "schoonmaak",
                "uitzendbranche",
                "voedselverwerking",
                "tuinbouw",
                "prostitutie",
                "overig",
                "onbekend",
            },
        ),
        (
            "locatietypen",
            {
                "woning",
                "hotel",
                "vakantiepark-camping",
                "bedrijventerrein",
                "restaurant",
                "nagelsalon",
                "station",
                "boerenerf",
                "schip",
                "leegstaand-pand",
                "online",
                "overig",
            },
        ),
        (
            "melderdomeinen",
            {
                "balie",
                "toezicht",
                "sociaal-domein",
                "vergunningen",
                "boa",
                "leerplicht",
                "wijkteam",
                "overig",
            },
        ),
        ("doorverwijsdomeinen", {"veilig-thuis", "sociaal-wijkteam"}),
        ("leeftijdsklassen", {"<18", "18-22", "23-29", "30+", "onbekend"}),
        ("nationaliteitsgroepen", {"nl", "eu-eer", "buiten-eu-eer", "onbekend"}),
        ("geslachten", {"man", "vrouw", "onbekend"}),
        (
            "uitkomsten",
            {"in_behandeling", "afgesloten_geen_mensenhandel", "doorverwezen_ander_domein", "opgeschaald"},
        ),
    ],
)
def test_required_codes_are_present(catalogus: Catalogus, lijst: str, codes: set[str]) -> None:
    assert codes <= catalogus.codes(lijst)  # type: ignore[arg-type]


#: Lists whose codes are statuses and outcomes the API spells in snake_case.
SNAKE_CASE_LIJSTEN = {
    "uitkomsten",
    "terugkoppelingen",
    "geen_vervolg_redenen",
    "opvangvormen",
    "bestuurlijke_maatregelen",
}


def test_codes_are_kebab_case_except_where_the_api_fixes_them(catalogus: Catalogus) -> None:
    for lijst in LIJSTEN:
        if lijst in SNAKE_CASE_LIJSTEN | {"leeftijdsklassen", "gemeenten"}:
            continue
        for code in catalogus.codes(lijst):
            assert KEBAB.fullmatch(code), (lijst, code)
    for code in catalogus.codes("uitkomsten"):
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", code)


def test_labels_are_unique_and_not_the_code(catalogus: Catalogus) -> None:
    for lijst in LIJSTEN:
        items: tuple[CatalogusItem, ...] = getattr(catalogus, lijst)
        labels = [item.label for item in items]
        assert len(set(labels)) == len(labels), lijst
        assert all(item.label.strip() and item.label != item.code for item in items), lijst


def test_default_municipalities_are_the_eight_achterhoek_ones(catalogus: Catalogus) -> None:
    assert {g.code: g.label for g in catalogus.gemeenten} == {
        "GM0197": "Aalten",
        "GM1859": "Berkelland",
        "GM1876": "Bronckhorst",
        "GM0222": "Doetinchem",
        "GM1955": "Montferland",
        "GM1586": "Oost Gelre",
        "GM1509": "Oude IJsselstreek",
        "GM0294": "Winterswijk",
    }
    assert catalogus.label("gemeenten", "GM1509") == "Oude IJsselstreek"


def test_membership_and_labels(catalogus: Catalogus) -> None:
    assert catalogus.bevat("sectoren", "agrarisch")
    assert not catalogus.bevat("sectoren", "boerenerf")
    assert catalogus.bevat("locatietypen", "boerenerf")
    assert isinstance(catalogus.codes("sectoren"), frozenset)
    assert catalogus.onbekende_codes(
        "indicatoren", ["onderbetaling", "bestaat-niet", "woont-op-werkplek", "x"]
    ) == (
        "bestaat-niet",
        "x",
    )
    assert catalogus.onbekende_codes("indicatoren", ["onderbetaling"]) == ()
    assert catalogus.label("uitbuitingsvormen", "arbeid") == "Arbeidsuitbuiting"
    with pytest.raises(KeyError):
        catalogus.label("uitbuitingsvormen", "bestaat-niet")


def test_serialises_to_the_json_front_ends_get_and_back(catalogus: Catalogus) -> None:
    data = catalogus.model_dump(mode="json")
    assert set(data) == {"versie", *(to_camel(lijst) for lijst in LIJSTEN)}
    assert "geenVervolgRedenen" in data and "bestuurlijkeMaatregelen" in data
    assert data["sectoren"][0].keys() == {"code", "label"}
    eerste = data["indicatoren"][0]
    assert eerste.keys() == {"code", "label", "uitbuitingsvormen"}
    assert isinstance(eerste["uitbuitingsvormen"], list)
    terug = Catalogus.model_validate(json.loads(json.dumps(data)))
    assert terug == catalogus
    assert terug.codes("indicatoren") == catalogus.codes("indicatoren")


def test_is_frozen(catalogus: Catalogus) -> None:
    with pytest.raises(ValidationError):
        catalogus.versie = "9.9"  # type: ignore[misc]


def test_built_once_per_set_of_municipalities() -> None:
    assert standaard_catalogus() is standaard_catalogus()
    assert standaard_catalogus(["GM1509"]) is standaard_catalogus(["GM1509"])


def test_municipalities_can_be_replaced_by_known_codes() -> None:
    catalogus = standaard_catalogus(["GM1509", "GM0222"])
    assert catalogus.codes("gemeenten") == {"GM1509", "GM0222"}
    assert catalogus.label("gemeenten", "GM0222") == "Doetinchem"
    # Only the municipalities change.
    assert catalogus.codes("sectoren") == standaard_catalogus().codes("sectoren")


def test_municipalities_can_be_named_in_the_setting_or_given_as_mapping_or_items() -> None:
    uit_tekst = standaard_catalogus(["GM0363=Amsterdam", " GM1509 "])
    assert uit_tekst.label("gemeenten", "GM0363") == "Amsterdam"
    assert uit_tekst.label("gemeenten", "GM1509") == "Oude IJsselstreek"
    uit_mapping = standaard_catalogus({"GM0363": "Amsterdam"})
    assert uit_mapping.codes("gemeenten") == {"GM0363"}
    uit_items = standaard_catalogus([CatalogusItem(code="GM0344", label="Utrecht")])
    assert uit_items.label("gemeenten", "GM0344") == "Utrecht"
    assert uit_items.vingerafdruk != standaard_catalogus().vingerafdruk


@pytest.mark.parametrize(
    "gemeenten",
    [
        [],  # empty list
        ["GM0363"],  # unknown code without a name
        ["gm1509=Oude IJsselstreek"],  # not a CBS code
        ["GM15090=Te lang"],
        ["GM1509", "GM1509"],  # twice
        {"1509": "Oude IJsselstreek"},
    ],
)
def test_invalid_municipality_settings_are_refused(gemeenten: list[str] | dict[str, str]) -> None:
    with pytest.raises(ValueError):
        standaard_catalogus(gemeenten)


def test_a_single_string_is_not_taken_for_a_list() -> None:
    with pytest.raises(TypeError):
        standaard_catalogus("GM1509")


def test_catalogue_refuses_duplicates_and_indicators_with_unknown_forms(catalogus: Catalogus) -> None:
    data = catalogus.model_dump(mode="json")
    dubbel = {**data, "sectoren": [*data["sectoren"], data["sectoren"][0]]}
    with pytest.raises(ValidationError, match="twee keer"):
        Catalogus.model_validate(dubbel)
    indicator = {"code": "iets", "label": "Iets", "uitbuitingsvormen": ["onbekend"]}
    with pytest.raises(ValidationError, match="onbekende of dubbele vorm"):
        Catalogus.model_validate({**data, "indicatoren": [indicator]})
    with pytest.raises(ValidationError, match="ongeldige code"):
        Catalogus.model_validate({**data, "sectoren": [{"code": "Met Spatie", "label": "x"}]})
    with pytest.raises(ValidationError, match="leeg"):
        Catalogus.model_validate({**data, "geslachten": []})


def test_fingerprint_follows_content(catalogus: Catalogus) -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", catalogus.vingerafdruk)
    assert catalogus.vingerafdruk == Catalogus.model_validate(catalogus.model_dump()).vingerafdruk
    gewijzigd = catalogus.model_copy(update={"versie": "9.9"})
    assert gewijzigd.vingerafdruk != catalogus.vingerafdruk


@pytest.mark.parametrize(
    ("land", "groep"),
    [
        ("NL", "nl"),
        ("nl", "nl"),
        ("PL", "eu-eer"),
        ("RO", "eu-eer"),
        ("NO", "eu-eer"),
        ("CH", "eu-eer"),
        ("NG", "buiten-eu-eer"),
        ("UG", "buiten-eu-eer"),
        ("GB", "buiten-eu-eer"),
        ("UA", "buiten-eu-eer"),
        (None, "onbekend"),
        ("", "onbekend"),
        ("NLD", "onbekend"),
        ("1A", "onbekend"),
    ],
)
def test_nationality_groups(land: str | None, groep: str) -> None:
    assert nationaliteitsgroep(land) == groep
    assert groep in standaard_catalogus().codes("nationaliteitsgroepen")


@pytest.mark.parametrize(
    ("geboren", "klasse"),
    [
        (date(2008, 10, 2), "<18"),  # 18 tomorrow
        (date(2008, 10, 1), "18-22"),  # 18 today
        (date(2003, 10, 2), "18-22"),
        (date(2003, 10, 1), "23-29"),
        (date(1996, 10, 2), "23-29"),
        (date(1996, 10, 1), "30+"),
        (date(1950, 1, 1), "30+"),
        (None, "onbekend"),
        (date(2027, 1, 1), "onbekend"),  # after the reference date
    ],
)
def test_age_bands_follow_the_policy_plan(geboren: date | None, klasse: str) -> None:
    assert leeftijdsklasse(geboortedatum=geboren, peildatum=date(2026, 10, 1)) == klasse
    assert klasse in standaard_catalogus().codes("leeftijdsklassen")


def test_age_band_on_29_february() -> None:
    assert leeftijdsklasse(geboortedatum=date(2008, 2, 29), peildatum=date(2026, 2, 28)) == "<18"
    assert leeftijdsklasse(geboortedatum=date(2008, 2, 29), peildatum=date(2026, 3, 1)) == "18-22"


def test_achterhoek_constant_matches_the_default() -> None:
    assert standaard_catalogus().gemeenten == ACHTERHOEK_GEMEENTEN


def test_a_copy_is_validated_and_does_not_keep_stale_code_sets(catalogus: Catalogus) -> None:
    assert "GM1509" in catalogus.codes("gemeenten")  # fill the cache of the original
    ander = catalogus.model_copy(update={"gemeenten": standaard_catalogus(["GM0363=Amsterdam"]).gemeenten})
    assert ander.codes("gemeenten") == {"GM0363"}
    assert catalogus.codes("gemeenten") == {g.code for g in ACHTERHOEK_GEMEENTEN}
    with pytest.raises(ValidationError):
        catalogus.model_copy(update={"sectoren": ()})


def test_snake_case_lists_are_snake_case(catalogus: Catalogus) -> None:
    for lijst in SNAKE_CASE_LIJSTEN:
        for code in catalogus.codes(lijst):
            assert re.fullmatch(r"^[a-z0-9]+(_[a-z0-9]+)*$", code), (lijst, code)
