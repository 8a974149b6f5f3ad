"""Response bodies of the verwerkingenlog endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from meldroute_common.schemas import Uitvoer
from pydantic import ConfigDict, Field

_HASH_A = "3b1f" * 16
_HASH_B = "9c0e" * 16


class VerwerkingUit(Uitvoer):
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
    request_id: str
    casus_id: str | None
    detail: dict[str, Any]
    vorige_hash: str
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


class VerwerkingenPagina(Uitvoer):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"verwerkingen": [_VOORBEELD_RIJ], "volgende": None}]},
    )

    verwerkingen: list[VerwerkingUit]
    volgende: str | None = Field(description="Cursor of the next page; null on the last page.")


class KetenFoutUit(Uitvoer):
    model_config = ConfigDict(extra="forbid")

    volgnummer: int
    soort: str = Field(description="gewijzigd, ontbrekende_rij, volgorde or keten_verbroken.")
    toelichting: str


class GetuigeUit(Uitvoer):
    model_config = ConfigDict(extra="forbid")

    aantal: int = Field(
        description="Checkpoints in de getuige, elk gecontroleerd op handtekening en plaats in de keten."
    )
    ontbrekend: int = Field(
        description="Ondertekende checkpoints uit de database die de getuige mist (die wordt na de commit "
        "geschreven; een stop daartussen laat er een weg). Op zich geen teken van manipulatie."
    )


class VerificatieUit(Uitvoer):
    """Whether the log is intact; otherwise the first broken row."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "ok": True,
                    "aantal": 1204,
                    "kop": _HASH_B,
                    "eersteFout": None,
                    "checkpoints": 12,
                    "getuige": {"aantal": 12, "ontbrekend": 0},
                    "bewaardeKop": True,
                },
                {
                    "ok": False,
                    "aantal": 41,
                    "kop": _HASH_A,
                    "eersteFout": {
                        "volgnummer": 42,
                        "soort": "gewijzigd",
                        "toelichting": "hash klopt niet met de inhoud onder de ketensleutel: rij gewijzigd",
                    },
                    "checkpoints": 0,
                    "getuige": None,
                    "bewaardeKop": False,
                },
            ]
        },
    )

    ok: bool
    aantal: int = Field(description="Rijen gecontroleerd voor het eerste probleem (alle rijen bij ok).")
    kop: str = Field(description="Gesleutelde hash van de laatste gecontroleerde rij.")
    eerste_fout: KetenFoutUit | None = Field(
        description="Het eerste probleem naar plaats; volgnummer 0 als de getuige zelf beschadigd is."
    )
    checkpoints: int = Field(
        description="Ondertekende checkpoints in de database die de keten ongewijzigd bevat."
    )
    getuige: GetuigeUit | None = Field(
        description="Wat de getuige bevat; null als er geen getuige is ingesteld."
    )
    bewaarde_kop: bool | None = Field(
        description="Of de meegegeven bewaarde kop op zijn plaats in de keten staat, met een geldige "
        "handtekening; null als er geen is meegegeven."
    )


_VOORBEELD_CHECKPOINT: dict[str, Any] = {
    "volgnummer": 1200,
    "kop": _HASH_B,
    "tijdstip": "2026-12-01T09:15:00Z",
    "sleutelId": "4f1a09c2",
    "handtekening": "q9Xy" * 21 + "qA==",
    "notitie": "meldroute.localhost/privacy-gateway/verwerkingenlog\n1200\n"
    + _HASH_B
    + "\n2026-12-01T09:15:00Z\n\n\u2014 meldroute.localhost/privacy-gateway/verwerkingenlog TxoJwqvV8sr...\n",
}


class CheckpointUit(Uitvoer):
    """A signed head of the verwerkingenlog, to keep outside the gateway and pass back to the verification."""

    model_config = ConfigDict(extra="forbid")

    volgnummer: int = Field(ge=1, description="Aantal rijen dat de kop dekt (de boomgrootte).")
    kop: str = Field(description="Gesleutelde hash van rij `volgnummer` (64 kleine hexadecimale tekens).")
    tijdstip: str = Field(description="Wanneer ondertekend, UTC, `JJJJ-MM-DDTUU:MM:SSZ`.")
    sleutel_id: str = Field(
        description="Id van de Ed25519-sleutel die ondertekende (C2SP-sleutelhash, 8 hex)."
    )
    handtekening: str = Field(
        description="Ed25519-handtekening (base64) over `<herkomst>\\n<volgnummer>\\n<kop>\\n<tijdstip>\\n`."
    )
    notitie: str = Field(description="Hetzelfde checkpoint als C2SP signed note.")


class CheckpointsPagina(Uitvoer):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"checkpoints": [_VOORBEELD_CHECKPOINT], "volgende": None}]},
    )

    checkpoints: list[CheckpointUit]
    volgende: str | None = Field(description="Cursor of the next page; null on the last page.")


class SleutelUit(Uitvoer):
    model_config = ConfigDict(extra="forbid")

    sleutel_id: str = Field(description="C2SP-sleutelhash (8 hex), zoals `sleutelId` van een checkpoint.")
    algoritme: str = Field(description="Altijd Ed25519.")
    publieke_sleutel: str = Field(description="De ruwe publieke sleutel van 32 bytes, base64.")
    verificatiesleutel: str = Field(
        description="C2SP-verificatiesleutel `<herkomst>+<sleutelId>+<base64(0x01 || publieke sleutel)>`."
    )
    actief: bool = Field(
        description="Of nieuwe checkpoints ermee worden ondertekend (een sleutel); de andere controleren alleen."
    )


class SleutelsUit(Uitvoer):
    """The public keys under which checkpoints verify, to check signatures offline."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "herkomst": "meldroute.localhost/privacy-gateway/verwerkingenlog",
                    "sleutels": [
                        {
                            "sleutelId": "4f1a09c2",
                            "algoritme": "Ed25519",
                            "publiekeSleutel": "Hq2m" * 10 + "Hq0=",
                            "verificatiesleutel": "meldroute.localhost/privacy-gateway/verwerkingenlog+4f1a09c2+AR6t"
                            + "ptHq" * 9
                            + "rQ==",
                            "actief": True,
                        }
                    ],
                }
            ]
        },
    )

    herkomst: str = Field(description="Naam van het log, de eerste regel van elk checkpoint.")
    sleutels: list[SleutelUit]
