"""Request model of a triage decision."""

from __future__ import annotations

from typing import Literal

from meldroute_common.schemas import Invoer
from pydantic import ConfigDict, Field

from intake_api.signalen.schemas import Vertrouwelijkheidaanduiding

Besluit = Literal[
    "in_behandeling", "afgesloten_geen_mensenhandel", "doorverwezen_ander_domein", "opgeschaald"
]
_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class BeoordelingInvoer(Invoer):
    """A decision on a signal: the new status and why; referral and escalation name where it goes."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "opgeschaald",
                    "toelichting": "Meerdere indicatoren van arbeidsuitbuiting; bespreken in het casusoverleg.",
                    "partners": ["riec-oost-nederland", "politie-oost-nederland"],
                    "doel": "casusoverleg",
                    "vertrouwelijkheidaanduiding": "vertrouwelijk",
                    "versie": 2,
                }
            ]
        }
    )

    status: Besluit = Field(description="The new status.")
    toelichting: str = Field(
        min_length=1, max_length=4000, description="Why (kept in the history; identifiers are replaced)."
    )
    doorverwezen_naar: str | None = Field(
        default=None,
        max_length=64,
        description="Referral domain from the catalogue's doorverwijsdomeinen (doorverwezen_ander_domein only).",
    )
    partners: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="Partner ids from the gateway policy (opgeschaald only, required there).",
    )
    doel: str | None = Field(
        default=None, pattern=_ID, description="Purpose of the escalation (opgeschaald only, required there)."
    )
    vertrouwelijkheidaanduiding: Vertrouwelijkheidaanduiding | None = Field(
        default=None, description="Confidentiality of the case (opgeschaald only; default vertrouwelijk)."
    )
    versie: int | None = Field(
        default=None, ge=1, description="The version decided on, instead of an If-Match header."
    )
