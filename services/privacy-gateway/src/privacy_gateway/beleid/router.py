"""The active covenant policy, published, and the attention officer's dry-run of an escalation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from meldroute_common.auth import BeleidLezen
from meldroute_common.beleid.models import Beleid
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from privacy_gateway.beleid import service as beleid
from privacy_gateway.beleid.schemas import Opschalingstoets, OpschalingstoetsIn
from privacy_gateway.context import GatewayState, LogSession

router = APIRouter(tags=["beleid"], dependencies=[rate_limited("casussen")])

_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {"description": "intake-api antwoordde met een fout of onbruikbaar."},
    503: {"description": "intake-api of het verwerkingenlog is niet beschikbaar."},
    504: {"description": "intake-api antwoordde niet op tijd."},
}


@router.get(
    "/beleid",
    operation_id="beleidOphalen",
    summary="Het actieve convenantbeleid",
    openapi_extra=RATE_LIMITED,
    # The body is the policy's own serialisation, prepared at start-up; the model only describes it.
    response_model=None,
    responses={200: {"model": Beleid, "description": "Het actieve convenantbeleid."}},
)
async def beleid_ophalen(request: Request, claims: BeleidLezen) -> dict[str, Any]:
    """Publiceert het convenantbeleid dat de gateway afdwingt: partners, doelen met grondslag, categorieën en regels."""
    result: dict[str, Any] = request.app.state.beleid_json
    return result


@router.post(
    "/beleid/opschalingstoetsen",
    operation_id="opschalingToetsen",
    openapi_extra=RATE_LIMITED,
    summary="Wat zou het beleid toestaan als dit signaal zo wordt opgeschaald",
    responses={
        **_ERRORS,
        403: {"description": "Het token mist de scope of noemt geen gemeente."},
        404: {"description": "Geen signaal van de eigen gemeente."},
    },
)
async def opschaling_toetsen(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: BeleidLezen,
    verzoek: OpschalingstoetsIn,
) -> Opschalingstoets:
    """Toetst voor een signaal van de eigen gemeente (in elke status) per voorgesteld traject en per partner wat
    het convenantbeleid zou beslissen als het signaal nu zo wordt opgeschaald: toegestaan of niet, de regel, de
    grondslag, de categorieën, vier ogen en de reden van een weigering. De feiten (vertrouwelijkheid,
    minderjarigen, toestemming, bestaande trajecten) komen van intake, niet van de aanroeper. Verstrekt geen
    gegevens van het signaal; vastgelegd als toetsing in het verwerkingenlog. Een signaal van een andere
    gemeente is 404."""
    return await beleid.check_opschaling(
        session=session, gateway=gateway, request=request, claims=claims, verzoek=verzoek
    )
