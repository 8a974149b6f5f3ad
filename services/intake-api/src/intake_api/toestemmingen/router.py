"""/v1/signalen/{signaalId}/betrokkenen/{betrokkeneId}/toestemmingen: consent per victim."""

from __future__ import annotations

from fastapi import APIRouter
from meldroute_common.auth import SignalenBeoordelen
from meldroute_common.db import Session

from intake_api.deps import BetrokkeneId, SignaalId, SleutelsDep, ToestemmingId
from intake_api.signalen import schemas as signaal_schemas
from intake_api.tijd import nu
from intake_api.toestemmingen import schemas, service

router = APIRouter(tags=["toestemmingen"])


@router.post(
    "/signalen/{signaalId}/betrokkenen/{betrokkeneId}/toestemmingen",
    operation_id="toestemmingVastleggen",
    summary="De toestemming van een slachtoffer vastleggen",
    status_code=201,
    response_model=signaal_schemas.ToestemmingWeergave,
    responses={
        201: {"description": "Vastgelegd.", "links": {"Intrekken": {
            "operationId": "toestemmingIntrekken",
            "parameters": {
                "signaalId": "$request.path.signaalId", "betrokkeneId": "$request.path.betrokkeneId",
                "toestemmingId": "$response.body#/id",
            },
        }}},
        400: {"description": "Geen slachtoffer, een datum in de toekomst, of onder de 16 zonder voogd."},
        404: {"description": "Geen signaal of betrokkene van de eigen gemeente."},
    },
)  # fmt: skip
async def toestemming_vastleggen(
    signaal_id: SignaalId,
    betrokkene_id: BetrokkeneId,
    invoer: schemas.ToestemmingInvoer,
    claims: SignalenBeoordelen,
    session: Session,
    sleutels: SleutelsDep,
) -> signaal_schemas.ToestemmingWeergave:
    """Legt vast of een slachtoffer toestemming geeft of weigert (bijvoorbeeld voor registratie bij
    CoMensha): de datum, hoe (schriftelijk of mondeling vastgelegd) en door wie (`sub` van het token).
    Geldig is de laatste vastlegging, als die een toestemming is en niet is ingetrokken. Onder de 16
    (`onder16`, alleen bij leeftijdsklasse <18 of onbekend) telt alleen de toestemming van de voogd
    (`doorVoogd: true`)."""
    return await service.record_toestemming(
        session=session, signaal_id=signaal_id, betrokkene_id=betrokkene_id, gemeente=claims.gemeente,
        invoer=invoer, door=claims.sub, sleutels=sleutels, nu=nu(),
    )  # fmt: skip


@router.post(
    "/signalen/{signaalId}/betrokkenen/{betrokkeneId}/toestemmingen/{toestemmingId}/intrekking",
    operation_id="toestemmingIntrekken",
    summary="Een toestemming intrekken",
    response_model=signaal_schemas.ToestemmingWeergave,
    responses={
        400: {"description": "Een datum in de toekomst of vóór de toestemming."},
        404: {"description": "Geen signaal, betrokkene of toestemming van de eigen gemeente."},
        409: {"description": "Al ingetrokken, of een weigering."},
    },
)
async def toestemming_intrekken(
    signaal_id: SignaalId,
    betrokkene_id: BetrokkeneId,
    toestemming_id: ToestemmingId,
    invoer: schemas.IntrekkingInvoer,
    claims: SignalenBeoordelen,
    session: Session,
    sleutels: SleutelsDep,
) -> signaal_schemas.ToestemmingWeergave:
    """Trekt een toestemming in: verstrekkingen die haar vereisen, stoppen vanaf nu (de privacy-gateway
    weigert en legt dat vast). Al ingetrokken is 409."""
    return await service.withdraw_toestemming(
        session=session, signaal_id=signaal_id, betrokkene_id=betrokkene_id, toestemming_id=toestemming_id,
        gemeente=claims.gemeente, invoer=invoer, door=claims.sub, sleutels=sleutels, nu=nu(),
    )  # fmt: skip
