"""Partner endpoints: the cases shared with a partner, one case as the policy allows, and evaluations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from meldroute_common.auth import CasussenLezen
from meldroute_common.paginering import DEFAULT_PAGE_SIZE, Cursor, PageSize
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from privacy_gateway.casussen import service as casussen
from privacy_gateway.casussen.schemas import (
    CasussenPagina,
    CasusVerstrekking,
    Evaluatie,
    EvaluatieVerzoek,
    ProblemPolicyDenial,
)
from privacy_gateway.context import CasusReferentiePad, GatewayState, LogSession, gateway_van

#: Partner operations share one budget per user and per organisation.
router = APIRouter(tags=["casussen"], dependencies=[rate_limited("casussen")])
evaluatie_router = APIRouter(tags=["beleid"], dependencies=[rate_limited("casussen")])

_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {"description": "intake-api antwoordde met een fout of onbruikbaar; er is niets verstrekt."},
    503: {"description": "intake-api of het verwerkingenlog is niet beschikbaar; er is niets verstrekt."},
    504: {"description": "intake-api antwoordde niet op tijd; er is niets verstrekt."},
}


#: OpenAPI links: from the list to a case, from a case to an identity request (stateful testing follows them).
_NAAR_CASUS = {
    "CasusOpvragen": {
        "operationId": "casusOpvragen",
        "parameters": {"casusId": "$response.body#/casussen/0/id", "doel": "$response.body#/casussen/0/doel"},
    },
    "TerugkoppelingVastleggen": {
        "operationId": "terugkoppelingVastleggen",
        "parameters": {"casusId": "$response.body#/casussen/0/id"},
        "requestBody": {"doel": "$response.body#/casussen/0/doel", "terugkoppeling": "opgepakt"},
    },
    "DoelverzoekIndienen": {
        "operationId": "doelverzoekIndienen",
        "parameters": {"casusId": "$response.body#/casussen/0/id"},
        "requestBody": {"doel": "strafrechtelijk_onderzoek", "reden": "Vervolgonderzoek nodig."},
    },
}
_NAAR_IDENTITEITSVERZOEK = {
    "IdentiteitsverzoekIndienen": {
        "operationId": "identiteitsverzoekIndienen",
        "parameters": {"casusId": "$request.path.casusId"},
        "requestBody": {
            "betrokkene": "$response.body#/betrokkenen/0/referentie",
            "doel": "$response.body#/doel",
        },
    },
    "TerugkoppelingVastleggen": {
        "operationId": "terugkoppelingVastleggen",
        "parameters": {"casusId": "$request.path.casusId"},
        "requestBody": {"doel": "$response.body#/doel", "terugkoppeling": "opgepakt"},
    },
    "DoelverzoekIndienen": {
        "operationId": "doelverzoekIndienen",
        "parameters": {"casusId": "$request.path.casusId"},
        "requestBody": {"doel": "strafrechtelijk_onderzoek", "reden": "Vervolgonderzoek nodig."},
    },
}
_WEIGERING = "Het token mist de benodigde scope, of het convenantbeleid staat dit niet toe (`reden`)."


@router.get(
    "/casussen",
    operation_id="casussenOpvragen",
    openapi_extra=RATE_LIMITED,
    summary="Casussen die met de eigen organisatie zijn gedeeld",
    responses={
        **_ERRORS,
        200: {"description": "Een pagina casussen.", "links": _NAAR_CASUS},
        400: {"description": "De cursor is ongeldig."},
    },
)
async def casussen_opvragen(
    session: LogSession,
    gateway: GatewayState,
    claims: CasussenLezen,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> CasussenPagina:
    """De casussen die naar de organisatie van de aanroeper zijn opgeschaald, zonder gegevens over betrokkenen,
    geordend op de eigen referentie van de organisatie (`id`). Die referentie geldt alleen voor deze organisatie:
    een andere partner kent dezelfde casus onder een andere. Data zijn afgerond op de dag. Per casus de doelen
    van de trajecten van de organisatie die niet zijn afgerond (`doelen`), en of het beleid nu toegang geeft voor
    het eerste daarvan (`doel`)."""
    return await casussen.list_casussen(
        session=session, gateway=gateway, claims=claims, page_size=page_size, cursor=cursor
    )


@router.get(
    "/casussen/{casusId}",
    operation_id="casusOpvragen",
    openapi_extra=RATE_LIMITED,
    summary="Eén casus, alleen de categorieën die het beleid toestaat",
    response_model=CasusVerstrekking,
    responses={
        **_ERRORS,
        200: {
            "description": "De casus, met alleen de toegestane categorieën.",
            "links": _NAAR_IDENTITEITSVERZOEK,
        },
        403: {"description": _WEIGERING, "model": ProblemPolicyDenial},
    },
)
async def casus_opvragen(
    request: Request,
    session: LogSession,
    claims: CasussenLezen,
    casusId: CasusReferentiePad,
    doel: Annotated[
        str,
        Query(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]*$", description="Doel uit het beleid."),
    ],
) -> Any:
    """Zoekt de casus achter de eigen referentie van de organisatie (`id` uit de lijst), leest die bij intake, toetst het convenantbeleid voor deze partner, dit doel en deze fase, en geeft
    alleen de toegestane categorieën terug. Linkpseudoniemen worden vervangen door pseudoniemen die alleen voor
    deze partner gelden; de vrije tekst alleen met vervangen identificatoren; de identiteit nooit (daarvoor is een
    identiteitsverzoek met goedkeuring nodig). Het beleid beslist op de trajecten van de casus: de organisatie
    moet ontvanger zijn van een traject met dit doel dat niet is afgerond. Steunt de regel op toestemming
    (bijvoorbeeld registratie bij CoMensha), dan alleen de betrokkenen met geldige toestemming; is die
    ingetrokken, dan 403 `toestemming_ontbreekt`. Elke verstrekking en elke weigering staat in het verwerkingenlog,
    vastgelegd voordat het antwoord wordt gemaakt. Een casus die niet met de organisatie is gedeeld, is 404;
    de referentie van een andere partner ook; een weigering door het beleid is 403 met de reden. Betrokkenen staan
    in de volgorde van hun referentie, data zijn afgerond op de dag."""
    # The gateway's state straight from the app: on the busiest read, one dependency fewer to solve.
    return await casussen.read_casus(
        session=session,
        gateway=gateway_van(request),
        request=request,
        claims=claims,
        referentie=casusId,
        doel=doel,
    )


@evaluatie_router.post(
    "/beleid/evaluaties",
    operation_id="beleidEvalueren",
    openapi_extra=RATE_LIMITED,
    summary="Zou het beleid deze verstrekking toestaan, en waarom",
    responses=_ERRORS,
)
async def beleid_evalueren(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: CasussenLezen,
    verzoek: EvaluatieVerzoek,
) -> Evaluatie:
    """Toetst of de organisatie van de aanroeper deze casus voor dit doel zou mogen ontvangen, met de regel, de
    grondslag en per geweigerde categorie de reden. Verstrekt geen gegevens van de casus. Een casus die niet met
    de organisatie is gedeeld, is 404 (zoals bij het opvragen)."""
    return await casussen.evaluate(
        session=session, gateway=gateway, request=request, claims=claims, verzoek=verzoek
    )
