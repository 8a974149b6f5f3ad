"""Request and response bodies of the partner endpoints and the policy evaluation."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from meldroute_common.beleid import WeigerReden
from meldroute_common.problems import ProblemDetails, omitted_when_absent
from meldroute_common.schemas import Invoer, Uitvoer
from pydantic import ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

_CASUS_ID = "4d1e7a90-5b2c-8f3e-a6d1-0c9b8e7f6a54"


class CasusSamenvatting(Uitvoer):
    """A case shared with the caller's organisation; no data about the people in it."""

    model_config = ConfigDict(extra="forbid")

    id: UUID = Field(
        description="This partner's own reference to the case; other partners know it by another."
    )
    opgeschaald_op: date = Field(description="The day the case was escalated (Europe/Amsterdam).")
    doel: str = Field(
        description="The first purpose of the caller's open tracks (else the case's first purpose); "
        "ask for the case with this purpose."
    )
    doelen: list[str] = Field(
        description="The purposes of the caller's tracks on the case that are not closed."
    )
    vertrouwelijkheidaanduiding: str
    toegang: bool = Field(description="Whether the policy lets the caller read the case now, for `doel`.")
    venster_tot: date | None = Field(
        description="The day access ends (Europe/Amsterdam); null when there is no access."
    )


class CasussenPagina(Uitvoer):
    casussen: list[CasusSamenvatting]
    volgende: str | None = Field(description="Cursor of the next page; null on the last page.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "casussen": [
                        {
                            "id": _CASUS_ID,
                            "opgeschaaldOp": "2026-10-03",
                            "doel": "casusoverleg",
                            "doelen": ["casusoverleg"],
                            "vertrouwelijkheidaanduiding": "vertrouwelijk",
                            "toegang": True,
                            "vensterTot": "2027-10-03",
                        }
                    ],
                    "volgende": None,
                }
            ]
        },
    )


class GrondslagUit(Uitvoer):
    model_config = ConfigDict(extra="forbid")

    omschrijving: str
    referentie: str


class Kern(Uitvoer):
    model_config = ConfigDict(extra="forbid")

    gemeente_code: str
    melder_domein: str
    waargenomen_op: date
    ontvangen_op: date = Field(description="The day intake received the signal (Europe/Amsterdam).")
    uitbuitingsvormen: list[str]


class Kenmerken(Uitvoer):
    model_config = ConfigDict(extra="forbid")

    indicatoren: list[str]
    sector: str | None
    locatietype: str | None


class BetrokkeneUit(Uitvoer):
    """A person in the case as this partner may see them."""

    model_config = ConfigDict(extra="forbid")

    referentie: str = Field(
        description="This partner's reference to this betrokkene in this case (for identity requests)."
    )
    rol: str
    leeftijdsklasse: str | None = Field(default=None, description="Category kenmerken.")
    geslacht: str | None = Field(default=None, description="Category kenmerken.")
    nationaliteitsgroep: str | None = Field(default=None, description="Category kenmerken.")
    pseudoniem: str | None = Field(
        default=None, description="Category pseudoniem: this partner's own pseudonym of the person."
    )
    gekoppelde_signalen: int | None = Field(
        default=None,
        description="Category gekoppelde_signalen: other signals in the region about the person.",
    )


class CasusVerstrekking(Uitvoer):
    """The categories of a case the policy lets the caller receive for the purpose asked."""

    id: UUID = Field(description="This partner's own reference to the case.")
    doel: str
    grondslag: GrondslagUit
    regel_id: str = Field(description="The policy rule that allowed this disclosure.")
    categorieen: list[str] = Field(description="The categories in this answer.")
    vier_ogen: list[str] = Field(
        description="Allowed categories only released after a second person approves."
    )
    venster_tot: date = Field(description="The day access ends (Europe/Amsterdam).")
    opgeschaald_op: date = Field(description="The day the case was escalated (Europe/Amsterdam).")
    vertrouwelijkheidaanduiding: str
    kern: Kern | None = None
    kenmerken: Kenmerken | None = None
    omschrijving: str | None = Field(default=None, description="The free text with identifiers replaced.")
    betrokkenen: list[BetrokkeneUit] = Field(description="Ordered by this partner's `referentie`.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": _CASUS_ID,
                    "doel": "casusoverleg",
                    "grondslag": {
                        "omschrijving": "Taak van algemeen belang.",
                        "referentie": "art. 6 lid 1 sub e AVG",
                    },
                    "regelId": "casusoverleg-riec-politie",
                    "categorieen": ["kern", "kenmerken", "pseudoniem"],
                    "vierOgen": ["identiteit"],
                    "vensterTot": "2027-10-03",
                    "opgeschaaldOp": "2026-10-03",
                    "vertrouwelijkheidaanduiding": "vertrouwelijk",
                    "kern": {
                        "gemeenteCode": "GM1509",
                        "melderDomein": "toezicht",
                        "waargenomenOp": "2026-10-01",
                        "ontvangenOp": "2026-10-01",
                        "uitbuitingsvormen": ["arbeid"],
                    },
                    "kenmerken": {
                        "indicatoren": ["woont-op-werkplek"],
                        "sector": "agrarisch",
                        "locatietype": "boerenerf",
                    },
                    "omschrijving": None,
                    "betrokkenen": [
                        {
                            "referentie": "5e1c0d3b9a7f4e2d8c6b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
                            "rol": "slachtoffer",
                            "leeftijdsklasse": "23-29",
                            "geslacht": "man",
                            "nationaliteitsgroep": "eu",
                            "pseudoniem": "a3f1c9e07b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a",
                            "gekoppeldeSignalen": None,
                        }
                    ],
                }
            ]
        },
    )


class EvaluatieVerzoek(Invoer):
    """Would the caller's organisation be allowed to receive this case for this purpose?"""

    # JSON carries the id as text; strict mode would take only a UUID object.
    casus_id: UUID = Field(
        strict=False, description="The caller's own reference to the case (`id` in its list)."
    )
    doel: str = Field(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]*$")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"casusId": _CASUS_ID, "doel": "casusoverleg"}]}
    )


class WeigeringUit(Uitvoer):
    model_config = ConfigDict(extra="forbid")

    code: WeigerReden
    toelichting: str


class Evaluatie(Uitvoer):
    """The decision of the policy and why, without any data of the case."""

    toegestaan: bool
    categorieen: list[str]
    geweigerd: dict[str, WeigeringUit] = Field(description="Withheld categories with the reason for each.")
    reden: WeigeringUit | None = Field(
        description="Why everything is denied; null when something is allowed."
    )
    regel_id: str | None
    doel: str
    grondslag: GrondslagUit | None
    vier_ogen: list[str]
    venster_tot: date | None = Field(description="The day access ends (Europe/Amsterdam).")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "toegestaan": True,
                    "categorieen": ["kern", "kenmerken"],
                    "geweigerd": {
                        "omschrijving": {
                            "code": "niet_in_regel",
                            "toelichting": "niet toegestaan door regel 'casusoverleg-belastingdienst'",
                        }
                    },
                    "reden": None,
                    "regelId": "casusoverleg-belastingdienst",
                    "doel": "casusoverleg",
                    "grondslag": {
                        "omschrijving": "Taak van algemeen belang.",
                        "referentie": "art. 6 lid 1 sub e AVG",
                    },
                    "vierOgen": [],
                    "vensterTot": "2027-04-01",
                }
            ]
        },
    )


class ProblemPolicyDenial(ProblemDetails):
    """403 from a partner operation: when the covenant policy refused, `reden` says which check did (the codes
    of the policy evaluation); a 403 for a missing scope or another person's request has no `reden`."""

    reden: WeigerReden | SkipJsonSchema[None] = Field(
        default=None,
        description="The policy check that refused (only when the policy refused).",
        json_schema_extra=omitted_when_absent,
    )
