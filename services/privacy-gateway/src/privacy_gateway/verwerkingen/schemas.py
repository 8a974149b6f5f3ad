"""Response bodies of the verwerkingenlog endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_HASH_A = "3b1f" * 16
_HASH_B = "9c0e" * 16


class VerwerkingUit(BaseModel):
    """One row of the verwerkingenlog (after VNG Verwerkingenlogging), with its place in the hash chain."""

    model_config = ConfigDict(extra="forbid")

    volgnummer: int = Field(ge=1)
    actie: str
    verwerkingsactiviteit: str
    doel: str
    grondslag: str
    afnemer: str | None = Field(description="Partner that received data; null when nothing left the gateway.")
    betrokkene: str | None = Field(description="The log's pseudonym of the person concerned.")
    vertrouwelijkheid: str
    bewaartermijn: str = Field(description="ISO 8601 duration.")
    tijdstip: datetime
    requestId: str
    casusId: str | None
    detail: dict[str, Any]
    vorigeHash: str
    hash: str


_VOORBEELD_RIJ: dict[str, Any] = {
    "volgnummer": 1,
    "actie": "verstrekking",
    "verwerkingsactiviteit": "Verstrekken van casusgegevens aan een convenantpartner",
    "doel": "casusoverleg",
    "grondslag": "art. 6 lid 1 sub e AVG; art. 10 AVG; convenant RIEC art. 5",
    "afnemer": "riec-oost-nederland",
    "betrokkene": _HASH_A,
    "vertrouwelijkheid": "vertrouwelijk",
    "bewaartermijn": "P20Y",
    "tijdstip": "2026-10-03T09:15:00Z",
    "requestId": "5a0c7e2e-3f0b-4d7e-9a51-1d2c3b4a5f60",
    "casusId": "0b6f9a52-3c1d-4c8e-9f7a-2d5e8b1c4a77",
    "detail": {"categorieen": ["kern", "kenmerken"], "regelId": "casusoverleg-riec-politie"},
    "vorigeHash": "0" * 64,
    "hash": _HASH_B,
}


class VerwerkingenPagina(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"verwerkingen": [_VOORBEELD_RIJ], "volgende": None}]},
    )

    verwerkingen: list[VerwerkingUit]
    volgende: str | None = Field(description="Cursor of the next page; null on the last page.")


class KetenFoutUit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    volgnummer: int
    soort: str = Field(description="gewijzigd, ontbrekende_rij, volgorde or keten_verbroken.")
    toelichting: str


class VerificatieUit(BaseModel):
    """Whether the log is intact; otherwise the first broken row."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"ok": True, "aantal": 1204, "kop": _HASH_B, "eersteFout": None},
                {
                    "ok": False,
                    "aantal": 41,
                    "kop": _HASH_A,
                    "eersteFout": {
                        "volgnummer": 42,
                        "soort": "gewijzigd",
                        "toelichting": "hash klopt niet met de inhoud: rij gewijzigd",
                    },
                },
            ]
        },
    )

    ok: bool
    aantal: int = Field(description="Rows verified before the first problem (all rows when ok).")
    kop: str = Field(description="Hash of the last verified row.")
    eersteFout: KetenFoutUit | None
