"""Deadline arithmetic: working days across Dutch public holidays and year ends, calendar days and months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from intake_api.termijnen.rekenen import datum_in_nederland, is_werkdag, verlopen_vanaf, vervaldatum


@pytest.mark.parametrize(
    ("start", "aantal", "verwacht", "waarom"),
    [
        (date(2026, 4, 22), 5, date(2026, 4, 30), "Koningsdag, Monday 27 April 2026"),
        (date(2026, 4, 25), 5, date(2026, 5, 4), "a Saturday start, then Koningsdag"),
        (date(2027, 4, 23), 3, date(2027, 4, 29), "Koningsdag on Tuesday 27 April 2027"),
        (date(2026, 12, 22), 5, date(2026, 12, 30), "Christmas on Friday 25 December 2026"),
        (date(2026, 12, 29), 5, date(2027, 1, 6), "New Year's Day across the year end"),
        (date(2027, 3, 25), 5, date(2027, 4, 5), "Good Friday and Easter Monday 2027"),
        (date(2026, 4, 2), 1, date(2026, 4, 7), "Good Friday and Easter Monday 2026"),
        (date(2026, 5, 1), 5, date(2026, 5, 11), "Bevrijdingsdag, counted every year"),
        (date(2026, 5, 13), 1, date(2026, 5, 15), "Ascension Day"),
        (date(2026, 5, 22), 1, date(2026, 5, 26), "Whit Monday"),
        (date(2026, 11, 30), 5, date(2026, 12, 7), "an ordinary week"),
        (date(2027, 3, 25), 10, date(2027, 4, 12), "ten working days over Easter"),
    ],
)
def test_working_days_skip_weekends_and_public_holidays(
    start: date, aantal: int, verwacht: date, waarom: str
) -> None:
    assert vervaldatum(start, aantal=aantal, eenheid="werkdagen") == verwacht, waarom


@pytest.mark.parametrize(
    ("dag", "werkdag"),
    [
        (date(2026, 4, 27), False), (date(2026, 12, 25), False), (date(2026, 12, 26), False),
        (date(2027, 1, 1), False), (date(2027, 3, 29), False), (date(2026, 5, 5), False),
        (date(2026, 4, 28), True), (date(2026, 12, 24), True), (date(2026, 12, 31), True),
        (date(2026, 12, 27), False),  # a Sunday
    ],
)  # fmt: skip
def test_working_day(dag: date, werkdag: bool) -> None:
    assert is_werkdag(dag) is werkdag


@pytest.mark.parametrize(
    ("start", "aantal", "verwacht"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 10, 15), 3, date(2027, 1, 15)),
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
    ],
)
def test_months_clamp_to_the_last_day(start: date, aantal: int, verwacht: date) -> None:
    assert vervaldatum(start, aantal=aantal, eenheid="maanden") == verwacht


def test_calendar_days_ignore_holidays() -> None:
    assert vervaldatum(date(2026, 12, 22), aantal=5, eenheid="kalenderdagen") == date(2026, 12, 27)
    with pytest.raises(ValueError):
        vervaldatum(date(2026, 12, 22), aantal=0, eenheid="werkdagen")


def test_overdue_from_the_next_dutch_midnight() -> None:
    assert verlopen_vanaf(date(2026, 4, 30)) == datetime(2026, 4, 30, 22, 0, tzinfo=UTC)  # summer time
    assert verlopen_vanaf(date(2026, 12, 30)) == datetime(2026, 12, 30, 23, 0, tzinfo=UTC)
    assert datum_in_nederland(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)


@settings(max_examples=300, deadline=None)
@given(start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), aantal=st.integers(1, 40))
def test_working_day_deadline_properties(start: date, aantal: int) -> None:
    eind = vervaldatum(start, aantal=aantal, eenheid="werkdagen")
    assert is_werkdag(eind)
    dagen = [start + timedelta(days=i) for i in range(1, (eind - start).days + 1)]
    assert (
        sum(is_werkdag(d) for d in dagen) == aantal
    )  # exactly n working days after the start, the last one due
    assert vervaldatum(start, aantal=aantal + 1, eenheid="werkdagen") > eind
