"""/v1/abonnementen: a partner manages its organisation's notification subscriptions (kept by intake)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Response
from meldroute_common.auth import AbonnementenBeheren
from meldroute_common.problems import NotFound
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from privacy_gateway.abonnementen.schemas import AbonnementAangemaaktUit, AbonnementenUit, AbonnementIn
from privacy_gateway.context import GatewayState, organisatie

router = APIRouter(tags=["abonnementen"], dependencies=[rate_limited("casussen")])

AbonnementId = Annotated[UUID, Path(alias="abonnementId", description="Id of the subscription.")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {"description": "intake-api antwoordde met een fout of onbruikbaar."},
    503: {"description": "intake-api is niet beschikbaar."},
    504: {"description": "intake-api antwoordde niet op tijd."},
}


@router.post(
    "/abonnementen",
    operation_id="partnerAbonnementAanmaken",
    summary="Abonneren op meldingen",
    status_code=201,
    response_model=AbonnementAangemaaktUit,
    openapi_extra=RATE_LIMITED,
    responses={
        **_ERRORS,
        201: {"description": "Aangemaakt; bij een webhook staat het geheim alleen in dit antwoord."},
        400: {"description": "Een kanaal zonder adres, of een URL die geen meldingen mag ontvangen."},
        409: {"description": "De organisatie heeft het maximum aantal abonnementen."},
    },
)
async def partner_abonnement_aanmaken(
    invoer: AbonnementIn, claims: AbonnementenBeheren, gateway: GatewayState
) -> AbonnementAangemaaktUit:
    """Abonneert de eigen organisatie op soorten meldingen (nieuw traject, adviesvraag, identiteitsverzoek
    dat wacht op goedkeuring): als webhook (CloudEvents 1.0, ondertekend met HMAC-SHA256; het geheim staat
    alleen in dit antwoord) of per e-mail. Een melding zegt alleen dát er iets wacht, nooit wat."""
    aangemaakt = await gateway.intake.create_abonnement(
        organisatie=organisatie(claims), door=claims.sub,
        velden=invoer.model_dump(mode="json", by_alias=True, exclude_none=True),
    )  # fmt: skip
    return AbonnementAangemaaktUit.model_validate(aangemaakt.model_dump())


@router.get(
    "/abonnementen",
    operation_id="partnerAbonnementenOpvragen",
    summary="De abonnementen van de eigen organisatie",
    response_model=AbonnementenUit,
    openapi_extra=RATE_LIMITED,
    responses=_ERRORS,
)
async def partner_abonnementen_opvragen(
    claims: AbonnementenBeheren, gateway: GatewayState
) -> AbonnementenUit:
    """De abonnementen op meldingen van de eigen organisatie, zonder geheimen."""
    if not claims.organisatie:  # a token naming no organisation has none (like every list)
        return AbonnementenUit(abonnementen=[])
    lijst = await gateway.intake.abonnementen(organisatie=claims.organisatie)
    return AbonnementenUit.model_validate(lijst.model_dump())


@router.delete(
    "/abonnementen/{abonnementId}",
    operation_id="partnerAbonnementVerwijderen",
    summary="Een abonnement opzeggen",
    status_code=204,
    openapi_extra=RATE_LIMITED,
    responses={**_ERRORS, 204: {"description": "Opgezegd."}, 404: {"description": "Geen abonnement van de eigen organisatie."}},
)  # fmt: skip
async def partner_abonnement_verwijderen(
    abonnement_id: AbonnementId, claims: AbonnementenBeheren, gateway: GatewayState
) -> Response:
    """Zegt een abonnement van de eigen organisatie op; meldingen die er nog voor wachten vervallen."""
    if not await gateway.intake.delete_abonnement(
        organisatie=organisatie(claims), abonnement_id=abonnement_id
    ):
        raise NotFound("Abonnement niet gevonden.")
    return Response(status_code=204)
