"""Response bodies of deadlines (shown on a signal)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from meldroute_common.schemas import Uitvoer
from pydantic import ConfigDict, Field

__all__ = ["TermijnStatus", "TermijnWeergave"]

TermijnStatus = Literal["lopend", "verlopen", "gehaald"]


class TermijnWeergave(Uitvoer):
    """One deadline of the signal or one of its tracks."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "soort": "triage",
                    "trajectId": None,
                    "gestartOp": "2026-04-22T09:00:00Z",
                    "vervaltOp": "2026-04-30",
                    "geslotenOp": None,
                    "status": "lopend",
                }
            ]
        }
    )

    soort: str = Field(description="The kind of deadline, from the deadline policy (e.g. triage, advies).")
    traject_id: UUID | None = Field(
        description="The track the deadline belongs to; null for the signal's own."
    )
    gestart_op: datetime
    vervalt_op: date = Field(description="The last day on which the deadline is met (Dutch calendar date).")
    gesloten_op: datetime | None = Field(
        description="When the deadline ended (the work was done); null while open."
    )
    status: TermijnStatus = Field(
        description="lopend (open, due date not passed), verlopen (open past its due date, or closed after it), "
        "gehaald (closed on or before its due date)."
    )
