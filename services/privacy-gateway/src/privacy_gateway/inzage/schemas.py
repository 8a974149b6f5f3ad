"""What an access request asks and what it answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from meldroute_common.schemas import Invoer, Uitvoer
from meldroute_common.typen import Datum
from pydantic import ConfigDict, Field, StringConstraints, model_validator

__all__ = ["InzageUit", "InzageverzoekIn", "Ontvangst"]


class InzageverzoekIn(Invoer):
    """The person an access request is about: a BSN, or a name with a birth date."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"bsn": "111222333"}, {"naam": "J. Jansen", "geboortedatum": "2001-05-04"}]
        },
    )

    bsn: Annotated[str, StringConstraints(pattern=r"^\d{8,9}$")] | None = Field(
        default=None, description="BSN."
    )
    naam: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    geboortedatum: Datum | None = Field(default=None, strict=False)

    @model_validator(mode="after")
    def _een_van_beide(self) -> Self:
        if self.bsn is None and (self.naam is None or self.geboortedatum is None):
            raise ValueError("geef een bsn, of naam en geboortedatum")
        if self.bsn is not None and (self.naam is not None or self.geboortedatum is not None):
            raise ValueError("geef een bsn, of naam en geboortedatum, niet beide")
        return self


class Ontvangst(Uitvoer):
    """One disclosure about the person."""

    model_config = ConfigDict(extra="forbid")

    afnemer: str = Field(description="The partner that received the data.")
    actie: str = Field(description="verstrekking (case data) or ontzegeling (identity).")
    categorieen: list[str]
    tijdstip: datetime
    doel: str
    grondslag: str
    casus_id: str | None = Field(description="Intake's id of the case.")
    casus_referentie: str | None = Field(
        description="The partner's own reference the case was disclosed under (what the partner knows it by)."
    )
    volgnummer: int = Field(description="The row in the verwerkingenlog.")


class InzageUit(Uitvoer):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "ontvangsten": [
                        {
                            "afnemer": "riec-oost-nederland",
                            "actie": "verstrekking",
                            "categorieen": ["kern", "kenmerken", "pseudoniem"],
                            "tijdstip": "2026-10-03T09:15:00Z",
                            "doel": "casusoverleg",
                            "grondslag": "art. 6 lid 1 sub e AVG; art. 10 AVG; convenant RIEC art. 5",
                            "casusId": "0b6f9a52-3c1d-4c8e-9f7a-2d5e8b1c4a77",
                            "casusReferentie": "4d1e7a90-5b2c-8f3e-a6d1-0c9b8e7f6a54",
                            "volgnummer": 17,
                        }
                    ]
                }
            ]
        },
    )

    ontvangsten: list[Ontvangst] = Field(description="Every disclosure about the person, oldest first.")
