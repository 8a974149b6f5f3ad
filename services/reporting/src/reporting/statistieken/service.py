"""Count events in SQL (GROUP BY), then apply disclosure control before anything leaves the service."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from meldroute_common.gebeurtenissen import GebeurtenisType
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.gebeurtenissen.models import GebeurtenisRij, GebeurtenisVorm
from reporting.perioden import Periode, maand_plus, periode_van, vorige_periode_begin
from reporting.statistieken.onderdrukking import BeschermdeTabel, onderdruk
from reporting.statistieken.schemas import (
    Aandeel,
    Cel,
    Doorlooptijd,
    Evaluatie,
    Signalen,
    Tabel,
    Totaal,
    Vergelijking,
    Vergelijkingsregel,
)

#: The grouping dimensions and the column each one groups by.
DIMENSIES: dict[str, Any] = {
    "gemeente": GebeurtenisRij.gemeente_code,
    "uitbuitingsvorm": GebeurtenisVorm.uitbuitingsvorm,
    "sector": GebeurtenisRij.sector,
    "locatietype": GebeurtenisRij.locatietype,
    "melderDomein": GebeurtenisRij.melder_domein,
    "leeftijdsklasse": GebeurtenisRij.leeftijdsklasse,
    "geslacht": GebeurtenisRij.geslacht,
    "nationaliteitsgroep": GebeurtenisRij.nationaliteitsgroep,
    "uitkomst": GebeurtenisRij.uitkomst,
}
#: Most dimensions one table may group by: more makes cells tiny and suppression expensive.
MAX_DIMENSIES = 3
#: The outcomes that end a triage (not `in_behandeling`).
EINDUITKOMSTEN = ("afgesloten_geen_mensenhandel", "doorverwezen_ander_domein", "opgeschaald")

_PERIODEKOLOM = {
    "maand": GebeurtenisRij.maand,
    "kwartaal": GebeurtenisRij.kwartaal,
    "jaar": GebeurtenisRij.jaar,
}


@dataclass(frozen=True, slots=True)
class Bereik:
    """What a statistics query covers: whole periods from `van` to `tot`, both months included."""

    periode: Periode
    van: str
    tot: str


def _filters(
    *, bereik: Bereik, type: GebeurtenisType, uitkomsten: Sequence[str] | None
) -> list[ColumnElement[bool]]:
    filters = [
        GebeurtenisRij.type == type,
        GebeurtenisRij.maand >= bereik.van,
        GebeurtenisRij.maand <= bereik.tot,
    ]
    if uitkomsten is not None:
        filters.append(GebeurtenisRij.uitkomst.in_(uitkomsten))
    return filters


async def tel(
    *,
    session: AsyncSession,
    bereik: Bereik,
    dimensies: Sequence[str],
    type: GebeurtenisType,
    uitkomsten: Sequence[str] | None = None,
) -> dict[tuple[str, ...], int]:
    """Counts per `(periode, waarde_1, …)`, aggregated by the database; only non-zero cells."""
    periode = _PERIODEKOLOM[bereik.periode]
    kolommen = [periode, *(DIMENSIES[d] for d in dimensies)]
    vraag = select(*kolommen, func.count()).select_from(GebeurtenisRij)
    if "uitbuitingsvorm" in dimensies:
        vraag = vraag.join(GebeurtenisVorm, GebeurtenisVorm.gebeurtenis_id == GebeurtenisRij.id)
    vraag = vraag.where(*_filters(bereik=bereik, type=type, uitkomsten=uitkomsten)).group_by(*kolommen)
    return {tuple(str(w) for w in rij[:-1]): int(rij[-1]) for rij in await session.execute(vraag)}


async def populatie(
    *, session: AsyncSession, bereik: Bereik, type: GebeurtenisType, uitkomsten: Sequence[str] | None = None
) -> int:
    """How many events a query rests on (each event once, whatever its forms)."""
    vraag = select(func.count()).select_from(GebeurtenisRij)
    vraag = vraag.where(*_filters(bereik=bereik, type=type, uitkomsten=uitkomsten))
    return int((await session.execute(vraag)).scalar_one())


def _tabel(beschermd: BeschermdeTabel, *, perioden: set[str] | None = None) -> Tabel:
    dims = list(beschermd.dimensies)
    return Tabel(
        groeperenOp=dims,
        cellen=[
            Cel(
                periode=c.sleutel[0],
                waarden=dict(zip(dims, c.sleutel[1:], strict=True)),
                aantal=c.aantal,
                onderdrukt=c.onderdrukt,
                reden=c.reden,
            )
            for c in beschermd.cellen
            if perioden is None or c.sleutel[0] in perioden
        ],
        totalen=[
            Totaal(
                periode=t.periode,
                dimensie=t.dimensie,
                waarde=t.waarde,
                aantal=t.aantal,
                onderdrukt=t.onderdrukt,
            )
            for t in beschermd.totalen
            if perioden is None or t.periode in perioden
        ],
    )


def _uit_totalen(tabel: Tabel, dimensie: str) -> Tabel:
    """The one-way table of `dimensie` made of `tabel`'s own totals along it, grand totals included.

    The same counts published twice, each table protected on its own, would let one table show what the other
    hides. A cell made of a withheld total carries no reason: why a total is withheld is not told.
    """
    return Tabel(
        groeperenOp=[dimensie],
        cellen=[
            Cel(
                periode=t.periode,
                waarden={dimensie: t.waarde},
                aantal=t.aantal,
                onderdrukt=t.onderdrukt,
                reden=None,
            )
            for t in tabel.totalen
            if t.dimensie == dimensie and t.waarde is not None
        ],
        totalen=[t for t in tabel.totalen if t.dimensie is None],
    )


def _zelfde_eindtotalen(*tabellen: Tabel) -> list[Tabel]:
    """Tables that count the same signals share their grand total per period: withheld in one, withheld in all."""
    verborgen = {
        t.periode for tabel in tabellen for t in tabel.totalen if t.dimensie is None and t.onderdrukt
    }
    return [
        tabel.model_copy(
            update={
                "totalen": [
                    t.model_copy(update={"aantal": None, "onderdrukt": True})
                    if t.dimensie is None and t.periode in verborgen
                    else t
                    for t in tabel.totalen
                ]
            }
        )
        for tabel in tabellen
    ]


def _leeg(dimensies: Sequence[str]) -> Tabel:
    return Tabel(groeperenOp=list(dimensies), cellen=[], totalen=[])


async def signalen(
    *,
    session: AsyncSession,
    bereik: Bereik,
    dimensies: Sequence[str],
    drempel: int,
    minimale_populatie: int,
) -> Signalen:
    """Signals (or, grouped by `uitkomst`, triage decisions) per period and dimension values, suppressed."""
    beoordelingen = "uitkomst" in dimensies
    type: GebeurtenisType = "beoordeling_vastgelegd" if beoordelingen else "signaal_ontvangen"
    kop: dict[str, Any] = {
        "periode": bereik.periode, "van": bereik.van, "tot": bereik.tot, "drempel": drempel,
        "geteld": "beoordelingen" if beoordelingen else "signalen",
    }  # fmt: skip
    aantallen = await tel(session=session, bereik=bereik, dimensies=dimensies, type=type)
    # Each event falls in exactly one cell unless it is split over its forms: only then ask the database again.
    if "uitbuitingsvorm" in dimensies:
        aantal_gebeurtenissen = await populatie(session=session, bereik=bereik, type=type)
    else:
        aantal_gebeurtenissen = sum(aantallen.values())
    if aantal_gebeurtenissen < minimale_populatie:
        return Signalen(**kop, volledigOnderdrukt=True, **_leeg(dimensies).model_dump())
    tabel = _tabel(onderdruk(cellen=aantallen, dimensies=dimensies, drempel=drempel))
    return Signalen(**kop, volledigOnderdrukt=False, **tabel.model_dump())


def _percentiel(histogram: Sequence[tuple[int, int]], fractie: float) -> int:
    """Nearest-rank percentile of a sorted histogram `(waarde, aantal)`: always an observed value."""
    n = sum(aantal for _, aantal in histogram)
    rang = max(1, math.ceil(fractie * n))
    gezien = 0
    for waarde, aantal in histogram:
        gezien += aantal
        if gezien >= rang:
            return waarde
    raise ValueError("leeg histogram")


async def doorlooptijden(
    *, session: AsyncSession, bereik: Bereik, drempel: int, perioden: Sequence[str]
) -> list[Doorlooptijd]:
    """Median and 90th percentile days to a final decision, per period with at least `drempel` decisions."""
    periode = _PERIODEKOLOM[bereik.periode]
    # The database builds a histogram per period; percentiles are read from it (SQLite has no percentile).
    vraag = (
        select(periode, GebeurtenisRij.doorlooptijd_dagen, func.count())
        .where(
            *_filters(bereik=bereik, type="beoordeling_vastgelegd", uitkomsten=EINDUITKOMSTEN),
            GebeurtenisRij.doorlooptijd_dagen.is_not(None),
        )
        .group_by(periode, GebeurtenisRij.doorlooptijd_dagen)
        .order_by(periode, GebeurtenisRij.doorlooptijd_dagen)
    )
    histogrammen: dict[str, list[tuple[int, int]]] = {}
    for p, dagen, aantal in await session.execute(vraag):
        if dagen is not None:  # excluded by the query; keeps the type checker informed
            histogrammen.setdefault(str(p), []).append((dagen, aantal))
    uit = []
    for p in perioden:
        histogram = histogrammen.get(p, [])
        if sum(a for _, a in histogram) < drempel:
            uit.append(Doorlooptijd(periode=p, mediaanDagen=None, p90Dagen=None, onderdrukt=True))
        else:
            uit.append(
                Doorlooptijd(
                    periode=p,
                    mediaanDagen=_percentiel(histogram, 0.5),
                    p90Dagen=_percentiel(histogram, 0.9),
                    onderdrukt=False,
                )
            )
    return uit


def alle_perioden(bereik: Bereik) -> list[str]:
    """Every period label from `van` to `tot`, in order."""
    perioden: list[str] = []
    maand = bereik.van
    while maand <= bereik.tot:
        label = periode_van(maand, bereik.periode)
        if not perioden or perioden[-1] != label:
            perioden.append(label)
        maand = maand_plus(maand, 1)
    return perioden


def _aandelen(uitkomsten: Tabel) -> list[Aandeel]:
    totaal = {t.periode: t.aantal for t in uitkomsten.totalen if t.dimensie is None}
    uit = []
    for cel in uitkomsten.cellen:
        noemer = totaal.get(cel.periode)
        # Only from figures already shown: a share then reveals nothing the table does not.
        if cel.aantal is None or not noemer:
            uit.append(
                Aandeel(periode=cel.periode, uitkomst=cel.waarden["uitkomst"], aandeel=None, onderdrukt=True)
            )
        else:
            uit.append(
                Aandeel(
                    periode=cel.periode,
                    uitkomst=cel.waarden["uitkomst"],
                    aandeel=round(cel.aantal / noemer, 4),
                    onderdrukt=False,
                )
            )
    return uit


def _verschil(huidig: float | None, vorig: float | None) -> float | None:
    return None if huidig is None or vorig is None else round(huidig - vorig, 4)


def _vergelijking(
    *,
    huidig: str,
    vorig: str,
    signalen: Tabel,
    uitkomsten: Tabel,
    aandelen: list[Aandeel],
    tijden: list[Doorlooptijd],
) -> Vergelijking:
    def totaal(periode: str) -> float | None:
        return next((t.aantal for t in signalen.totalen if t.periode == periode and t.dimensie is None), None)

    def opgeschaald(periode: str) -> float | None:
        cel = next(
            (c for c in uitkomsten.cellen if c.periode == periode and c.waarden["uitkomst"] == "opgeschaald"),
            None,
        )
        return cel.aantal if cel else None

    def aandeel(periode: str) -> float | None:
        return next(
            (a.aandeel for a in aandelen if a.periode == periode and a.uitkomst == "opgeschaald"), None
        )

    def mediaan(periode: str) -> float | None:
        return next((t.mediaanDagen for t in tijden if t.periode == periode), None)

    regels = []
    for naam, bron in (
        ("signalen", totaal),
        ("opgeschaald", opgeschaald),
        ("aandeelOpgeschaald", aandeel),
        ("mediaanDoorlooptijdDagen", mediaan),
    ):
        h, v = bron(huidig), bron(vorig)
        regels.append(Vergelijkingsregel(indicator=naam, huidig=h, vorig=v, verschil=_verschil(h, v)))
    return Vergelijking(huidigePeriode=huidig, vorigePeriode=vorig, indicatoren=regels)


async def evaluatie(
    *, session: AsyncSession, bereik: Bereik, drempel: int, minimale_populatie: int
) -> Evaluatie:
    """The seed's evaluation questions as suppressed figures, for the range and the period before it."""
    perioden = alle_perioden(bereik)
    kop: dict[str, Any] = {
        "periode": bereik.periode,
        "van": bereik.van,
        "tot": bereik.tot,
        "drempel": drempel,
    }
    if await populatie(session=session, bereik=bereik, type="signaal_ontvangen") < minimale_populatie:
        return Evaluatie(
            **kop, volledigOnderdrukt=True,
            melderDomeinen=_leeg(["melderDomein"]), gemeenten=_leeg(["gemeente"]),
            vormenOverTijd=_leeg(["uitbuitingsvorm"]), uitkomsten=_leeg(["uitkomst"]), aandelen=[],
            doorlooptijden=[], vormenPerGemeente=_leeg(["gemeente", "uitbuitingsvorm"]),
            sectorenPerGemeente=_leeg(["gemeente", "sector"]), vergelijking=None,
        )  # fmt: skip
    # Count from the period before `van` as well, for the comparison. Periods are protected independently,
    # so publishing only some of them reveals nothing more.
    ruim = Bereik(
        periode=bereik.periode, van=vorige_periode_begin(bereik.van, bereik.periode), tot=bereik.tot
    )
    vorige = periode_van(ruim.van, bereik.periode)
    zichtbaar = set(perioden)
    metvorige = zichtbaar | {vorige}

    async def signaaltabel(dimensies: list[str]) -> Tabel:
        aantallen = await tel(session=session, bereik=ruim, dimensies=dimensies, type="signaal_ontvangen")
        return _tabel(onderdruk(cellen=aantallen, dimensies=dimensies, drempel=drempel), perioden=metvorige)

    # Tables in one answer share counts: signals per municipality are the municipality totals of sectors per
    # municipality, and (signal, form) pairs per form the form totals of forms per municipality. Each shared count
    # is published once, from the table that protects it, and shared grand totals are withheld together.
    domeinen, sectoren_per_gemeente = _zelfde_eindtotalen(
        await signaaltabel(["melderDomein"]), await signaaltabel(["gemeente", "sector"])
    )
    vormen_per_gemeente = await signaaltabel(["gemeente", "uitbuitingsvorm"])
    uitkomstaantallen = await tel(
        session=session,
        bereik=ruim,
        dimensies=["uitkomst"],
        type="beoordeling_vastgelegd",
        uitkomsten=EINDUITKOMSTEN,
    )
    uitkomsten = _tabel(
        onderdruk(cellen=uitkomstaantallen, dimensies=["uitkomst"], drempel=drempel), perioden=metvorige
    )
    aandelen = _aandelen(uitkomsten)
    tijden = await doorlooptijden(session=session, bereik=ruim, drempel=drempel, perioden=[vorige, *perioden])
    vergelijking = _vergelijking(
        huidig=perioden[-1],
        vorig=perioden[-2] if len(perioden) > 1 else vorige,
        signalen=domeinen, uitkomsten=uitkomsten, aandelen=aandelen, tijden=tijden,
    )  # fmt: skip

    def alleen_bereik(tabel: Tabel) -> Tabel:
        return Tabel(
            groeperenOp=tabel.groeperenOp,
            cellen=[c for c in tabel.cellen if c.periode in zichtbaar],
            totalen=[t for t in tabel.totalen if t.periode in zichtbaar],
        )

    # Tables in one answer share counts: signals per municipality are the municipality totals of sectors per
    # municipality, and (signal, form) pairs per form the form totals of forms per municipality. Each shared count
    # is published once, from the table that protects it, and shared grand totals are withheld together.
    vormen_per_gemeente = await signaaltabel(["gemeente", "uitbuitingsvorm"])
    domeinen, sectoren_per_gemeente = _zelfde_eindtotalen(
        domeinen, await signaaltabel(["gemeente", "sector"])
    )
    return Evaluatie(
        **kop,
        volledigOnderdrukt=False,
        melderDomeinen=alleen_bereik(domeinen),
        gemeenten=alleen_bereik(_uit_totalen(sectoren_per_gemeente, "gemeente")),
        vormenOverTijd=alleen_bereik(_uit_totalen(vormen_per_gemeente, "uitbuitingsvorm")),
        uitkomsten=alleen_bereik(uitkomsten),
        aandelen=[a for a in aandelen if a.periode in zichtbaar],
        doorlooptijden=[t for t in tijden if t.periode in zichtbaar],
        vormenPerGemeente=alleen_bereik(vormen_per_gemeente),
        sectorenPerGemeente=alleen_bereik(sectoren_per_gemeente),
        vergelijking=vergelijking,
    )
