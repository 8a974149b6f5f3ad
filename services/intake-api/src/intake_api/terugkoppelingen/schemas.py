"""Models of outcomes a partner reports through the gateway."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from meldroute_common.schemas import Invoer, Uitvoer
from pydantic import ConfigDict, Field

_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class TerugkoppelingInvoer(Invoer):
    """An outcome on a track: a code from the catalogue's terugkoppelingen, with what it needs."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partner": "zorgcoordinatie-noord-oost-gelderland",
                    "door": "zorgcoordinator-1",
                    "doel": "zorg_en_opvang",
                    "terugkoppeling": "opvang_geregeld",
                    "opvangvorm": "cosm",
                    "toelichting": "Geplaatst in de categorale opvang.",
                }
            ]
        }
    )

    partner: str = Field(pattern=_ID, description="The partner reporting (on an open or running track).")
    door: str = Field(min_length=1, max_length=200, description="Subject of the partner's user.")
    doel: str = Field(pattern=_ID, description="The purpose of the partner's track.")
    terugkoppeling: str = Field(max_length=64, description="Code from the catalogue's terugkoppelingen.")
    reden: str | None = Field(
        default=None, max_length=64, description="geen_vervolg only (and required there)."
    )
    opvangvorm: str | None = Field(
        default=None, max_length=64, description="opvang_geregeld only (and required there)."
    )
    maatregel: str | None = Field(
        default=None, max_length=64, description="bestuurlijke_maatregel only (and required there)."
    )
    toelichting: str | None = Field(
        default=None, min_length=1, max_length=4000, description="A note; identifiers are replaced."
    )


class TerugkoppelingVastgelegd(Uitvoer):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": "4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f", "vastgelegdOp": "2026-10-21T10:00:00Z"}
            ]
        }
    )

    id: UUID
    vastgelegd_op: datetime
