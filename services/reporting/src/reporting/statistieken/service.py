"""Serve the stored publication: every figure here was computed once, protected, and stored per closed period.

Nothing is counted per request. The statistics, the evaluation, their CSV and the dashboard's data all read the
same stored cells (`publicatie.py`), so they can never disagree or complete one another; a period that is not
closed (or not yet published) has no figures at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.perioden import Periode, maand_plus, periode_van, vorige_periode_begin
from reporting.statistieken.models import GepubliceerdeCel, Publicatie
from reporting.statistieken.publicatie import (
    DIMENSIES,
    EINDUITKOMSTEN,
    MAX_DIMENSIES,
    SCHEIDING,
    Groepering,
    randen_van,
    tabel_van,
)
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

__all__ = ["DIMENSIES", "MAX_DIMENSIES", "Bereik", "alle_perioden", "evaluatie", "signalen"]


@dataclass(frozen=True, slots=True)
class Bereik:
    """What a statistics query covers: whole periods from `van` to `tot`, both months included."""

    periode: Periode
    van: str
    tot: str


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


async def gepubliceerd(*, session: AsyncSession, perioden: Sequence[str]) -> dict[str, Publicatie]:
    """The publications of these periods that exist."""
    rijen = await session.scalars(sa.select(Publicatie).where(Publicatie.periode.in_(list(perioden))))
    return {p.periode: p for p in rijen}


async def _lees(
    *, session: AsyncSession, tabel: Groepering, perioden: Sequence[str]
) -> dict[tuple[str, ...], int | None]:
    """The stored cells of one table: `(periode, code_1, …)` in canonical dimension order -> published count."""
    return (await _lees_samen(session=session, tabellen=[tabel], perioden=perioden))[0]


async def _lees_samen(
    *, session: AsyncSession, tabellen: Sequence[Groepering], perioden: Sequence[str]
) -> list[dict[tuple[str, ...], int | None]]:
    """The stored cells of several tables (a table and its margins) in one statement, per table as `_lees`."""
    uit: list[dict[tuple[str, ...], int | None]] = [{} for _ in tabellen]
    if not perioden or not tabellen:
        return uit
    plek: dict[tuple[str, bool, str], list[int]] = {}
    for i, t in enumerate(tabellen):
        plek.setdefault((t.telling, t.per_vorm, t.naam), []).append(i)
    vraag = sa.select(
        GepubliceerdeCel.telling,
        GepubliceerdeCel.per_vorm,
        GepubliceerdeCel.groepering,
        GepubliceerdeCel.periode,
        GepubliceerdeCel.waarden,
        GepubliceerdeCel.aantal,
    ).where(
        sa.tuple_(GepubliceerdeCel.telling, GepubliceerdeCel.per_vorm, GepubliceerdeCel.groepering).in_(
            list(plek)
        ),
        GepubliceerdeCel.periode.in_(list(perioden)),
    )
    for telling, per_vorm, groepering, periode, waarden, aantal in await session.execute(vraag):
        for i in plek[(telling, bool(per_vorm), groepering)]:
            codes = tuple(waarden.split(SCHEIDING)) if tabellen[i].dimensies else ()
            uit[i][(periode, *codes)] = aantal
    return uit


async def tabel(*, session: AsyncSession, dimensies: Sequence[str], perioden: Sequence[str]) -> Tabel:
    """A published table with its published margins, in the order of `dimensies` as asked."""
    dims = list(dimensies)
    bron = tabel_van(dims)
    # Stored codes are in canonical order; the answer gives them in the order asked.
    volgorde = [bron.dimensies.index(d) for d in dims]
    randen = randen_van(bron)
    # The grand total first, then the totals per value in the order of the dimensions asked.
    randen = randen[:1] + sorted(randen[1:], key=lambda r: dims.index(r.dimensies[0]))
    cellen, *rand_cellen = await _lees_samen(session=session, tabellen=[bron, *randen], perioden=perioden)
    uit_cellen = []
    for sleutel in sorted(cellen, key=lambda s: (s[0], *(s[1 + i] for i in volgorde))):
        aantal = cellen[sleutel]
        if aantal is None and len(dims) >= 2:
            # In a table of two or three dimensions a small cell is not listed, like a zero: telling them apart
            # would tell an attacker that each listed small cell holds at least one event, and counting those
            # under a margin bounds the margin from below.
            continue
        uit_cellen.append(
            Cel(
                periode=sleutel[0],
                waarden={d: sleutel[1 + bron.dimensies.index(d)] for d in dims},
                aantal=aantal,
                onderdrukt=aantal is None,
                reden="primair" if aantal is None else None,
            )
        )
    totalen: list[Totaal] = []
    for rand, gelezen in zip(randen, rand_cellen, strict=True):
        for sleutel, aantal in sorted(gelezen.items()):
            totalen.append(
                Totaal(
                    periode=sleutel[0],
                    dimensie=rand.dimensies[0] if rand.dimensies else None,
                    waarde=sleutel[1] if rand.dimensies else None,
                    aantal=aantal,
                    onderdrukt=aantal is None,
                )
            )
    totalen.sort(key=lambda t: (t.periode, t.dimensie is not None))
    return Tabel(groeperen_op=dims, cellen=uit_cellen, totalen=totalen)


async def _populatie(*, session: AsyncSession, telling: str, perioden: Sequence[str]) -> int:
    """How many events the published grand totals of these periods count (a suppressed total counts 0)."""
    totalen = await _lees(session=session, tabel=Groepering(telling, False, ()), perioden=perioden)
    return sum(a or 0 for a in totalen.values())


def _leeg(dimensies: Sequence[str]) -> Tabel:
    return Tabel(groeperen_op=list(dimensies), cellen=[], totalen=[])


async def signalen(
    *, session: AsyncSession, bereik: Bereik, dimensies: Sequence[str], drempel: int, minimale_populatie: int
) -> Signalen:
    """Signals (or, grouped by `uitkomst`, triage decisions) per published period and dimension values."""
    bron = tabel_van(dimensies)
    perioden = alle_perioden(bereik)
    publicaties = await gepubliceerd(session=session, perioden=perioden)
    klaar = [p for p in perioden if p in publicaties]
    kop: dict[str, Any] = {
        "periode": bereik.periode, "van": bereik.van, "tot": bereik.tot, "drempel": drempel,
        "geteld": bron.telling, "gepubliceerde_perioden": klaar,
    }  # fmt: skip
    if await _populatie(session=session, telling=bron.telling, perioden=klaar) < minimale_populatie:
        return Signalen(**kop, volledig_onderdrukt=True, **dict(_leeg(dimensies)))
    gevonden = await tabel(session=session, dimensies=dimensies, perioden=klaar)
    return Signalen(**kop, volledig_onderdrukt=False, **dict(gevonden))


def _aandelen(uitkomsten: Tabel, perioden: Sequence[str]) -> list[Aandeel]:
    """Shares among final decisions, only from published counts: each outcome over the sum of the three."""
    per_periode: dict[str, dict[str, int | None]] = {p: dict.fromkeys(EINDUITKOMSTEN, 0) for p in perioden}
    for cel in uitkomsten.cellen:
        per_periode[cel.periode][cel.waarden["uitkomst"]] = cel.aantal
    uit = []
    for periode in perioden:
        aantallen = per_periode[periode]
        if all(a == 0 for a in aantallen.values()):
            continue
        bekend = [a for a in aantallen.values() if a is not None]
        noemer = sum(bekend) if len(bekend) == len(aantallen) else 0
        for uitkomst, aantal in aantallen.items():
            if aantal is None or not noemer:
                uit.append(Aandeel(periode=periode, uitkomst=uitkomst, aandeel=None, onderdrukt=True))
            else:
                uit.append(
                    Aandeel(
                        periode=periode,
                        uitkomst=uitkomst,
                        aandeel=round(aantal / noemer, 4),
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
        return next((t.mediaan_dagen for t in tijden if t.periode == periode), None)

    regels = []
    for naam, bron in (
        ("signalen", totaal),
        ("opgeschaald", opgeschaald),
        ("aandeelOpgeschaald", aandeel),
        ("mediaanDoorlooptijdDagen", mediaan),
    ):
        h, v = bron(huidig), bron(vorig)
        regels.append(Vergelijkingsregel(indicator=naam, huidig=h, vorig=v, verschil=_verschil(h, v)))
    return Vergelijking(huidige_periode=huidig, vorige_periode=vorig, indicatoren=regels)


async def evaluatie(
    *, session: AsyncSession, bereik: Bereik, drempel: int, minimale_populatie: int
) -> Evaluatie:
    """The seed's evaluation questions from the stored publication, for the range and the period before it."""
    perioden = alle_perioden(bereik)
    vorige = periode_van(vorige_periode_begin(bereik.van, bereik.periode), bereik.periode)
    publicaties = await gepubliceerd(session=session, perioden=[vorige, *perioden])
    klaar = [p for p in perioden if p in publicaties]
    metvorige = [p for p in [vorige, *perioden] if p in publicaties]
    kop: dict[str, Any] = {
        "periode": bereik.periode, "van": bereik.van, "tot": bereik.tot, "drempel": drempel,
        "gepubliceerde_perioden": klaar,
    }  # fmt: skip
    if await _populatie(session=session, telling="signalen", perioden=klaar) < minimale_populatie:
        return Evaluatie(
            **kop, volledig_onderdrukt=True,
            melder_domeinen=_leeg(["melderDomein"]), gemeenten=_leeg(["gemeente"]),
            vormen_over_tijd=_leeg(["uitbuitingsvorm"]), uitkomsten=_leeg(["uitkomst"]), aandelen=[],
            doorlooptijden=[], vormen_per_gemeente=_leeg(["gemeente", "uitbuitingsvorm"]),
            sectoren_per_gemeente=_leeg(["gemeente", "sector"]), vergelijking=None,
        )  # fmt: skip

    async def lees(dimensies: list[str], uit: Sequence[str] = klaar) -> Tabel:
        return await tabel(session=session, dimensies=dimensies, perioden=uit)

    domeinen = await lees(["melderDomein"], metvorige)
    alle_uitkomsten = await lees(["uitkomst"], metvorige)
    # Only final decisions; the grand total of all decisions (in treatment included) is not this table's total.
    uitkomsten = Tabel(
        groeperen_op=["uitkomst"],
        cellen=[c for c in alle_uitkomsten.cellen if c.waarden["uitkomst"] in EINDUITKOMSTEN],
        totalen=[],
    )
    aandelen = _aandelen(uitkomsten, metvorige)
    tijden = [
        Doorlooptijd(
            periode=p,
            mediaan_dagen=publicaties[p].mediaan_dagen,
            p90_dagen=publicaties[p].p90_dagen,
            onderdrukt=publicaties[p].mediaan_dagen is None,
        )
        for p in metvorige
    ]
    vergelijking = _vergelijking(
        huidig=perioden[-1],
        vorig=perioden[-2] if len(perioden) > 1 else vorige,
        signalen=domeinen, uitkomsten=uitkomsten, aandelen=aandelen, tijden=tijden,
    )  # fmt: skip
    zichtbaar = set(klaar)

    def alleen_bereik(t: Tabel) -> Tabel:
        return Tabel(
            groeperen_op=t.groeperen_op,
            cellen=[c for c in t.cellen if c.periode in zichtbaar],
            totalen=[x for x in t.totalen if x.periode in zichtbaar],
        )

    return Evaluatie(
        **kop,
        volledig_onderdrukt=False,
        melder_domeinen=alleen_bereik(domeinen),
        gemeenten=await lees(["gemeente"]),
        vormen_over_tijd=await lees(["uitbuitingsvorm"]),
        uitkomsten=alleen_bereik(uitkomsten),
        aandelen=[a for a in aandelen if a.periode in zichtbaar],
        doorlooptijden=[t for t in tijden if t.periode in zichtbaar],
        vormen_per_gemeente=await lees(["gemeente", "uitbuitingsvorm"]),
        sectoren_per_gemeente=await lees(["gemeente", "sector"]),
        vergelijking=vergelijking,
    )
