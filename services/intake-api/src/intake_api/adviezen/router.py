"""POST /v1/signalen/{signaalId}/adviesvragen: the attention officer asks expert partners for advice."""

from __future__ import annotations

from fastapi import APIRouter
from meldroute_common.auth import SignalenBeoordelen
from meldroute_common.db import Session

from intake_api.adviezen import schemas, service
from intake_api.deps import BeleidDep, SignaalId, SleutelsDep
from intake_api.signalen import schemas as signaal_schemas
from intake_api.tijd import nu

router = APIRouter(tags=["adviezen"])


@router.post(
    "/signalen/{signaalId}/adviesvragen",
    operation_id="adviesVragen",
    summary="Experts om advies vragen",
    status_code=201,
    response_model=signaal_schemas.AdviesvraagWeergave,
    responses={
        201: {"description": "Gevraagd; het signaal staat op advies_gevraagd.", "links": {
            "SignaalOphalen": {"operationId": "signaalOphalen", "parameters": {"signaalId": "$response.body#/signaalId"}},
        }},
        400: {"description": "Een expert die het convenant niet toestaat voor doel `advies`; er is niets vastgelegd."},
        404: {"description": "Geen signaal van de eigen gemeente."},
        409: {"description": "Het signaal is niet in_behandeling of advies_gevraagd."},
    },
)  # fmt: skip
async def advies_vragen(
    signaal_id: SignaalId,
    invoer: schemas.AdviesvraagInvoer,
    claims: SignalenBeoordelen,
    session: Session,
    beleid: BeleidDep,
    sleutels: SleutelsDep,
) -> signaal_schemas.AdviesvraagWeergave:
    """Legt een adviesvraag voor aan experts (partners die het convenant toestaat voor doel `advies`), vóór
    het besluit over opschalen. Experts zien via de privacy-gateway alleen een gepseudonimiseerde
    samenvatting (kern, kenmerken, geschoonde omschrijving en vraag), nooit een identiteit. Herkenbare
    gegevens in de vraag worden vervangen; het origineel wordt verzegeld. Het signaal gaat van
    in_behandeling naar advies_gevraagd; een beoordeling `in_behandeling` brengt het terug."""
    return await service.ask_advies(
        session=session, signaal_id=signaal_id, gemeente=claims.gemeente, invoer=invoer, door=claims.sub,
        beleid=beleid, sleutels=sleutels, nu=nu(),
    )  # fmt: skip
