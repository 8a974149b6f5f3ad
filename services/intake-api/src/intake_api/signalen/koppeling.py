"""Linking betrokkenen across signals by any of their link pseudonyms.

A betrokkene recorded with a BSN and with name + birth date has two link pseudonyms
(`betrokkene_pseudoniemen`, each with its kind). Betrokkenen are grouped into one person:

1. betrokkenen sharing a BSN pseudonym are one person;
2. then, per name + birth date pseudonym (in a fixed order), betrokkenen sharing it join the same
   person, unless that would put two different BSNs in one person: two BSNs are two people, whatever
   their names say.

Grouping is transitive, so a signal with only the BSN and one with only name + birth date are linked
through a third that recorded both. The same grouping answers the gateway's question "which pseudonyms
belong to this person" for an access request, so a request by BSN and one by name + birth date find the
same signals. A request by name + birth date that fits people with different BSNs is ambiguous: it then
gets only the signals recorded without any BSN (the FG asks again with the BSN).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.models import BetrokkenePseudoniem

#: Rounds of the closure; each round follows pseudonym -> betrokkenen -> their other pseudonyms.
_MAX_RONDEN = 8
BSN, NAAM = "bsn", "naam"


@dataclass(frozen=True, slots=True)
class Koppeling:
    pseudoniemen: frozenset[str]
    signalen: frozenset[UUID]


@dataclass(frozen=True, slots=True, order=True)
class _Rij:
    betrokkene: UUID
    pseudoniem: str
    soort: str
    signaal: UUID


@dataclass(slots=True)
class _Persoon:
    betrokkenen: set[UUID] = field(default_factory=set)
    bsns: set[str] = field(default_factory=set)


class _Personen:
    """Union-find over betrokkenen, refusing to join two different BSNs."""

    def __init__(self, rijen: Iterable[_Rij]) -> None:
        self.rijen = sorted(set(rijen))
        self.ouder: dict[UUID, UUID] = {}
        self.persoon: dict[UUID, _Persoon] = {}
        for rij in self.rijen:
            if rij.betrokkene not in self.ouder:
                self.ouder[rij.betrokkene] = rij.betrokkene
                self.persoon[rij.betrokkene] = _Persoon({rij.betrokkene})
            if rij.soort == BSN:
                self.persoon[rij.betrokkene].bsns.add(rij.pseudoniem)
        for soort in (BSN, NAAM):
            per_pseudoniem: dict[str, list[UUID]] = {}
            for rij in self.rijen:
                if rij.soort == soort:
                    per_pseudoniem.setdefault(rij.pseudoniem, []).append(rij.betrokkene)
            for pseudoniem in sorted(per_pseudoniem):
                eerste, *overige = per_pseudoniem[pseudoniem]
                for betrokkene in overige:
                    self.join(eerste, betrokkene)

    def find_root(self, betrokkene: UUID) -> UUID:
        while (ouder := self.ouder[betrokkene]) != betrokkene:
            self.ouder[betrokkene] = self.ouder[ouder]
            betrokkene = ouder
        return betrokkene

    def join(self, a: UUID, b: UUID) -> None:
        wa, wb = self.find_root(a), self.find_root(b)
        if wa == wb or len(self.persoon[wa].bsns | self.persoon[wb].bsns) > 1:
            return
        self.ouder[wb] = wa
        samengevoegd = self.persoon.pop(wb)
        self.persoon[wa].betrokkenen |= samengevoegd.betrokkenen
        self.persoon[wa].bsns |= samengevoegd.bsns

    def koppeling(self, wortel: UUID) -> Koppeling:
        leden = self.persoon[wortel].betrokkenen
        gekozen = [r for r in self.rijen if r.betrokkene in leden]
        return Koppeling(frozenset(r.pseudoniem for r in gekozen), frozenset(r.signaal for r in gekozen))


_PSEUDONIEMEN: sa.Table = BetrokkenePseudoniem.__table__  # type: ignore[assignment]
_RIJEN = sa.select(
    _PSEUDONIEMEN.c.betrokkene_id,
    _PSEUDONIEMEN.c.link_pseudoniem,
    _PSEUDONIEMEN.c.soort,
    _PSEUDONIEMEN.c.signaal_id,
)


def _ronden(dialect: str) -> dict[tuple[bool, bool], sa.Select[Any]]:
    """The rows of one round, by what it looks for (betrokkenen, pseudonyms). Built once: a new signal's link
    lookup is on the hot path of recording. On PostgreSQL the values travel as one array each (one statement
    text whatever their number); SQLite gets an IN list."""
    b, p = _PSEUDONIEMEN.c.betrokkene_id, _PSEUDONIEMEN.c.link_pseudoniem
    if dialect == "postgresql":
        van_b = b == sa.any_(sa.bindparam("betrokkenen", type_=postgresql.ARRAY(b.type)))
        met_p = p == sa.any_(sa.bindparam("pseudoniemen", type_=postgresql.ARRAY(p.type)))
    else:
        van_b = b.in_(sa.bindparam("betrokkenen", expanding=True))
        met_p = p.in_(sa.bindparam("pseudoniemen", expanding=True))
    return {
        (True, False): _RIJEN.where(van_b),
        (False, True): _RIJEN.where(met_p),
        (True, True): _RIJEN.where(sa.or_(van_b, met_p)),
    }


_RONDE = {dialect: _ronden(dialect) for dialect in ("postgresql", "sqlite")}


async def _sluiting(
    session: AsyncSession, *, betrokkenen: set[UUID], pseudoniemen: set[str], bekend: Iterable[_Rij] = ()
) -> list[_Rij]:
    """Every pseudonym row reachable from the given betrokkenen and pseudonyms.

    `bekend` are the rows of betrokkenen not in the database yet (being written in this transaction): they
    stand in for the first round, which would have read exactly them."""
    rijen: set[_Rij] = set(bekend)
    gezien_b: set[UUID] = {r.betrokkene for r in rijen}
    gezien_p: set[str] = set()
    nieuwe_b, nieuwe_p = set(betrokkenen), set(pseudoniemen) | {r.pseudoniem for r in rijen}
    for _ in range(_MAX_RONDEN - 1 if rijen else _MAX_RONDEN):
        nieuwe_b -= gezien_b
        nieuwe_p -= gezien_p
        if not nieuwe_b and not nieuwe_p:
            break
        gezien_b |= nieuwe_b
        gezien_p |= nieuwe_p
        # Core on the session's connection: no ORM compile step for a plain read of four columns (pending
        # rows of the session are flushed first, as the ORM's autoflush would).
        await session.flush()
        connection = await session.connection()
        gevonden = [
            _Rij(b, p, k, s)
            for b, p, k, s in await connection.execute(
                _RONDE[connection.dialect.name][bool(nieuwe_b), bool(nieuwe_p)],
                {"betrokkenen": sorted(nieuwe_b), "pseudoniemen": sorted(nieuwe_p)},
            )
        ]
        rijen.update(gevonden)
        nieuwe_b = {r.betrokkene for r in gevonden}
        nieuwe_p = {r.pseudoniem for r in gevonden}
    return sorted(rijen)


async def find_koppelingen(*, session: AsyncSession, betrokkene_ids: Iterable[UUID]) -> dict[UUID, Koppeling]:
    """Per betrokkene: every pseudonym of the person and every signal (its own included) they appear in."""
    gevraagd = set(betrokkene_ids)
    if not gevraagd:
        return {}
    personen = _Personen(await _sluiting(session, betrokkenen=gevraagd, pseudoniemen=set()))
    leeg = Koppeling(frozenset(), frozenset())
    return {b: personen.koppeling(personen.find_root(b)) if b in personen.ouder else leeg for b in gevraagd}


async def find_koppelingen_nieuw(
    *, session: AsyncSession, rijen: Iterable[tuple[UUID, str, str, UUID]]
) -> dict[UUID, Koppeling]:
    """As `find_koppelingen`, for the betrokkenen of a signal being recorded, from their pseudonym rows
    (betrokkene, pseudonym, kind, signal) as written rather than read back. A betrokkene without any pseudonym
    has no row and is not in the answer."""
    eigen = [_Rij(*r) for r in rijen]
    if not eigen:
        return {}
    personen = _Personen(await _sluiting(session, betrokkenen=set(), pseudoniemen=set(), bekend=eigen))
    return {r.betrokkene: personen.koppeling(personen.find_root(r.betrokkene)) for r in eigen}


async def pseudoniemen_van_persoon(
    *, session: AsyncSession, pseudoniemen: Iterable[tuple[str, str]]
) -> set[str]:
    """Every pseudonym of the person the given (kind, pseudonym) pairs describe, the given ones included."""
    gezocht = {p: soort for soort, p in pseudoniemen}
    personen = _Personen(await _sluiting(session, betrokkenen=set(), pseudoniemen=set(gezocht)))
    eigen_bsn = {p for p, soort in gezocht.items() if soort == BSN}
    kandidaten = {personen.find_root(r.betrokkene) for r in personen.rijen if r.pseudoniem in gezocht}
    bsns = set().union(*(personen.persoon[w].bsns for w in kandidaten)) if kandidaten else set()
    if eigen_bsn:
        gekozen = {w for w in kandidaten if personen.persoon[w].bsns <= eigen_bsn}
    elif len(bsns) <= 1:
        gekozen = kandidaten
    else:  # people with different BSNs share this name and birth date
        gekozen = {w for w in kandidaten if not personen.persoon[w].bsns}
    resultaat = set(gezocht)
    for wortel in gekozen:
        resultaat |= personen.koppeling(wortel).pseudoniemen
    return resultaat
