"""Date arithmetic of deadlines, pure: working days skip weekends and Dutch public holidays.

The public holidays come from the `holidays` package (NL), plus 5 May every year: the Algemene termijnenwet
counts Bevrijdingsdag each year, where the package lists it in lustrum years only. A deadline of `n` working days
falls on the n-th working day after the start day (the start day itself does not count); one of `n` calendar
days or months on that day, a month later clamped to the month's last day (31 January + 1 month = 28/29 February).
A deadline is met when the work is done on or before its due date (Dutch calendar date).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import holidays

Eenheid = Literal["werkdagen", "kalenderdagen", "maanden"]
EENHEDEN: tuple[str, ...] = get_args(Eenheid)

_TIJDZONE = ZoneInfo("Europe/Amsterdam")
_LANGSTE = 3_650  # the longest deadline accepted, in days: guards the working-day loop

__all__ = [
    "EENHEDEN",
    "Eenheid",
    "datum_in_nederland",
    "is_werkdag",
    "verlopen_vanaf",
    "vervaldatum",
    "vrije_dagen",
    "vrije_dagen_laden",
]


@cache
def vrije_dagen(jaar: int) -> frozenset[date]:
    """The Dutch public holidays of `jaar` (weekends not included)."""
    dagen = set(holidays.country_holidays("NL", years=jaar))
    dagen.add(date(jaar, 5, 5))
    return frozenset(dagen)


def vrije_dagen_laden(vandaag: date) -> None:
    """Load the holidays of this year and the next at start-up: the package imports the calendar of every
    country on first use, which takes over a second that the first signal would otherwise wait."""
    for jaar in (vandaag.year, vandaag.year + 1):
        vrije_dagen(jaar)


def is_werkdag(dag: date) -> bool:
    """Monday to Friday and not a public holiday."""
    return dag.weekday() < 5 and dag not in vrije_dagen(dag.year)


def datum_in_nederland(moment: datetime) -> date:
    """The Dutch calendar date of a moment (deadlines are Dutch dates)."""
    return moment.astimezone(_TIJDZONE).date()


def _maanden_later(dag: date, maanden: int) -> date:
    index = dag.year * 12 + dag.month - 1 + maanden
    jaar, maand = divmod(index, 12)
    return date(jaar, maand + 1, min(dag.day, calendar.monthrange(jaar, maand + 1)[1]))


def vervaldatum(start: date, *, aantal: int, eenheid: Eenheid) -> date:
    """The due date of a deadline of `aantal` `eenheid` starting on `start`."""
    if aantal < 1:
        raise ValueError("een termijn is minstens 1")
    if eenheid == "kalenderdagen":
        return start + timedelta(days=aantal)
    if eenheid == "maanden":
        return _maanden_later(start, aantal)
    if eenheid != "werkdagen":
        raise ValueError(f"onbekende eenheid {eenheid!r}")
    dag, over = start, aantal
    while over:
        dag += timedelta(days=1)
        if is_werkdag(dag):
            over -= 1
        if (dag - start).days > _LANGSTE:
            raise ValueError("termijn te lang")
    return dag


def verlopen_vanaf(vervaldag: date) -> datetime:
    """The moment a deadline due on `vervaldag` is overdue: the start of the next day in the Netherlands (UTC)."""
    volgende = vervaldag + timedelta(days=1)
    return datetime(volgende.year, volgende.month, volgende.day, tzinfo=_TIJDZONE).astimezone(UTC)
