"""Partner endpoints for the organisation's own work notes on its track of a case."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from meldroute_common.auth import CasussenTerugkoppelen
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from privacy_gateway.aantekeningen import service as aantekeningen
from privacy_gateway.aantekeningen.schemas import AantekeningenUit, AantekeningIn, AantekeningVastgelegd
from privacy_gateway.casussen.schemas import ProblemPolicyDenial
from privacy_gateway.context import CasusReferentiePad, GatewayState, LogSession

router = APIRouter(tags=["casussen"], dependencies=[rate_limited("casussen")])

_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {"description": "intake-api antwoordde met een fout of onbruikbaar; er is niets opgeslagen."},
    503: {"description": "intake-api of het verwerkingenlog is niet beschikbaar; er is niets opgeslagen."},
    504: {"description": "intake-api antwoordde niet op tijd."},
    403: {
        "description": "Het token mist de benodigde scope, of het convenantbeleid staat dit niet toe (`reden`): "
        "de organisatie heeft geen open traject met dit doel.",
        "model": ProblemPolicyDenial,
    },
}


@router.post(
    "/casussen/{casusId}/aantekeningen",
    operation_id="casusAantekeningVastleggen",
    openapi_extra=RATE_LIMITED,
    summary="Een werkaantekening bij het eigen traject van de casus",
    status_code=201,
    response_model=AantekeningVastgelegd,
    responses=_ERRORS,
)
async def casus_aantekening_vastleggen(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: CasussenTerugkoppelen,
    casusId: CasusReferentiePad,
    aantekening: AantekeningIn,
) -> Any:
    """Legt een werkaantekening vast bij het traject met doel `doel` van de organisatie van de aanroeper (de
    tekst wordt van identificatoren ontdaan, het origineel verzegeld). Alleen wanneer het beleid de organisatie
    dit doel voor deze casus nu toestaat; anders 403 met de reden. Vastgelegd in het verwerkingenlog (zonder de
    tekst) voordat de aantekening naar intake gaat. De aandachtsfunctionaris van de gemeente leest haar; andere
    partners niet. Een casus die niet met de organisatie is gedeeld is 404; weigeringen staan in het
    verwerkingenlog."""
    return await aantekeningen.record_aantekening(
        session=session, gateway=gateway, request=request, claims=claims, referentie=casusId,
        invoer=aantekening,
    )  # fmt: skip


@router.get(
    "/casussen/{casusId}/aantekeningen",
    operation_id="casusAantekeningenOpvragen",
    openapi_extra=RATE_LIMITED,
    summary="De eigen werkaantekeningen bij het traject van de casus",
    response_model=AantekeningenUit,
    responses=_ERRORS,
)
async def casus_aantekeningen_opvragen(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: CasussenTerugkoppelen,
    casusId: CasusReferentiePad,
    doel: Annotated[
        str,
        Query(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]*$", description="Doel van het traject."),
    ],
) -> Any:
    """De werkaantekeningen van de eigen organisatie bij haar traject met doel `doel`, oudste eerst; nooit die
    van de gemeente of van een andere partner. Alleen zolang het beleid de organisatie dit doel voor deze casus
    toestaat (anders 403 met de reden); elke inzage en weigering staat in het verwerkingenlog."""
    return await aantekeningen.read_aantekeningen(
        session=session, gateway=gateway, request=request, claims=claims, referentie=casusId, doel=doel
    )
