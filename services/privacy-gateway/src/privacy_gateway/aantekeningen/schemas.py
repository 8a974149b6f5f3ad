"""Request and response bodies of a partner's work notes on its track."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from meldroute_common.schemas import Invoer, Uitvoer
from pydantic import ConfigDict, Field

_CODE = r"^[a-z][a-z0-9_]*$"
_CASUS_ID = "4d1e7a90-5b2c-8f3e-a6d1-0c9b8e7f6a54"


class AantekeningIn(Invoer):
    """A work note on the caller's track with purpose `doel`. The text is scrubbed of identifiers before it
    is stored; the attention officer of the municipality reads it, no other partner does."""

    doel: str = Field(min_length=1, max_length=80, pattern=_CODE, description="The purpose of the track.")
    tekst: str = Field(min_length=1, max_length=4000, description="The note.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"doel": "casusoverleg", "tekst": "Besproken in het casusoverleg; vervolg over twee weken."}
            ]
        }
    )


class AantekeningVastgelegd(Uitvoer):
    casus_id: UUID = Field(description="This partner's own reference to the case.")
    doel: str
    vastgelegd_op: date = Field(description="The day the note was recorded (Europe/Amsterdam).")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"casusId": _CASUS_ID, "doel": "casusoverleg", "vastgelegdOp": "2026-10-09"}]
        },
    )


class AantekeningUit(Uitvoer):
    door: str = Field(description="Subject of the organisation's user who wrote it.")
    tekst: str = Field(description="The note, identifiers replaced.")
    vastgelegd_op: date = Field(description="The day the note was recorded (Europe/Amsterdam).")

    model_config = ConfigDict(extra="forbid")


class AantekeningenUit(Uitvoer):
    """The caller's organisation's own notes on its tracks with this purpose, oldest first."""

    casus_id: UUID = Field(description="This partner's own reference to the case.")
    doel: str
    aantekeningen: list[AantekeningUit]

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "casusId": _CASUS_ID,
                    "doel": "casusoverleg",
                    "aantekeningen": [
                        {
                            "door": "riec-analist-1",
                            "tekst": "Besproken in het casusoverleg; vervolg over twee weken.",
                            "vastgelegdOp": "2026-10-09",
                        }
                    ],
                }
            ]
        },
    )
