"""Periods of the statistics: month `2026-10`, quarter `2026-K4`, year `2026`, all derived from a month."""

from __future__ import annotations

import re
from typing import Literal, get_args

Periode = Literal["maand", "kwartaal", "jaar"]
PERIODES: tuple[Periode, ...] = get_args(Periode)

# Any four-digit year: the API accepts 2000..2099 only, but a period before or after a range (the comparison
# period of `2000-01`) must still be computable.
_MAAND = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


def ontleed_maand(maand: str) -> tuple[int, int]:
    """`(year, month)` of `YYYY-MM`; ValueError otherwise."""
    gevonden = _MAAND.fullmatch(maand)
    if not gevonden:
        raise ValueError("een maand is JJJJ-MM")
    return int(gevonden.group(1)), int(gevonden.group(2))


def kwartaal_van(maand: str) -> str:
    jaar, m = ontleed_maand(maand)
    return f"{jaar:04d}-K{(m - 1) // 3 + 1}"


def jaar_van(maand: str) -> str:
    return maand[:4]


def periode_van(maand: str, periode: Periode) -> str:
    """The label of the period of `periode` kind that holds `maand`."""
    if periode == "maand":
        return maand
    return kwartaal_van(maand) if periode == "kwartaal" else jaar_van(maand)


def maand_plus(maand: str, maanden: int) -> str:
    jaar, m = ontleed_maand(maand)
    index = jaar * 12 + (m - 1) + maanden
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def maanden_tussen(van: str, tot: str) -> int:
    """How many months `van` to `tot` spans, both included (0 or less when `tot` is before `van`)."""
    (j1, m1), (j2, m2) = ontleed_maand(van), ontleed_maand(tot)
    return (j2 * 12 + m2) - (j1 * 12 + m1) + 1


def hele_perioden(van: str, tot: str, periode: Periode) -> tuple[str, str]:
    """Widen `van`..`tot` to whole periods, so no period is counted in part."""
    _, m1 = ontleed_maand(van)
    _, m2 = ontleed_maand(tot)
    lengte = {"maand": 1, "kwartaal": 3, "jaar": 12}[periode]
    begin = maand_plus(van, -((m1 - 1) % lengte))
    eind = maand_plus(tot, lengte - 1 - (m2 - 1) % lengte)
    return begin, eind


def vorige_periode_begin(van: str, periode: Periode) -> str:
    """The first month of the period before the one that starts at `van` (a period start)."""
    return maand_plus(van, -{"maand": 1, "kwartaal": 3, "jaar": 12}[periode])
