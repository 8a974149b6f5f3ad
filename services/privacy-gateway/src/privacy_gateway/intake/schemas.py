"""The shapes intake-api's internal API answers with (``/v1/intern/...``), validated on arrival.

Unknown fields are ignored (intake may add some), missing or mistyped ones make the answer unusable:
the gateway then answers 502 and discloses nothing.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from meldroute_common.schemas import Schema
from pydantic import AwareDatetime, ConfigDict, Field


class _IntakeModel(Schema):
    # A tolerant reader: fields intake adds later are ignored.
    model_config = ConfigDict(extra="ignore", frozen=True, validate_by_name=True)


class IntakeKern(_IntakeModel):
    gemeente_code: str
    melder_domein: str
    waargenomen_op: date
    ontvangen_op: AwareDatetime
    uitbuitingsvormen: list[str]


class IntakeKenmerken(_IntakeModel):
    indicatoren: list[str]
    sector: str | None = None
    locatietype: str | None = None


class IntakeTraject(_IntakeModel):
    """One track of a case: a purpose, its recipient partners and its own status."""

    id: UUID
    doel: str
    status: str  # open | lopend | afgerond
    partners: list[str]
    sinds: AwareDatetime

    @property
    def afgerond(self) -> bool:
        return self.status == "afgerond"


class IntakeBetrokkene(_IntakeModel):
    id: UUID
    rol: str
    #: A valid consent now (the latest record given and not withdrawn); absent counts as none.
    toestemming: bool = False
    link_pseudoniem: str | None = None
    leeftijdsklasse: str | None = None
    geslacht: str | None = None
    nationaliteitsgroep: str | None = None
    gekoppelde_signalen: int = Field(default=0, ge=0)
    identiteit_verzegeld: str | None = None


class IntakeCasus(_IntakeModel):
    """One escalated signal as intake serves it to the gateway (sealed identity included)."""

    id: UUID
    gemeente_code: str
    status: str
    fase: str
    opgeschaald_op: AwareDatetime
    partners: list[str]
    doel: str
    trajecten: list[IntakeTraject] = Field(default_factory=list)
    vertrouwelijkheidaanduiding: str
    toestemming: bool
    minderjarige_betrokken: bool
    kern: IntakeKern
    kenmerken: IntakeKenmerken
    omschrijving: str | None = None
    betrokkenen: list[IntakeBetrokkene] = Field(default_factory=list)


class IntakeCasusSamenvatting(_IntakeModel):
    """A case in intake's list (no sealed blobs); only what the gateway's list needs is required."""

    id: UUID
    opgeschaald_op: AwareDatetime
    partners: list[str]
    doel: str
    trajecten: list[IntakeTraject] = Field(default_factory=list)
    fase: str
    vertrouwelijkheidaanduiding: str
    toestemming: bool = False
    minderjarige_betrokken: bool = True  # unknown counts as the stricter case


class IntakeCasussenPagina(_IntakeModel):
    casussen: list[IntakeCasusSamenvatting]
    volgende: str | None = None


class IntakePseudoniem(_IntakeModel):
    link_pseudoniem: str = Field(min_length=1)
    #: Every link pseudonym of the person (of the BSN and of name + birth date), this one included.
    koppelpseudoniemen: list[str] = Field(default_factory=list)


class IntakeBeleidsfeiten(_IntakeModel):
    """The facts of a signal in any status that a dry-run of an escalation decides on (no case data)."""

    id: UUID
    gemeente_code: str
    status: str
    vertrouwelijkheidaanduiding: str = "vertrouwelijk"
    minderjarige_betrokken: bool = True  # unknown counts as the stricter case
    toestemming: bool = False
    trajecten: list[IntakeTraject] = Field(default_factory=list)


class IntakeAdviesantwoord(_IntakeModel):
    partner: str
    gegeven_op: AwareDatetime


class IntakeAdviesvraag(_IntakeModel):
    """An advice question to expert partners, with the pseudonymised summary (scrubbed, no identity)."""

    id: UUID
    signaal_id: UUID
    gemeente_code: str
    gesteld_op: AwareDatetime
    vraag: str
    experts: list[str]
    status: str  # open | beantwoord
    #: The signal's policy facts, served with the question (as its `beleidsfeiten`).
    fase: str
    vertrouwelijkheidaanduiding: str = "vertrouwelijk"
    minderjarige_betrokken: bool = True  # unknown counts as the stricter case
    kern: IntakeKern
    kenmerken: IntakeKenmerken
    omschrijving: str | None = None
    antwoorden: list[IntakeAdviesantwoord] = Field(default_factory=list)


class IntakeAdviesvragenPagina(_IntakeModel):
    adviesvragen: list[IntakeAdviesvraag]
    volgende: str | None = None


class IntakeAntwoordVastgelegd(_IntakeModel):
    id: UUID
    gegeven_op: AwareDatetime


class IntakeTerugkoppelingVastgelegd(_IntakeModel):
    id: UUID
    vastgelegd_op: AwareDatetime


class IntakeAantekeningVastgelegd(_IntakeModel):
    vastgelegd_op: AwareDatetime


class IntakeAantekening(_IntakeModel):
    door: str
    doel: str
    tekst: str
    vastgelegd_op: AwareDatetime


class IntakeAantekeningen(_IntakeModel):
    aantekeningen: list[IntakeAantekening]


class IntakeDoelverzoekIngediend(_IntakeModel):
    id: UUID
    status: str


class IntakeAbonnement(_IntakeModel):
    """A subscription as intake keeps it (no secret)."""

    id: UUID
    organisatie: str
    soorten: list[str]
    kanaal: str
    url: str | None = None
    email: str | None = None
    aangemaakt_op: AwareDatetime


class IntakeAbonnementAangemaakt(IntakeAbonnement):
    geheim: str | None = None


class IntakeAbonnementen(_IntakeModel):
    abonnementen: list[IntakeAbonnement]


class IntakeMeldingenIngepland(_IntakeModel):
    aantal: int
