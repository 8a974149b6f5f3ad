"""/v1/signalen/{signaalId}/aantekeningen and .../trajecten/{trajectId}/aantekeningen: work notes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from meldroute_common.auth import SignalenBeoordelen, SignalenLezen
from meldroute_common.db import Session

from intake_api.aantekeningen import schemas, service
from intake_api.deps import SignaalId, SleutelsDep, TrajectId
from intake_api.tijd import nu

router = APIRouter(tags=["aantekeningen"])

_NIET_GEVONDEN: dict[int | str, dict[str, Any]] = {
    404: {"description": "Geen signaal (of traject) van de eigen gemeente."},
}
_SCHRIJVEN: dict[int | str, dict[str, Any]] = {
    **_NIET_GEVONDEN,
    409: {"description": "De bewaartermijn van het signaal is verstreken."},
}


@router.post(
    "/signalen/{signaalId}/aantekeningen",
    operation_id="aantekeningVastleggen",
    summary="Een werkaantekening bij een signaal",
    status_code=201,
    response_model=schemas.AantekeningWeergave,
    responses={201: {"description": "Vastgelegd."}, **_SCHRIJVEN},
)
async def aantekening_vastleggen(
    signaal_id: SignaalId,
    invoer: schemas.AantekeningInvoer,
    claims: SignalenBeoordelen,
    session: Session,
    sleutels: SleutelsDep,
) -> schemas.AantekeningWeergave:
    """Legt een werkaantekening vast bij een signaal van de eigen gemeente (wie, wanneer; herkenbare
    gegevens vervangen, het origineel verzegeld). Aantekeningen worden nooit gewijzigd of verwijderd; de
    bewaartermijn wist ze met het signaal."""
    return await service.record_aantekening(
        session=session, signaal_id=signaal_id, traject_id=None, gemeente=claims.gemeente, invoer=invoer,
        door=claims.sub, sleutels=sleutels, nu=nu(),
    )  # fmt: skip


@router.get(
    "/signalen/{signaalId}/aantekeningen",
    operation_id="aantekeningenOphalen",
    summary="De werkaantekeningen bij een signaal",
    response_model=schemas.Aantekeningen,
    responses=_NIET_GEVONDEN,
)
async def aantekeningen_ophalen(
    signaal_id: SignaalId, claims: SignalenLezen, session: Session
) -> schemas.Aantekeningen:
    """De werkaantekeningen bij een signaal van de eigen gemeente (niet die bij de trajecten), oudste eerst."""
    return await service.list_aantekeningen(
        session=session, signaal_id=signaal_id, traject_id=None, gemeente=claims.gemeente
    )


@router.post(
    "/signalen/{signaalId}/trajecten/{trajectId}/aantekeningen",
    operation_id="trajectAantekeningVastleggen",
    summary="Een werkaantekening bij een traject",
    status_code=201,
    response_model=schemas.AantekeningWeergave,
    responses={201: {"description": "Vastgelegd."}, **_SCHRIJVEN},
)
async def traject_aantekening_vastleggen(
    signaal_id: SignaalId,
    traject_id: TrajectId,
    invoer: schemas.AantekeningInvoer,
    claims: SignalenBeoordelen,
    session: Session,
    sleutels: SleutelsDep,
) -> schemas.AantekeningWeergave:
    """Legt een werkaantekening vast bij een traject van een signaal van de eigen gemeente (herkenbare
    gegevens vervangen, het origineel verzegeld). Partners van het traject zien haar niet."""
    return await service.record_aantekening(
        session=session, signaal_id=signaal_id, traject_id=traject_id, gemeente=claims.gemeente, invoer=invoer,
        door=claims.sub, sleutels=sleutels, nu=nu(),
    )  # fmt: skip


@router.get(
    "/signalen/{signaalId}/trajecten/{trajectId}/aantekeningen",
    operation_id="trajectAantekeningenOphalen",
    summary="De werkaantekeningen bij een traject",
    response_model=schemas.Aantekeningen,
    responses=_NIET_GEVONDEN,
)
async def traject_aantekeningen_ophalen(
    signaal_id: SignaalId, traject_id: TrajectId, claims: SignalenLezen, session: Session
) -> schemas.Aantekeningen:
    """De werkaantekeningen bij een traject, van de aandachtsfunctionarissen en van de partners (`partner`),
    oudste eerst."""
    return await service.list_aantekeningen(
        session=session, signaal_id=signaal_id, traject_id=traject_id, gemeente=claims.gemeente
    )
