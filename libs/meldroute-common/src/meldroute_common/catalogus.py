"""The versioned code lists (catalogus) that front-ends build their forms from.

intake-api serves the catalogue at `GET /v1/catalogus` and checks every code in a signal against it;
reporting checks every code in an anonymous event against it. Codes are stable identifiers: a code is
never reused with another meaning. Adding codes raises the minor part of `CATALOGUS_VERSIE`; removing or
renaming one raises the major part.

Codes are kebab-case. Two lists keep the spelling the API fixes elsewhere: `leeftijdsklassen` (`<18`,
`18-22`, `23-29`, `30+`, `onbekend`), and `uitkomsten` (the triage statuses, e.g. `in_behandeling`) with
the partners' report lists (`terugkoppelingen`, `geen_vervolg_redenen`, `opvangvormen`,
`bestuurlijke_maatregelen`) in snake_case.
Gemeenten carry their CBS code (`GM` and four digits).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache, cached_property
from typing import Any, Literal, Self, get_args

from pydantic import ConfigDict, Field, model_validator

from meldroute_common.schemas import Schema

#: Version of the code lists, `<major>.<minor>`.
CATALOGUS_VERSIE = "1.1"

Lijst = Literal[
    "uitbuitingsvormen",
    "indicatoren",
    "sectoren",
    "locatietypen",
    "melderdomeinen",
    "doorverwijsdomeinen",
    "leeftijdsklassen",
    "geslachten",
    "nationaliteitsgroepen",
    "uitkomsten",
    "terugkoppelingen",
    "geen_vervolg_redenen",
    "opvangvormen",
    "bestuurlijke_maatregelen",
    "gemeenten",
]
LIJSTEN: tuple[Lijst, ...] = get_args(Lijst)

#: The code for "not known" in every list that has one.
ONBEKEND = "onbekend"

_CODE = re.compile(r"^[a-z0-9<+][a-z0-9_<+-]{0,63}$")
_GEMEENTECODE = re.compile(r"^GM[0-9]{4}$")


class CatalogusItem(Schema):
    """One entry of a code list: a stable code and its Dutch label."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(min_length=1, max_length=64, description="Stable code, sent in requests.")
    label: str = Field(min_length=1, max_length=200, description="Dutch label, shown in forms.")


class Indicator(CatalogusItem):
    """An observable sign of trafficking and the forms of exploitation it points to."""

    uitbuitingsvormen: tuple[str, ...] = Field(
        min_length=1, description="Codes of the forms of exploitation this indicator points to."
    )


class Catalogus(Schema):
    """All code lists in one versioned document; `model_dump(mode="json")` is what front-ends get."""

    # Built in code by attribute name (`geen_vervolg_redenen`), published camelCase (`geenVervolgRedenen`).
    model_config = ConfigDict(frozen=True, extra="forbid", validate_by_name=True)

    versie: str = Field(description="Version of the code lists, `<major>.<minor>`.")
    uitbuitingsvormen: tuple[CatalogusItem, ...]
    indicatoren: tuple[Indicator, ...]
    sectoren: tuple[CatalogusItem, ...]
    locatietypen: tuple[CatalogusItem, ...]
    melderdomeinen: tuple[CatalogusItem, ...]
    doorverwijsdomeinen: tuple[CatalogusItem, ...]
    leeftijdsklassen: tuple[CatalogusItem, ...]
    geslachten: tuple[CatalogusItem, ...]
    nationaliteitsgroepen: tuple[CatalogusItem, ...]
    uitkomsten: tuple[CatalogusItem, ...]
    terugkoppelingen: tuple[CatalogusItem, ...] = Field(
        description="What a partner reports back on a track (terugkoppeling)."
    )
    geen_vervolg_redenen: tuple[CatalogusItem, ...] = Field(
        description="Why a partner takes a track no further (with terugkoppeling geen_vervolg)."
    )
    opvangvormen: tuple[CatalogusItem, ...] = Field(
        description="The kind of shelter arranged (with terugkoppeling opvang_geregeld)."
    )
    bestuurlijke_maatregelen: tuple[CatalogusItem, ...] = Field(
        description="The administrative measure taken (with terugkoppeling bestuurlijke_maatregel)."
    )
    gemeenten: tuple[CatalogusItem, ...]

    @model_validator(mode="after")
    def _controleer(self) -> Catalogus:
        for lijst in LIJSTEN:
            items: tuple[CatalogusItem, ...] = getattr(self, lijst)
            if not items:
                raise ValueError(f"de lijst {lijst} is leeg")
            codes = [item.code for item in items]
            if len(set(codes)) != len(codes):
                raise ValueError(f"de lijst {lijst} bevat een code twee keer")
            patroon = _GEMEENTECODE if lijst == "gemeenten" else _CODE
            for code in codes:
                if not patroon.fullmatch(code):
                    raise ValueError(f"ongeldige code in {lijst}: {code!r}")
        concrete_vormen = {v.code for v in self.uitbuitingsvormen} - {ONBEKEND}
        for indicator in self.indicatoren:
            vormen = indicator.uitbuitingsvormen
            if len(set(vormen)) != len(vormen) or not set(vormen) <= concrete_vormen:
                raise ValueError(f"indicator {indicator.code!r} verwijst naar een onbekende of dubbele vorm")
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A validated copy: pydantic's copy would carry the cached code sets of the original along."""
        velden = {naam: getattr(self, naam) for naam in type(self).model_fields}
        return type(self).model_validate({**velden, **(update or {})})

    @cached_property
    def _codes(self) -> dict[str, frozenset[str]]:
        return {lijst: frozenset(item.code for item in getattr(self, lijst)) for lijst in LIJSTEN}

    @cached_property
    def _labels(self) -> dict[str, dict[str, str]]:
        return {lijst: {item.code: item.label for item in getattr(self, lijst)} for lijst in LIJSTEN}

    def codes(self, lijst: Lijst) -> frozenset[str]:
        """The codes of one list, for fast membership checks."""
        return self._codes[lijst]

    def bevat(self, lijst: Lijst, code: str) -> bool:
        return code in self._codes[lijst]

    def label(self, lijst: Lijst, code: str) -> str:
        """The Dutch label of a code; KeyError when the code is not in the list."""
        return self._labels[lijst][code]

    def onbekende_codes(self, lijst: Lijst, codes: Iterable[str]) -> tuple[str, ...]:
        """The given codes that are not in the list, in the order given (empty when all are known)."""
        bekend = self._codes[lijst]
        return tuple(code for code in codes if code not in bekend)

    @cached_property
    def vingerafdruk(self) -> str:
        """SHA-256 of the serialised catalogue: changes whenever any code or label does (usable as ETag)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


def _items(paren: Iterable[tuple[str, str]]) -> tuple[CatalogusItem, ...]:
    return tuple(CatalogusItem(code=code, label=label) for code, label in paren)


_S, _A, _C, _O = "seksueel", "arbeid", "crimineel", "orgaanverwijdering"
_ALLE = (_S, _A, _C, _O)

UITBUITINGSVORMEN = _items(
    [
        (_S, "Seksuele uitbuiting"),
        (_A, "Arbeidsuitbuiting"),
        (_C, "Criminele uitbuiting"),
        (_O, "Gedwongen orgaanverwijdering"),
        (ONBEKEND, "Onbekend of nog niet te duiden"),
    ]
)

INDICATOREN: tuple[Indicator, ...] = tuple(
    Indicator(code=code, label=label, uitbuitingsvormen=vormen)
    for code, label, vormen in [
        (
            "geen-eigen-identiteitspapieren",
            "Heeft geen eigen identiteitspapieren (in bezit van een ander)",
            _ALLE,
        ),
        ("vervalste-of-geleende-documenten", "Gebruikt vervalste of geleende documenten", (_S, _A, _C)),
        ("woont-op-werkplek", "Woont op de werkplek", (_S, _A)),
        ("veel-personen-ingeschreven-op-een-adres", "Veel personen ingeschreven op één adres", (_S, _A, _C)),
        (
            "slechte-of-overbevolkte-huisvesting",
            "Slechte, onhygiënische of overbevolkte huisvesting",
            (_A, _C),
        ),
        (
            "verblijft-in-slooppand-of-recreatiepark",
            "Verblijft in een slooppand, op een camping of in een recreatiepark",
            (_A, _C),
        ),
        ("huisvesting-via-werkgever", "Huisvesting geregeld door werkgever of tussenpersoon", (_S, _A)),
        (
            "schuld-bij-werkgever-of-tussenpersoon",
            "Heeft een schuld bij werkgever of tussenpersoon (reis, huisvesting, bemiddeling)",
            (_S, _A, _C),
        ),
        ("inhoudingen-op-loon", "Hoge inhoudingen op het loon (huisvesting, vervoer, boetes)", (_A,)),
        ("onderbetaling", "Wordt (ver) onder het minimumloon betaald", (_A,)),
        (
            "geen-toegang-tot-eigen-geld",
            "Heeft geen toegang tot eigen loon, geld of bankrekening",
            (_S, _A, _C),
        ),
        ("geen-arbeidscontract-of-loonstrook", "Heeft geen arbeidscontract of loonstroken", (_A,)),
        ("excessieve-werkuren", "Maakt excessief lange werkdagen met weinig rust", (_S, _A)),
        (
            "onveilige-werkomstandigheden",
            "Werkt zonder beschermende middelen of veiligheidsinstructies",
            (_A,),
        ),
        (
            "werkt-zonder-vereiste-diploma-of-certificaat",
            "Werkt zonder vereiste diploma's, certificaten of gezondheidsverklaring",
            (_A,),
        ),
        ("wordt-gebracht-en-gehaald", "Wordt gebracht en gehaald", (_S, _A, _C)),
        ("bewegingsvrijheid-beperkt", "Kan niet vrij gaan en staan", _ALLE),
        ("ander-voert-het-woord", "Een ander voert het woord of is steeds aanwezig bij contact", _ALLE),
        ("kent-eigen-adres-niet", "Kent het eigen woon- of werkadres niet", (_S, _A, _C)),
        ("spreekt-geen-nederlands-of-engels", "Spreekt geen Nederlands of Engels", _ALLE),
        ("angstig-of-wantrouwend", "Is angstig, schichtig of wantrouwend tegenover instanties", _ALLE),
        ("tekenen-van-mishandeling", "Vertoont tekenen van geweld of mishandeling", _ALLE),
        (
            "verwaarloosde-gezondheid",
            "Verwaarloosde gezondheid of geen toegang tot medische zorg",
            (_S, _A, _C),
        ),
        ("biedt-seksuele-diensten-aan", "Biedt seksuele diensten aan", (_S,)),
        ("advertentie-op-seksadvertentiesite", "Staat met een advertentie op een seksadvertentiesite", (_S,)),
        ("seksuele-diensten-via-webcam", "Verricht seksuele handelingen via een webcam", (_S,)),
        (
            "veel-wisselende-bezoekers",
            "Veel wisselende bezoekers op een adres of hotelkamer, op ongebruikelijke tijden",
            (_S, _C),
        ),
        (
            "afhankelijke-relatie-met-partner",
            "Afhankelijke relatie met een (oudere) partner of vriend die controleert (loverboysignalen)",
            (_S, _C),
        ),
        (
            "plotseling-dure-spullen-of-geld",
            "Heeft plotseling dure spullen of geld zonder verklaring",
            (_S, _C),
        ),
        ("tatoeage-of-merkteken-van-eigendom", "Tatoeage of merkteken dat op 'eigendom' wijst", (_S,)),
        ("minderjarige-betrokken", "Er is een minderjarige betrokken", _ALLE),
        ("ongeoorloofd-schoolverzuim", "Ongeoorloofd schoolverzuim", (_S, _C)),
        ("betrokken-bij-diefstal-of-zakkenrollen", "Betrokken bij diefstal of zakkenrollen", (_C,)),
        ("bedelarij", "Bedelt, mogelijk onder dwang", (_C,)),
        ("drugskoerier-of-smokkel", "Vervoert of smokkelt drugs", (_C,)),
        ("hennepkwekerij-of-drugslab", "Aangetroffen in of bij een hennepkwekerij of drugslab", (_C,)),
        (
            "inkomen-afgedragen-aan-ander",
            "Uitkering, toeslag of inkomen wordt afgedragen aan een ander",
            (_S, _A, _C),
        ),
        (
            "stroman-bij-inschrijving-of-vergunning",
            "Stroman of katvanger bij inschrijving, vergunning of bankrekening",
            (_S, _A, _C),
        ),
        (
            "frequente-wisseling-van-verblijfplaats",
            "Wisselt vaak van verblijfplaats of werkplek",
            (_S, _A, _C),
        ),
        ("recent-operatielitteken", "Recent operatielitteken zonder duidelijke medische reden", (_O,)),
        ("orgaanverkoop-onder-druk", "Spreekt over verkoop of 'donatie' van een orgaan onder druk", (_O,)),
    ]
)

SECTOREN = _items(
    [
        ("agrarisch", "Agrarische sector"),
        ("tuinbouw", "Tuinbouw"),
        ("bouw", "Bouw"),
        ("horeca", "Horeca"),
        ("vleesverwerking", "Vleesverwerking en slachterijen"),
        ("voedselverwerking", "Voedselverwerking"),
        ("schoonmaak", "Schoonmaak"),
        ("uitzendbranche", "Uitzendbranche"),
        ("logistiek-en-transport", "Logistiek en transport"),
        ("binnenvaart", "Binnenvaart"),
        ("autowasstraten", "Autowasstraten"),
        ("schoonheidsverzorging", "Nagelstudio's, massage en schoonheidsverzorging"),
        ("prostitutie", "Prostitutie en seksbranche"),
        ("huishoudelijk-werk", "Huishoudelijk werk en au pair"),
        ("detailhandel", "Detailhandel"),
        ("zorg-en-welzijn", "Zorg en welzijn"),
        ("niet-van-toepassing", "Niet van toepassing (geen werk of sector)"),
        ("overig", "Overig"),
        (ONBEKEND, "Onbekend"),
    ]
)

LOCATIETYPEN = _items(
    [
        ("woning", "Woning"),
        ("hotel", "Hotel"),
        ("vakantiepark-camping", "Vakantiepark of camping"),
        ("bedrijventerrein", "Bedrijventerrein"),
        ("restaurant", "Restaurant"),
        ("nagelsalon", "Nagelsalon"),
        ("massagesalon", "Massagesalon"),
        ("seksinrichting", "Seksinrichting"),
        ("station", "Station"),
        ("boerenerf", "Boerenerf"),
        ("schip", "Schip"),
        ("leegstaand-pand", "Leegstaand pand of slooppand"),
        ("openbare-ruimte", "Openbare ruimte"),
        ("online", "Online"),
        ("overig", "Overig"),
        (ONBEKEND, "Onbekend"),
    ]
)

MELDERDOMEINEN = _items(
    [
        ("balie", "Publieksbalie en klantcontact"),
        ("burgerzaken", "Burgerzaken en adresonderzoek"),
        ("toezicht", "Toezicht en handhaving"),
        ("vergunningen", "Vergunningverlening"),
        ("boa", "Buitengewoon opsporingsambtenaar (boa)"),
        ("leerplicht", "Leerplicht"),
        ("sociaal-domein", "Sociaal domein (werk en inkomen)"),
        ("wijkteam", "Sociaal wijkteam"),
        ("jeugd", "Jeugd en gezin"),
        ("schuldhulpverlening", "Schuldhulpverlening"),
        ("openbare-orde-en-veiligheid", "Openbare orde en veiligheid"),
        ("bestuur", "Bestuur"),
        ("overig", "Overig"),
    ]
)

DOORVERWIJSDOMEINEN = _items(
    [
        ("veilig-thuis", "Veilig Thuis"),
        ("sociaal-wijkteam", "Sociaal wijkteam"),
        ("jeugdhulp", "Jeugdhulp en Centrum voor Jeugd en Gezin"),
        ("schuldhulpverlening", "Schuldhulpverlening"),
        ("maatschappelijke-opvang", "Vrouwenopvang en maatschappelijke opvang"),
        ("ggz-en-verslavingszorg", "GGZ en verslavingszorg"),
        ("werk-en-inkomen", "Werk en inkomen"),
        ("toezicht-en-handhaving", "Gemeentelijk toezicht en handhaving"),
        ("arbeidsinspectie", "Nederlandse Arbeidsinspectie (arbeidsrecht, geen mensenhandel)"),
        ("politie", "Politie (andere strafbare feiten)"),
        ("overig", "Overig"),
    ]
)

LEEFTIJDSKLASSEN = _items(
    [
        ("<18", "Jonger dan 18 jaar"),
        ("18-22", "18 tot en met 22 jaar"),
        ("23-29", "23 tot en met 29 jaar"),
        ("30+", "30 jaar of ouder"),
        (ONBEKEND, "Onbekend"),
    ]
)

GESLACHTEN = _items([("man", "Man"), ("vrouw", "Vrouw"), ("anders", "Anders of X"), (ONBEKEND, "Onbekend")])

NATIONALITEITSGROEPEN = _items(
    [
        ("nl", "Nederlands"),
        ("eu-eer", "EU, EER of Zwitserland (niet Nederlands)"),
        ("buiten-eu-eer", "Buiten EU, EER en Zwitserland (derdelander)"),
        (ONBEKEND, "Onbekend"),
    ]
)

UITKOMSTEN = _items(
    [
        ("in_behandeling", "In behandeling"),
        ("afgesloten_geen_mensenhandel", "Afgesloten: geen mensenhandel"),
        ("doorverwezen_ander_domein", "Doorverwezen naar een ander domein"),
        ("opgeschaald", "Opgeschaald naar partners"),
    ]
)

#: A partner's report on a track. Codes keep the spelling of the statuses (snake_case), like `uitkomsten`.
TERUGKOPPELINGEN = _items(
    [
        ("opgepakt", "Opgepakt door de partner"),
        ("geen_vervolg", "Geen vervolg (met reden)"),
        ("aangifte_gedaan", "Aangifte gedaan"),
        ("opvang_geregeld", "Opvang geregeld"),
        ("bestuurlijke_maatregel", "Bestuurlijke maatregel genomen"),
        ("strafrechtelijk_onderzoek_gestart", "Strafrechtelijk onderzoek gestart"),
        ("afgerond", "Afgerond door de partner"),
    ]
)

GEEN_VERVOLG_REDENEN = _items(
    [
        ("onvoldoende_aanwijzingen", "Onvoldoende aanwijzingen"),
        ("geen_capaciteit", "Geen capaciteit"),
        ("slachtoffer_wil_niet", "Het slachtoffer wil (nog) niet"),
        ("elders_opgepakt", "Elders al opgepakt"),
        ("overig", "Overig"),
    ]
)

#: COSM: categorale opvang slachtoffers mensenhandel, with up to three months of bedenktijd.
OPVANGVORMEN = _items(
    [
        ("cosm", "Categorale opvang slachtoffers mensenhandel (COSM)"),
        ("vrouwenopvang", "Vrouwenopvang"),
        ("jeugdzorg_nidos", "Jeugdzorg of Nidos (minderjarigen)"),
        ("overig", "Overige opvang"),
    ]
)

BESTUURLIJKE_MAATREGELEN = _items(
    [
        ("sluiting", "Sluiting van een pand of bedrijf"),
        ("vergunning_geweigerd", "Vergunning geweigerd"),
        ("vergunning_ingetrokken", "Vergunning ingetrokken"),
        ("bibob", "Bibob-toets"),
        ("overig", "Overige bestuurlijke maatregel"),
    ]
)

#: The eight Achterhoek municipalities with their CBS codes: the default of every installation.
ACHTERHOEK_GEMEENTEN = _items(
    [
        ("GM0197", "Aalten"),
        ("GM1859", "Berkelland"),
        ("GM1876", "Bronckhorst"),
        ("GM0222", "Doetinchem"),
        ("GM1955", "Montferland"),
        ("GM1586", "Oost Gelre"),
        ("GM1509", "Oude IJsselstreek"),
        ("GM0294", "Winterswijk"),
    ]
)
_BEKENDE_NAMEN = {g.code: g.label for g in ACHTERHOEK_GEMEENTEN}

GemeentenInstelling = Mapping[str, str] | Iterable[str | CatalogusItem]


def _gemeenten(gemeenten: GemeentenInstelling) -> tuple[CatalogusItem, ...]:
    if isinstance(gemeenten, str):
        raise TypeError("gemeenten is een lijst, geen losse tekst")
    if isinstance(gemeenten, Mapping):
        return _items(gemeenten.items())
    items: list[CatalogusItem] = []
    for gemeente in gemeenten:
        if isinstance(gemeente, CatalogusItem):
            items.append(gemeente)
            continue
        # A setting names a municipality as "GM1509" (name known here) or "GM0363=Amsterdam".
        code, _, naam = gemeente.partition("=")
        code, naam = code.strip(), naam.strip() or _BEKENDE_NAMEN.get(code.strip(), "")
        if not naam:
            raise ValueError(f"geen naam bekend voor gemeente {code!r}; geef haar op als '{code}=Naam'")
        items.append(CatalogusItem(code=code, label=naam))
    return tuple(items)


def standaard_catalogus(gemeenten: GemeentenInstelling | None = None) -> Catalogus:
    """The catalogue with the built-in code lists and the given municipalities.

    `gemeenten` replaces the default eight Achterhoek municipalities: a mapping of CBS code to name, or
    an iterable of `CatalogusItem`s or of strings `"GM1509"` (a known code) or `"GM0363=Amsterdam"`.
    Raises `ValueError` (or pydantic's `ValidationError`, a subclass) on an invalid or empty list.
    """
    return _bouw(ACHTERHOEK_GEMEENTEN if gemeenten is None else _gemeenten(gemeenten))


@cache
def _bouw(gemeenten: tuple[CatalogusItem, ...]) -> Catalogus:
    return Catalogus(
        versie=CATALOGUS_VERSIE,
        uitbuitingsvormen=UITBUITINGSVORMEN,
        indicatoren=INDICATOREN,
        sectoren=SECTOREN,
        locatietypen=LOCATIETYPEN,
        melderdomeinen=MELDERDOMEINEN,
        doorverwijsdomeinen=DOORVERWIJSDOMEINEN,
        leeftijdsklassen=LEEFTIJDSKLASSEN,
        geslachten=GESLACHTEN,
        nationaliteitsgroepen=NATIONALITEITSGROEPEN,
        uitkomsten=UITKOMSTEN,
        terugkoppelingen=TERUGKOPPELINGEN,
        geen_vervolg_redenen=GEEN_VERVOLG_REDENEN,
        opvangvormen=OPVANGVORMEN,
        bestuurlijke_maatregelen=BESTUURLIJKE_MAATREGELEN,
        gemeenten=gemeenten,
    )


# EU member states (ISO 3166-1 alpha-2) other than the Netherlands, the other EEA states and Switzerland,
# whose nationals Dutch law does not count as third-country nationals (derdelanders).
# fmt: off
_EU_EER_ZWITSERLAND = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "PL", "PT", "RO", "SE", "SI", "SK",  # EU without NL
    "IS", "LI", "NO",  # EEA
    "CH",
})
# fmt: on


def nationaliteitsgroep(nationaliteit: str | None) -> str:
    """The nationality group of an ISO 3166-1 alpha-2 country code (`onbekend` when absent or malformed)."""
    if nationaliteit is None:
        return ONBEKEND
    land = nationaliteit.strip().upper()
    if len(land) != 2 or not land.isascii() or not land.isalpha():
        return ONBEKEND
    if land == "NL":
        return "nl"
    return "eu-eer" if land in _EU_EER_ZWITSERLAND else "buiten-eu-eer"


def leeftijdsklasse(*, geboortedatum: date | None, peildatum: date) -> str:
    """The age band code of someone born on `geboortedatum`, at `peildatum` (`onbekend` without a date)."""
    if geboortedatum is None or geboortedatum > peildatum:
        return ONBEKEND
    leeftijd = peildatum.year - geboortedatum.year
    if (peildatum.month, peildatum.day) < (geboortedatum.month, geboortedatum.day):
        leeftijd -= 1
    if leeftijd < 18:
        return "<18"
    if leeftijd <= 22:
        return "18-22"
    if leeftijd <= 29:
        return "23-29"
    return "30+"
