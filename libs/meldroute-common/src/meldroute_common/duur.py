"""ISO 8601 durations for retention settings (`P6M`, `P5Y`, `P1Y6M`, `P30D`, `PT12H`).

Years and months are calendar units, so a duration is not a fixed number of seconds: `terug` subtracts
it from a moment the way a calendar does (31 August minus P6M is 28 or 29 February).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Duur", "parse_duur"]

_DUUR = re.compile(
    r"^P(?!$)(?:(?P<jaren>\d+)Y)?(?:(?P<maanden>\d+)M)?(?:(?P<weken>\d+)W)?(?:(?P<dagen>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<uren>\d+)H)?(?:(?P<minuten>\d+)M)?(?:(?P<seconden>\d+)S)?)?$"
)


@dataclass(frozen=True, slots=True)
class Duur:
    """A calendar duration: whole years and months, plus an exact remainder."""

    maanden: int
    rest: timedelta

    def terug(self, moment: datetime) -> datetime:
        """`moment` minus this duration (months clamp to the end of a shorter month)."""
        totaal = moment.year * 12 + (moment.month - 1) - self.maanden
        jaar, maand = divmod(totaal, 12)
        dag = min(moment.day, calendar.monthrange(jaar, maand + 1)[1])
        return moment.replace(year=jaar, month=maand + 1, day=dag) - self.rest


def parse_duur(waarde: str) -> Duur:
    """Parse an ISO 8601 duration of at least one non-zero unit; ValueError otherwise."""
    match = _DUUR.fullmatch(waarde.strip().upper())
    if match is None:
        raise ValueError("geen ISO 8601-duur (bijvoorbeeld P6M of P5Y)")
    delen = {naam: int(getal) for naam, getal in match.groupdict().items() if getal is not None}
    duur = Duur(
        maanden=delen.get("jaren", 0) * 12 + delen.get("maanden", 0),
        rest=timedelta(
            weeks=delen.get("weken", 0),
            days=delen.get("dagen", 0),
            hours=delen.get("uren", 0),
            minutes=delen.get("minuten", 0),
            seconds=delen.get("seconden", 0),
        ),
    )
    if duur.maanden == 0 and not duur.rest:
        raise ValueError("een bewaartermijn van nul is niet toegestaan")
    return duur
