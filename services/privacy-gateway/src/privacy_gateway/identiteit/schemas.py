"""Bodies of the identity endpoints."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from meldroute_common.schemas import Invoer, Uitvoer
from meldroute_common.sealing import Identiteitsgegevens
from pydantic import ConfigDict, Field


class Status(StrEnum):
    """Where a request stands: waiting, approved, or ended without approval (rejected, withdrawn, expired)."""

    AANGEVRAAGD = "aangevraagd"
    GOEDGEKEURD = "goedgekeurd"
    AFGEWEZEN = "afgewezen"
    INGETROKKEN = "ingetrokken"
    VERLOPEN = "verlopen"


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
                    "aanvrager": "agent-17",
                    "status": "aangevraagd",
                    "aangevraagdOp": "2026-10-03",
                    "verlooptOp": "2026-10-17",
                    "goedgekeurdOp": None,
                    "geldigTot": None,
                    "afgewezenOp": None,
                    "afwijzingsreden": None,
                    "ingetrokkenOp": None,
                }
            ]
        },
    )

    id: UUID
    casus_id: UUID = Field(description="The caller's own reference to the case.")
    betrokkene: str = Field(description="The caller's own reference to the betrokkene.")
    doel: str
    aanvrager: str = Field(description="The `sub` of the person who asked; never the one who approves.")
    status: Status = Field(
        description="`verlopen` once `verlooptOp` has passed without approval, rejection or withdrawal."
    )
    aangevraagd_op: date = Field(description="The day of the request (Europe/Amsterdam).")
    verloopt_op: date = Field(
        description="The day the request stops waiting (Europe/Amsterdam); after it, it can no longer be approved."
    )
    goedgekeurd_op: date | None = Field(description="The day of the approval (Europe/Amsterdam).")
    geldig_tot: date | None = Field(
        description="The day the approval ends (Europe/Amsterdam); after that the identity cannot be retrieved."
    )
    afgewezen_op: date | None = Field(description="The day of the rejection (Europe/Amsterdam).")
    afwijzingsreden: str | None = Field(
        description="Why it was rejected, with recognisable identifiers replaced by placeholders (the text as typed "
        "is kept sealed)."
    )
    ingetrokken_op: date | None = Field(description="The day the requester withdrew it (Europe/Amsterdam).")


class AfwijzingIn(Invoer):
    """Reject another person's request of the own organisation, saying why."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"reden": "Het doel casusoverleg vraagt hier geen identiteit; gebruik het pseudoniem."}
            ]
        },
    )

    reden: str = Field(
        min_length=10,
        max_length=2000,
        description="Why the request is rejected (at least 10 characters), for the requester. Identifiers in it are "
        "replaced by placeholders; the text as typed is stored sealed.",
    )


class IdentiteitsverzoekenPagina(Uitvoer):
    model_config = ConfigDict(extra="forbid")

    identiteitsverzoeken: list[IdentiteitsverzoekUit]
    volgende: str | None = Field(description="Cursor of the next page; null on the last page.")


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
