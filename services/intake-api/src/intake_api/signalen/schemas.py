"""Request and response models of /v1/signalen."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Final, Literal
from uuid import UUID

from meldroute_common.catalogus import Lijst, standaard_catalogus
from meldroute_common.schemas import Invoer, Uitvoer
from meldroute_common.typen import Datum
from pydantic import ConfigDict, Field, JsonValue

from intake_api.termijnen.schemas import TermijnWeergave


def codes(lijst: Lijst) -> dict[str, Any]:
    """The catalogue's codes as an enum in the published schema, so front-ends and fuzzers see the valid values.

    Validation stays in the service (a 400 naming the field); the municipalities list is configurable and
    therefore not an enum.
    """
    return {"enum": sorted(standaard_catalogus().codes(lijst))}


Rol = Literal["slachtoffer", "vermoedelijke_uitbuiter", "overig"]
Status = Literal[
    "ontvangen",
    "in_behandeling",
    "advies_gevraagd",
    "afgesloten_geen_mensenhandel",
    "doorverwezen_ander_domein",
    "opgeschaald",
]
Vertrouwelijkheidaanduiding = Literal[
    "openbaar", "beperkt_openbaar", "intern", "zaakvertrouwelijk", "vertrouwelijk", "confidentieel", "geheim",
    "zeer_geheim",
]  # fmt: skip

_VOORBEELD_ID = "3f1c2b7a-9d4e-4f0a-8b6c-2e5d7a9c1f30"
_VOORBEELD_BETROKKENE_ID = "7b2e4c1d-5a6f-4e3b-9c8d-1f2a3b4c5d6e"


class BetrokkeneInvoer(Invoer):
    """A person involved, as the employee records them. Every field but `rol` is optional; whatever
    identifies the person is sealed for the privacy gateway and never returned."""

    rol: Rol = Field(description="Role of the person in the signal.")
    bsn: str | None = Field(default=None, max_length=20, description="BSN (must pass the 11-test).")
    naam: str | None = Field(default=None, min_length=1, max_length=200, description="Full name.")
    geboortedatum: Datum | None = Field(default=None, strict=False, description="Date of birth (ISO 8601).")
    # The enum sits on the string, not beside the null: `null` stays valid, as the code accepts it.
    geslacht: Annotated[str, Field(max_length=16, json_schema_extra=codes("geslachten"))] | None = Field(
        default=None, description="Gender code from the catalogue."
    )
    nationaliteit: str | None = Field(
        default=None, pattern=r"^[A-Za-z]{2}$", description="Nationality, ISO 3166-1 alpha-2."
    )
    adres: str | None = Field(default=None, min_length=1, max_length=300, description="Address.")
    telefoon: str | None = Field(default=None, min_length=1, max_length=40, description="Phone number.")


#: A valid body of `POST /v1/signalen`: the published example, and the base of the tests' builder.
VOORBEELD: Final[dict[str, JsonValue]] = {
    "gemeenteCode": "GM1509",
    "melderDomein": "toezicht",
    "waargenomenOp": "2026-10-01",
    "uitbuitingsvormen": ["arbeid"],
    "indicatoren": ["woont-op-werkplek"],
    "sector": "agrarisch",
    "locatietype": "boerenerf",
    "omschrijving": "Bij controle op een boerenerf slapen arbeiders in een schuur.",
    "betrokkenen": [
        {
            "rol": "slachtoffer",
            "bsn": "111222333",
            "naam": "Jan Jansen",
            "geboortedatum": "2001-05-04",
            "geslacht": "man",
            "nationaliteit": "PL",
        }
    ],
    "toestemming": False,
}


class SignaalInvoer(Invoer):
    """A new signal. Codes come from `GET /v1/catalogus`."""

    model_config = ConfigDict(json_schema_extra={"examples": [VOORBEELD]})

    gemeente_code: str = Field(pattern=r"^GM[0-9]{4}$", description="CBS code; must be the token's own.")
    melder_domein: str = Field(
        max_length=64,
        description="Domain of the employee (catalogue code).",
        json_schema_extra=codes("melderdomeinen"),
    )
    waargenomen_op: Datum = Field(strict=False, description="Date of the observation (not in the future).")
    uitbuitingsvormen: list[Annotated[str, Field(json_schema_extra=codes("uitbuitingsvormen"))]] = Field(
        min_length=1, max_length=10, description="Suspected forms of exploitation (catalogue codes)."
    )
    indicatoren: list[Annotated[str, Field(json_schema_extra=codes("indicatoren"))]] = Field(
        default_factory=list, max_length=50, description="Indicators (codes)."
    )
    sector: str = Field(
        max_length=64, description="Sector (catalogue code).", json_schema_extra=codes("sectoren")
    )
    locatietype: str = Field(
        max_length=64,
        description="Kind of location (catalogue code).",
        json_schema_extra=codes("locatietypen"),
    )
    omschrijving: str = Field(
        default="", max_length=10_000, description="What was seen; identifiers are replaced on storage."
    )
    betrokkenen: list[BetrokkeneInvoer] = Field(default_factory=list, max_length=20)
    toestemming: bool = Field(default=False, description="The victim consents to registration with CoMensha.")


class Kern(Uitvoer):
    gemeente_code: str
    melder_domein: str
    waargenomen_op: date
    ontvangen_op: datetime
    uitbuitingsvormen: list[str]


class Kenmerken(Uitvoer):
    indicatoren: list[str]
    sector: str
    locatietype: str


TrajectStatus = Literal["open", "lopend", "afgerond"]
Vastlegging = Literal["schriftelijk", "mondeling_vastgelegd"]


class ToestemmingWeergave(Uitvoer):
    """A victim's consent (or refusal) as recorded; withdrawn from `ingetrokkenOp` on."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
                    "betrokkeneId": _VOORBEELD_BETROKKENE_ID,
                    "gegeven": True,
                    "datum": "2026-10-05",
                    "vastlegging": "schriftelijk",
                    "onder16": False,
                    "doorVoogd": False,
                    "vastgelegdDoor": "aandachtsfunctionaris-1",
                    "vastgelegdOp": "2026-10-05T10:00:00Z",
                    "ingetrokkenOp": None,
                    "geldig": True,
                }
            ]
        }
    )

    id: UUID
    betrokkene_id: UUID
    gegeven: bool = Field(description="Given (true) or refused (false).")
    datum: date = Field(description="The day the victim (or guardian) gave or refused it.")
    vastlegging: Vastlegging = Field(description="How it was recorded.")
    onder16: bool = Field(description="The victim is under 16: the guardian's consent is what counts.")
    door_voogd: bool = Field(description="Given by the guardian.")
    vastgelegd_door: str = Field(description="Subject (`sub`) of whoever recorded it.")
    vastgelegd_op: datetime
    ingetrokken_op: date | None = Field(description="The day it was withdrawn; null while it stands.")
    geldig: bool = Field(description="Whether this record is the victim's valid consent now (the latest, "
                         "given and not withdrawn).")  # fmt: skip


class TerugkoppelingWeergave(Uitvoer):
    """An outcome a partner recorded on a track (codes from the catalogue; the note scrubbed)."""

    id: UUID
    partner: str
    doel: str
    terugkoppeling: str = Field(description="Code from the catalogue's terugkoppelingen.")
    reden: str | None = Field(description="geen_vervolg only: code from geenVervolgRedenen.")
    opvangvorm: str | None = Field(description="opvang_geregeld only: code from opvangvormen.")
    maatregel: str | None = Field(
        description="bestuurlijke_maatregel only: code from bestuurlijkeMaatregelen."
    )
    toelichting: str | None = Field(description="The note, identifiers replaced.")
    vastgelegd_op: datetime


class TrajectWeergave(Uitvoer):
    """One track of a case: a purpose, its partners, its status and the outcomes reported on it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b",
                    "doel": "zorg_en_opvang",
                    "status": "open",
                    "partners": ["zorgcoordinatie-noord-oost-gelderland"],
                    "geopendOp": "2026-10-08T14:00:00Z",
                    "geopendDoor": "aandachtsfunctionaris-1",
                    "afgerondOp": None,
                    "terugkoppelingen": [],
                }
            ]
        }
    )

    id: UUID
    doel: str
    status: TrajectStatus = Field(description="open; lopend after the first outcome; afgerond when closed.")
    partners: list[str]
    geopend_op: datetime
    geopend_door: str
    afgerond_op: datetime | None
    terugkoppelingen: list[TerugkoppelingWeergave]


class AdviesantwoordWeergave(Uitvoer):
    partner: str
    gegeven_op: datetime
    antwoord: str = Field(description="The answer, identifiers replaced.")


class AdviesvraagWeergave(Uitvoer):
    """A question put to expert partners, with their answers."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                    "signaalId": _VOORBEELD_ID,
                    "gesteldOp": "2026-10-03T11:00:00Z",
                    "gesteldDoor": "aandachtsfunctionaris-1",
                    "vraag": "Wijzen deze indicatoren op arbeidsuitbuiting of op slecht werkgeverschap?",
                    "experts": ["riec-oost-nederland"],
                    "status": "open",
                    "antwoorden": [],
                }
            ]
        }
    )

    id: UUID
    signaal_id: UUID
    gesteld_op: datetime
    gesteld_door: str
    vraag: str = Field(description="The question, identifiers replaced.")
    experts: list[str]
    status: Literal["open", "beantwoord"]
    antwoorden: list[AdviesantwoordWeergave]


class DoelverzoekWeergave(Uitvoer):
    """A partner's request for a follow-on purpose, and the decision on it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
                    "partner": "politie-oost-nederland",
                    "doel": "strafrechtelijk_onderzoek",
                    "reden": "Het casusoverleg adviseert een opsporingsonderzoek.",
                    "status": "gevraagd",
                    "ingediendOp": "2026-10-20T09:00:00Z",
                    "beslotenOp": None,
                    "trajectId": None,
                }
            ]
        }
    )

    id: UUID
    partner: str
    doel: str
    reden: str = Field(description="Why, identifiers replaced.")
    status: Literal["gevraagd", "toegekend", "afgewezen"]
    ingediend_op: datetime
    besloten_op: datetime | None
    traject_id: UUID | None = Field(description="The track that carries the purpose once granted.")


class AanvullingWeergave(Uitvoer):
    """A supplement to the description, added after intake: scrubbed like the description, who and when."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b",
                    "omschrijving": "Bij een tweede bezoek bleken ook [NAAM] en een collega daar te slapen.",
                    "door": "aandachtsfunctionaris-1",
                    "vastgelegdOp": "2026-10-04T08:30:00Z",
                }
            ]
        }
    )

    id: UUID
    omschrijving: str = Field(description="The supplement with identifiers replaced by placeholders.")
    door: str = Field(description="Subject (`sub`) of whoever added it.")
    vastgelegd_op: datetime


class BetrokkeneWeergave(Uitvoer):
    """A person involved, pseudonymised: coarse attributes and how many other signals share the person."""

    id: UUID
    rol: Rol
    leeftijdsklasse: str = Field(description="Age band at the observation date.")
    geslacht: str
    nationaliteitsgroep: str
    gekoppelde_signalen: int = Field(
        ge=0, description="Number of other signals in the region with the same person (by link pseudonym)."
    )
    identiteit_verzegeld: bool = Field(
        description="Whether a sealed identity is held for the privacy gateway (false after retention)."
    )
    toestemmingen: list[ToestemmingWeergave] = Field(
        default_factory=list, description="Consent records of a victim, oldest first."
    )


class Signaal(Uitvoer):
    """A signal, pseudonymised: no identifying data, the description with identifiers replaced."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _VOORBEELD_ID,
                    "gemeenteCode": "GM1509",
                    "melderDomein": "toezicht",
                    "waargenomenOp": "2026-10-01",
                    "ontvangenOp": "2026-10-02T09:15:00Z",
                    "uitbuitingsvormen": ["arbeid"],
                    "indicatoren": ["woont-op-werkplek"],
                    "sector": "agrarisch",
                    "locatietype": "boerenerf",
                    "omschrijving": "Arbeiders slapen in een schuur; bellen naar [TELEFOON].",
                    "toestemming": False,
                    "status": "ontvangen",
                    "versie": 1,
                    "statusGewijzigdOp": "2026-10-02T09:15:00Z",
                    "doorverwezenNaar": None,
                    "opgeschaaldOp": None,
                    "partners": None,
                    "doel": None,
                    "vertrouwelijkheidaanduiding": None,
                    "gewistOp": None,
                    "toegewezenAan": "af-gm1509-2",
                    "betrokkenen": [
                        {
                            "id": _VOORBEELD_BETROKKENE_ID,
                            "rol": "slachtoffer",
                            "leeftijdsklasse": "23-29",
                            "geslacht": "man",
                            "nationaliteitsgroep": "eu-eer",
                            "gekoppeldeSignalen": 0,
                            "identiteitVerzegeld": True,
                        }
                    ],
                }
            ]
        }
    )

    id: UUID
    gemeente_code: str
    melder_domein: str
    waargenomen_op: date
    ontvangen_op: datetime
    uitbuitingsvormen: list[str]
    indicatoren: list[str]
    sector: str
    locatietype: str
    omschrijving: str = Field(description="The description with identifiers replaced by placeholders.")
    toestemming: bool
    status: Status
    versie: int = Field(ge=1, description="Version; also the ETag. Send it back in If-Match when deciding.")
    status_gewijzigd_op: datetime
    doorverwezen_naar: str | None = Field(description="Referral domain (doorverwezen_ander_domein).")
    opgeschaald_op: datetime | None
    partners: list[str] | None = Field(description="Partners the signal was escalated to.")
    doel: str | None = Field(description="Purpose of the escalation.")
    vertrouwelijkheidaanduiding: Vertrouwelijkheidaanduiding | None
    gewist_op: datetime | None = Field(
        description="When retention purged the sealed identity and sealed original text."
    )
    toegewezen_aan: str | None = Field(
        default=None,
        description="Subject (`sub`) of the attention officer the signal is assigned to, or null.",
    )
    betrokkenen: list[BetrokkeneWeergave]
    trajecten: list[TrajectWeergave] = Field(default_factory=list, description="The case's tracks, in order.")
    adviesvragen: list[AdviesvraagWeergave] = Field(
        default_factory=list, description="Advice asked, oldest first."
    )
    doelverzoeken: list[DoelverzoekWeergave] = Field(
        default_factory=list, description="Partners' requests for a follow-on purpose, oldest first."
    )
    aanvullingen: list[AanvullingWeergave] = Field(
        default_factory=list, description="Supplements to the description added after intake, oldest first."
    )
    termijnen: list[TermijnWeergave] = Field(
        default_factory=list, description="Deadlines of the signal and its tracks, earliest due first."
    )


MelderStatus = Literal["ontvangen", "in_behandeling", "afgehandeld"]


class SignaalStatusVoorMelder(Uitvoer):
    """What the melder hears back: where the signal stands, and since when; nothing else."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "in_behandeling", "sinds": "2026-10-03"}]}
    )

    status: MelderStatus = Field(
        description="ontvangen; in_behandeling (also while advice is asked or a case's tracks run); "
        "afgehandeld (closed, referred, or escalated with every track closed)."
    )
    sinds: date = Field(description="The day the signal reached this status (Dutch calendar date).")


class SignaalSamenvatting(Uitvoer):
    """One line of the queue."""

    id: UUID
    gemeente_code: str
    melder_domein: str
    waargenomen_op: date
    ontvangen_op: datetime
    uitbuitingsvormen: list[str]
    sector: str
    locatietype: str
    status: Status
    versie: int
    toegewezen_aan: str | None = Field(
        default=None,
        description="Subject (`sub`) of the attention officer the signal is assigned to, or null.",
    )


class SignalenPagina(Uitvoer):
    """A page of the queue, newest first; `volgende` is the cursor of the next page (null on the last)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "signalen": [
                        {
                            "id": _VOORBEELD_ID,
                            "gemeenteCode": "GM1509",
                            "melderDomein": "toezicht",
                            "waargenomenOp": "2026-10-01",
                            "ontvangenOp": "2026-10-02T09:15:00Z",
                            "uitbuitingsvormen": ["arbeid"],
                            "sector": "agrarisch",
                            "locatietype": "boerenerf",
                            "status": "ontvangen",
                            "versie": 1,
                            "toegewezenAan": None,
                        }
                    ],
                    "volgende": None,
                }
            ]
        }
    )

    signalen: list[SignaalSamenvatting]
    volgende: str | None


class HistorieRegel(Uitvoer):
    """One change of a signal: who (subject of the token), when, what and why."""

    volgnummer: int
    tijdstip: datetime
    actie: str = Field(
        description="aangemaakt, beoordeeld, identiteit_gewist, traject_geopend, partner_toegevoegd, "
        "traject_afgerond, advies_gevraagd, advies_beantwoord, toestemming_vastgelegd, toestemming_ingetrokken, "
        "terugkoppeling_vastgelegd, doelverzoek_ingediend, doelverzoek_besloten, toewijzing_gewijzigd or aangevuld "
        "(`details.soorten` names what was added: indicatoren, betrokkenen, omschrijving)."
    )
    door: str = Field(description="Subject (`sub`) of whoever made the change, or the retention job.")
    van_status: Status | None
    naar_status: Status | None
    toelichting: str | None = Field(description="The reason given (identifiers replaced).")
    details: dict[str, Any] | None


class Historie(Uitvoer):
    """The history of a signal, oldest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "signaalId": _VOORBEELD_ID,
                    "historie": [
                        {
                            "volgnummer": 1,
                            "tijdstip": "2026-10-02T09:15:00Z",
                            "actie": "aangemaakt",
                            "door": "melder-17",
                            "vanStatus": None,
                            "naarStatus": "ontvangen",
                            "toelichting": None,
                            "details": None,
                        }
                    ],
                }
            ]
        }
    )

    signaal_id: UUID
    historie: list[HistorieRegel]
