"""Expert endpoints: the advice questions to the caller's organisation and its answers (doel `advies`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from meldroute_common.auth import CasussenLezen, CasussenTerugkoppelen
from meldroute_common.paginering import DEFAULT_PAGE_SIZE, Cursor, PageSize
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from privacy_gateway.adviezen import service as adviezen
from privacy_gateway.adviezen.schemas import (
    AdviesantwoordIn,
    AdviesantwoordUit,
    AdviesvraagUit,
    AdviesvragenPagina,
)
from privacy_gateway.casussen.schemas import ProblemPolicyDenial
from privacy_gateway.context import AdviesvraagReferentiePad, GatewayState, LogSession

router = APIRouter(tags=["adviezen"], dependencies=[rate_limited("casussen")])

_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {"description": "intake-api antwoordde met een fout of onbruikbaar; er is niets verstrekt."},
    503: {"description": "intake-api of het verwerkingenlog is niet beschikbaar; er is niets verstrekt."},
    504: {"description": "intake-api antwoordde niet op tijd; er is niets verstrekt."},
}
_WEIGERING = "Het token mist de benodigde scope, of het convenantbeleid staat dit niet toe (`reden`)."

#: OpenAPI links: from the list to a question and to an answer (stateful testing follows them).
_NAAR_VRAAG = {
    "AdviesvraagOpvragen": {
        "operationId": "adviesvraagOpvragen",
        "parameters": {"adviesvraagId": "$response.body#/adviesvragen/0/id"},
    },
    "AdviesvraagBeantwoorden": {
        "operationId": "adviesvraagBeantwoorden",
        "parameters": {"adviesvraagId": "$response.body#/adviesvragen/0/id"},
    },
}
_NAAR_ANTWOORD = {
    "AdviesvraagBeantwoorden": {
        "operationId": "adviesvraagBeantwoorden",
        "parameters": {"adviesvraagId": "$response.body#/id"},
    }
}


@router.get(
    "/adviesvragen",
    operation_id="adviesvragenOpvragen",
    openapi_extra=RATE_LIMITED,
    summary="Adviesvragen aan de eigen organisatie",
    responses={
        **_ERRORS,
        200: {"description": "Een pagina adviesvragen.", "links": _NAAR_VRAAG},
        400: {"description": "De cursor is ongeldig."},
    },
)
async def adviesvragen_opvragen(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: CasussenLezen,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> AdviesvragenPagina:
    """De adviesvragen die een aandachtsfunctionaris aan de organisatie van de aanroeper heeft gesteld en die het
    beleid voor doel `advies` nu toestaat, geordend op de eigen referentie van de organisatie (`id`); een andere
    expert kent dezelfde vraag onder een andere. Per vraag alleen de samenvatting die het beleid toestaat (kern,
    kenmerken, omschrijving met vervangen identificatoren), nooit identiteit, betrokkenen of pseudoniemen. Elke
    getoonde vraag staat als verstrekking (doel `advies`) in het verwerkingenlog."""
    return await adviezen.list_adviesvragen(
        session=session, gateway=gateway, request=request, claims=claims, page_size=page_size, cursor=cursor
    )


@router.get(
    "/adviesvragen/{adviesvraagId}",
    operation_id="adviesvraagOpvragen",
    openapi_extra=RATE_LIMITED,
    summary="Eén adviesvraag met de toegestane samenvatting",
    response_model=AdviesvraagUit,
    responses={
        **_ERRORS,
        200: {"description": "De adviesvraag.", "links": _NAAR_ANTWOORD},
        403: {"description": _WEIGERING, "model": ProblemPolicyDenial},
    },
)
async def adviesvraag_opvragen(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: CasussenLezen,
    adviesvraagId: AdviesvraagReferentiePad,
) -> Any:
    """Eén adviesvraag onder de eigen referentie van de organisatie, zoals het beleid die voor doel `advies`
    toestaat; vastgelegd in het verwerkingenlog voordat het antwoord wordt gemaakt. Een vraag die niet aan de
    organisatie is gesteld, of de referentie van een andere expert, is 404; een weigering door het beleid 403 met
    de reden; beide staan in het verwerkingenlog."""
    return await adviezen.read_adviesvraag(
        session=session, gateway=gateway, request=request, claims=claims, referentie=adviesvraagId
    )


@router.post(
    "/adviesvragen/{adviesvraagId}/antwoorden",
    operation_id="adviesvraagBeantwoorden",
    openapi_extra=RATE_LIMITED,
    summary="Een adviesvraag beantwoorden",
    status_code=201,
    response_model=AdviesantwoordUit,
    responses={**_ERRORS, 403: {"description": _WEIGERING, "model": ProblemPolicyDenial}},
)
async def adviesvraag_beantwoorden(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: CasussenTerugkoppelen,
    adviesvraagId: AdviesvraagReferentiePad,
    antwoord: AdviesantwoordIn,
) -> Any:
    """Geeft het antwoord van de expert door aan intake, die de tekst van identificatoren ontdoet en bij het
    signaal vastlegt. Eerst getoetst aan het beleid (doel `advies`) en vastgelegd in het verwerkingenlog (zonder
    de tekst). Een vraag die niet aan de organisatie is gesteld is 404, een weigering door het beleid 403; beide
    staan in het verwerkingenlog."""
    return await adviezen.answer_adviesvraag(
        session=session, gateway=gateway, request=request, claims=claims, referentie=adviesvraagId,
        antwoord=antwoord.antwoord,
    )  # fmt: skip
