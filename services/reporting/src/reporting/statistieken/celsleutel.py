"""Disclosure control by the cell-key method: the same cell gets the same perturbation in every table.

Pure and deterministic; `docs/statistiek.md` explains the method, why it was chosen and its limits. In short:

* Every event carries a fixed random key `r` in 0..2^32-1, drawn once at ingest and never published.
* A cell counts `n` events (or event-form pairs) with keys `r_1 … r_n`. Its cell key is
  `u = (r_1 + … + r_n) mod 2^32 / 2^32`, uniform on [0, 1) and a function of *which* events the cell holds only:
  the same events give the same key, in whatever table, grouping, margin or request the cell appears.
* A count of 0 is published as 0. Any other count `n` gets the perturbation `d` in -D..D read from the fixed
  perturbation table `VERSTORING` at `u`; it is published as `n + d` when that is at least k (and `n` is at least
  half of k), and suppressed otherwise. So a published figure is never below k, a count below k is never shown
  as it is, and the edge of suppression itself is blurred: a suppressed count lies in 1..k-1+D, not 1..k-1, which
  keeps an attacker who knows that several suppressed cells add up to a large published total from bounding
  them tightly.
* A margin (a total) is a cell in its own right, with its own key and its own perturbation; it is never
  computed as the sum of published cells, so the published figures are not additive on purpose.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

#: Default threshold k: counts 1..k-1 are suppressed.
STANDAARD_DREMPEL = 10
#: The lowest threshold accepted.
MINIMALE_DREMPEL = 5
#: The keys live in 0..MODULUS-1.
MODULUS = 2**32

#: The perturbation table: probability of each perturbation `d`. Public: its support (-4..4) is what an attacker
#: knows of every published count. Most mass is near 0 (mean absolute perturbation about 1.06) so the figures stay
#: useful; the wide, thin tails make every published figure uncertain over nine values, so equations that combine
#: figures (a margin minus its other cells) leave a wide range for a withheld cell.
VERSTORING: dict[int, float] = {
    -4: 0.01, -3: 0.03, -2: 0.09, -1: 0.22, 0: 0.30, 1: 0.22, 2: 0.09, 3: 0.03, 4: 0.01,
}  # fmt: skip
#: The largest perturbation, in either direction.
MAX_VERSTORING = max(VERSTORING)

_WAARDEN = sorted(VERSTORING)
# Cumulative bounds on the integer key scale, so the lookup is exact (no floating point at the edges).
_GRENZEN = [round(c * MODULUS) for c in accumulate(VERSTORING[d] for d in _WAARDEN)][:-1]


def celsleutel(sleutels_som: int) -> int:
    """The cell key on the integer scale 0..MODULUS-1 of the sum of its events' keys."""
    return sleutels_som % MODULUS


def verstoring(sleutels_som: int) -> int:
    """The perturbation `d` (-D..D) of a cell whose events' keys add up to `sleutels_som`."""
    return _WAARDEN[bisect_right(_GRENZEN, celsleutel(sleutels_som))]


def bescherm(*, aantal: int, sleutels_som: int, drempel: int = STANDAARD_DREMPEL) -> int | None:
    """The published count of a cell of `aantal` events: 0, None (suppressed) or a perturbed count >= `drempel`.

    A count of at least `drempel + MAX_VERSTORING` is always published, one below `drempel - MAX_VERSTORING` (or
    below half of `drempel`) never.
    """
    if drempel < MINIMALE_DREMPEL:
        raise ValueError(f"de drempel is minstens {MINIMALE_DREMPEL}")
    if isinstance(aantal, bool) or not isinstance(aantal, int) or aantal < 0:
        raise ValueError("een aantal is een geheel getal van 0 of meer")
    if aantal == 0:
        return 0
    gepubliceerd = aantal + verstoring(sleutels_som)
    if gepubliceerd < drempel or 2 * aantal < drempel:
        return None
    return gepubliceerd


def grenzen(*, gepubliceerd: int | None, drempel: int = STANDAARD_DREMPEL) -> tuple[int, int]:
    """What a published figure tells anyone who knows the method of the true count: an interval."""
    if gepubliceerd is None:
        return 1, drempel - 1 + MAX_VERSTORING
    if gepubliceerd == 0:
        return 0, 0
    return max(gepubliceerd - MAX_VERSTORING, (drempel + 1) // 2), gepubliceerd + MAX_VERSTORING
