"""Bodies of the identity endpoints."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from meldroute_common.schemas import Invoer, Uitvoer
from meldroute_common.sealing import Identiteitsgegevens
from pydantic import ConfigDict, Field


class Status(StrEnum):
    AANGEVRAAGD = "aangevraagd"
    GOEDGEKEURD = "goedgekeurd"


class IdentiteitsverzoekIn(Invoer):
    """Ask for the identity of one betrokkene of a case; a second person must approve it."""

    model_config = ConfigDict(
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
        min_length=20,
        max_length=2000,
        description="Why the identity is needed (at least 20 characters). Stored sealed; never returned.",
    )


class IdentiteitsverzoekUit(Uitvoer):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "7d2f5c1a-8e3b-4f6d-9a0c-1b2e3d4f5a6b",
                    "casusId": "4d1e7a90-5b2c-8f3e-a6d1-0c9b8e7f6a54",
                    "betrokkene": "5e1c0d3b9a7f4e2d8c6b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
                    "doel": "casusoverleg",
                    "status": "aangevraagd",
                    "aangevraagdOp": "2026-10-03",
                    "goedgekeurdOp": None,
                    "geldigTot": None,
                }
            ]
        },
    )

    id: UUID
    casus_id: UUID = Field(description="The caller's own reference to the case.")
    betrokkene: str = Field(description="The caller's own reference to the betrokkene.")
    doel: str
    status: Status
    aangevraagd_op: date = Field(description="The day of the request (Europe/Amsterdam).")
    goedgekeurd_op: date | None = Field(description="The day of the approval (Europe/Amsterdam).")
    geldig_tot: date | None = Field(
        description="The day the approval ends (Europe/Amsterdam); after that the identity cannot be retrieved."
    )


class _Verzoek(Uitvoer):
    verzoek_id: UUID


class Identiteit(Identiteitsgegevens, _Verzoek):
    """The identifying data of one betrokkene, as far as given at intake."""

    # The fields are those of the sealed identity (`Identiteitsgegevens`), after the request's id.
    model_config = ConfigDict(
        frozen=False,
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
