"""The protection routine (cell-key method) on random tables: properties, with hypothesis."""

from __future__ import annotations

import random
import statistics
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reporting.statistieken.celsleutel import (
    MAX_VERSTORING,
    MINIMALE_DREMPEL,
    MODULUS,
    VERSTORING,
    bescherm,
    grenzen,
    verstoring,
)

drempels = st.integers(MINIMALE_DREMPEL, 15)
sleutels = st.integers(0, MODULUS - 1)


@given(aantal=st.integers(0, 500), som=st.integers(0, 500 * MODULUS), drempel=drempels)
def test_a_published_figure_never_shows_a_small_count_and_always_bounds_the_truth(
    aantal: int, som: int, drempel: int
) -> None:
    gepubliceerd = bescherm(aantal=aantal, sleutels_som=som, drempel=drempel)
    assert gepubliceerd == bescherm(aantal=aantal, sleutels_som=som, drempel=drempel)  # deterministic
    laag, hoog = grenzen(gepubliceerd=gepubliceerd, drempel=drempel)
    assert laag <= aantal <= hoog
    if aantal == 0:
        assert gepubliceerd == 0
    elif gepubliceerd is not None:
        assert gepubliceerd >= drempel and abs(gepubliceerd - aantal) <= MAX_VERSTORING
        assert 2 * aantal >= drempel
    if 1 <= aantal < drempel:
        assert gepubliceerd != aantal  # a count below k is never shown as it is
    if aantal >= drempel + MAX_VERSTORING:
        assert gepubliceerd is not None
    if gepubliceerd is None:
        assert hoog - laag >= drempel - 2 + MAX_VERSTORING  # suppressed: 1..k-1+D, whatever the count


tabellen = st.lists(
    st.tuples(st.sampled_from("abc"), st.sampled_from("xyz"), st.sampled_from("pq"), sleutels), max_size=80
)


@settings(max_examples=200)
@given(gebeurtenissen=tabellen, drempel=drempels, volgorde=st.randoms(use_true_random=False))
def test_the_same_cell_gets_the_same_figure_in_every_table(
    gebeurtenissen: list[tuple[str, str, str, int]], drempel: int, volgorde: random.Random
) -> None:
    """A cell reached as a cell of any grouping, a margin, or from events in any order: one figure."""

    def publiceer(
        rijen: list[tuple[str, str, str, int]], dims: tuple[int, ...]
    ) -> dict[tuple[str, ...], int | None]:
        aantal: dict[tuple[str, ...], int] = defaultdict(int)
        som: dict[tuple[str, ...], int] = defaultdict(int)
        for rij in rijen:
            sleutel = tuple(rij[d] for d in dims)
            aantal[sleutel] += 1
            som[sleutel] += rij[3]
        return {s: bescherm(aantal=aantal[s], sleutels_som=som[s], drempel=drempel) for s in aantal}

    geschud = list(gebeurtenissen)
    volgorde.shuffle(geschud)
    for dims in ((0,), (1,), (0, 1), (0, 2), (0, 1, 2), ()):
        assert publiceer(gebeurtenissen, dims) == publiceer(geschud, dims)
    # The margin of `a` in the (a, b) table and the one-way table of `a` are the same events, so the same figure;
    # adding up the children's keys gives the parent's key.
    twee = defaultdict(int)
    for a, b, _, r in gebeurtenissen:
        twee[(a, b)] += r
    een = publiceer(gebeurtenissen, (0,))
    for (a,) in een:
        som = sum(r for (x, _), r in twee.items() if x == a)
        n = sum(1 for g in gebeurtenissen if g[0] == a)
        assert bescherm(aantal=n, sleutels_som=som % MODULUS, drempel=drempel) == een[(a,)]


def test_the_perturbation_follows_its_table() -> None:
    rng = random.Random(5)
    trekkingen = [verstoring(rng.randrange(MODULUS)) for _ in range(40_000)]
    for d, kans in VERSTORING.items():
        assert trekkingen.count(d) / len(trekkingen) == pytest.approx(kans, abs=0.01)
    assert abs(statistics.mean(trekkingen)) < 0.03  # unbiased for counts away from the threshold
    assert statistics.mean(abs(d) for d in trekkingen) == pytest.approx(1.06, abs=0.03)


def test_a_bad_count_or_threshold_is_refused() -> None:
    for aantal in (-1, True, 1.5):
        with pytest.raises(ValueError):
            bescherm(aantal=aantal, sleutels_som=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        bescherm(aantal=10, sleutels_som=0, drempel=MINIMALE_DREMPEL - 1)
