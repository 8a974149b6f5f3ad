"""/v1/abonnementen: an attention officer manages the notification subscriptions of their municipality."""

from __future__ import annotations

from fastapi import APIRouter, Response
from meldroute_common.auth import AbonnementenBeheren
from meldroute_common.db import Session

from intake_api.deps import AbonnementId, SettingsDep, SleutelsDep
from intake_api.meldingen import schemas, service
from intake_api.tijd import nu

router = APIRouter(tags=["abonnementen"])


@router.post(
    "/abonnementen",
    operation_id="abonnementAanmaken",
    summary="Abonneren op meldingen",
    status_code=201,
    response_model=schemas.AbonnementAangemaakt,
    responses={
        201: {"description": "Aangemaakt; bij een webhook staat het geheim alleen in dit antwoord."},
        400: {"description": "Een kanaal zonder adres, of een URL die geen meldingen mag ontvangen."},
        409: {"description": "De organisatie heeft het maximum aantal abonnementen."},
    },
)
async def abonnement_aanmaken(
    invoer: schemas.AbonnementInvoer,
    claims: AbonnementenBeheren,
    session: Session,
    settings: SettingsDep,
    sleutels: SleutelsDep,
) -> schemas.AbonnementAangemaakt:
    """Abonneert de eigen gemeente op soorten meldingen: als webhook (CloudEvents 1.0, ondertekend met
    HMAC-SHA256; het geheim staat alleen in dit antwoord) of per e-mail. Een melding zegt alleen dát er
    iets wacht, met soort en kenmerk, nooit wat."""
    return await service.create_abonnement(
        session=session, organisatie=claims.gemeente, invoer=invoer, door=claims.sub, settings=settings,
        sleutels=sleutels, nu=nu(),
    )  # fmt: skip


@router.get(
    "/abonnementen",
    operation_id="abonnementenOpvragen",
    summary="De abonnementen van de eigen gemeente",
    response_model=schemas.AbonnementenLijst,
)
async def abonnementen_opvragen(claims: AbonnementenBeheren, session: Session) -> schemas.AbonnementenLijst:
    """De abonnementen op meldingen van de eigen gemeente, zonder geheimen."""
    return await service.list_abonnementen(session=session, organisatie=claims.gemeente)


@router.delete(
    "/abonnementen/{abonnementId}",
    operation_id="abonnementVerwijderen",
    summary="Een abonnement opzeggen",
    status_code=204,
    responses={
        204: {"description": "Opgezegd."},
        404: {"description": "Geen abonnement van de eigen gemeente."},
    },
)
async def abonnement_verwijderen(
    abonnement_id: AbonnementId, claims: AbonnementenBeheren, session: Session
) -> Response:
    """Zegt een abonnement op; meldingen die er nog voor wachten vervallen."""
    await service.delete_abonnement(session=session, organisatie=claims.gemeente, abonnement_id=abonnement_id)
    return Response(status_code=204)
