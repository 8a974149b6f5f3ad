"""Access requests: which partners received what about one person, when, for which purpose and basis.

The gateway never holds intake's link key. It asks intake for the link pseudonym of the BSN (or name
and birth date), turns it into the verwerkingenlog's own pseudonym and looks that up in the log.
The identifying input is used for that one call and neither stored nor logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Self

from fastapi import APIRouter, Request
from meldroute_common.auth import VerwerkingenLezen
from meldroute_common.db import as_utc
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited
from meldroute_common.typen import Datum
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from privacy_gateway.context import GatewayState, LogSession
from privacy_gateway.verwerkingen.service import rows_for_betrokkene
from privacy_gateway.verwerkingen.vastlegging import Actie, record

#: Each answer turns a BSN or name into a pseudonym at intake: a budget of its own (GATEWAY_INZAGE_RATE_LIMIT).
router = APIRouter(
    tags=["verwerkingen"], dependencies=[rate_limited("inzage", limit_setting="inzage_rate_limit")]
)

#: Rows that mean data about the person left the gateway.
VERSTREKKINGEN: Final = frozenset({Actie.VERSTREKKING, Actie.ONTZEGELING})
INZAGE_DOEL: Final = "inzageverzoek_betrokkene"
INZAGE_GRONDSLAG: Final = "art. 15 AVG; art. 6 lid 1 sub c AVG"

_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {"description": "intake-api antwoordde met een fout of onbruikbaar."},
    503: {"description": "intake-api of het verwerkingenlog is niet beschikbaar."},
    504: {"description": "intake-api antwoordde niet op tijd."},
}


class InzageverzoekIn(BaseModel):
    """The person an access request is about: a BSN, or a name with a birth date."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"bsn": "111222333"}, {"naam": "J. Jansen", "geboortedatum": "2001-05-04"}]
        },
    )

    bsn: Annotated[str, StringConstraints(pattern=r"^\d{8,9}$")] | None = Field(
        default=None, description="BSN."
    )
    naam: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    geboortedatum: Datum | None = None

    @model_validator(mode="after")
    def _een_van_beide(self) -> Self:
        if self.bsn is None and (self.naam is None or self.geboortedatum is None):
            raise ValueError("geef een bsn, of naam en geboortedatum")
        if self.bsn is not None and (self.naam is not None or self.geboortedatum is not None):
            raise ValueError("geef een bsn, of naam en geboortedatum, niet beide")
        return self


class Ontvangst(BaseModel):
    """One disclosure about the person."""

    model_config = ConfigDict(extra="forbid")

    afnemer: str = Field(description="The partner that received the data.")
    actie: str = Field(description="verstrekking (case data) or ontzegeling (identity).")
    categorieen: list[str]
    tijdstip: datetime
    doel: str
    grondslag: str
    casusId: str | None = Field(description="Intake's id of the case.")
    casusReferentie: str | None = Field(
        description="The partner's own reference the case was disclosed under (what the partner knows it by)."
    )
    volgnummer: int = Field(description="The row in the verwerkingenlog.")


class InzageUit(BaseModel):
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


def _tekst(waarde: object) -> str | None:
    return waarde if isinstance(waarde, str) else None


@router.post(
    "/inzageverzoeken",
    operation_id="inzageverzoekBeantwoorden",
    openapi_extra=RATE_LIMITED,
    summary="Welke partners wat over een persoon ontvingen",
    responses=_ERRORS,
)
async def inzageverzoek_beantwoorden(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: VerwerkingenLezen,
    verzoek: InzageverzoekIn,
) -> InzageUit:
    """Voor de FG bij een inzageverzoek (art. 15 AVG): welke partners wat over deze persoon ontvingen, wanneer,
    voor welk doel en op welke grondslag. De persoon wordt aangewezen met een BSN of met naam en geboortedatum;
    intake leidt daaruit het linkpseudoniem af (de sleutel daarvan blijft bij intake), met alle
    koppelpseudoniemen van dezelfde persoon: een verzoek op BSN en een op naam en geboortedatum vinden dezelfde
    verstrekkingen. De invoer wordt niet
    bewaard en niet teruggegeven; het beantwoorden zelf staat in het verwerkingenlog."""
    pseudoniemen = await gateway.intake.pseudoniemen(
        bsn=verzoek.bsn, naam=verzoek.naam, geboortedatum=verzoek.geboortedatum
    )
    betrokkene = gateway.log_pseudoniem(pseudoniemen.link_pseudoniem)
    # A person recorded with a BSN on one signal and by name + birth date on another is one person.
    gekoppeld = sorted({pseudoniemen.link_pseudoniem, *pseudoniemen.koppelpseudoniemen})
    per_volgnummer = {
        rij.volgnummer: rij
        for link in gekoppeld
        for rij in await rows_for_betrokkene(session, betrokkene=gateway.log_pseudoniem(link))
    }
    rijen = [per_volgnummer[v] for v in sorted(per_volgnummer)]
    ontvangsten = [
        Ontvangst(
            afnemer=rij.afnemer,
            actie=rij.actie,
            categorieen=[str(c) for c in rij.detail.get("categorieen", [])],
            tijdstip=as_utc(rij.tijdstip),
            doel=rij.doel,
            grondslag=rij.grondslag,
            casusId=rij.casus_id,
            casusReferentie=_tekst(rij.detail.get("casusReferentie")),
            volgnummer=rij.volgnummer,
        )
        for rij in rijen
        if rij.actie in VERSTREKKINGEN and rij.afnemer is not None
    ]
    await record(
        session=session, gateway=gateway, request=request,
        actie=Actie.INZAGE, doel=INZAGE_DOEL, grondslag=INZAGE_GRONDSLAG, afnemer=None, betrokkenen=[betrokkene],
        casus_id=None, vertrouwelijkheid="vertrouwelijk",
        detail={"gebruiker": claims.sub, "aantal": len(ontvangsten)},
    )  # fmt: skip
    return InzageUit(ontvangsten=ontvangsten)
