"""Partner endpoint that sends an outcome on a track of a case back to intake."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from meldroute_common.auth import CasussenTerugkoppelen
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from privacy_gateway.casussen.schemas import ProblemPolicyDenial
from privacy_gateway.context import CasusReferentiePad, GatewayState, LogSession
from privacy_gateway.terugkoppelingen import service as terugkoppelingen
from privacy_gateway.terugkoppelingen.schemas import TerugkoppelingIn, TerugkoppelingUit

router = APIRouter(tags=["casussen"], dependencies=[rate_limited("casussen")])

_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {"description": "intake-api antwoordde met een fout of onbruikbaar; er is niets opgeslagen."},
    503: {"description": "intake-api of het verwerkingenlog is niet beschikbaar; er is niets opgeslagen."},
    504: {"description": "intake-api antwoordde niet op tijd."},
}
_WEIGERING = "Het token mist de benodigde scope, of het convenantbeleid staat dit niet toe (`reden`)."


@router.post(
    "/casussen/{casusId}/terugkoppelingen",
    operation_id="terugkoppelingVastleggen",
    openapi_extra=RATE_LIMITED,
    summary="Een terugkoppeling op een traject van de casus vastleggen",
    status_code=201,
    response_model=TerugkoppelingUit,
    responses={
        **_ERRORS,
        400: {
            "description": "Een code buiten de catalogus, of een ontbrekend of overbodig detail (`invalidParams`)."
        },
        403: {"description": _WEIGERING, "model": ProblemPolicyDenial},
    },
)
async def terugkoppeling_vastleggen(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: CasussenTerugkoppelen,
    casusId: CasusReferentiePad,
    terugkoppeling: TerugkoppelingIn,
) -> Any:
    """Legt een uitkomst vast op het traject met doel `doel` van de organisatie van de aanroeper (codes uit de
    catalogus; de toelichting wordt van identificatoren ontdaan). Alleen wanneer het beleid de organisatie dit
    doel voor deze casus nu toestaat; anders 403 met de reden. Vastgelegd in het verwerkingenlog voordat de
    terugkoppeling naar intake gaat. Een casus die niet met de organisatie is gedeeld is 404; weigeringen staan
    in het verwerkingenlog."""
    return await terugkoppelingen.record_terugkoppeling(
        session=session, gateway=gateway, request=request, claims=claims, referentie=casusId,
        invoer=terugkoppeling,
    )  # fmt: skip
