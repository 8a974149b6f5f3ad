"""Input types for dates and moments that accept ISO 8601 text only.

Pydantic's lax mode would also take a number as a Unix timestamp; the published schema says "string, format
date(-time)", so anything else is a 400.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator

_DATUM = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIJDSTIP = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _datum(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATUM.match(value):
        return value
    raise ValueError("verwacht een datum als JJJJ-MM-DD")


def _tijdstip(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _TIJDSTIP.match(value):
        return value
    raise ValueError("verwacht een tijdstip in ISO 8601, bijvoorbeeld 2026-10-01T09:00:00Z")


#: A calendar date as JSON text (`2026-10-01`).
Datum = Annotated[date, BeforeValidator(_datum)]
#: A moment as ISO 8601 text (`2026-10-01T09:00:00Z`).
Tijdstip = Annotated[datetime, BeforeValidator(_tijdstip)]
