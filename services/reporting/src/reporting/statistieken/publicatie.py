"""Publish closed periods once: count every table that can be asked for, protect it, store it.

A month is *closed* once it has ended plus the embargo (`REPORTING_EMBARGO`, default 14 days, so late events
from intake's outbox land first); a quarter or a year once its last month is. A closed period is published once:
for each grouping of up to three dimensions, and each margin of such a table (the total per value of one
dimension and the grand total), the database counts the events and adds up their keys (GROUP BY), and each cell
is protected by the cell-key method (`celsleutel.py`). The result is stored and served from then on; it never
changes, until an explicit, logged republication (`meldroute-reporting publiceren --periode … --opnieuw`).

Partners' outcomes are published in a few fixed tables of their own (`TERUGKOPPELINGSTABELLEN`): outcomes per
municipality and code with their margins, and cases with a first outcome per municipality; the days from
escalation to first outcome (median, 90th percentile) are stored per period for the region and per municipality.
Passed deadlines are published in four tables of their own (`TERMIJNTABELLEN`): per municipality and kind of
deadline, with the total, the total per municipality and the total per kind.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any, cast

import sqlalchemy as sa
from fastapi import FastAPI
from meldroute_common.taken import start_periodic
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reporting.gebeurtenissen.models import GebeurtenisRij, GebeurtenisVorm
from reporting.perioden import Periode, maand_plus, ontleed_maand
from reporting.statistieken.celsleutel import MAX_VERSTORING, bescherm
from reporting.statistieken.models import GepubliceerdeCel, GepubliceerdeDoorlooptijd, Publicatie

log = logging.getLogger("reporting.publicatie")

#: The grouping dimensions, in canonical order, and the column each one groups by.
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
#: Every column a stored table may group by: the dimensions of the statistics, and the outcome code of the
#: outcome tables (which are not combined with the other dimensions).
KOLOMMEN: dict[str, Any] = {
    **DIMENSIES, "terugkoppeling": GebeurtenisRij.terugkoppeling, "termijn": GebeurtenisRij.termijn,
}  # fmt: skip
#: Most dimensions one table may group by.
MAX_DIMENSIES = 3
#: The outcomes that end a triage (not `in_behandeling`).
EINDUITKOMSTEN = ("afgesloten_geen_mensenhandel", "doorverwezen_ander_domein", "opgeschaald")
#: Separator of the codes in a stored cell.
SCHEIDING = "|"

_PERIODEKOLOM = {
    "maand": GebeurtenisRij.maand,
    "kwartaal": GebeurtenisRij.kwartaal,
    "jaar": GebeurtenisRij.jaar,
}
_TYPE = {
    "signalen": "signaal_ontvangen",
    "beoordelingen": "beoordeling_vastgelegd",
    "terugkoppelingen": "terugkoppeling_vastgelegd",
    "eerste_terugkoppelingen": "terugkoppeling_vastgelegd",
    "verstreken_termijnen": "termijn_verstreken",
}
#: What the lead time to the first outcome is stored as, in `gepubliceerde_doorlooptijden`.
EERSTE_TERUGKOPPELING = "eerste_terugkoppeling"


@dataclass(frozen=True, slots=True, order=True)
class Groepering:
    """One stored table: what is counted, whether per form of exploitation, by which dimensions (canonical)."""

    telling: str
    per_vorm: bool
    dimensies: tuple[str, ...]

    @property
    def naam(self) -> str:
        return ",".join(self.dimensies)


def canoniek(dimensies: Sequence[str]) -> tuple[str, ...]:
    """The dimensions in the canonical order of `DIMENSIES`."""
    return tuple(d for d in DIMENSIES if d in dimensies)


def tabel_van(dimensies: Sequence[str]) -> Groepering:
    """The stored table a request grouped by `dimensies` reads its cells from.

    With `uitkomst` triage decisions are counted instead of signals; with `uitbuitingsvorm` an event counts once
    per form, and so do the margins of that table.
    """
    telling = "beoordelingen" if "uitkomst" in dimensies else "signalen"
    return Groepering(telling, "uitbuitingsvorm" in dimensies, canoniek(dimensies))


def randen_van(tabel: Groepering) -> list[Groepering]:
    """The margins published with a table: the grand total, and with two or more dimensions the total per value
    of each dimension. Each is a stored table in its own right (its own cells, its own keys)."""
    if not tabel.dimensies:
        return []
    randen = [Groepering(tabel.telling, tabel.per_vorm, ())]
    if len(tabel.dimensies) >= 2:
        randen += [Groepering(tabel.telling, tabel.per_vorm, (d,)) for d in tabel.dimensies]
    return randen


#: The outcome table: outcomes (each code once per case) per municipality and code.
TERUGKOPPELINGEN = Groepering("terugkoppelingen", False, ("gemeente", "terugkoppeling"))
#: Cases with their first outcome in the period, per municipality.
EERSTE_TERUGKOPPELINGEN = Groepering("eerste_terugkoppelingen", False, ("gemeente",))
#: The outcome tables and their margins: a fixed set, not crossed with the other dimensions.
TERUGKOPPELINGSTABELLEN = (
    TERUGKOPPELINGEN, *randen_van(TERUGKOPPELINGEN), EERSTE_TERUGKOPPELINGEN, *randen_van(EERSTE_TERUGKOPPELINGEN),
)  # fmt: skip


#: Deadlines passed in the period per municipality and kind of deadline, with its margins (the total, per
#: municipality, per kind): its own tables, not crossed with anything else (the events carry nothing else).
VERSTREKEN_TERMIJNEN = Groepering("verstreken_termijnen", False, ("gemeente", "termijn"))
TERMIJNTABELLEN = (VERSTREKEN_TERMIJNEN, *randen_van(VERSTREKEN_TERMIJNEN))


def alle_groeperingen() -> list[Groepering]:
    """Every stored table: each allowed grouping of up to three dimensions and every margin of it, the outcome
    tables and the deadline tables."""
    uit: set[Groepering] = set(TERUGKOPPELINGSTABELLEN) | set(TERMIJNTABELLEN)
    for n in range(MAX_DIMENSIES + 1):
        for dimensies in combinations(DIMENSIES, n):
            tabel = tabel_van(dimensies)
            uit.add(tabel)
            uit.update(randen_van(tabel))
    return sorted(uit)


# --- periods ---------------------------------------------------------------------------------------------


def soort_van(periode: str) -> Periode:
    if len(periode) == 4:
        return "jaar"
    return "kwartaal" if "K" in periode else "maand"


def _maand_begin(maand: str) -> datetime:
    jaar, m = ontleed_maand(maand)
    return datetime(jaar, m, 1, tzinfo=UTC)


def maand_gesloten(maand: str, *, nu: datetime, embargo: timedelta) -> bool:
    """Whether `maand` has ended (UTC) plus the embargo."""
    return nu >= _maand_begin(maand_plus(maand, 1)) + embargo


def laatste_maand(periode: str) -> str:
    """The last month of a month, quarter or year label."""
    soort = soort_van(periode)
    if soort == "maand":
        return periode
    if soort == "jaar":
        return f"{periode}-12"
    jaar, kwartaal = periode.split("-K")
    return f"{jaar}-{int(kwartaal) * 3:02d}"


def gesloten(periode: str, *, nu: datetime, embargo: timedelta) -> bool:
    """Whether a month, quarter or year is closed: its last month has ended plus the embargo."""
    return maand_gesloten(laatste_maand(periode), nu=nu, embargo=embargo)


def gesloten_perioden(*, eerste_maand: str, nu: datetime, embargo: timedelta) -> list[str]:
    """Every closed month, quarter and year from the one holding `eerste_maand`, in order of their end."""
    uit: list[str] = []
    maand = eerste_maand
    while maand_gesloten(maand, nu=nu, embargo=embargo):
        jaar, m = ontleed_maand(maand)
        uit.append(maand)
        if m % 3 == 0:
            uit.append(f"{jaar:04d}-K{m // 3}")
        if m == 12:
            uit.append(f"{jaar:04d}")
        maand = maand_plus(maand, 1)
    return uit


# --- counting and storing --------------------------------------------------------------------------------


async def count_table(
    *, session: AsyncSession, periode: str, tabel: Groepering
) -> list[tuple[tuple[str, ...], int, int]]:
    """`(codes, count, sum of keys)` per non-empty cell of one table in one period: one GROUP BY."""
    kolommen = [KOLOMMEN[d] for d in tabel.dimensies]
    vraag = sa.select(*kolommen, sa.func.count(), sa.func.sum(GebeurtenisRij.celsleutel)).select_from(
        GebeurtenisRij
    )
    if tabel.per_vorm:
        vraag = vraag.join(GebeurtenisVorm, GebeurtenisVorm.gebeurtenis_id == GebeurtenisRij.id)
    vraag = vraag.where(
        GebeurtenisRij.type == _TYPE[tabel.telling], _PERIODEKOLOM[soort_van(periode)] == periode
    )
    if tabel.telling == "eerste_terugkoppelingen":
        vraag = vraag.where(GebeurtenisRij.eerste_terugkoppeling.is_(True))
    if kolommen:
        vraag = vraag.group_by(*kolommen)
    uit = []
    for rij in await session.execute(vraag):
        aantal = int(rij[-2])
        if aantal:
            uit.append((tuple(str(w) for w in rij[:-2]), aantal, int(rij[-1])))
    return uit


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
    *, session: AsyncSession, periode: str, drempel: int
) -> tuple[int | None, int | None]:
    """Median and 90th percentile of days to a final decision, or None when fewer than `drempel` decisions."""
    vraag = (
        sa.select(GebeurtenisRij.doorlooptijd_dagen, sa.func.count())
        .where(
            GebeurtenisRij.type == "beoordeling_vastgelegd",
            _PERIODEKOLOM[soort_van(periode)] == periode,
            GebeurtenisRij.uitkomst.in_(EINDUITKOMSTEN),
            GebeurtenisRij.doorlooptijd_dagen.is_not(None),
        )
        .group_by(GebeurtenisRij.doorlooptijd_dagen)
        .order_by(GebeurtenisRij.doorlooptijd_dagen)
    )
    histogram = [(int(d), int(a)) for d, a in await session.execute(vraag) if d is not None]
    if sum(a for _, a in histogram) < drempel:
        return None, None
    return _percentiel(histogram, 0.5), _percentiel(histogram, 0.9)


def _gepubliceerd_genoeg(aantal: int | None, drempel: int) -> bool:
    """Whether a published count certainly rests on at least `drempel` events: a lead time is shown only then,
    so whether it is shown is read off a published figure and tells nothing about the true count."""
    return aantal is not None and aantal >= drempel + MAX_VERSTORING


async def tijden_tot_eerste_terugkoppeling(
    *, session: AsyncSession, periode: str, drempel: int, eersten: dict[str, int | None]
) -> list[dict[str, Any]]:
    """Median and 90th percentile of days from escalation to first outcome, for the region (`gemeente` "") and
    per municipality, over the first outcomes of the period; one GROUP BY.

    `eersten` holds the published count of first outcomes per municipality ("" for the region); a row is stored
    for each that has first outcomes (a count of 0 has no lead time), its figures null unless
    `_gepubliceerd_genoeg`.
    """
    vraag = (
        sa.select(GebeurtenisRij.gemeente_code, GebeurtenisRij.doorlooptijd_dagen, sa.func.count())
        .where(
            GebeurtenisRij.type == "terugkoppeling_vastgelegd",
            GebeurtenisRij.eerste_terugkoppeling.is_(True),
            _PERIODEKOLOM[soort_van(periode)] == periode,
            GebeurtenisRij.doorlooptijd_dagen.is_not(None),
        )
        .group_by(GebeurtenisRij.gemeente_code, GebeurtenisRij.doorlooptijd_dagen)
    )
    per_gemeente: dict[str, dict[int, int]] = {}
    for gemeente, dagen, aantal in await session.execute(vraag):
        if dagen is None:
            continue
        for sleutel in ("", str(gemeente)):
            histogram = per_gemeente.setdefault(sleutel, {})
            histogram[int(dagen)] = histogram.get(int(dagen), 0) + int(aantal)
    uit = []
    for gemeente, histogram in sorted(per_gemeente.items()):
        getoond = _gepubliceerd_genoeg(eersten.get(gemeente), drempel)
        gesorteerd = sorted(histogram.items())
        uit.append(
            {
                "periode": periode, "maat": EERSTE_TERUGKOPPELING, "gemeente": gemeente,
                "mediaan_dagen": _percentiel(gesorteerd, 0.5) if getoond else None,
                "p90_dagen": _percentiel(gesorteerd, 0.9) if getoond else None,
            }
        )  # fmt: skip
    return uit


async def publish_period(
    *,
    session: AsyncSession,
    periode: str,
    drempel: int,
    nu: datetime,
    opnieuw: bool = False,
    reden: str | None = None,
    na_tabel: Callable[[], None] | None = None,
) -> bool:
    """Count, protect and store one period; False (and nothing changed) when it is already published.

    With `opnieuw` a published period is replaced by a new version: an explicit correction, logged with `reden`.
    The caller commits.
    """
    bestaand = await session.get(Publicatie, periode)
    versie = 1
    if bestaand is not None:
        if not opnieuw:
            return False
        versie = bestaand.versie + 1
        await session.execute(sa.delete(GepubliceerdeCel).where(GepubliceerdeCel.periode == periode))
        await session.execute(
            sa.delete(GepubliceerdeDoorlooptijd).where(GepubliceerdeDoorlooptijd.periode == periode)
        )
        await session.delete(bestaand)
        await session.flush()
    mediaan, p90 = await doorlooptijden(session=session, periode=periode, drempel=drempel)
    session.add(
        Publicatie(
            periode=periode, soort=soort_van(periode), versie=versie, gepubliceerd_op=nu, drempel=drempel,
            mediaan_dagen=mediaan, p90_dagen=p90,
        )
    )  # fmt: skip
    await session.flush()  # a concurrent publisher of the same period fails here, on the primary key
    tabel_cellen = GepubliceerdeCel.__table__
    assert isinstance(tabel_cellen, sa.Table)
    eersten: dict[str, int | None] = {}
    for tabel in alle_groeperingen():
        rijen = [
            {
                "periode": periode, "telling": tabel.telling, "per_vorm": tabel.per_vorm,
                "groepering": tabel.naam, "waarden": SCHEIDING.join(codes),
                "aantal": bescherm(aantal=aantal, sleutels_som=som, drempel=drempel),
            }
            for codes, aantal, som in await count_table(session=session, periode=periode, tabel=tabel)
        ]  # fmt: skip
        if rijen:
            await session.execute(sa.insert(tabel_cellen), rijen)
        if tabel.telling == "eerste_terugkoppelingen":
            eersten.update({str(rij["waarden"]): cast("int | None", rij["aantal"]) for rij in rijen})
        if na_tabel:
            na_tabel()
    tijden = await tijden_tot_eerste_terugkoppeling(
        session=session, periode=periode, drempel=drempel, eersten=eersten
    )
    if tijden:
        await session.execute(sa.insert(GepubliceerdeDoorlooptijd), tijden)
    if bestaand is not None:
        log.warning(
            "periode opnieuw gepubliceerd",
            extra={"periode": periode, "versie": versie, "reden": reden or "geen reden opgegeven"},
        )
    else:
        log.info("periode gepubliceerd", extra={"periode": periode})
    return True


async def eerste_maand(*, session: AsyncSession) -> str | None:
    return (await session.execute(sa.select(sa.func.min(GebeurtenisRij.maand)))).scalar_one_or_none()


async def te_publiceren(*, session: AsyncSession, nu: datetime, embargo: timedelta) -> list[str]:
    """The closed periods not yet published, in order."""
    begin = await eerste_maand(session=session)
    if begin is None:
        return []
    gepubliceerd = set((await session.scalars(sa.select(Publicatie.periode))).all())
    return [p for p in gesloten_perioden(eerste_maand=begin, nu=nu, embargo=embargo) if p not in gepubliceerd]


async def publish_closed(
    *,
    maker: async_sessionmaker[AsyncSession],
    drempel: int,
    embargo: timedelta,
    nu: datetime | None = None,
    bij_start: Callable[[int], None] | None = None,
    na_tabel: Callable[[], None] | None = None,
) -> list[str]:
    """Publish every closed period not yet published, each in its own transaction; the periods published."""
    nu = nu or datetime.now(UTC)
    async with maker() as session:
        perioden = await te_publiceren(session=session, nu=nu, embargo=embargo)
    if bij_start:
        bij_start(len(perioden) * len(alle_groeperingen()))
    gedaan = []
    for periode in perioden:
        try:
            async with maker() as session, session.begin():
                if await publish_period(
                    session=session, periode=periode, drempel=drempel, nu=nu, na_tabel=na_tabel
                ):
                    gedaan.append(periode)
        except IntegrityError:
            log.info("periode tegelijk elders gepubliceerd", extra={"periode": periode})
    return gedaan


async def start_publicatietaak(app: FastAPI) -> Callable[[], Awaitable[None]] | None:
    """Start-up hook: publish closed periods once at start and then every `publicatie_interval_seconden`."""
    settings = app.state.settings
    if not settings.publicatie_taak_aan:
        return None

    return start_periodic(
        name="publicatie",
        round=lambda: publish_closed(
            maker=app.state.sessionmaker, drempel=settings.drempel, embargo=settings.embargo
        ),
        interval_seconds=settings.publicatie_interval_seconden,
        log=log,
        failure="publiceren mislukt; volgende poging bij de volgende ronde",
    )
