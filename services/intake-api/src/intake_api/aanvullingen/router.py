"""/v1/signalen/{signaalId}/aanvullingen: what the attention officer adds to a signal after intake."""

from __future__ import annotations

from fastapi import APIRouter, Response
from meldroute_common.auth import SignalenBeoordelen
from meldroute_common.db import Session

from intake_api.aanvullingen import schemas, service
from intake_api.deps import CatalogusDep, SignaalId, SleutelsDep, etag
from intake_api.signalen import schemas as signaal_schemas
from intake_api.signalen.service import build_weergave
from intake_api.tijd import nu

router = APIRouter(tags=["signalen"])


@router.post(
    "/signalen/{signaalId}/aanvullingen",
    operation_id="aanvullingVastleggen",
    summary="Een signaal aanvullen",
    status_code=201,
    response_model=signaal_schemas.Signaal,
    responses={
        201: {
            "description": "Aangevuld; de gepseudonimiseerde weergave.",
            "headers": {"ETag": {"description": "Versie van het signaal.", "schema": {"type": "string"}}},
        },
        400: {
            "description": "Een lege aanvulling, of een onbekende code of ongeldige waarde (`invalidParams`)."
        },
        404: {"description": "Geen signaal van de eigen gemeente."},
        409: {"description": "Het signaal is afgesloten, of de bewaartermijn is verstreken."},
    },
)
async def aanvulling_vastleggen(
    signaal_id: SignaalId,
    invoer: schemas.AanvullingInvoer,
    response: Response,
    claims: SignalenBeoordelen,
    session: Session,
    catalogus: CatalogusDep,
    sleutels: SleutelsDep,
) -> signaal_schemas.Signaal:
    """Vult een signaal van de eigen gemeente aan met indicatoren (codes die het signaal al heeft worden
    genegeerd), betrokkenen (gepseudonimiseerd en verzegeld zoals bij het vastleggen) en een aanvulling op de
    omschrijving (herkenbare gegevens vervangen, het origineel verzegeld). Elke aanvulling is één regel in de
    historie (`aangevuld`, met wat er is aangevuld, nooit de inhoud); wat eerder is vastgelegd verandert niet.
    Een afgesloten signaal is 409."""
    signaal = await service.record_aanvulling(
        session=session, signaal_id=signaal_id, gemeente=claims.gemeente, invoer=invoer, door=claims.sub,
        catalogus=catalogus, sleutels=sleutels, nu=nu(),
    )  # fmt: skip
    response.headers["ETag"] = etag(signaal.versie)
    return await build_weergave(session=session, signaal=signaal)
