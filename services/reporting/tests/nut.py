"""How useful the published figures stay: share of non-zero cells withheld and the typical error, on a
generated year like the demo's. `python -m services.reporting.tests.nut` is not needed: the test imports it."""

from __future__ import annotations

import random
from collections import defaultdict
from itertools import combinations
from typing import Any

from reporting.statistieken.celsleutel import bescherm
from reporting.statistieken.publicatie import DIMENSIES, MAX_DIMENSIES, tabel_van

from .aanvaller import VELD, genereer, perioden_van, tellingen_van


def nut(*, signalen: int = 1600, drempel: int = 10, zaad: int = 2026) -> dict[str, dict[str, float]]:
    """Per number of dimensions (0..3): share of non-zero cells withheld, mean absolute error of shown cells."""
    events = genereer(signalen=signalen, maanden=[f"2026-{m:02d}" for m in range(1, 13)], zaad=zaad)
    rng = random.Random(zaad)
    sleutels = [rng.randrange(2**32) for _ in events]
    uit: dict[str, dict[str, float]] = {}
    for n in range(MAX_DIMENSIES + 1):
        for soort in ("maand", "kwartaal", "jaar"):
            aantal: dict[Any, int] = defaultdict(int)
            som: dict[Any, int] = defaultdict(int)
            for dims in combinations(DIMENSIES, n):
                tabel = tabel_van(dims)
                for e, r in zip(events, sleutels, strict=True):
                    if tabel.telling not in tellingen_van(e):
                        continue
                    periode = perioden_van(e["maand"])[("maand", "kwartaal", "jaar").index(soort)]
                    for vorm in e["uitbuitingsvormen"] if tabel.per_vorm else [None]:
                        sleutel = (
                            dims,
                            periode,
                            *(vorm if d == "uitbuitingsvorm" else e[VELD[d]] for d in dims),
                        )
                        aantal[sleutel] += 1
                        som[sleutel] += r
            gepubliceerd = {
                s: bescherm(aantal=a, sleutels_som=som[s], drempel=drempel) for s, a in aantal.items()
            }
            getoond = [abs(gepubliceerd[s] - a) for s, a in aantal.items() if gepubliceerd[s] is not None]  # type: ignore[operator]
            uit[f"{n} dimensies, {soort}"] = {
                "cellen": len(aantal),
                "onderdrukt": 1 - len(getoond) / len(aantal),
                "gemiddelde_fout": sum(getoond) / len(getoond) if getoond else 0.0,
            }
    return uit
