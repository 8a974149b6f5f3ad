"""One line of an import file: a source id, the original recording moment, the signal as the API takes it,
and optionally its triage history with dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from meldroute_common.schemas import Invoer
from pydantic import BeforeValidator, Field, field_validator

from intake_api.beoordelingen.schemas import BeoordelingInvoer
from intake_api.pseudonimisering.bsn import InvalidBsnError, validate_bsn
from intake_api.signalen.schemas import SignaalInvoer

_TIJDZONE = ZoneInfo("Europe/Amsterdam")
_DATUM = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIJDSTIP = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
#: Middle of the working day: a date-only moment stays on its Dutch calendar day in UTC too.
_MIDDAG = time(12, 0)


def _moment(value: object) -> object:
    """A date (taken as noon in the Netherlands) or an ISO 8601 moment (without a zone: Dutch time), in UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and _DATUM.match(value):
        moment = datetime.combine(datetime.fromisoformat(value).date(), _MIDDAG)
    elif isinstance(value, str) and _TIJDSTIP.match(value):
        moment = datetime.fromisoformat(value)
    else:
        raise ValueError("verwacht een datum (JJJJ-MM-DD) of een tijdstip in ISO 8601")
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=_TIJDZONE)).astimezone(UTC)


#: A moment in the past, as a spreadsheet has it: `2025-03-14`, `2025-03-14T10:30` or with a zone.
Moment = Annotated[datetime, BeforeValidator(_moment)]


class HistorischeBeoordeling(BeoordelingInvoer):
    """A decision as `POST /v1/signalen/{id}/beoordelingen` takes it, with the moment it was made."""

    op: Moment = Field(strict=False, description="When the decision was made (not before the signal).")


class ImportRegel(Invoer):
    """One line of an import file (JSON lines)."""

    bron_id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$",
        description="The line's id in the source (spreadsheet row, case number); unique per municipality.",
    )
    ontvangen_op: Moment = Field(strict=False, description="When the signal was originally recorded.")
    signaal: SignaalInvoer
    beoordelingen: list[HistorischeBeoordeling] = Field(default_factory=list, max_length=10)

    @field_validator("bron_id")
    @classmethod
    def _geen_bsn(cls, waarde: str) -> str:
        # A source id is stored readably: it must not be a person's number.
        digits = waarde.replace(".", "").replace("-", "")
        if digits.isdigit() and len(digits) in (8, 9):
            try:
                validate_bsn(digits)
            except InvalidBsnError:
                return waarde
            raise ValueError("lijkt een BSN; gebruik een eigen volgnummer of zaaknummer")
        return waarde
