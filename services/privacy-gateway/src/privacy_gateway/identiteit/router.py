"""Identity with four eyes: the endpoints; the work is in :mod:`privacy_gateway.identiteit.service`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from meldroute_common.auth import IdentiteitGoedkeuren, IdentiteitVerzoeken, IdentiteitVerzoekenOfGoedkeuren
from meldroute_common.paginering import DEFAULT_PAGE_SIZE, Cursor, PageSize
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from privacy_gateway.casussen.schemas import ProblemPolicyDenial
from privacy_gateway.context import CasusReferentiePad, GatewayState, LogSession
from privacy_gateway.identiteit import service as identiteit
from privacy_gateway.identiteit.schemas import (
    AfwijzingIn,
    Identiteit,
    IdentiteitsverzoekenPagina,
    IdentiteitsverzoekIn,
    IdentiteitsverzoekUit,
)

router = APIRouter(tags=["identiteit"], dependencies=[rate_limited("identiteit")])

_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {"description": "intake-api antwoordde met een fout of onbruikbaar; er is niets verstrekt."},
    503: {"description": "intake-api of het verwerkingenlog is niet beschikbaar; er is niets verstrekt."},
    504: {"description": "intake-api antwoordde niet op tijd; er is niets verstrekt."},
}


#: OpenAPI links: from a request to its approval and to the identity (stateful testing follows them).
_OPHALEN = {
    "IdentiteitOphalen": {
        "operationId": "identiteitOphalen",
        "parameters": {"verzoekId": "$response.body#/id"},
    }
}
_VERVOLG = {
    "IdentiteitsverzoekGoedkeuren": {
        "operationId": "identiteitsverzoekGoedkeuren",
        "parameters": {"verzoekId": "$response.body#/id"},
    },
    **_OPHALEN,
}
_WEIGERING: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "Het token mist de benodigde scope, of het convenantbeleid staat dit niet toe (`reden`).",
        "model": ProblemPolicyDenial,
    }
}


@router.post(
    "/casussen/{casusId}/identiteitsverzoeken",
    operation_id="identiteitsverzoekIndienen",
    openapi_extra=RATE_LIMITED,
    summary="Om de identiteit van een betrokkene vragen",
    status_code=201,
    response_model=IdentiteitsverzoekUit,
    responses={
        **_ERRORS,
        **_WEIGERING,
        201: {"description": "Het verzoek is vastgelegd; het wacht op goedkeuring.", "links": _VERVOLG},
        409: {"description": "Van deze betrokkene is geen identiteit (meer) beschikbaar."},
    },
)
async def identiteitsverzoek_indienen(
    request: Request,
    response: Response,
    session: LogSession,
    gateway: GatewayState,
    claims: IdentiteitVerzoeken,
    casusId: CasusReferentiePad,
    verzoek: IdentiteitsverzoekIn,
) -> Any:
    """Legt een verzoek vast om de identiteit van één betrokkene (de `referentie` uit de casus) voor een doel,
    met een reden van minstens 20 tekens. Alleen als het beleid deze partner voor dit doel de categorie
    identiteit toestaat. Een andere persoon met `identiteit:goedkeuren` moet het verzoek goedkeuren voordat de
    identiteit kan worden opgehaald. De casus is de eigen referentie van de organisatie. De reden wordt verzegeld
    bewaard (leesbaar alleen met vervangen identificatoren) en gewist met het verzoek na de bewaartermijn."""
    uit = await identiteit.submit_identiteitsverzoek(
        session=session, gateway=gateway, request=request, claims=claims, referentie=casusId, verzoek=verzoek
    )
    if isinstance(uit, IdentiteitsverzoekUit):
        response.headers["Location"] = f"/v1/identiteitsverzoeken/{uit.id}"
    return uit


@router.post(
    "/identiteitsverzoeken/{verzoekId}/goedkeuringen",
    operation_id="identiteitsverzoekGoedkeuren",
    openapi_extra=RATE_LIMITED,
    summary="Het identiteitsverzoek van een ander goedkeuren (vier ogen)",
    status_code=201,
    response_model=IdentiteitsverzoekUit,
    responses={
        **_ERRORS,
        201: {"description": "Goedgekeurd; de aanvrager kan de identiteit ophalen.", "links": _OPHALEN},
        409: {
            "description": "Het verzoek wacht niet meer: al goedgekeurd, afgewezen, ingetrokken of verlopen."
        },
    },
)
async def identiteitsverzoek_goedkeuren(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: IdentiteitGoedkeuren,
    verzoekId: UUID,
) -> Any:
    """Keurt een wachtend identiteitsverzoek van de eigen organisatie goed. De goedkeurder moet een ander zijn dan
    de aanvrager (andere `sub`); anders 403. Een afgewezen, ingetrokken of verlopen verzoek kan niet meer worden
    goedgekeurd (409). Na goedkeuring kan de aanvrager de identiteit ophalen, binnen de geldigheid van de
    goedkeuring en het venster van het beleid."""
    return await identiteit.approve_identiteitsverzoek(
        session=session, gateway=gateway, request=request, claims=claims, verzoek_id=verzoekId
    )


@router.get(
    "/identiteitsverzoeken",
    operation_id="identiteitsverzoekenOpvragen",
    openapi_extra=RATE_LIMITED,
    summary="Identiteitsverzoeken: wat op goedkeuring wacht, en de eigen verzoeken",
    response_model=IdentiteitsverzoekenPagina,
    responses={503: {"description": "De database is niet beschikbaar."}},
)
async def identiteitsverzoeken_opvragen(
    session: LogSession,
    gateway: GatewayState,
    claims: IdentiteitVerzoekenOfGoedkeuren,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> IdentiteitsverzoekenPagina:
    """De identiteitsverzoeken van de eigen organisatie die de aanroeper mag zien, oudste eerst. Met
    `identiteit:goedkeuren`: de verzoeken van anderen die op goedkeuring wachten (nooit de eigen, nooit een
    verlopen). Met `identiteit:verzoeken`: de eigen verzoeken, in elke status; een verzoek dat te lang heeft
    gewacht staat er als `verlopen`. Nooit identiteitsgegevens, en de reden van het verzoek niet: alleen
    referenties, doel, status en dagen."""
    return await identiteit.list_identiteitsverzoeken(
        session=session, gateway=gateway, claims=claims, page_size=page_size, cursor=cursor
    )


@router.post(
    "/identiteitsverzoeken/{verzoekId}/afwijzingen",
    operation_id="identiteitsverzoekAfwijzen",
    openapi_extra=RATE_LIMITED,
    summary="Het identiteitsverzoek van een ander afwijzen, met een reden (vier ogen)",
    status_code=201,
    response_model=IdentiteitsverzoekUit,
    responses={
        **_ERRORS,
        201: {"description": "Afgewezen; de identiteit kan niet worden opgehaald."},
        409: {
            "description": "Het verzoek wacht niet meer: al goedgekeurd, afgewezen, ingetrokken of verlopen."
        },
    },
)
async def identiteitsverzoek_afwijzen(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: IdentiteitGoedkeuren,
    verzoekId: UUID,
    afwijzing: AfwijzingIn,
) -> Any:
    """Wijst een wachtend identiteitsverzoek van de eigen organisatie af, met een reden voor de aanvrager. Net als
    bij goedkeuren moet de afwijzer een ander zijn dan de aanvrager; anders 403. Identificatoren in de reden
    worden vervangen, ook naam, adres en geboortedatum van de betrokkenen van de casus; de reden zoals getypt wordt verzegeld bewaard en gewist met het verzoek na de
    bewaartermijn. Elke afwijzing staat in het verwerkingenlog."""
    return await identiteit.reject_identiteitsverzoek(
        session=session,
        gateway=gateway,
        request=request,
        claims=claims,
        verzoek_id=verzoekId,
        afwijzing=afwijzing,
    )


@router.post(
    "/identiteitsverzoeken/{verzoekId}/intrekkingen",
    operation_id="identiteitsverzoekIntrekken",
    openapi_extra=RATE_LIMITED,
    summary="Het eigen identiteitsverzoek intrekken",
    status_code=201,
    response_model=IdentiteitsverzoekUit,
    responses={
        **_ERRORS,
        201: {"description": "Ingetrokken; een goedkeuring ervan kan niet meer worden gebruikt."},
        409: {
            "description": "Het verzoek is al afgewezen, ingetrokken of verlopen, of de goedkeuring is verlopen."
        },
    },
)
async def identiteitsverzoek_intrekken(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: IdentiteitVerzoeken,
    verzoekId: UUID,
) -> Any:
    """Trekt een eigen identiteitsverzoek in, zolang het wacht of zolang de goedkeuring ervan geldt; daarna kan
    de identiteit er niet meer mee worden opgehaald. Alleen de aanvrager zelf; een ander krijgt 403. Elke
    intrekking staat in het verwerkingenlog."""
    return await identiteit.withdraw_identiteitsverzoek(
        session=session, gateway=gateway, request=request, claims=claims, verzoek_id=verzoekId
    )


@router.get(
    "/identiteitsverzoeken/{verzoekId}/identiteit",
    operation_id="identiteitOphalen",
    openapi_extra=RATE_LIMITED,
    summary="De identiteit ophalen na goedkeuring",
    response_model=Identiteit,
    responses={
        **_ERRORS,
        **_WEIGERING,
        409: {"description": "Het verzoek is nog niet goedgekeurd, of de identiteit is gewist."},
    },
)
async def identiteit_ophalen(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: IdentiteitVerzoeken,
    verzoekId: UUID,
) -> Any:
    """Geeft de aanvrager, na goedkeuring door een ander en binnen de geldigheid en het venster van het beleid,
    de identiteit van de betrokkene: alleen de identificerende velden die bij intake zijn vastgelegd. De
    verzegelde gegevens worden alleen hier geopend; elke ontzegeling en elke weigering staat in het
    verwerkingenlog."""
    return await identiteit.read_identiteit(
        session=session, gateway=gateway, request=request, claims=claims, verzoek_id=verzoekId
    )
