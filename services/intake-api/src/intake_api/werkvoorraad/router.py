"""PUT /v1/signalen/{signaalId}/toewijzing: assign a signal of the queue to an attention officer."""

from __future__ import annotations

from fastapi import APIRouter, Response
from meldroute_common.auth import SignalenBeoordelen
from meldroute_common.db import Session

from intake_api.deps import SignaalId, SleutelsDep, etag
from intake_api.signalen import schemas as signaal_schemas
from intake_api.signalen.service import build_weergave
from intake_api.tijd import nu
from intake_api.werkvoorraad import schemas, service

router = APIRouter(tags=["werkvoorraad"])


@router.put(
    "/signalen/{signaalId}/toewijzing",
    operation_id="toewijzingVastleggen",
    summary="Een signaal toewijzen aan een aandachtsfunctionaris",
    response_model=signaal_schemas.Signaal,
    responses={
        200: {"description": "Vastgelegd (of al zo); het signaal met zijn toewijzing.", "headers": {
            "ETag": {"description": "Versie van het signaal.", "schema": {"type": "string"}},
        }},
        400: {"description": "`toegewezenAan` is geen geldige `sub`."},
        404: {"description": "Geen signaal van de eigen gemeente."},
    },
)  # fmt: skip
async def toewijzing_vastleggen(
    signaal_id: SignaalId,
    invoer: schemas.ToewijzingInvoer,
    response: Response,
    claims: SignalenBeoordelen,
    session: Session,
    sleutels: SleutelsDep,
) -> signaal_schemas.Signaal:
    """Wijst een signaal van de eigen gemeente toe aan een aandachtsfunctionaris (`toegewezenAan`: diens
    `sub`), wijzigt de toewijzing, of heft haar op (`null`). Elke wijziging komt met wie, wanneer, de oude en
    de nieuwe waarde in de historie (`toewijzing_gewijzigd`) en verhoogt de versie; dezelfde waarde nog eens
    verandert niets. Intake kent de gebruikers niet: de `sub` wordt alleen op vorm gecontroleerd.

    Een signaal van een andere gemeente is 404, net als bij lezen."""
    signaal = await service.record_toewijzing(
        session=session, signaal_id=signaal_id, gemeente=claims.gemeente, toegewezen_aan=invoer.toegewezen_aan,
        door=claims.sub, sleutels=sleutels, nu=nu(),
    )  # fmt: skip
    response.headers["ETag"] = etag(signaal.versie)
    return await build_weergave(session=session, signaal=signaal)
