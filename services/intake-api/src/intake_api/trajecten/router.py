"""/v1/signalen/{signaalId}/trajecten and /doelverzoeken: the tracks of a case, and follow-on purposes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from meldroute_common.auth import SignalenBeoordelen
from meldroute_common.db import Session

from intake_api.deps import BeleidDep, SignaalId, SleutelsDep, TrajectId, VerzoekId
from intake_api.signalen import schemas as signaal_schemas
from intake_api.tijd import nu
from intake_api.trajecten import schemas, service

router = APIRouter(tags=["trajecten"])

_WEIGERINGEN: dict[int | str, dict[str, Any]] = {
    400: {"description": "Een partner of doel dat het convenant niet toestaat (of onbekend is); `invalidParams` "
                         "noemt het veld, de code en de regel. Er is niets vastgelegd."},
    404: {"description": "Geen signaal (of traject) van de eigen gemeente."},
    409: {"description": "Het signaal is niet opgeschaald, of het traject is afgerond."},
}  # fmt: skip
_TRAJECT_VERVOLG = {
    "PartnerToevoegen": {
        "operationId": "trajectPartnerToevoegen",
        "parameters": {"signaalId": "$request.path.signaalId", "trajectId": "$response.body#/id"},
    },
    "TrajectAfronden": {
        "operationId": "trajectAfronden",
        "parameters": {"signaalId": "$request.path.signaalId", "trajectId": "$response.body#/id"},
    },
}


@router.post(
    "/signalen/{signaalId}/trajecten",
    operation_id="trajectOpenen",
    summary="Een traject openen op een casus",
    status_code=201,
    response_model=signaal_schemas.TrajectWeergave,
    responses={201: {"description": "Geopend.", "links": _TRAJECT_VERVOLG}, **_WEIGERINGEN},
)
async def traject_openen(
    signaal_id: SignaalId,
    invoer: schemas.TrajectOpenen,
    claims: SignalenBeoordelen,
    session: Session,
    beleid: BeleidDep,
    sleutels: SleutelsDep,
) -> signaal_schemas.TrajectWeergave:
    """Opent een nieuw traject (een doel met ontvangende partners) op een opgeschaald signaal, bijvoorbeeld
    een zorgtraject naast het veiligheidstraject. Elke partner en het doel worden vooraf getoetst aan het
    convenant; een weigering is 400 met de code en de regel, en er wordt niets vastgelegd. Loopt er al een
    traject met dit doel, dan 409: voeg de partner daaraan toe."""
    return await service.open_traject(
        session=session, signaal_id=signaal_id, gemeente=claims.gemeente, invoer=invoer, door=claims.sub,
        beleid=beleid, sleutels=sleutels, nu=nu(),
    )  # fmt: skip


@router.post(
    "/signalen/{signaalId}/trajecten/{trajectId}/partners",
    operation_id="trajectPartnerToevoegen",
    summary="Een partner aan een traject toevoegen",
    response_model=signaal_schemas.TrajectWeergave,
    responses={200: {"description": "Toegevoegd; het traject.", "links": _TRAJECT_VERVOLG}, **_WEIGERINGEN},
)
async def traject_partner_toevoegen(
    signaal_id: SignaalId,
    traject_id: TrajectId,
    invoer: schemas.PartnerToevoegen,
    claims: SignalenBeoordelen,
    session: Session,
    beleid: BeleidDep,
    sleutels: SleutelsDep,
) -> signaal_schemas.TrajectWeergave:
    """Voegt een partner toe aan een traject dat niet is afgerond, na toetsing aan het convenant."""
    return await service.add_partner(
        session=session, signaal_id=signaal_id, traject_id=traject_id, gemeente=claims.gemeente, invoer=invoer,
        door=claims.sub, beleid=beleid, sleutels=sleutels, nu=nu(),
    )  # fmt: skip


@router.post(
    "/signalen/{signaalId}/trajecten/{trajectId}/afronding",
    operation_id="trajectAfronden",
    summary="Een traject afronden",
    response_model=signaal_schemas.TrajectWeergave,
    responses={200: {"description": "Afgerond; het traject."}, **_WEIGERINGEN},
)
async def traject_afronden(
    signaal_id: SignaalId,
    traject_id: TrajectId,
    invoer: schemas.TrajectAfronden,
    claims: SignalenBeoordelen,
    session: Session,
    sleutels: SleutelsDep,
) -> signaal_schemas.TrajectWeergave:
    """Rondt een traject af: de partners ervan krijgen voor dit doel niets meer. Al afgerond is 409."""
    return await service.close_traject(
        session=session, signaal_id=signaal_id, traject_id=traject_id, gemeente=claims.gemeente, invoer=invoer,
        door=claims.sub, sleutels=sleutels, nu=nu(),
    )  # fmt: skip


@router.post(
    "/signalen/{signaalId}/doelverzoeken/{verzoekId}/besluit",
    operation_id="doelverzoekBesluiten",
    summary="Besluiten over een vervolgdoel dat een partner vraagt",
    response_model=signaal_schemas.DoelverzoekWeergave,
    responses={200: {"description": "Besloten; het verzoek."}, **_WEIGERINGEN},
)
async def doelverzoek_besluiten(
    signaal_id: SignaalId,
    verzoek_id: VerzoekId,
    invoer: schemas.DoelverzoekBesluit,
    claims: SignalenBeoordelen,
    session: Session,
    beleid: BeleidDep,
    sleutels: SleutelsDep,
) -> signaal_schemas.DoelverzoekWeergave:
    """Kent een gevraagd vervolgdoel toe of wijst het af. Toegekend: de partner komt in het lopende traject
    met dat doel, of er wordt een traject voor geopend; het convenant wordt eerst getoetst (400, niets
    vastgelegd). Al besloten is 409."""
    return await service.decide_doelverzoek(
        session=session, signaal_id=signaal_id, verzoek_id=verzoek_id, gemeente=claims.gemeente, invoer=invoer,
        door=claims.sub, beleid=beleid, sleutels=sleutels, nu=nu(),
    )  # fmt: skip
