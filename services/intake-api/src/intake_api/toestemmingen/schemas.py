"""Request models of consent records."""

from __future__ import annotations

from meldroute_common.schemas import Invoer
from meldroute_common.typen import Datum
from pydantic import ConfigDict, Field

from intake_api.signalen.schemas import Vastlegging


class ToestemmingInvoer(Invoer):
    """A victim's consent (or refusal) for registration and disclosures that need it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "gegeven": True,
                    "datum": "2026-10-05",
                    "vastlegging": "schriftelijk",
                    "onder16": False,
                    "doorVoogd": False,
                }
            ]
        }
    )

    gegeven: bool = Field(description="Given (true) or refused (false).")
    datum: Datum = Field(strict=False, description="The day it was given or refused (not in the future).")
    vastlegging: Vastlegging = Field(description="How it was recorded.")
    onder16: bool = Field(
        default=False,
        description="The victim is under 16 (only for an age band <18 or onbekend): then the guardian's consent "
        "must be recorded (`doorVoogd`).",
    )
    door_voogd: bool = Field(default=False, description="Given by the guardian.")


class IntrekkingInvoer(Invoer):
    """The withdrawal of a consent: disclosures that need it stop from then on."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"datum": "2026-10-20", "toelichting": "Het slachtoffer trekt in."}]}
    )

    datum: Datum = Field(strict=False, description="The day it was withdrawn (not in the future).")
    toelichting: str = Field(
        min_length=1, max_length=4000, description="Why (kept in the history; identifiers are replaced)."
    )
