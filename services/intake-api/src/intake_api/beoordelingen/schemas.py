"""Request model of a triage decision."""

from __future__ import annotations

from typing import Annotated, Literal

from meldroute_common.problems import ProblemDetails
from meldroute_common.schemas import Invoer
from pydantic import ConfigDict, Field

from intake_api.signalen.schemas import Status, Vertrouwelijkheidaanduiding, codes

Besluit = Literal[
    "in_behandeling", "afgesloten_geen_mensenhandel", "doorverwezen_ander_domein", "opgeschaald"
]
_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"


PartnerId = Annotated[str, Field(json_schema_extra={"pattern": _ID})]


class TrajectInvoer(Invoer):
    """One track of an escalation: a purpose and its recipient partners (both from the covenant policy)."""

    doel: str = Field(
        pattern=_ID,
        description="Purpose of the track (`doelen[].id` of the privacy gateway's `GET /v1/beleid`).",
    )
    partners: list[PartnerId] = Field(
        min_length=1,
        max_length=20,
        description="Recipient partner ids (`partners[].id` of the policy), each once.",
    )


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
    # The enum and the partner pattern are published only: the service checks them and answers with a 400
    # that names the field (the same answer as today, so the contract says what the code does).
    doorverwezen_naar: (
        Annotated[str, Field(max_length=64, json_schema_extra=codes("doorverwijsdomeinen"))] | None
    ) = Field(
        default=None,
        description="Referral domain from the catalogue's doorverwijsdomeinen (doorverwezen_ander_domein only).",
    )
    trajecten: list[TrajectInvoer] | None = Field(
        default=None,
        min_length=1,
        max_length=5,
        description="The tracks of the case, each a purpose with its partners (opgeschaald only; or the short "
        "form `partners` + `doel` for one track, not both). Every partner and purpose is checked against the "
        "covenant policy before anything is stored.",
    )
    partners: list[PartnerId] | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="Partner ids (`partners[].id` of the privacy gateway's `GET /v1/beleid`; opgeschaald only, "
        "required there, each once).",
    )
    doel: str | None = Field(
        default=None,
        pattern=_ID,
        description="Purpose of the escalation (`doelen[].id` of the privacy gateway's `GET /v1/beleid`; "
        "opgeschaald only, required there).",
    )
    vertrouwelijkheidaanduiding: Vertrouwelijkheidaanduiding | None = Field(
        default=None, description="Confidentiality of the case (opgeschaald only; default vertrouwelijk)."
    )
    versie: int | None = Field(
        default=None, ge=1, description="The version decided on, instead of an If-Match header."
    )


class ProblemStatusConflict(ProblemDetails):
    """409 on a decision: the state machine does not allow the move; what it does allow from here."""

    huidigeStatus: Status = Field(description="The signal's current status.")
    toegestaneStatussen: list[Status] = Field(
        description="The statuses allowed from the current one (empty in a final status)."
    )
