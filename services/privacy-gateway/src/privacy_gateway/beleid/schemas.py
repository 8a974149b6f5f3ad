"""Request and response bodies of the attention officer's dry-run of an escalation."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from meldroute_common.schemas import Invoer, Uitvoer
from pydantic import ConfigDict, Field

from privacy_gateway.casussen.schemas import GrondslagUit, WeigeringUit

_CODE = r"^[a-z][a-z0-9_]*$"
_PARTNER = r"^[a-z0-9][a-z0-9-]{0,79}$"
_SIGNAAL_ID = "0b7e4c2a-3f1d-4e5a-9b8c-7d6e5f4a3b2c"


class TrajectVoorstel(Invoer):
    doel: str = Field(min_length=1, max_length=80, pattern=_CODE, description="Doel uit het beleid.")
    partners: list[Annotated[str, Field(pattern=_PARTNER, max_length=80)]] = Field(
        min_length=1, max_length=10, description="Partner-ids uit het beleid."
    )


class OpschalingstoetsIn(Invoer):
    """Would the policy let these partners receive this signal for these purposes once it is escalated?"""

    signaal_id: UUID = Field(strict=False, description="The signal of the caller's municipality.")
    trajecten: list[TrajectVoorstel] = Field(min_length=1, max_length=5)
    vertrouwelijkheidaanduiding: str | None = Field(
        default=None, min_length=1, max_length=40, pattern=_CODE,
        description="The aanduiding the escalation would set; default the signal's own.",
    )  # fmt: skip

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "signaalId": _SIGNAAL_ID,
                    "trajecten": [
                        {
                            "doel": "casusoverleg",
                            "partners": ["riec-oost-nederland", "politie-oost-nederland"],
                        },
                        {"doel": "zorg_en_opvang", "partners": ["zorgcoordinatie-achterhoek"]},
                    ],
                }
            ]
        }
    )


class Toetsuitkomst(Uitvoer):
    """The decision for one partner and one purpose on the case the escalation would make."""

    model_config = ConfigDict(extra="forbid")

    doel: str
    partner: str
    toegestaan: bool
    regel_id: str | None = Field(description="The rule that decided; null when none did.")
    grondslag: GrondslagUit | None
    categorieen: list[str]
    vier_ogen: list[str]
    reden: WeigeringUit | None = Field(
        description="Why everything is denied; null when something is allowed."
    )


class Opschalingstoets(Uitvoer):
    signaal_id: UUID
    uitkomsten: list[Toetsuitkomst] = Field(description="Per track, per partner, in the order asked.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "signaalId": _SIGNAAL_ID,
                    "uitkomsten": [
                        {
                            "doel": "casusoverleg",
                            "partner": "riec-oost-nederland",
                            "toegestaan": True,
                            "regelId": "casusoverleg-riec-politie",
                            "grondslag": {
                                "omschrijving": "Taak van algemeen belang.",
                                "referentie": "art. 6 lid 1 sub e AVG",
                            },
                            "categorieen": ["kern", "kenmerken", "pseudoniem"],
                            "vierOgen": ["identiteit"],
                            "reden": None,
                        }
                    ],
                }
            ]
        },
    )
