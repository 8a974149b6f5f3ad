"""Partner endpoint asking for a follow-on purpose on a case."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from meldroute_common.auth import CasussenTerugkoppelen
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from privacy_gateway.casussen.schemas import ProblemPolicyDenial
from privacy_gateway.context import CasusReferentiePad, GatewayState, LogSession
from privacy_gateway.doelverzoeken import service as doelverzoeken
from privacy_gateway.doelverzoeken.schemas import DoelverzoekIn, DoelverzoekUit

router = APIRouter(tags=["casussen"], dependencies=[rate_limited("casussen")])

_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {"description": "intake-api antwoordde met een fout of onbruikbaar; er is niets opgeslagen."},
    503: {"description": "intake-api of het verwerkingenlog is niet beschikbaar; er is niets opgeslagen."},
    504: {"description": "intake-api antwoordde niet op tijd."},
}
_WEIGERING = "Het token mist de benodigde scope, of het convenantbeleid staat dit niet toe (`reden`)."


@router.post(
    "/casussen/{casusId}/doelverzoeken",
    operation_id="doelverzoekIndienen",
    openapi_extra=RATE_LIMITED,
    summary="Om een vervolgdoel voor de casus vragen",
    status_code=201,
    response_model=DoelverzoekUit,
    responses={
        **_ERRORS,
        403: {"description": _WEIGERING, "model": ProblemPolicyDenial},
        409: {"description": "De organisatie heeft al een lopend traject met dit doel."},
    },
)
async def doelverzoek_indienen(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: CasussenTerugkoppelen,
    casusId: CasusReferentiePad,
    doelverzoek: DoelverzoekIn,
) -> Any:
    """Vraagt de aandachtsfunctionaris om een vervolgdoel voor de organisatie van de aanroeper op deze casus
    (bijvoorbeeld van `casusoverleg` naar `strafrechtelijk_onderzoek`). Het beleid moet de organisatie dat doel
    toestaan, anders 403 met de code in `reden`. Vastgelegd in het verwerkingenlog voordat het verzoek naar intake
    gaat; de reden wordt van identificatoren ontdaan. Een casus die niet met de organisatie is gedeeld is 404."""
    return await doelverzoeken.record_doelverzoek(
        session=session, gateway=gateway, request=request, claims=claims, referentie=casusId,
        invoer=doelverzoek,
    )  # fmt: skip
