"""Disclosure control by the cell-key method: the same cell gets the same perturbation in every table.

Pure and deterministic; `docs/statistiek.md` explains the method, why it was chosen and its limits. In short:

* Every event carries a fixed random key `r` in 0..2^32-1, drawn once at ingest and never published.
* A cell counts `n` events (or event-form pairs) with keys `r_1 … r_n`. Its cell key is
  `u = (r_1 + … + r_n) mod 2^32 / 2^32`, uniform on [0, 1) and a function of *which* events the cell holds only:
  the same events give the same key, in whatever table, grouping, margin or request the cell appears.
* A count of 0 is published as 0; a count from 1 to k-1 is suppressed; a count `n >= k` is published as
  `max(k, n + d)` where `d` in -D..D is read from the fixed perturbation table `VERSTORING` at `u`.
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
    """The published count of a cell of `aantal` events: 0, None (suppressed) or a perturbed count >= `drempel`."""
    if drempel < MINIMALE_DREMPEL:
        raise ValueError(f"de drempel is minstens {MINIMALE_DREMPEL}")
    if isinstance(aantal, bool) or not isinstance(aantal, int) or aantal < 0:
        raise ValueError("een aantal is een geheel getal van 0 of meer")
    if aantal == 0:
        return 0
    if aantal < drempel:
        return None
    return max(drempel, aantal + verstoring(sleutels_som))
