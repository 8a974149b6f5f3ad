"""CSV versions of the published statistics: Dutch column names, and a trailing comment line on what was withheld."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from reporting.statistieken.schemas import Evaluatie, Signalen, Tabel

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
TOTAAL = "totaal"


def wil_csv(accept: str | None) -> bool:
    """Whether the Accept header asks for CSV (JSON stays the default)."""
    return any(deel.split(";")[0].strip().lower() == "text/csv" for deel in (accept or "").split(","))


def _schrijf(kop: Sequence[str], rijen: Iterable[Sequence[object]], slot: str) -> str:
    uit = io.StringIO()
    schrijver = csv.writer(uit, lineterminator="\r\n")
    schrijver.writerow(kop)
    schrijver.writerows(rijen)
    uit.write(f"# {slot}\r\n")
    return uit.getvalue()


def _ja_nee(waarde: bool) -> str:
    return "ja" if waarde else "nee"


def _leeg(waarde: object) -> object:
    return "" if waarde is None else waarde


def _samenvatting(*, primair: list[int], totalen: list[int], drempel: int) -> str:
    if not (primair or totalen):
        return f"Niets onderdrukt. Aantallen zijn verstoord met hoogstens 4; geen gepubliceerd aantal ligt onder {drempel}."
    delen = []
    if primair:
        delen.append(f"rij {_lijst(primair)} primair (klein aantal, onder {drempel} na verstoring)")
    if totalen:
        delen.append(f"rij {_lijst(totalen)} totaal (klein aantal, onder {drempel} na verstoring)")
    return "Onderdrukt: " + "; ".join(delen) + ". Rijen tellen vanaf 1 onder de kop."


def _lijst(nummers: list[int]) -> str:
    return ", ".join(str(n) for n in nummers)


def _geheel_onderdrukt(drempel: int) -> str:
    return (
        "Het hele antwoord is onderdrukt: het rust op te weinig gebeurtenissen (minimale populatie); "
        f"drempel {drempel}."
    )


def _tabelrijen(tabel: Tabel) -> tuple[list[list[object]], list[int], list[int]]:
    dims = tabel.groeperen_op
    rijen: list[list[object]] = []
    primair: list[int] = []
    totalen: list[int] = []
    for cel in tabel.cellen:
        rijen.append(
            [
                "cel",
                cel.periode,
                *(cel.waarden[d] for d in dims),
                _leeg(cel.aantal),
                _ja_nee(cel.onderdrukt),
                cel.reden or "",
            ]
        )
        if cel.reden == "primair":
            primair.append(len(rijen))
    for totaal in tabel.totalen:
        waarden = [totaal.waarde if d == totaal.dimensie else TOTAAL for d in dims]
        rijen.append(
            ["totaal", totaal.periode, *waarden, _leeg(totaal.aantal), _ja_nee(totaal.onderdrukt), ""]
        )
        if totaal.onderdrukt:
            totalen.append(len(rijen))
    return rijen, primair, totalen


def signalen_csv(antwoord: Signalen) -> str:
    """One row per cell, then one per total (`totaal` in the dimensions it sums over)."""
    kop = ["soort", "periode", *antwoord.groeperen_op, "aantal", "onderdrukt", "reden"]
    if antwoord.volledig_onderdrukt:
        return _schrijf(kop, [], _geheel_onderdrukt(antwoord.drempel))
    rijen, primair, totalen = _tabelrijen(antwoord)
    return _schrijf(kop, rijen, _samenvatting(primair=primair, totalen=totalen, drempel=antwoord.drempel))


def evaluatie_csv(antwoord: Evaluatie) -> str:
    """Long format: one row per figure, `groep` as `dimensie=waarde|…`, `maat` naming what is measured."""
    kop = ["onderdeel", "periode", "groep", "maat", "waarde", "onderdrukt", "reden"]
    if antwoord.volledig_onderdrukt:
        return _schrijf(kop, [], _geheel_onderdrukt(antwoord.drempel))
    rijen: list[list[object]] = []
    primair: list[int] = []
    totalen: list[int] = []
    tabellen = {
        "melderdomeinen": antwoord.melder_domeinen,
        "gemeenten": antwoord.gemeenten,
        "vormen_over_tijd": antwoord.vormen_over_tijd,
        "uitkomsten": antwoord.uitkomsten,
        "vormen_per_gemeente": antwoord.vormen_per_gemeente,
        "sectoren_per_gemeente": antwoord.sectoren_per_gemeente,
        "terugkoppelingen": antwoord.terugkoppelingen,
        "eerste_terugkoppelingen": antwoord.eerste_terugkoppelingen,
        "verstreken_termijnen": antwoord.verstreken_termijnen,
    }
    for onderdeel, tabel in tabellen.items():
        for cel in tabel.cellen:
            groep = "|".join(f"{d}={cel.waarden[d]}" for d in tabel.groeperen_op)
            rijen.append(
                [
                    onderdeel,
                    cel.periode,
                    groep,
                    "aantal",
                    _leeg(cel.aantal),
                    _ja_nee(cel.onderdrukt),
                    cel.reden or "",
                ]
            )
            if cel.reden == "primair":
                primair.append(len(rijen))
        for totaal in tabel.totalen:
            groep = TOTAAL if totaal.dimensie is None else f"{totaal.dimensie}={totaal.waarde}|{TOTAAL}"
            rijen.append(
                [
                    onderdeel,
                    totaal.periode,
                    groep,
                    "totaal",
                    _leeg(totaal.aantal),
                    _ja_nee(totaal.onderdrukt),
                    "",
                ]
            )
            if totaal.onderdrukt:
                totalen.append(len(rijen))
    afgeleid: list[int] = []
    for aandeel in antwoord.aandelen:
        rijen.append(
            ["aandelen", aandeel.periode, f"uitkomst={aandeel.uitkomst}", "aandeel", _leeg(aandeel.aandeel),
             _ja_nee(aandeel.onderdrukt), ""]
        )  # fmt: skip
        if aandeel.onderdrukt:
            afgeleid.append(len(rijen))
    for tijd in antwoord.doorlooptijden:
        for maat, dagen in (("mediaan_dagen", tijd.mediaan_dagen), ("p90_dagen", tijd.p90_dagen)):
            rijen.append(
                ["doorlooptijden", tijd.periode, "", maat, _leeg(dagen), _ja_nee(tijd.onderdrukt), ""]
            )
            if tijd.onderdrukt:
                afgeleid.append(len(rijen))
    for deel in antwoord.terugkoppeling_aandelen:
        groep = "|".join(
            [*([f"gemeente={deel.gemeente}"] if deel.gemeente else []),
             f"terugkoppeling={deel.terugkoppeling or 'eerste'}"]
        )  # fmt: skip
        rijen.append(
            ["terugkoppeling_aandelen", deel.periode, groep, "aandeel_van_opschalingen", _leeg(deel.aandeel),
             _ja_nee(deel.onderdrukt), ""]
        )  # fmt: skip
        if deel.onderdrukt:
            afgeleid.append(len(rijen))
    for terug_tijd in antwoord.doorlooptijden_terugkoppeling:
        groep = f"gemeente={terug_tijd.gemeente}" if terug_tijd.gemeente else ""
        for maat, dagen in (("mediaan_dagen", terug_tijd.mediaan_dagen), ("p90_dagen", terug_tijd.p90_dagen)):
            rijen.append(
                ["doorlooptijden_terugkoppeling", terug_tijd.periode, groep, maat, _leeg(dagen),
                 _ja_nee(terug_tijd.onderdrukt), ""]
            )  # fmt: skip
            if terug_tijd.onderdrukt:
                afgeleid.append(len(rijen))
    if antwoord.vergelijking:
        v = antwoord.vergelijking
        for regel in v.indicatoren:
            for periode, maat, waarde in (
                (v.huidige_periode, "huidig", regel.huidig),
                (v.vorige_periode, "vorig", regel.vorig),
                (v.huidige_periode, "verschil", regel.verschil),
            ):
                rijen.append(
                    [
                        "vergelijking",
                        periode,
                        regel.indicator,
                        maat,
                        _leeg(waarde),
                        _ja_nee(waarde is None),
                        "",
                    ]
                )
    slot = _samenvatting(primair=primair, totalen=totalen, drempel=antwoord.drempel)
    if afgeleid:
        slot += (
            f" Aandelen en doorlooptijden op rij {_lijst(afgeleid)} ontbreken: ze rusten op onderdrukte aantallen, "
            f"op geen opschalingen of op te weinig beoordelingen of terugkoppelingen (minder dan {antwoord.drempel})."
        )
    return _schrijf(kop, rijen, slot)
