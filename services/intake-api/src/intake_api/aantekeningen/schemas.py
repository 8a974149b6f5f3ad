"""Request and response models of work notes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from meldroute_common.schemas import Invoer, Uitvoer
from pydantic import ConfigDict, Field

_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_SIGNAAL_ID = "3f1c2b7a-9d4e-4f0a-8b6c-2e5d7a9c1f30"
_TRAJECT_ID = "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b"


class AantekeningInvoer(Invoer):
    """A work note; identifiers are replaced on storage and the original is sealed."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"tekst": "Gebeld met de werkgever; terugbellen volgende week."}]}
    )

    tekst: str = Field(min_length=1, max_length=4000, description="The note; identifiers are replaced.")


class AantekeningWeergave(Uitvoer):
    """A work note: who wrote it (the organisation for a partner's note), when, and the scrubbed text."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c",
                    "signaalId": _SIGNAAL_ID,
                    "trajectId": None,
                    "partner": None,
                    "door": "aandachtsfunctionaris-1",
                    "tekst": "Gebeld met de werkgever; terugbellen volgende week.",
                    "vastgelegdOp": "2026-10-04T08:30:00Z",
                }
            ]
        }
    )

    id: UUID
    signaal_id: UUID
    traject_id: UUID | None = Field(description="The track the note is on; null for a note on the signal.")
    partner: str | None = Field(
        description="The partner organisation that wrote it; null for the municipality."
    )
    door: str = Field(description="Subject (`sub`) of whoever wrote it.")
    tekst: str = Field(description="The note, identifiers replaced.")
    vastgelegd_op: datetime


class Aantekeningen(Uitvoer):
    """Work notes, oldest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "signaalId": _SIGNAAL_ID,
                    "trajectId": _TRAJECT_ID,
                    "aantekeningen": [
                        {
                            "id": "9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c",
                            "signaalId": _SIGNAAL_ID,
                            "trajectId": _TRAJECT_ID,
                            "partner": "zorgcoordinatie-noord-oost-gelderland",
                            "door": "zorgcoordinator-1",
                            "tekst": "Intakegesprek gepland.",
                            "vastgelegdOp": "2026-10-09T10:00:00Z",
                        }
                    ],
                }
            ]
        }
    )

    signaal_id: UUID
    traject_id: UUID | None
    aantekeningen: list[AantekeningWeergave]


class PartnerAantekeningInvoer(Invoer):
    """A partner's note on its track with purpose `doel` (forwarded by the gateway)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partner": "riec-oost-nederland",
                    "door": "riec-analist-1",
                    "doel": "casusoverleg",
                    "tekst": "Besproken in het casusoverleg; vervolg over twee weken.",
                }
            ]
        }
    )

    partner: str = Field(pattern=_ID, description="The partner writing (on an open or running track).")
    door: str = Field(min_length=1, max_length=200, description="Subject of the partner's user.")
    doel: str = Field(pattern=_ID, description="The purpose of the partner's track.")
    tekst: str = Field(min_length=1, max_length=4000, description="The note; identifiers are replaced.")


class PartnerAantekening(Uitvoer):
    """A partner's own note as the gateway reads it back: no ids of intake's."""

    door: str
    doel: str
    tekst: str = Field(description="The note, identifiers replaced.")
    vastgelegd_op: datetime


class PartnerAantekeningen(Uitvoer):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "aantekeningen": [
                        {
                            "door": "riec-analist-1",
                            "doel": "casusoverleg",
                            "tekst": "Besproken in het casusoverleg; vervolg over twee weken.",
                            "vastgelegdOp": "2026-10-09T10:00:00Z",
                        }
                    ]
                }
            ]
        }
    )

    aantekeningen: list[PartnerAantekening]


class PartnerAantekeningVastgelegd(Uitvoer):
    model_config = ConfigDict(json_schema_extra={"examples": [{"vastgelegdOp": "2026-10-09T10:00:00Z"}]})

    vastgelegd_op: datetime
