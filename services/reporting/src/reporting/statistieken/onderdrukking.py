"""Disclosure control for count tables: primary and secondary suppression, with marginal totals.

Pure and deterministic: the same cells give the same answer, whatever their order. `docs/statistiek.md`
explains the method and its limits; in short:

* A table is a set of cells keyed `(periode, waarde_1, …, waarde_n)` for the grouping dimensions, with a
  count. Periods are independent: every total below lies within one period.
* Published totals per period: the grand total (n >= 1), and for n >= 2 the total per value of each
  grouping dimension. A total is the sum of the cells on its line, computed here (never taken from
  elsewhere), so the published figures are additive.
* Primary suppression: a cell or a total with a count in 1..k-1 is suppressed. 0 is always shown.
* Secondary suppression: every suppressed entry must have a *witness*: an integer change `d` of the
  suppressed entries that keeps every shown entry, every additive relation and every bound an attacker
  knows (a primary cell lies in 1..k-1; a secondary cell, never 0, lies in k..∞; the response says
  which is which) intact. Then `x + d` is another table consistent with everything published, so no
  suppressed entry can be recomputed exactly. Witnesses are small patterns: a rectangle of four cells
  in two dimensions (no total changes), two cells that differ in one dimension together with their two
  totals on that dimension, or, as a last resort, the cell together with every total through it.
  For each unprotected primary entry the cheapest feasible pattern is suppressed (fewest totals
  withheld, then the smallest sum of newly suppressed cells, then the fewest cells). Suppressing more
  never breaks an earlier witness (shown entries only become suppressed; labels never change), so one
  pass reaches the fixpoint.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal, NamedTuple

#: Default threshold k: counts 1..k-1 are suppressed.
STANDAARD_DREMPEL = 10
#: The lowest threshold accepted.
MINIMALE_DREMPEL = 5

Reden = Literal["primair", "secundair"]


@dataclass(frozen=True, slots=True)
class Cel:
    """One published cell: `aantal` is None exactly when `onderdrukt`; `reden` says why."""

    sleutel: tuple[str, ...]
    aantal: int | None
    onderdrukt: bool
    reden: Reden | None


@dataclass(frozen=True, slots=True)
class Totaal:
    """A marginal total within one period; `dimensie` and `waarde` are None for the period's grand total."""

    periode: str
    dimensie: str | None
    waarde: str | None
    aantal: int | None
    onderdrukt: bool


@dataclass(frozen=True, slots=True)
class BeschermdeTabel:
    """The suppressed table: cells in key order, totals per period (grand total first)."""

    dimensies: tuple[str, ...]
    drempel: int
    cellen: tuple[Cel, ...]
    totalen: tuple[Totaal, ...]


class _C(NamedTuple):
    """A cell of one period's table, by its values of the grouping dimensions."""

    sleutel: tuple[str, ...]


class _T(NamedTuple):
    """A total of one period: per value of dimension `dim`, or the grand total (`dim` -1)."""

    dim: int
    waarde: str


_Ingang = _C | _T
_GROOT = _T(-1, "")


@dataclass
class _Periode:
    """One period's table and the suppression state while it is being protected."""

    aantallen: dict[tuple[str, ...], int]
    n: int
    drempel: int
    waarden: list[list[str]] = field(init=False)
    totalen: dict[_T, int] = field(init=False)
    lijnen: dict[_T, list[_C]] = field(init=False)
    onderdrukt: dict[_Ingang, Reden] = field(init=False, default_factory=dict)
    gedekt: set[_Ingang] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.waarden = [sorted({sleutel[i] for sleutel in self.aantallen}) for i in range(self.n)]
        self.lijnen = {}
        for sleutel in sorted(self.aantallen):
            for totaal in self.totalen_door(sleutel):
                self.lijnen.setdefault(totaal, []).append(_C(sleutel))
        self.totalen = {
            t: sum(self.aantallen[c.sleutel] for c in cellen) for t, cellen in self.lijnen.items()
        }

    def totalen_door(self, sleutel: tuple[str, ...]) -> list[_T]:
        """The published totals whose line holds this cell."""
        if self.n == 0:
            return []
        if self.n == 1:
            # A total per value would equal the cell itself; only the grand total is published.
            return [_GROOT]
        return [_GROOT, *(_T(i, w) for i, w in enumerate(sleutel))]

    def waarde(self, ingang: _Ingang) -> int:
        return self.aantallen[ingang.sleutel] if isinstance(ingang, _C) else self.totalen[ingang]

    def is_primair(self, aantal: int) -> bool:
        return 1 <= aantal < self.drempel

    # --- witnesses -------------------------------------------------------------------------------------

    def _binnen_grenzen(self, d: Mapping[_Ingang, int]) -> bool:
        """Would `x + d` respect what an attacker knows of each cell's bounds, once `d` is suppressed?"""
        for ingang, delta in d.items():
            if not isinstance(ingang, _C):
                continue  # a total is bound by its relation only
            oud = self.aantallen[ingang.sleutel]
            nieuw = oud + delta
            if self.is_primair(oud):
                if not 1 <= nieuw < self.drempel:
                    return False
            elif nieuw < self.drempel:  # a secondary cell is never 0, so known to be at least k
                return False
        return True

    def _klopt(self, d: Mapping[_Ingang, int]) -> bool:
        """Does `x + d` keep every additive relation (each total equals the sum of its line)?"""
        som: dict[_T, int] = {ingang: 0 for ingang in d if isinstance(ingang, _T)}
        for ingang, delta in d.items():
            if isinstance(ingang, _C):
                for totaal in self.totalen_door(ingang.sleutel):
                    som[totaal] = som.get(totaal, 0) + delta
        return all(d.get(totaal, 0) == verschil for totaal, verschil in som.items())

    def _patronen(self, doel: _Ingang) -> Iterator[dict[_Ingang, int]]:
        """Candidate witnesses (with sign +1; the caller tries -1 too) that change `doel`."""
        if isinstance(doel, _C):
            yield from self._rechthoeken(doel.sleutel)
            yield from self._paren(doel.sleutel)
            yield self._alles_door(doel.sleutel)
            return
        for cel in self.lijnen[doel]:
            if self.aantallen[cel.sleutel] == 0:
                continue
            yield from (patroon for patroon in self._paren(cel.sleutel) if doel in patroon)
            yield self._alles_door(cel.sleutel)

    def _rechthoeken(self, p: tuple[str, ...]) -> Iterator[dict[_Ingang, int]]:
        # Four cells in two dimensions: every line holds none or two of them, with opposite signs.
        for i, j in combinations(range(self.n), 2):
            for a in self.waarden[i]:
                if a == p[i]:
                    continue
                pa = _vervang(p, i, a)
                if self.aantallen.get(pa, 0) == 0:
                    continue
                for b in self.waarden[j]:
                    if b == p[j]:
                        continue
                    pb, pab = _vervang(p, j, b), _vervang(pa, j, b)
                    if self.aantallen.get(pb, 0) > 0 and self.aantallen.get(pab, 0) > 0:
                        yield {_C(p): 1, _C(pa): -1, _C(pb): -1, _C(pab): 1}

    def _paren(self, p: tuple[str, ...]) -> Iterator[dict[_Ingang, int]]:
        # Two cells that differ in one dimension, with their two totals on that dimension. With a single
        # grouping dimension only the grand total relates them, and it does not change.
        for i in range(self.n):
            for a in self.waarden[i]:
                q = _vervang(p, i, a)
                if a == p[i] or self.aantallen.get(q, 0) == 0:
                    continue
                patroon: dict[_Ingang, int] = {_C(p): 1, _C(q): -1}
                if self.n >= 2:
                    patroon[_T(i, p[i])] = 1
                    patroon[_T(i, a)] = -1
                yield patroon

    def _alles_door(self, p: tuple[str, ...]) -> dict[_Ingang, int]:
        # Last resort, feasible for every primary cell (one sign or the other): the cell and every total
        # through it.
        patroon: dict[_Ingang, int] = {_C(p): 1}
        patroon.update(dict.fromkeys(self.totalen_door(p), 1))
        return patroon

    def _kosten(self, d: Mapping[_Ingang, int]) -> tuple[int, int, int]:
        nieuw = [ingang for ingang in d if ingang not in self.onderdrukt]
        cellen = [self.aantallen[i.sleutel] for i in nieuw if isinstance(i, _C)]
        return len(nieuw) - len(cellen), sum(cellen), len(cellen)

    def bescherm(self, doel: _Ingang) -> None:
        """Suppress the cheapest feasible witness for `doel`, unless it already has one."""
        if doel in self.gedekt:
            return
        beste: tuple[tuple[int, int, int], dict[_Ingang, int]] | None = None
        for patroon in self._patronen(doel):
            kosten = self._kosten(patroon)
            if beste is not None and kosten >= beste[0]:
                continue
            for teken in (1, -1):
                d = {ingang: teken * delta for ingang, delta in patroon.items()}
                if self._binnen_grenzen(d):
                    beste = (kosten, d)
                    break
            if beste is not None and beste[0] == (0, 0, 0):
                break  # only entries that are suppressed already: nothing is cheaper
        if beste is None:  # pragma: no cover - the last-resort pattern is always feasible
            raise AssertionError("geen beschermingspatroon gevonden")
        d = beste[1]
        # The patterns are additive by construction; checking the chosen one keeps that honest.
        if not self._klopt(d):  # pragma: no cover
            raise AssertionError("beschermingspatroon is niet additief")
        for ingang in d:
            self.onderdrukt.setdefault(ingang, "secundair")
        self.gedekt.update(d)


def _vervang(sleutel: tuple[str, ...], i: int, waarde: str) -> tuple[str, ...]:
    return (*sleutel[:i], waarde, *sleutel[i + 1 :])


def onderdruk(
    *, cellen: Mapping[tuple[str, ...], int], dimensies: Sequence[str], drempel: int = STANDAARD_DREMPEL
) -> BeschermdeTabel:
    """Apply primary and secondary suppression to a count table and compute its marginal totals.

    `cellen` maps `(periode, waarde_1, …, waarde_n)` to a count >= 0, one value per name in `dimensies`
    (the grouping dimensions, without the period). Cells left out count as 0; include zero cells to have
    them shown. `drempel` is k: counts 1..k-1 are suppressed; it is never below `MINIMALE_DREMPEL`.
    """
    dimensies = tuple(dimensies)
    if drempel < MINIMALE_DREMPEL:
        raise ValueError(f"de drempel is minstens {MINIMALE_DREMPEL}")
    if len(set(dimensies)) != len(dimensies):
        raise ValueError("een dimensie staat er twee keer in")
    per_periode: dict[str, dict[tuple[str, ...], int]] = {}
    for sleutel, aantal in cellen.items():
        if len(sleutel) != len(dimensies) + 1:
            raise ValueError("elke sleutel heeft een periode en een waarde per dimensie")
        if isinstance(aantal, bool) or not isinstance(aantal, int) or aantal < 0:
            raise ValueError("een aantal is een geheel getal van 0 of meer")
        per_periode.setdefault(sleutel[0], {})[sleutel[1:]] = aantal

    uit_cellen: list[Cel] = []
    uit_totalen: list[Totaal] = []
    for periode in sorted(per_periode):
        tabel = _Periode(aantallen=per_periode[periode], n=len(dimensies), drempel=drempel)
        primair: list[_Ingang] = [
            _C(s) for s in sorted(tabel.aantallen) if tabel.is_primair(tabel.aantallen[s])
        ]
        primair += [t for t in sorted(tabel.totalen) if tabel.is_primair(tabel.totalen[t])]
        for ingang in primair:
            tabel.onderdrukt[ingang] = "primair"
        for ingang in primair:
            tabel.bescherm(ingang)

        for sleutel in sorted(tabel.aantallen):
            reden = tabel.onderdrukt.get(_C(sleutel))
            getoond = None if reden else tabel.aantallen[sleutel]
            uit_cellen.append(Cel((periode, *sleutel), getoond, reden is not None, reden))
        for totaal in sorted(tabel.totalen):
            verborgen = totaal in tabel.onderdrukt
            dimensie, waarde = (None, None) if totaal == _GROOT else (dimensies[totaal.dim], totaal.waarde)
            uit_totalen.append(
                Totaal(periode, dimensie, waarde, None if verborgen else tabel.totalen[totaal], verborgen)
            )
    return BeschermdeTabel(dimensies, drempel, tuple(uit_cellen), tuple(uit_totalen))
