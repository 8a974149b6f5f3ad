"""The request body of an addition to a signal."""

from __future__ import annotations

from typing import Annotated

from meldroute_common.schemas import Invoer
from pydantic import ConfigDict, Field

from intake_api.signalen.schemas import BetrokkeneInvoer, codes


class AanvullingInvoer(Invoer):
    """What the attention officer adds to a signal: any of indicators, betrokkenen and a supplement to the
    description (at least one). Nothing recorded before changes."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "indicatoren": ["geen-eigen-identiteitspapieren"],
                    "betrokkenen": [{"rol": "slachtoffer", "geslacht": "vrouw", "nationaliteit": "RO"}],
                    "aanvullingOmschrijving": "Bij een tweede bezoek sliepen er ook twee vrouwen in de schuur.",
                }
            ]
        }
    )

    indicatoren: list[Annotated[str, Field(json_schema_extra=codes("indicatoren"))]] = Field(
        default_factory=list,
        max_length=50,
        description="Indicators (catalogue codes) to add; those the signal has already are ignored.",
    )
    betrokkenen: list[BetrokkeneInvoer] = Field(
        default_factory=list,
        max_length=20,
        description="Persons to add, as at intake: pseudonymised, their identity sealed, never returned.",
    )
    aanvulling_omschrijving: str | None = Field(
        default=None,
        min_length=1,
        max_length=10_000,
        description="A supplement to the description; identifiers are replaced on storage, the original sealed.",
    )
