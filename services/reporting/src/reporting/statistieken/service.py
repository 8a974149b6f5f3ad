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
from meldroute_common.auth import Claims
from meldroute_common.catalogus import standaard_catalogus
from meldroute_common.problems import Forbidden
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.perioden import Periode, maand_plus, periode_van, vorige_periode_begin
from reporting.statistieken.models import GepubliceerdeCel, GepubliceerdeDoorlooptijd, Publicatie
from reporting.statistieken.publicatie import (
    DIMENSIES,
    EERSTE_TERUGKOPPELING,
    EERSTE_TERUGKOPPELINGEN,
    EINDUITKOMSTEN,
    MAX_DIMENSIES,
    SCHEIDING,
    TERUGKOPPELINGEN,
    VERSTREKEN_TERMIJNEN,
    Groepering,
    randen_van,
    tabel_van,
)
from reporting.statistieken.schemas import (
    Aandeel,
    Cel,
    Doorlooptijd,
    Evaluatie,
    Gepubliceerd,
    Intervisie,
    Intervisiecijfer,
    Signalen,
    Tabel,
    TerugkoppelingAandeel,
    TerugkoppelingDoorlooptijd,
    Totaal,
    Vergelijking,
    Vergelijkingsregel,
)

__all__ = [
    "DIMENSIES", "INTERVISIE_DIMENSIES", "MAX_DIMENSIES", "Bereik", "alle_perioden", "evaluatie",
    "intervisie", "intervisie_gemeente", "signalen",
]  # fmt: skip


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


def _randen_geordend(bron: Groepering, dims: Sequence[str]) -> list[Groepering]:
    """The margins of a table: the grand total first, then the totals per value in the order of `dims`."""
    randen = randen_van(bron)
    return randen[:1] + sorted(randen[1:], key=lambda r: list(dims).index(r.dimensies[0]))


def _bouw_tabel(
    *,
    dims: list[str],
    bron: Groepering,
    randen: Sequence[Groepering],
    cellen: dict[tuple[str, ...], int | None],
    rand_cellen: Sequence[dict[tuple[str, ...], int | None]],
) -> Tabel:
    """A published table with its margins from the cells read, in the order of `dims` as asked."""
    # Stored codes are in canonical order; the answer gives them in the order asked.
    volgorde = [bron.dimensies.index(d) for d in dims]
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


async def tabel(*, session: AsyncSession, dimensies: Sequence[str], perioden: Sequence[str]) -> Tabel:
    """A published table with its published margins, in the order of `dimensies` as asked."""
    dims = list(dimensies)
    bron = tabel_van(dims)
    randen = _randen_geordend(bron, dims)
    cellen, *rand_cellen = await _lees_samen(session=session, tabellen=[bron, *randen], perioden=perioden)
    return _bouw_tabel(dims=dims, bron=bron, randen=randen, cellen=cellen, rand_cellen=rand_cellen)


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
    terug: Terugkoppelingscijfers,
    gepubliceerd: set[str],
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

    def terugkoppelingen(periode: str) -> float | None:
        if periode not in gepubliceerd:
            return None
        # A published period without outcomes has no stored total: that is 0, published as 0.
        return next(
            (t.aantal for t in terug.terugkoppelingen.totalen if t.periode == periode and t.dimensie is None),
            0,
        )

    def mediaan_terugkoppeling(periode: str) -> float | None:
        return next(
            (t.mediaan_dagen for t in terug.tijden if t.periode == periode and t.gemeente is None), None
        )

    regels = []
    for naam, bron in (
        ("signalen", totaal),
        ("opgeschaald", opgeschaald),
        ("aandeelOpgeschaald", aandeel),
        ("mediaanDoorlooptijdDagen", mediaan),
        ("terugkoppelingen", terugkoppelingen),
        ("mediaanDagenTotEersteTerugkoppeling", mediaan_terugkoppeling),
    ):
        h, v = bron(huidig), bron(vorig)
        regels.append(Vergelijkingsregel(indicator=naam, huidig=h, vorig=v, verschil=_verschil(h, v)))
    return Vergelijking(huidige_periode=huidig, vorige_periode=vorig, indicatoren=regels)


#: Escalations per municipality: the cells `(gemeente, opgeschaald)` of the decisions by municipality and outcome.
_OPSCHALINGEN_PER_GEMEENTE = Groepering("beoordelingen", False, ("gemeente", "uitkomst"))


@dataclass(frozen=True, slots=True)
class Terugkoppelingscijfers:
    """The outcome figures of the evaluation, over some published periods."""

    terugkoppelingen: Tabel
    eerste: Tabel
    aandelen: list[TerugkoppelingAandeel]
    tijden: list[TerugkoppelingDoorlooptijd]

    def alleen(self, perioden: set[str]) -> Terugkoppelingscijfers:
        def tabel(t: Tabel) -> Tabel:
            return Tabel(
                groeperen_op=t.groeperen_op,
                cellen=[c for c in t.cellen if c.periode in perioden],
                totalen=[x for x in t.totalen if x.periode in perioden],
            )

        return Terugkoppelingscijfers(
            terugkoppelingen=tabel(self.terugkoppelingen),
            eerste=tabel(self.eerste),
            aandelen=[a for a in self.aandelen if a.periode in perioden],
            tijden=[t for t in self.tijden if t.periode in perioden],
        )


def _aandeel(
    *, periode: str, gemeente: str | None, terugkoppeling: str | None, teller: int | None, noemer: int | None
) -> TerugkoppelingAandeel:
    getoond = teller is not None and noemer is not None and noemer > 0
    return TerugkoppelingAandeel(
        periode=periode,
        gemeente=gemeente,
        terugkoppeling=terugkoppeling,
        aandeel=round(teller / noemer, 4) if getoond and teller is not None and noemer else None,
        onderdrukt=not getoond,
    )


async def terugkoppelingscijfers(
    *, session: AsyncSession, perioden: Sequence[str], uitkomsten: Tabel
) -> Terugkoppelingscijfers:
    """Outcomes per municipality and code, first outcomes, their shares of the escalations and the lead times.

    Every share is a published count over a published count: for the region the total per code (0 when not
    listed) over the escalations of the one-way table of outcomes `uitkomsten` (read by the caller); for a
    municipality only a count its table shows, over the escalations the table by municipality and outcome shows.
    """
    dims_t, dims_e = ["gemeente", "terugkoppeling"], ["gemeente"]
    randen_t = _randen_geordend(TERUGKOPPELINGEN, dims_t)
    randen_e = _randen_geordend(EERSTE_TERUGKOPPELINGEN, dims_e)
    gelezen = await _lees_samen(
        session=session,
        tabellen=[
            TERUGKOPPELINGEN,
            *randen_t,
            EERSTE_TERUGKOPPELINGEN,
            *randen_e,
            _OPSCHALINGEN_PER_GEMEENTE,
        ],
        perioden=perioden,
    )
    n = 1 + len(randen_t)
    tabel_t = _bouw_tabel(
        dims=dims_t, bron=TERUGKOPPELINGEN, randen=randen_t, cellen=gelezen[0], rand_cellen=gelezen[1:n]
    )
    tabel_e = _bouw_tabel(
        dims=dims_e, bron=EERSTE_TERUGKOPPELINGEN, randen=randen_e, cellen=gelezen[n],
        rand_cellen=gelezen[n + 1 : n + 1 + len(randen_e)],
    )  # fmt: skip
    # Only escalation counts the table by municipality and outcome shows (a small one is not listed there).
    opschalingen = {
        (periode, gemeente): aantal
        for (periode, gemeente, uitkomst), aantal in gelezen[-1].items()
        if uitkomst == "opgeschaald" and aantal is not None
    }
    # The region: a cell the one-way tables do not list is 0.
    regio_opschalingen = {
        c.periode: c.aantal for c in uitkomsten.cellen if c.waarden["uitkomst"] == "opgeschaald"
    }
    per_code = {(t.periode, t.waarde): t.aantal for t in tabel_t.totalen if t.dimensie == "terugkoppeling"}
    regio_totaal = {t.periode: t.aantal for t in tabel_t.totalen if t.dimensie is None}
    regio_eerste = {t.periode: t.aantal for t in tabel_e.totalen if t.dimensie is None}
    codes = [item.code for item in standaard_catalogus().terugkoppelingen]
    aandelen: list[TerugkoppelingAandeel] = []
    for periode in perioden:
        if periode not in regio_totaal and periode not in regio_opschalingen:
            continue  # neither escalations nor outcomes: nothing to share
        noemer = regio_opschalingen.get(periode, 0)
        aandelen.append(
            _aandeel(periode=periode, gemeente=None, terugkoppeling=None,
                     teller=regio_eerste.get(periode, 0), noemer=noemer)
        )  # fmt: skip
        for code in codes:
            aandelen.append(
                _aandeel(periode=periode, gemeente=None, terugkoppeling=code,
                         teller=per_code.get((periode, code), 0), noemer=noemer)
            )  # fmt: skip
    for cel in tabel_e.cellen:
        gemeente = cel.waarden["gemeente"]
        aandelen.append(
            _aandeel(periode=cel.periode, gemeente=gemeente, terugkoppeling=None, teller=cel.aantal,
                     noemer=opschalingen.get((cel.periode, gemeente)))
        )  # fmt: skip
    for cel in tabel_t.cellen:
        gemeente = cel.waarden["gemeente"]
        aandelen.append(
            _aandeel(periode=cel.periode, gemeente=gemeente, terugkoppeling=cel.waarden["terugkoppeling"],
                     teller=cel.aantal, noemer=opschalingen.get((cel.periode, gemeente)))
        )  # fmt: skip
    volgorde = {code: i for i, code in enumerate(codes)}
    aandelen.sort(
        key=lambda a: (a.periode, a.gemeente is not None, a.gemeente or "",
                       -1 if a.terugkoppeling is None else volgorde.get(a.terugkoppeling, len(codes)))
    )  # fmt: skip
    rijen = await session.scalars(
        sa.select(GepubliceerdeDoorlooptijd).where(
            GepubliceerdeDoorlooptijd.maat == EERSTE_TERUGKOPPELING,
            GepubliceerdeDoorlooptijd.periode.in_(list(perioden)),
        )
    )
    tijden = sorted(
        (
            TerugkoppelingDoorlooptijd(
                periode=r.periode,
                gemeente=r.gemeente or None,
                mediaan_dagen=r.mediaan_dagen,
                p90_dagen=r.p90_dagen,
                onderdrukt=r.mediaan_dagen is None,
            )
            for r in rijen
        ),
        key=lambda t: (t.periode, t.gemeente is not None, t.gemeente or ""),
    )
    return Terugkoppelingscijfers(terugkoppelingen=tabel_t, eerste=tabel_e, aandelen=aandelen, tijden=tijden)


async def verstreken_termijnen(*, session: AsyncSession, perioden: Sequence[str]) -> Tabel:
    """Passed deadlines per municipality and kind with their margins, from the stored cells only."""
    dims = ["gemeente", "termijn"]
    randen = _randen_geordend(VERSTREKEN_TERMIJNEN, dims)
    gelezen = await _lees_samen(session=session, tabellen=[VERSTREKEN_TERMIJNEN, *randen], perioden=perioden)
    return _bouw_tabel(
        dims=dims, bron=VERSTREKEN_TERMIJNEN, randen=randen, cellen=gelezen[0], rand_cellen=gelezen[1:]
    )


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
            sectoren_per_gemeente=_leeg(["gemeente", "sector"]),
            terugkoppelingen=_leeg(["gemeente", "terugkoppeling"]), eerste_terugkoppelingen=_leeg(["gemeente"]),
            terugkoppeling_aandelen=[], doorlooptijden_terugkoppeling=[],
            verstreken_termijnen=_leeg(["gemeente", "termijn"]), vergelijking=None,
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
    terug = await terugkoppelingscijfers(session=session, perioden=metvorige, uitkomsten=alle_uitkomsten)
    vergelijking = _vergelijking(
        huidig=perioden[-1],
        vorig=perioden[-2] if len(perioden) > 1 else vorige,
        signalen=domeinen, uitkomsten=uitkomsten, aandelen=aandelen, tijden=tijden, terug=terug,
        gepubliceerd=set(metvorige),
    )  # fmt: skip
    zichtbaar = set(klaar)
    terug = terug.alleen(zichtbaar)

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
        terugkoppelingen=terug.terugkoppelingen,
        eerste_terugkoppelingen=terug.eerste,
        terugkoppeling_aandelen=terug.aandelen,
        doorlooptijden_terugkoppeling=terug.tijden,
        verstreken_termijnen=await verstreken_termijnen(session=session, perioden=klaar),
        vergelijking=vergelijking,
    )


#: The dimensions the intervisie sets a municipality against the region on.
INTERVISIE_DIMENSIES = ("uitbuitingsvorm", "sector", "locatietype", "melderDomein", "uitkomst")


def intervisie_gemeente(*, claims: Claims, gevraagd: str | None) -> str | None:
    """The municipality an intervisie compares: a caller bound to a municipality (an attention officer's token
    names one) gets their own and may not ask for another; anyone else the one asked for, or none."""
    if claims.gemeente is None:
        return gevraagd
    if gevraagd is not None and gevraagd != claims.gemeente:
        raise Forbidden("Alleen de cijfers van de eigen gemeente naast die van de regio.")
    return claims.gemeente


def _gepubliceerd(aantal: int | None) -> Gepubliceerd:
    return Gepubliceerd(aantal=aantal, onderdrukt=aantal is None)


async def intervisie(
    *,
    session: AsyncSession,
    bereik: Bereik,
    gemeente: str | None,
    drempel: int,
    minimale_populatie: int,
) -> Intervisie:
    """A municipality's figures next to the region's, per published period: each one a stored cell, read as is.

    Nothing is computed: the region's figure is the stored cell of the one-way table (the same cell as the margin
    of the table by municipality), not a sum; the municipality's is the stored cell of the table by municipality
    and dimension, and a cell that table does not list is withheld, as it is there (telling a small count from 0
    would tell what the table does not). The same minimum population applies as to the statistics.
    """
    perioden = alle_perioden(bereik)
    publicaties = await gepubliceerd(session=session, perioden=perioden)
    klaar = [p for p in perioden if p in publicaties]
    kop: dict[str, Any] = {
        "periode": bereik.periode, "van": bereik.van, "tot": bereik.tot, "drempel": drempel,
        "gemeente_code": gemeente, "gepubliceerde_perioden": klaar,
    }  # fmt: skip
    if await _populatie(session=session, telling="signalen", perioden=klaar) < minimale_populatie:
        return Intervisie(**kop, volledig_onderdrukt=True, cijfers=[])
    regio_tabellen = [Groepering("signalen", False, ()), *(tabel_van([d]) for d in INTERVISIE_DIMENSIES)]
    gemeente_tabellen = [tabel_van(["gemeente"]), *(tabel_van(["gemeente", d]) for d in INTERVISIE_DIMENSIES)]
    gelezen = await _lees_samen(
        session=session,
        tabellen=[*regio_tabellen, *(gemeente_tabellen if gemeente is not None else [])],
        perioden=klaar,
    )
    regio, eigen = gelezen[: len(regio_tabellen)], gelezen[len(regio_tabellen) :]
    code = gemeente or ""  # read only when a municipality is asked for (`eigen` is empty otherwise)
    cijfers: list[Intervisiecijfer] = []
    for periode in klaar:
        # All signals: a one-way table lists every non-zero cell, so a municipality it does not list has 0.
        cijfers.append(
            Intervisiecijfer(
                periode=periode, geteld="signalen", dimensie=None, waarde=None,
                gemeente=_gepubliceerd(eigen[0].get((periode, code), 0)) if eigen else None,
                regio=_gepubliceerd(regio[0].get((periode,), 0)),
            )
        )  # fmt: skip
        for i, dimensie in enumerate(INTERVISIE_DIMENSIES, start=1):
            waarden = sorted(w for (p, w) in regio[i] if p == periode)
            for waarde in waarden:
                # Canonical order puts `gemeente` first in every table by municipality and dimension.
                cijfers.append(
                    Intervisiecijfer(
                        periode=periode, geteld=regio_tabellen[i].telling, dimensie=dimensie, waarde=waarde,
                        gemeente=_gepubliceerd(eigen[i].get((periode, code, waarde))) if eigen else None,
                        regio=_gepubliceerd(regio[i][(periode, waarde)]),
                    )
                )  # fmt: skip
    return Intervisie(**kop, volledig_onderdrukt=False, cijfers=cijfers)
