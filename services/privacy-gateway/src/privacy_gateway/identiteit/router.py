"""Identity with four eyes: the endpoints; the work is in :mod:`privacy_gateway.identiteit.service`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from meldroute_common.auth import IdentiteitGoedkeuren, IdentiteitVerzoeken
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from privacy_gateway.casussen.schemas import ProblemPolicyDenial
from privacy_gateway.context import CasusReferentiePad, GatewayState, LogSession
from privacy_gateway.identiteit import service as identiteit
from privacy_gateway.identiteit.schemas import Identiteit, IdentiteitsverzoekIn, IdentiteitsverzoekUit

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
        409: {"description": "Het verzoek is al goedgekeurd."},
    },
)
async def identiteitsverzoek_goedkeuren(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: IdentiteitGoedkeuren,
    verzoekId: UUID,
) -> Any:
    """Keurt een identiteitsverzoek van de eigen organisatie goed. De goedkeurder moet een ander zijn dan de
    aanvrager (andere `sub`); anders 403. Na goedkeuring kan de aanvrager de identiteit ophalen, binnen de
    geldigheid van de goedkeuring en het venster van het beleid."""
    return await identiteit.approve_identiteitsverzoek(
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
