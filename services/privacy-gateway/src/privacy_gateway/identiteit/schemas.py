"""Bodies of the identity endpoints."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from meldroute_common.typen import Datum
from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    AANGEVRAAGD = "aangevraagd"
    GOEDGEKEURD = "goedgekeurd"


class IdentiteitsverzoekIn(BaseModel):
    """Ask for the identity of one betrokkene of a case; a second person must approve it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "betrokkene": "5e1c0d3b9a7f4e2d8c6b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
                    "doel": "casusoverleg",
                    "reden": "Afstemming opvang en veiligheid van het slachtoffer in het casusoverleg van 12 oktober.",
                }
            ]
        },
    )

    betrokkene: str = Field(
        min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$", description="`referentie` from the case."
    )
    doel: str = Field(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]*$")
    reden: str = Field(
        min_length=20, max_length=2000, description="Why the identity is needed (at least 20 characters)."
    )


class IdentiteitsverzoekUit(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "7d2f5c1a-8e3b-4f6d-9a0c-1b2e3d4f5a6b",
                    "casusId": "0b6f9a52-3c1d-4c8e-9f7a-2d5e8b1c4a77",
                    "betrokkene": "5e1c0d3b9a7f4e2d8c6b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
                    "doel": "casusoverleg",
                    "status": "aangevraagd",
                    "aangevraagdOp": "2026-10-03T09:20:00Z",
                    "goedgekeurdOp": None,
                    "geldigTot": None,
                }
            ]
        },
    )

    id: UUID
    casusId: UUID
    betrokkene: str
    doel: str
    status: Status
    aangevraagdOp: datetime
    goedgekeurdOp: datetime | None
    geldigTot: datetime | None = Field(description="Until when the identity can be retrieved, once approved.")


class Identiteit(BaseModel):
    """The identifying data of one betrokkene, as far as given at intake."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "verzoekId": "7d2f5c1a-8e3b-4f6d-9a0c-1b2e3d4f5a6b",
                    "bsn": None,
                    "naam": "J. Jansen",
                    "geboortedatum": "2001-05-04",
                    "geslacht": "man",
                    "nationaliteit": "PL",
                    "adres": None,
                    "telefoon": None,
                }
            ]
        },
    )

    verzoekId: UUID
    bsn: str | None = None
    naam: str | None = None
    geboortedatum: Datum | None = None
    geslacht: str | None = None
    nationaliteit: str | None = None
    adres: str | None = None
    telefoon: str | None = None
