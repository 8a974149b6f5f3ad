"""Request and response models of advice: the attention officer's question, and the gateway's reading of it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from meldroute_common.schemas import Invoer, Uitvoer
from pydantic import ConfigDict, Field

from intake_api.signalen.schemas import Kenmerken, Kern

_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_VRAAG_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


class AdviesvraagInvoer(Invoer):
    """A question to expert partners about a signal, before deciding on it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "vraag": "Wijzen deze indicatoren op arbeidsuitbuiting of op slecht werkgeverschap?",
                    "experts": ["riec-oost-nederland"],
                }
            ]
        }
    )

    vraag: str = Field(
        min_length=1, max_length=4000, description="The question; identifiers are replaced on storage."
    )
    experts: list[Annotated[str, Field(json_schema_extra={"pattern": _ID})]] = Field(
        min_length=1,
        max_length=10,
        description="Expert partner ids (the policy must allow each the purpose `advies`), each once.",
    )


class AntwoordSamenvatting(Uitvoer):
    partner: str
    gegeven_op: datetime


class AdviesvraagIntern(Uitvoer):
    """An advice question as the gateway reads it: the pseudonymised summary, never an identity or pseudonym."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _VRAAG_ID,
                    "signaalId": "3f1c2b7a-9d4e-4f0a-8b6c-2e5d7a9c1f30",
                    "gemeenteCode": "GM1509",
                    "gesteldOp": "2026-10-03T11:00:00Z",
                    "vraag": "Wijzen deze indicatoren op arbeidsuitbuiting?",
                    "experts": ["riec-oost-nederland"],
                    "status": "open",
                    "fase": "advies_gevraagd",
                    "vertrouwelijkheidaanduiding": "vertrouwelijk",
                    "minderjarigeBetrokken": False,
                    "kern": {
                        "gemeenteCode": "GM1509",
                        "melderDomein": "toezicht",
                        "waargenomenOp": "2026-10-01",
                        "ontvangenOp": "2026-10-02T09:15:00Z",
                        "uitbuitingsvormen": ["arbeid"],
                    },
                    "kenmerken": {
                        "indicatoren": ["woont-op-werkplek"], "sector": "agrarisch", "locatietype": "boerenerf",
                    },
                    "omschrijving": "Arbeiders slapen in een schuur.",
                    "antwoorden": [],
                }
            ]
        }
    )  # fmt: skip

    id: UUID
    signaal_id: UUID
    gemeente_code: str
    gesteld_op: datetime
    vraag: str = Field(description="The question, identifiers replaced.")
    experts: list[str]
    status: Literal["open", "beantwoord"]
    # The signal's policy facts (as its `beleidsfeiten`), so the gateway decides on a page of questions at once.
    fase: str = Field(description="The signal's status now.")
    vertrouwelijkheidaanduiding: str = Field(
        description="The signal's; vertrouwelijk (the default of an escalation) when not escalated."
    )
    minderjarige_betrokken: bool = Field(description="Whether a minor is involved in the signal.")
    kern: Kern
    kenmerken: Kenmerken
    omschrijving: str = Field(description="The scrubbed description.")
    antwoorden: list[AntwoordSamenvatting]


class AdviesvragenPagina(Uitvoer):
    """Advice questions, newest first; `volgende` is the next page's cursor."""

    adviesvragen: list[AdviesvraagIntern]
    volgende: str | None


class AntwoordInvoer(Invoer):
    """An expert's answer, forwarded by the gateway."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partner": "riec-oost-nederland",
                    "door": "riec-analist-1",
                    "antwoord": "Ja: huisvesting op de werkplek en onderbetaling samen wijzen op uitbuiting.",
                }
            ]
        }
    )

    partner: str = Field(pattern=_ID, description="The expert partner answering.")
    door: str = Field(min_length=1, max_length=200, description="Subject of the partner's user.")
    antwoord: str = Field(min_length=1, max_length=4000, description="The answer; identifiers are replaced.")


class AntwoordVastgelegd(Uitvoer):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": _VRAAG_ID, "gegevenOp": "2026-10-04T08:30:00Z"}]}
    )

    id: UUID
    gegeven_op: datetime
