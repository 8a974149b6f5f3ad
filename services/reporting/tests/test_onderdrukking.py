from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reporting.statistieken.onderdrukking import (
    MINIMALE_DREMPEL,
    STANDAARD_DREMPEL,
    BeschermdeTabel,
    Cel,
    Totaal,
    onderdruk,
)

Invoer = dict[tuple[str, ...], int]


# --- the attacker: every table consistent with what a response publishes --------------------------------


def _lijn(tabel: BeschermdeTabel, totaal: Totaal) -> list[Cel]:
    cellen = [c for c in tabel.cellen if c.sleutel[0] == totaal.periode]
    if totaal.dimensie is None:
        return cellen
    i = tabel.dimensies.index(totaal.dimensie) + 1
    return [c for c in cellen if c.sleutel[i] == totaal.waarde]


Lijn = tuple[list[tuple[int, int]], int]  # sum of coefficient * variable == right-hand side


def _propageer(lo: list[int], hi: list[int], lijnen: list[Lijn]) -> bool:
    """Tighten every variable's bounds from every line until nothing changes; False when infeasible."""
    veranderd = True
    while veranderd:
        veranderd = False
        for termen, rechts in lijnen:
            minimum = sum(c * (lo[i] if c > 0 else hi[i]) for i, c in termen)
            maximum = sum(c * (hi[i] if c > 0 else lo[i]) for i, c in termen)
            if not minimum <= rechts <= maximum:
                return False
            for i, c in termen:
                # c * x_i lies within rechts minus what the other terms can contribute.
                eigen_min = c * (lo[i] if c > 0 else hi[i])
                eigen_max = c * (hi[i] if c > 0 else lo[i])
                ruimte_lo = rechts - (maximum - eigen_max)
                ruimte_hi = rechts - (minimum - eigen_min)
                nieuw_lo, nieuw_hi = (ruimte_lo, ruimte_hi) if c > 0 else (-ruimte_hi, -ruimte_lo)
                if nieuw_lo > lo[i] or nieuw_hi < hi[i]:
                    lo[i], hi[i] = max(lo[i], nieuw_lo), min(hi[i], nieuw_hi)
                    if lo[i] > hi[i]:
                        return False
                    veranderd = True
    return True


def _oplosbaar(lo: list[int], hi: list[int], lijnen: list[Lijn]) -> bool:
    """Is there an integer assignment within the bounds meeting every line? (exhaustive, with propagation)"""
    lo, hi = list(lo), list(hi)
    if not _propageer(lo, hi, lijnen):
        return False
    vrij = [i for i in range(len(lo)) if lo[i] < hi[i]]
    if not vrij:
        return True
    i = min(vrij, key=lambda j: hi[j] - lo[j])
    for waarde in range(lo[i], hi[i] + 1):
        lo[i] = hi[i] = waarde
        if _oplosbaar(lo, hi, lijnen):
            return True
    return False


def _andere_waarde(lo: list[int], hi: list[int], lijnen: list[Lijn], doel: int, echt: int) -> bool:
    for waarde in range(lo[doel], hi[doel] + 1):
        if waarde != echt:
            lo2, hi2 = list(lo), list(hi)
            lo2[doel] = hi2[doel] = waarde
            if _oplosbaar(lo2, hi2, lijnen):
                return True
    return False


def herleidbaar(invoer: Mapping[tuple[str, ...], int], tabel: BeschermdeTabel) -> list[object]:
    """Suppressed cells and totals that take one value only, in every table consistent with the response.

    The attacker knows every shown cell and total, that a primary cell lies in 1..k-1 and that a
    secondary cell (never 0) is at least k. The variables are the suppressed cells and the withheld
    totals (each tied to its line). The search caps a secondary cell at its true value + k: that only
    shrinks the set of tables, so a second value found within the cap is a real one.
    """
    k = tabel.drempel
    gevonden: list[object] = []
    for periode in sorted({c.sleutel[0] for c in tabel.cellen}):
        verborgen = [c for c in tabel.cellen if c.sleutel[0] == periode and c.onderdrukt]
        index = {c.sleutel: i for i, c in enumerate(verborgen)}
        echt = [invoer[c.sleutel] for c in verborgen]
        lo = [1 if c.reden == "primair" else k for c in verborgen]
        hi = [k - 1 if c.reden == "primair" else echt[i] + k for i, c in enumerate(verborgen)]
        lijnen: list[Lijn] = []
        achtergehouden: list[tuple[Totaal, int, int]] = []
        for totaal in tabel.totalen:
            if totaal.periode != periode:
                continue
            lijn = _lijn(tabel, totaal)
            getoond = sum(c.aantal for c in lijn if c.aantal is not None)
            termen = [(index[c.sleutel], 1) for c in lijn if c.onderdrukt]
            if totaal.aantal is not None:
                lijnen.append((termen, totaal.aantal - getoond))
            else:
                # A withheld total becomes a variable: its line's suppressed cells minus it equal -shown.
                t = len(lo)
                lo.append(0)
                hi.append(getoond + sum(hi[i] for i, _ in termen))
                lijnen.append(([*termen, (t, -1)], -getoond))
                achtergehouden.append((totaal, t, getoond + sum(echt[i] for i, _ in termen)))
        for i, cel in enumerate(verborgen):
            if not _andere_waarde(lo, hi, lijnen, i, echt[i]):
                gevonden.append(cel.sleutel)
        for totaal, t, waar in achtergehouden:
            if not _andere_waarde(lo, hi, lijnen, t, waar):
                gevonden.append((totaal.periode, totaal.dimensie, totaal.waarde))
    return gevonden


@st.composite
def tabellen(draw: st.DrawFn) -> tuple[Invoer, list[str], int]:
    k = draw(st.integers(MINIMALE_DREMPEL, 10))
    n = draw(st.sampled_from([1, 2, 2, 2, 3]))
    maten = [draw(st.integers(1, 4 if n < 3 else 2)) for _ in range(n)]
    # Many small counts, some right at the threshold, a few zeros and absent cells.
    aantal = st.one_of(
        st.just(0), st.integers(1, k - 1), st.integers(1, 3), st.integers(k, k + 2), st.integers(k, 4 * k)
    )
    invoer: Invoer = {}
    for periode in ["2026-01", "2026-02"][: draw(st.integers(1, 2))]:
        for waarden in itertools.product(*[[f"w{j}" for j in range(m)] for m in maten]):
            if draw(st.integers(0, 9)) > 0:
                invoer[(periode, *waarden)] = draw(aantal)
    return invoer, [f"d{i}" for i in range(n)], k


# --- the attacker finds what is not protected ------------------------------------------------------------


def test_the_attack_recomputes_a_cell_that_only_has_primary_suppression() -> None:
    invoer: Invoer = {("2026-10", "a"): 3, ("2026-10", "b"): 20}
    alleen_primair = BeschermdeTabel(
        dimensies=("x",),
        drempel=10,
        cellen=(Cel(("2026-10", "a"), None, True, "primair"), Cel(("2026-10", "b"), 20, False, None)),
        totalen=(Totaal("2026-10", None, None, 23, False),),
    )
    assert herleidbaar(invoer, alleen_primair) == [("2026-10", "a")]


def test_the_attack_uses_the_bounds_of_primary_cells() -> None:
    # Two primary cells summing to 2 can only be 1 and 1.
    invoer: Invoer = {("p", "a"): 1, ("p", "b"): 1, ("p", "c"): 40}
    tabel = BeschermdeTabel(
        dimensies=("x",),
        drempel=10,
        cellen=(
            Cel(("p", "a"), None, True, "primair"),
            Cel(("p", "b"), None, True, "primair"),
            Cel(("p", "c"), 40, False, None),
        ),
        totalen=(Totaal("p", None, None, 42, False),),
    )
    assert herleidbaar(invoer, tabel) == [("p", "a"), ("p", "b")]


def test_the_attack_uses_the_lower_bound_of_secondary_cells() -> None:
    # a + b = 11 with a primary (<= 9) and b secondary (>= 10): only a = 1, b = 10 fits.
    invoer: Invoer = {("p", "a"): 1, ("p", "b"): 10}
    tabel = BeschermdeTabel(
        dimensies=("x",),
        drempel=10,
        cellen=(Cel(("p", "a"), None, True, "primair"), Cel(("p", "b"), None, True, "secundair")),
        totalen=(Totaal("p", None, None, 11, False),),
    )
    assert herleidbaar(invoer, tabel) == [("p", "a"), ("p", "b")]


# --- the property: no suppressed cell or withheld total can be recomputed --------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tabellen())
def test_no_suppressed_cell_or_total_can_be_recomputed(tabel: tuple[Invoer, list[str], int]) -> None:
    invoer, dimensies, k = tabel
    uitkomst = onderdruk(cellen=invoer, dimensies=dimensies, drempel=k)
    assert herleidbaar(invoer, uitkomst) == []


@settings(max_examples=150, deadline=None)
@given(tabellen())
def test_what_is_shown_is_true_and_what_is_small_is_hidden(tabel: tuple[Invoer, list[str], int]) -> None:
    invoer, dimensies, k = tabel
    uitkomst = onderdruk(cellen=invoer, dimensies=dimensies, drempel=k)
    assert [c.sleutel for c in uitkomst.cellen] == sorted(invoer)
    for cel in uitkomst.cellen:
        echt = invoer[cel.sleutel]
        assert cel.onderdrukt == (cel.aantal is None) == (cel.reden is not None)
        if echt == 0:
            assert cel.aantal == 0
        elif echt < k:
            assert cel.reden == "primair"
        elif cel.onderdrukt:
            assert cel.reden == "secundair"
        else:
            assert cel.aantal == echt
    for totaal in uitkomst.totalen:
        som = sum(invoer[c.sleutel] for c in _lijn(uitkomst, totaal))
        assert totaal.onderdrukt == (totaal.aantal is None)
        if 1 <= som < k:
            assert totaal.onderdrukt
        if not totaal.onderdrukt:
            assert totaal.aantal == som
    # One grand total per period, and per value only when there are two or more dimensions.
    perioden = {s[0] for s in invoer}
    assert sum(t.dimensie is None for t in uitkomst.totalen) == len(perioden)
    if len(dimensies) < 2:
        assert all(t.dimensie is None for t in uitkomst.totalen)


@settings(max_examples=60, deadline=None)
@given(tabellen())
def test_deterministic_and_periods_independent(tabel: tuple[Invoer, list[str], int]) -> None:
    invoer, dimensies, k = tabel
    uitkomst = onderdruk(cellen=invoer, dimensies=dimensies, drempel=k)
    omgekeerd = dict(reversed(list(invoer.items())))
    assert onderdruk(cellen=omgekeerd, dimensies=dimensies, drempel=k) == uitkomst
    for periode in {s[0] for s in invoer}:
        alleen = onderdruk(
            cellen={s: a for s, a in invoer.items() if s[0] == periode}, dimensies=dimensies, drempel=k
        )
        assert alleen.cellen == tuple(c for c in uitkomst.cellen if c.sleutel[0] == periode)
        assert alleen.totalen == tuple(t for t in uitkomst.totalen if t.periode == periode)


# --- worked examples -------------------------------------------------------------------------------------


def _cel(tabel: BeschermdeTabel, *sleutel: str) -> Cel:
    return next(c for c in tabel.cellen if c.sleutel == sleutel)


def _totaal(
    tabel: BeschermdeTabel, periode: str, dimensie: str | None = None, waarde: str | None = None
) -> Totaal:
    return next(t for t in tabel.totalen if (t.periode, t.dimensie, t.waarde) == (periode, dimensie, waarde))


def test_one_dimension_the_smallest_other_cell_is_suppressed() -> None:
    invoer: Invoer = {("2026-10", "a"): 1, ("2026-10", "b"): 20, ("2026-10", "c"): 30}
    tabel = onderdruk(cellen=invoer, dimensies=["sector"])
    assert _cel(tabel, "2026-10", "a") == Cel(("2026-10", "a"), None, True, "primair")
    assert _cel(tabel, "2026-10", "b") == Cel(("2026-10", "b"), None, True, "secundair")
    assert _cel(tabel, "2026-10", "c") == Cel(("2026-10", "c"), 30, False, None)
    assert tabel.totalen == (Totaal("2026-10", None, None, 51, False),)
    assert herleidbaar(invoer, tabel) == []


def test_total_is_withheld_when_no_cell_can_absorb_the_change() -> None:
    # b = k cannot go down (a secondary cell is >= k) and a = 1 cannot go down: the grand total goes.
    invoer: Invoer = {("2026-10", "a"): 1, ("2026-10", "b"): 10}
    tabel = onderdruk(cellen=invoer, dimensies=["sector"], drempel=10)
    assert _cel(tabel, "2026-10", "a").reden == "primair"
    assert _cel(tabel, "2026-10", "b") == Cel(("2026-10", "b"), 10, False, None)
    assert tabel.totalen == (Totaal("2026-10", None, None, None, True),)
    assert herleidbaar(invoer, tabel) == []


def test_two_dimensions_the_cheapest_rectangle_keeps_every_total() -> None:
    rijen = {"r1": [2, 30, 40], "r2": [50, 60, 70], "r3": [80, 90, 15]}
    invoer: Invoer = {
        ("2026-10", r, f"c{j + 1}"): a for r, aantallen in rijen.items() for j, a in enumerate(aantallen)
    }
    tabel = onderdruk(cellen=invoer, dimensies=["gemeente", "sector"])
    verborgen = {c.sleutel[1:]: c.reden for c in tabel.cellen if c.onderdrukt}
    # r1/r3 x c1/c3 suppresses 40 + 80 + 15 = 135 more, the least of the four rectangles.
    assert verborgen == {("r1", "c1"): "primair", ("r1", "c3"): "secundair", ("r3", "c1"): "secundair",
                         ("r3", "c3"): "secundair"}  # fmt: skip
    assert not any(t.onderdrukt for t in tabel.totalen)
    assert _totaal(tabel, "2026-10", "gemeente", "r1").aantal == 72
    assert _totaal(tabel, "2026-10", "sector", "c3").aantal == 125
    assert _totaal(tabel, "2026-10").aantal == 437
    assert herleidbaar(invoer, tabel) == []


def test_small_totals_are_suppressed_and_zero_is_shown() -> None:
    invoer: Invoer = {
        ("2026-10", "r1", "c1"): 1,
        ("2026-10", "r1", "c2"): 2,
        ("2026-10", "r1", "c3"): 0,
        ("2026-10", "r2", "c1"): 20,
        ("2026-10", "r2", "c2"): 30,
        ("2026-10", "r2", "c3"): 40,
    }
    tabel = onderdruk(cellen=invoer, dimensies=["gemeente", "sector"])
    assert _totaal(tabel, "2026-10", "gemeente", "r1") == Totaal("2026-10", "gemeente", "r1", None, True)
    assert _cel(tabel, "2026-10", "r1", "c3") == Cel(("2026-10", "r1", "c3"), 0, False, None)
    assert _cel(tabel, "2026-10", "r1", "c1").aantal is None
    assert herleidbaar(invoer, tabel) == []


def test_a_single_value_in_one_dimension_does_not_leak_through_the_other_totals() -> None:
    # With one municipality, a total per sector equals its cell.
    invoer: Invoer = {("2026-10", "GM1509", "bouw"): 4, ("2026-10", "GM1509", "horeca"): 25}
    tabel = onderdruk(cellen=invoer, dimensies=["gemeente", "sector"])
    assert _totaal(tabel, "2026-10", "sector", "bouw").onderdrukt
    assert _cel(tabel, "2026-10", "GM1509", "horeca").reden == "secundair"
    # The pair with its sector totals is cheaper than withholding the grand and municipality totals.
    assert _totaal(tabel, "2026-10").aantal == 29
    assert _totaal(tabel, "2026-10", "gemeente", "GM1509").aantal == 29
    assert herleidbaar(invoer, tabel) == []


def test_without_grouping_only_primary_suppression_and_no_totals() -> None:
    invoer: Invoer = {("2026-10",): 3, ("2026-11",): 12, ("2026-12",): 0}
    tabel = onderdruk(cellen=invoer, dimensies=[])
    assert [c.aantal for c in tabel.cellen] == [None, 12, 0]
    assert tabel.totalen == ()


def test_default_threshold_is_ten() -> None:
    assert STANDAARD_DREMPEL == 10
    tabel = onderdruk(cellen={("2026", "a"): 9, ("2026", "b"): 10, ("2026", "c"): 11}, dimensies=["x"])
    assert _cel(tabel, "2026", "a").reden == "primair"
    assert tabel.drempel == 10


def test_a_higher_threshold_suppresses_more() -> None:
    invoer: Invoer = {("2026", "a"): 12, ("2026", "b"): 40, ("2026", "c"): 50}
    assert not any(c.onderdrukt for c in onderdruk(cellen=invoer, dimensies=["x"]).cellen)
    streng = onderdruk(cellen=invoer, dimensies=["x"], drempel=15)
    assert _cel(streng, "2026", "a").reden == "primair"
    assert herleidbaar(invoer, streng) == []


def test_output_is_frozen() -> None:
    tabel = onderdruk(cellen={("2026", "a"): 3}, dimensies=["x"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        tabel.cellen[0].aantal = 3  # type: ignore[misc]


@pytest.mark.parametrize("drempel", [4, 0, -1])
def test_threshold_never_below_five(drempel: int) -> None:
    with pytest.raises(ValueError, match="drempel"):
        onderdruk(cellen={("2026", "a"): 3}, dimensies=["x"], drempel=drempel)


@pytest.mark.parametrize(
    ("cellen", "dimensies"),
    [
        ({("2026", "a", "b"): 3}, ["x"]),  # a value too many
        ({("2026",): 3}, ["x"]),  # a value too few
        ({("2026", "a"): -1}, ["x"]),
        ({("2026", "a"): True}, ["x"]),
        ({("2026", "a"): 2.0}, ["x"]),
        ({("2026", "a", "b"): 3}, ["x", "x"]),
    ],
)
def test_invalid_input_is_refused(cellen: dict[tuple[str, ...], int], dimensies: list[str]) -> None:
    with pytest.raises(ValueError):
        onderdruk(cellen=cellen, dimensies=dimensies)
