"""Models of the internal API (the contract with the privacy gateway)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from meldroute_common.schemas import Invoer, Uitvoer
from meldroute_common.typen import Datum
from pydantic import ConfigDict, Field, JsonValue

from intake_api.signalen.schemas import (
    Kenmerken,
    Kern,
    Rol,
    Status,
    TrajectStatus,
    Vertrouwelijkheidaanduiding,
)

_ID = "3f1c2b7a-9d4e-4f0a-8b6c-2e5d7a9c1f30"
_VOORBEELD_CASUS: dict[str, JsonValue] = {
    "id": _ID,
    "gemeenteCode": "GM1509",
    "status": "opgeschaald",
    "fase": "opgeschaald",
    "opgeschaaldOp": "2026-10-08T14:00:00Z",
    "partners": ["riec-oost-nederland"],
    "doel": "casusoverleg",
    "vertrouwelijkheidaanduiding": "vertrouwelijk",
    "toestemming": False,
    "minderjarigeBetrokken": False,
    "trajecten": [
        {
            "id": "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b",
            "doel": "casusoverleg",
            "status": "open",
            "partners": ["riec-oost-nederland"],
            "sinds": "2026-10-08T14:00:00Z",
        }
    ],
    "kern": {
        "gemeenteCode": "GM1509",
        "melderDomein": "toezicht",
        "waargenomenOp": "2026-10-01",
        "ontvangenOp": "2026-10-02T09:15:00Z",
        "uitbuitingsvormen": ["arbeid"],
    },
    "kenmerken": {"indicatoren": ["woont-op-werkplek"], "sector": "agrarisch", "locatietype": "boerenerf"},
    "omschrijving": "Arbeiders slapen in een schuur; bellen naar [TELEFOON].",
}


class CasusTraject(Uitvoer):
    """A track as the gateway decides on it: purpose, status, recipients, and since when it runs."""

    id: UUID
    doel: str
    status: TrajectStatus
    partners: list[str]
    sinds: datetime = Field(description="When the track was opened (the access window counts from it).")


class CasusBetrokkene(Uitvoer):
    id: UUID
    rol: Rol
    link_pseudoniem: str | None = Field(
        description="Intake's link pseudonym; the gateway never passes it on."
    )
    leeftijdsklasse: str
    geslacht: str
    nationaliteitsgroep: str
    gekoppelde_signalen: int = Field(ge=0, description="Other signals in the region sharing the pseudonym.")
    toestemming: bool = Field(
        default=False, description="A victim's valid consent now (its latest record given and not withdrawn)."
    )


class CasusBetrokkeneVerzegeld(CasusBetrokkene):
    identiteit_verzegeld: str | None = Field(
        description="Base64 of the HPKE blob with the identity; null when none was given or after retention."
    )


class _CasusBasis(Uitvoer):
    id: UUID
    gemeente_code: str
    status: str
    fase: str
    opgeschaald_op: datetime
    partners: list[str] = Field(description="Every partner of any track (the union).")
    doel: str = Field(description="The purpose of the first track.")
    vertrouwelijkheidaanduiding: Vertrouwelijkheidaanduiding
    toestemming: bool = Field(description="Some victim of the case has a valid consent now.")
    minderjarige_betrokken: bool
    trajecten: list[CasusTraject] = Field(description="The case's tracks, in order.")
    kern: Kern
    kenmerken: Kenmerken
    omschrijving: str = Field(description="The scrubbed description (the sealed original is not served).")


class CasusSamenvatting(_CasusBasis):
    """An escalated signal without sealed blobs (list entries)."""

    betrokkenen: list[CasusBetrokkene]


class Casus(_CasusBasis):
    """An escalated signal with the sealed identities."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_VOORBEELD_CASUS,
                    "betrokkenen": [
                        {
                            "id": "7b2e4c1d-5a6f-4e3b-9c8d-1f2a3b4c5d6e",
                            "rol": "slachtoffer",
                            "linkPseudoniem": "9f" * 32,
                            "leeftijdsklasse": "23-29",
                            "geslacht": "man",
                            "nationaliteitsgroep": "eu-eer",
                            "gekoppeldeSignalen": 1,
                            "identiteitVerzegeld": "TVJTAQ==",
                        }
                    ],
                }
            ]
        }
    )

    betrokkenen: list[CasusBetrokkeneVerzegeld]


class CasussenPagina(Uitvoer):
    """Escalated signals, newest escalation first; `volgende` is the next page's cursor."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"casussen": [{**_VOORBEELD_CASUS, "betrokkenen": []}], "volgende": None}]
        }
    )

    casussen: list[CasusSamenvatting]
    volgende: str | None


class PseudoniemVerzoek(Invoer):
    """A BSN, or a name with a date of birth."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"bsn": "111222333"}]})

    bsn: str | None = Field(default=None, max_length=20)
    naam: str | None = Field(default=None, min_length=1, max_length=200)
    geboortedatum: Datum | None = Field(default=None, strict=False)


class Pseudoniem(Uitvoer):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"linkPseudoniem": "9f" * 32, "koppelpseudoniemen": ["9f" * 32, "3a" * 32]}]
        }
    )

    link_pseudoniem: str = Field(description="The pseudonym of the BSN if given, else of name + birth date.")
    koppelpseudoniemen: list[str] = Field(
        description="Every link pseudonym of the person as intake knows them (this one included), sorted: "
        "of the BSN and of name + birth date, linked through any signal that recorded both."
    )


class Beleidsfeiten(Uitvoer):
    """What the policy decides on for a signal in any status: the attention officer's dry-run before escalating."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _ID,
                    "gemeenteCode": "GM1509",
                    "status": "in_behandeling",
                    "vertrouwelijkheidaanduiding": "vertrouwelijk",
                    "minderjarigeBetrokken": False,
                    "toestemming": False,
                    "trajecten": [],
                }
            ]
        }
    )

    id: UUID
    gemeente_code: str
    status: Status
    vertrouwelijkheidaanduiding: Vertrouwelijkheidaanduiding = Field(
        description="The case's; vertrouwelijk (the default of an escalation) when not escalated."
    )
    minderjarige_betrokken: bool
    toestemming: bool
    trajecten: list[CasusTraject]


class DoelverzoekInvoer(Invoer):
    """A partner's request for a follow-on purpose, forwarded by the gateway."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partner": "politie-oost-nederland",
                    "door": "rechercheur-1",
                    "doel": "strafrechtelijk_onderzoek",
                    "reden": "Het casusoverleg adviseert een opsporingsonderzoek.",
                }
            ]
        }
    )

    partner: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="The partner asking (on the case)."
    )
    door: str = Field(min_length=1, max_length=200, description="Subject of the partner's user.")
    doel: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="The purpose asked for.")
    reden: str = Field(min_length=1, max_length=4000, description="Why; identifiers are replaced.")


class DoelverzoekIngediend(Uitvoer):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", "status": "gevraagd"}]}
    )

    id: UUID
    status: str = Field(description="gevraagd: the attention officer decides.")
