"""Request and response bodies of a partner's outcome on a track."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from meldroute_common.schemas import Invoer, Uitvoer
from pydantic import ConfigDict, Field

_CODE = r"^[a-z][a-z0-9_]*$"
_CASUS_ID = "4d1e7a90-5b2c-8f3e-a6d1-0c9b8e7f6a54"


class TerugkoppelingIn(Invoer):
    """An outcome on the caller's track with purpose `doel`: codes from the catalogue. `reden` is required with
    (and only with) `geen_vervolg`, `opvangvorm` with `opvang_geregeld`, `maatregel` with
    `bestuurlijke_maatregel`. The free text is scrubbed of identifiers before it is stored."""

    doel: str = Field(min_length=1, max_length=80, pattern=_CODE, description="The purpose of the track.")
    terugkoppeling: str = Field(
        min_length=1, max_length=64, pattern=_CODE, description="Code from the list `terugkoppelingen`."
    )
    reden: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=_CODE,
        description="Code from `geenVervolgRedenen`; with `geen_vervolg` only.",
    )  # fmt: skip
    opvangvorm: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=_CODE,
        description="Code from `opvangvormen`; with `opvang_geregeld` only.",
    )  # fmt: skip
    maatregel: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=_CODE,
        description="Code from `bestuurlijkeMaatregelen`; with `bestuurlijke_maatregel` only.",
    )  # fmt: skip
    toelichting: str | None = Field(default=None, min_length=1, max_length=2000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"doel": "zorg_en_opvang", "terugkoppeling": "opvang_geregeld", "opvangvorm": "cosm"},
                {
                    "doel": "casusoverleg",
                    "terugkoppeling": "geen_vervolg",
                    "reden": "onvoldoende_aanwijzingen",
                },
            ]
        }
    )


class TerugkoppelingUit(Uitvoer):
    casus_id: UUID = Field(description="This partner's own reference to the case.")
    doel: str
    terugkoppeling: str
    vastgelegd_op: date = Field(description="The day the outcome was recorded (Europe/Amsterdam).")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "casusId": _CASUS_ID,
                    "doel": "zorg_en_opvang",
                    "terugkoppeling": "opvang_geregeld",
                    "vastgelegdOp": "2026-10-05",
                }
            ]
        },
    )
