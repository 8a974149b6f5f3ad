"""Access requests: the endpoint; the work is in :mod:`privacy_gateway.inzage.service`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from meldroute_common.auth import VerwerkingenLezen
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from privacy_gateway.context import GatewayState, LogSession
from privacy_gateway.inzage import service as inzage
from privacy_gateway.inzage.schemas import InzageUit, InzageverzoekIn

#: Each answer turns a BSN or name into a pseudonym at intake: a budget of its own (GATEWAY_INZAGE_RATE_LIMIT).
router = APIRouter(
    tags=["verwerkingen"], dependencies=[rate_limited("inzage", limit_setting="inzage_rate_limit")]
)

_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {"description": "intake-api antwoordde met een fout of onbruikbaar."},
    503: {"description": "intake-api of het verwerkingenlog is niet beschikbaar."},
    504: {"description": "intake-api antwoordde niet op tijd."},
}


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
    return await inzage.answer_inzageverzoek(
        session=session, gateway=gateway, request=request, claims=claims, verzoek=verzoek
    )
