"""Request and response bodies of the advice questions (doel `advies`)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from meldroute_common.schemas import Invoer, Uitvoer
from pydantic import ConfigDict, Field, JsonValue

from privacy_gateway.casussen.schemas import GrondslagUit, Kenmerken, Kern

_ADVIESVRAAG_ID = "7b3e1f20-9c4d-8a6b-b2e5-1d0c9f8e7a63"

_VOORBEELD: dict[str, JsonValue] = {
    "id": _ADVIESVRAAG_ID,
    "gesteldOp": "2026-10-02",
    "vraag": "Wijzen deze signalen volgens jullie op arbeidsuitbuiting?",
    "beantwoord": False,
    "doel": "advies",
    "grondslag": {"omschrijving": "Taak van algemeen belang.", "referentie": "art. 6 lid 1 sub e AVG"},
    "regelId": "advies-riec",
    "categorieen": ["kern", "kenmerken", "omschrijving"],
    "kern": {
        "gemeenteCode": "GM1509",
        "melderDomein": "toezicht",
        "waargenomenOp": "2026-10-01",
        "ontvangenOp": "2026-10-01",
        "uitbuitingsvormen": ["arbeid"],
    },
    "kenmerken": {"indicatoren": ["woont-op-werkplek"], "sector": "agrarisch", "locatietype": "boerenerf"},
    "omschrijving": "Gezien op [ADRES].",
}


class AdviesvraagUit(Uitvoer):
    """An advice question to the caller's organisation with the summary the policy allows for `advies`:
    never an identity, a pseudonym or a betrokkene."""

    id: UUID = Field(
        description="This expert's own reference to the question; other experts know it by another."
    )
    gesteld_op: date = Field(description="The day the question was asked (Europe/Amsterdam).")
    vraag: str = Field(description="The question, with identifiers replaced.")
    beantwoord: bool = Field(description="Whether the caller's organisation has answered it.")
    doel: str = Field(description="Always `advies`.")
    grondslag: GrondslagUit
    regel_id: str = Field(description="The policy rule that allowed this disclosure.")
    categorieen: list[str] = Field(description="The categories in this answer.")
    kern: Kern | None = None
    kenmerken: Kenmerken | None = None
    omschrijving: str | None = Field(default=None, description="The free text with identifiers replaced.")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_VOORBEELD]})


class AdviesvragenPagina(Uitvoer):
    adviesvragen: list[AdviesvraagUit] = Field(description="Ordered by this expert's `id`.")
    volgende: str | None = Field(description="Cursor of the next page; null on the last page.")

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"adviesvragen": [_VOORBEELD], "volgende": None}]}
    )


class AdviesantwoordIn(Invoer):
    """An expert's answer; the text is scrubbed of identifiers before it is stored."""

    antwoord: str = Field(min_length=1, max_length=4000)

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"antwoord": "De combinatie van indicatoren wijst op uitbuiting."}]}
    )


class AdviesantwoordUit(Uitvoer):
    adviesvraag: UUID = Field(description="This expert's own reference to the question.")
    gegeven_op: date = Field(description="The day the answer was recorded (Europe/Amsterdam).")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"adviesvraag": _ADVIESVRAAG_ID, "gegevenOp": "2026-10-03"}]},
    )
