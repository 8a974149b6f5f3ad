"""The dashboard of the policy officer and the attention officer: reporting's published figures as tables.

Behind the werkplek's login, so nobody pastes a token: the policy officer's login token is for reporting's
audience, the attention officer's is exchanged for it once (:func:`werkplek.web.met_token`). One published
period at a time (a GET form lists the published months, quarters and years); every figure is shown as the
publication gives it: a count, 0, or withheld (`x`, explained on the page). Nothing is computed here beyond
layout: totals are reporting's own cells, not sums. The page holds only anonymous aggregates.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from werkplek.dienst import DienstFout
from werkplek.paginas import pagina
from werkplek.partner import catalogus
from werkplek.reporting import DIENST as REPORTING
from werkplek.reporting import Reporting
from werkplek.sessies import Sessie
from werkplek.web import _ingelogd, met_token

router = APIRouter(include_in_schema=False)

LEZEN = "statistieken:lezen"
_PERIODE = re.compile(r"^(20\d{2})(?:-(0[1-9]|1[0-2])|-K([1-4]))?$")
_MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
            "oktober", "november", "december")  # fmt: skip
#: The kinds of period, in the order the chooser offers them.
SOORTEN = {"kwartaal": "Kwartalen", "maand": "Maanden", "jaar": "Jaren"}
#: The catalogue list of each dimension reporting groups by.
LIJSTEN = {
    "gemeente": "gemeenten",
    "uitbuitingsvorm": "uitbuitingsvormen",
    "melderDomein": "melderdomeinen",
    "uitkomst": "uitkomsten",
    "sector": "sectoren",
    "locatietype": "locatietypen",
    "terugkoppeling": "terugkoppelingen",
}
DIMENSIENAMEN = {
    "uitbuitingsvorm": "Uitbuitingsvorm",
    "sector": "Sector",
    "locatietype": "Soort plek",
    "melderDomein": "Domein van de melder",
    "uitkomst": "Beoordeling",
}
#: Kinds of deadline of intake's deadline policy.
TERMIJNSOORTEN = {"triage": "Triage", "advies": "Advies", "bedenktijd": "Bedenktijd"}
#: The final decisions the shares are over, in the order reporting names them.
EINDUITKOMSTEN = ("opgeschaald", "afgesloten_geen_mensenhandel", "doorverwezen_ander_domein")
INDICATOREN = {
    "signalen": ("Signalen", "aantal"),
    "opgeschaald": ("Opgeschaalde signalen", "aantal"),
    "aandeelOpgeschaald": ("Aandeel opgeschaald (%)", "aandeel"),
    "mediaanDoorlooptijdDagen": ("Mediaan dagen tot beoordeling", "aantal"),
    "terugkoppelingen": ("Terugkoppelingen van partners", "aantal"),
    "mediaanDagenTotEersteTerugkoppeling": ("Mediaan dagen tot een eerste terugkoppeling", "aantal"),
}


@dataclass(frozen=True)
class Cijfer:
    """One figure as shown: its text, and whether the publication withholds it (or has none to give)."""

    tekst: str
    onderdrukt: bool = False
    geen: bool = False


ONDERDRUKT = Cijfer("x", onderdrukt=True)
GEEN = Cijfer("–", geen=True)
NUL = Cijfer("0")


@dataclass
class Tabel:
    """A table of the page: caption, the header of the row headers, column headers, rows and a total row."""

    id: str
    titel: str
    uitleg: str
    rijkop: str
    kolommen: list[str]
    rijen: list[tuple[str, list[Cijfer]]] = field(default_factory=list)
    voet: tuple[str, list[Cijfer]] | None = None


# --- periods -------------------------------------------------------------------------------------


def soort_van(periode: str) -> str:
    if len(periode) == 4:
        return "jaar"
    return "kwartaal" if "K" in periode else "maand"


def bereik_van(periode: str) -> tuple[str, str, str]:
    """A published period's kind and its first and last month: `2026-K2` → (`kwartaal`, `2026-04`, `2026-06`)."""
    gevonden = _PERIODE.match(periode)
    assert gevonden, periode
    jaar, maand, kwartaal = gevonden.groups()
    if maand:
        return "maand", f"{jaar}-{maand}", f"{jaar}-{maand}"
    if kwartaal:
        eerste = (int(kwartaal) - 1) * 3 + 1
        return "kwartaal", f"{jaar}-{eerste:02d}", f"{jaar}-{eerste + 2:02d}"
    return "jaar", f"{jaar}-01", f"{jaar}-12"


def periodenaam(periode: str) -> str:
    """`2026-K2` → `2e kwartaal 2026`, `2026-03` → `maart 2026`, `2026` → `2026`."""
    soort = soort_van(periode)
    if soort == "kwartaal":
        return f"{periode[-1]}e kwartaal {periode[:4]}"
    if soort == "maand":
        return f"{_MAANDEN[int(periode[5:7]) - 1]} {periode[:4]}"
    return periode


async def _gepubliceerd(reporting: Reporting, sessie: Sessie) -> dict[str, list[str]]:
    """The published periods of each kind in reporting's default range (the last two years), newest first."""
    antwoorden = await asyncio.gather(*(reporting.signalen(sessie=sessie, periode=s) for s in SOORTEN))
    return {
        soort: sorted(antwoord.get("gepubliceerdePerioden", []), reverse=True)
        for soort, antwoord in zip(SOORTEN, antwoorden, strict=True)
    }


# --- figures -------------------------------------------------------------------------------------


def _getal(aantal: float | None) -> Cijfer:
    if aantal is None:
        return ONDERDRUKT
    return Cijfer(_nl(aantal))


def _nl(waarde: float) -> str:
    if float(waarde).is_integer():
        return str(int(waarde))
    return f"{waarde:.1f}".replace(".", ",")


def _procent(aandeel: float | None) -> Cijfer:
    return ONDERDRUKT if aandeel is None else Cijfer(f"{aandeel * 100:.1f}".replace(".", ","))


def _labels(dimensie: str) -> dict[str, str]:
    if dimensie == "termijn":
        return TERMIJNSOORTEN
    lijst = catalogus().get(LIJSTEN.get(dimensie, ""), [])
    return {item["code"]: item["label"] for item in lijst}


def _codes(dimensie: str, gezien: Iterable[str]) -> list[str]:
    """The codes seen, in the catalogue's order; a code the catalogue does not know comes last, as it is."""
    volgorde = list(_labels(dimensie))
    gezien = set(gezien)
    return [c for c in volgorde if c in gezien] + sorted(gezien - set(volgorde))


def _label(dimensie: str, code: str | None) -> str:
    return _labels(dimensie).get(code or "", code or "")


def _totaal(tabel: dict[str, Any], periode: str, dimensie: str | None, waarde: str | None) -> Cijfer | None:
    for totaal in tabel.get("totalen", []):
        if totaal["periode"] == periode and totaal["dimensie"] == dimensie and totaal["waarde"] == waarde:
            return ONDERDRUKT if totaal["onderdrukt"] else _getal(totaal["aantal"])
    return None


def eenweg(
    tabel: dict[str, Any], periode: str, dimensie: str, *, id: str, titel: str, uitleg: str, rijkop: str,
    kolom: str = "Signalen", alle: bool = True,
) -> Tabel:  # fmt: skip
    """A table of one dimension: a value it does not list counted nothing (0); a small count is withheld."""
    cellen = {c["waarden"][dimensie]: c for c in tabel.get("cellen", []) if c["periode"] == periode}
    codes = _codes(dimensie, [*(_labels(dimensie) if alle else []), *cellen])
    rijen = []
    for code in codes:
        cel = cellen.get(code)
        rijen.append((_label(dimensie, code), [NUL if cel is None else _getal(cel["aantal"])]))
    totaal = _totaal(tabel, periode, None, None)
    return Tabel(id=id, titel=titel, uitleg=uitleg, rijkop=rijkop, kolommen=[kolom], rijen=rijen,
                 voet=("Totaal", [totaal]) if totaal else None)  # fmt: skip


def kruis(
    tabel: dict[str, Any], periode: str, rij: str, kolom: str, *, id: str, titel: str, uitleg: str
) -> Tabel:
    """A table of two dimensions: it lists only counts of at least the threshold, so a cell it does not list is
    withheld (0 included). Its margins are tables of one dimension: a value they do not list is 0, and a value
    with a margin of 0 has no cells, so it is left out."""
    cellen = {
        (c["waarden"][rij], c["waarden"][kolom]): c
        for c in tabel.get("cellen", [])
        if c["periode"] == periode
    }
    randen = [t for t in tabel.get("totalen", []) if t["periode"] == periode]
    rijcodes = _codes(rij, [t["waarde"] for t in randen if t["dimensie"] == rij] + [r for r, _ in cellen])
    kolomcodes = _codes(
        kolom, [t["waarde"] for t in randen if t["dimensie"] == kolom] + [k for _, k in cellen]
    )
    rijen = []
    for r in rijcodes:
        waarden = [_getal(cellen[(r, k)]["aantal"]) if (r, k) in cellen else ONDERDRUKT for k in kolomcodes]
        rijen.append((_label(rij, r), [*waarden, _totaal(tabel, periode, rij, r) or NUL]))
    voet = [_totaal(tabel, periode, kolom, k) or NUL for k in kolomcodes]
    voet.append(_totaal(tabel, periode, None, None) or NUL)
    return Tabel(
        id=id, titel=titel, uitleg=uitleg, rijkop=DIMENSIENAMEN.get(rij, rij.capitalize()),
        kolommen=[*(_label(kolom, k) for k in kolomcodes), "Totaal"], rijen=rijen,
        voet=("Totaal", voet) if rijen else None,
    )  # fmt: skip


def _beoordelingen(evaluatie: dict[str, Any], periode: str) -> Tabel:
    cellen = {
        c["waarden"]["uitkomst"]: c for c in evaluatie["uitkomsten"]["cellen"] if c["periode"] == periode
    }
    aandelen = {a["uitkomst"]: a for a in evaluatie["aandelen"] if a["periode"] == periode}
    rijen = []
    for code in EINDUITKOMSTEN:
        cel, aandeel = cellen.get(code), aandelen.get(code)
        rijen.append(
            (
                _label("uitkomst", code),
                [
                    NUL if cel is None else _getal(cel["aantal"]),
                    GEEN
                    if aandeel is None
                    else _procent(None if aandeel["onderdrukt"] else aandeel["aandeel"]),
                ],
            )
        )
    return Tabel(
        id="beoordelingen", titel="Afgeronde beoordelingen",
        uitleg="Het aandeel is het gepubliceerde aantal gedeeld door de som van de drie gepubliceerde aantallen; "
        "het wordt alleen gegeven als alle drie getoond worden.",
        rijkop="Beoordeling", kolommen=["Aantal", "Aandeel (%)"], rijen=rijen,
    )  # fmt: skip


def _doorlooptijd(evaluatie: dict[str, Any], periode: str, drempel: int) -> Tabel:
    tijd = next((t for t in evaluatie["doorlooptijden"] if t["periode"] == periode), None)

    def maat(sleutel: str) -> Cijfer:
        if tijd is None:
            return GEEN
        return ONDERDRUKT if tijd["onderdrukt"] else _getal(tijd[sleutel])

    return Tabel(
        id="doorlooptijd", titel="Dagen van signaal tot beoordeling",
        uitleg=f"Mediaan en 90e percentiel, alleen over minstens {drempel} afgeronde beoordelingen.",
        rijkop="Maat", kolommen=["Dagen"],
        rijen=[("Mediaan", [maat("mediaanDagen")]), ("90e percentiel", [maat("p90Dagen")])],
    )  # fmt: skip


def _eerste_terugkoppelingen(evaluatie: dict[str, Any], periode: str, drempel: int) -> Tabel:
    eerste = evaluatie["eersteTerugkoppelingen"]
    cellen = {c["waarden"]["gemeente"]: c for c in eerste["cellen"] if c["periode"] == periode}
    aandelen = {
        a["gemeente"]: a
        for a in evaluatie["terugkoppelingAandelen"]
        if a["periode"] == periode and a["terugkoppeling"] is None
    }
    tijden = {t["gemeente"]: t for t in evaluatie["doorlooptijdenTerugkoppeling"] if t["periode"] == periode}
    gemeenten = _codes("gemeente", [*cellen, *(g for g in aandelen if g), *(g for g in tijden if g)])

    def regel(gemeente: str | None) -> list[Cijfer]:
        if gemeente is None:
            aantal = _totaal(eerste, periode, None, None) or NUL
        else:
            cel = cellen.get(gemeente)
            aantal = NUL if cel is None else _getal(cel["aantal"])
        aandeel, tijd = aandelen.get(gemeente), tijden.get(gemeente)
        return [
            aantal,
            GEEN if aandeel is None else _procent(None if aandeel["onderdrukt"] else aandeel["aandeel"]),
            GEEN if tijd is None else (ONDERDRUKT if tijd["onderdrukt"] else _getal(tijd["mediaanDagen"])),
            GEEN if tijd is None else (ONDERDRUKT if tijd["onderdrukt"] else _getal(tijd["p90Dagen"])),
        ]

    return Tabel(
        id="eerste-terugkoppelingen", titel="Casussen met een eerste terugkoppeling",
        uitleg="Het aandeel is het gepubliceerde aantal gedeeld door de gepubliceerde opschalingen van dezelfde "
        "periode (een terugkoppeling kan bij een eerdere opschaling horen, dus boven 100 is mogelijk). De dagen van "
        f"opschaling tot eerste terugkoppeling alleen bij minstens {drempel + 4} gepubliceerde eerste "
        "terugkoppelingen.",
        rijkop="Gebied",
        kolommen=["Casussen", "Aandeel van de opschalingen (%)", "Mediaan dagen", "90e percentiel dagen"],
        rijen=[("Regio", regel(None)), *((_label("gemeente", g), regel(g)) for g in gemeenten)],
    )  # fmt: skip


def _terugkoppeling_aandelen(evaluatie: dict[str, Any], periode: str) -> Tabel:
    aandelen = {
        (a["gemeente"], a["terugkoppeling"]): a
        for a in evaluatie["terugkoppelingAandelen"]
        if a["periode"] == periode and a["terugkoppeling"] is not None
    }
    codes = _codes("terugkoppeling", [k for _, k in aandelen])
    gemeenten = _codes("gemeente", [g for g, _ in aandelen if g])

    def regel(gemeente: str | None) -> list[Cijfer]:
        uit = []
        for code in codes:
            a = aandelen.get((gemeente, code))
            uit.append(GEEN if a is None else _procent(None if a["onderdrukt"] else a["aandeel"]))
        return uit

    return Tabel(
        id="terugkoppeling-aandelen", titel="Terugkoppelingen per soort als aandeel van de opschalingen (%)",
        uitleg="Gepubliceerde terugkoppelingen van een soort gedeeld door de gepubliceerde opschalingen van "
        "dezelfde periode.",
        rijkop="Gebied", kolommen=[_label("terugkoppeling", c) for c in codes],
        rijen=[("Regio", regel(None)), *((_label("gemeente", g), regel(g)) for g in gemeenten)] if codes else [],
    )  # fmt: skip


def _vergelijking(evaluatie: dict[str, Any]) -> Tabel | None:
    vergelijking = evaluatie.get("vergelijking")
    if not vergelijking:
        return None
    rijen = []
    for regel in vergelijking["indicatoren"]:
        naam, soort = INDICATOREN.get(regel["indicator"], (regel["indicator"], "aantal"))
        omzetten = _procent if soort == "aandeel" else _getal
        rijen.append(
            (naam, [omzetten(regel["huidig"]), omzetten(regel["vorig"]), omzetten(regel["verschil"])])
        )
    return Tabel(
        id="vergelijking", titel="Deze periode naast de vorige",
        uitleg="Het verschil wordt alleen gegeven als beide cijfers getoond worden.",
        rijkop="Cijfer",
        kolommen=[periodenaam(vergelijking["huidigePeriode"]), periodenaam(vergelijking["vorigePeriode"]), "Verschil"],
        rijen=rijen,
    )  # fmt: skip


def _intervisie(intervisie: dict[str, Any], periode: str) -> Tabel | None:
    gemeente = intervisie.get("gemeenteCode")
    if not gemeente:
        return None

    def cel(waarde: dict[str, Any] | None) -> Cijfer:
        if waarde is None:
            return GEEN
        return ONDERDRUKT if waarde["onderdrukt"] else _getal(waarde["aantal"])

    rijen = []
    for cijfer in intervisie["cijfers"]:
        if cijfer["periode"] != periode:
            continue
        if cijfer["dimensie"] is None:
            kop = "Alle signalen"
        else:
            kop = f"{DIMENSIENAMEN.get(cijfer['dimensie'], cijfer['dimensie'])}: {_label(cijfer['dimensie'], cijfer['waarde'])}"
        rijen.append((kop, [cel(cijfer["gemeente"]), cel(cijfer["regio"])]))
    return Tabel(
        id="intervisie", titel=f"{_label('gemeente', gemeente)} naast de regio",
        uitleg="Dezelfde gepubliceerde cijfers, ongewijzigd: de regio is het vastgelegde totaal, geen som van "
        "gemeenten. Een cijfer van de gemeente dat de tabel per gemeente niet toont (0 inbegrepen), is hier x. "
        "Beoordelingen tellen besluiten, de andere regels signalen.",
        rijkop="Cijfer", kolommen=[_label("gemeente", gemeente), "Regio"], rijen=rijen,
    )  # fmt: skip


def tabellen(evaluatie: dict[str, Any], periode: str) -> list[Tabel]:
    """The evaluation figures of one period as the page's tables, in the order of the policy plan's questions."""
    drempel = int(evaluatie["drempel"])
    kruisuitleg = (
        "Een tabel van twee dimensies toont alleen aantallen vanaf de drempel: x staat hier ook voor 0. "
        "De totalen zijn zelf gepubliceerde cijfers, geen optelsom."
    )
    uit = [
        kruis(
            evaluatie["vormenPerGemeente"], periode, "gemeente", "uitbuitingsvorm", id="vormen",
            titel="Signalen per gemeente en uitbuitingsvorm",
            uitleg=f"{kruisuitleg} Een signaal met meer vormen telt bij elke vorm.",
        ),
        eenweg(
            evaluatie["melderDomeinen"], periode, "melderDomein", id="domeinen", titel="Signalen per domein van de melder",
            uitleg="Wie signaleert. Een domein dat niet getoond wordt, meldde niets (0).", rijkop="Domein",
        ),
        _beoordelingen(evaluatie, periode),
        _doorlooptijd(evaluatie, periode, drempel),
        kruis(
            evaluatie["sectorenPerGemeente"], periode, "sector", "gemeente", id="sectoren",
            titel="Signalen per sector en gemeente", uitleg=kruisuitleg,
        ),
        kruis(
            evaluatie["terugkoppelingen"], periode, "gemeente", "terugkoppeling", id="terugkoppelingen",
            titel="Terugkoppelingen van partners per gemeente en soort",
            uitleg=f"{kruisuitleg} Een soort telt eenmaal per casus, in de periode waarin ze is vastgelegd.",
        ),
        _eerste_terugkoppelingen(evaluatie, periode, drempel),
        _terugkoppeling_aandelen(evaluatie, periode),
        kruis(
            evaluatie["verstrekenTermijnen"], periode, "gemeente", "termijn", id="termijnen",
            titel="Verstreken termijnen per gemeente en soort", uitleg=kruisuitleg,
        ),
    ]  # fmt: skip
    vergelijking = _vergelijking(evaluatie)
    if vergelijking is not None:
        uit.append(vergelijking)
    return uit


# --- the screen ----------------------------------------------------------------------------------


def _reporting(request: Request) -> Reporting:
    client: Reporting = request.app.state.reporting
    return client


def _keuze(gepubliceerd: dict[str, list[str]], gevraagd: str) -> str | None:
    """The period to show: the one asked for if published; by default the newest quarter, month or year."""
    alle = [p for perioden in gepubliceerd.values() for p in perioden]
    if gevraagd:
        return gevraagd if gevraagd in alle else None
    return next((perioden[0] for perioden in gepubliceerd.values() if perioden), None)


@router.get("/dashboard")
async def dashboard(request: Request) -> Response:
    sessie = await met_token(request, await _ingelogd(request, LEZEN), REPORTING)
    reporting = _reporting(request)
    gevraagd = request.query_params.get("periode", "").strip()
    try:
        gepubliceerd = await _gepubliceerd(reporting, sessie)
        gekozen = _keuze(gepubliceerd, gevraagd)
        evaluatie = intervisie = None
        if gekozen is not None:
            soort, van, tot = bereik_van(gekozen)
            vragen = [reporting.evaluatie(sessie=sessie, periode=soort, van=van, tot=tot)]
            if sessie.gemeente:  # bound to a municipality: the own one next to the region
                vragen.append(reporting.intervisie(sessie=sessie, periode=soort, van=van, tot=tot))
            evaluatie, *rest = await asyncio.gather(*vragen)
            intervisie = rest[0] if rest else None
    except DienstFout as fout:
        return _foutpagina(sessie, fout)
    # A period asked for that is not published is an error at the chooser (there is none while nothing is).
    geen_keuze = gevraagd and gekozen is None and any(gepubliceerd.values())
    fouten = {"periode": ["Kies een gepubliceerde periode."]} if geen_keuze else {}
    zichtbaar = evaluatie is not None and not evaluatie["volledigOnderdrukt"]
    return pagina(
        "dashboard.html",
        status_code=400 if fouten else 200,
        titel="Dashboard",
        sessie=sessie,
        keuzes=[
            (SOORTEN[s], [(p, periodenaam(p)) for p in perioden]) for s, perioden in gepubliceerd.items()
        ],
        gekozen=gekozen,
        periodenaam=periodenaam(gekozen) if gekozen else "",
        fouten=fouten,
        drempel=evaluatie["drempel"] if evaluatie else None,
        volledig_onderdrukt=evaluatie is not None and evaluatie["volledigOnderdrukt"],
        tabellen=tabellen(evaluatie, gekozen) if zichtbaar and evaluatie and gekozen else [],
        intervisie=_intervisie(intervisie, gekozen) if intervisie and gekozen and zichtbaar else None,
    )


def _foutpagina(sessie: Sessie, fout: DienstFout) -> Response:
    if fout.status == 429:
        wacht = f" over {fout.wacht} seconden" if fout.wacht else " straks"
        uitleg = f"Er zijn te veel cijfers opgevraagd. Probeer het{wacht} opnieuw."
    elif fout.status == 403:
        uitleg = "Uw rol mag deze cijfers niet zien."
    else:
        uitleg = "De cijfers konden niet worden opgehaald. Probeer het later opnieuw."
    return pagina(
        "fout.html",
        status_code=502 if fout.status >= 500 else fout.status,
        titel="Dashboard niet beschikbaar",
        uitleg=uitleg,
        sessie=sessie,
    )
