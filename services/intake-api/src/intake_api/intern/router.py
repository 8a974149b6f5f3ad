"""/v1/intern: for the privacy gateway's own client only (scope intake:intern and `INTAKE_GATEWAY_CLIENT_ID`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from meldroute_common.auth import IntakeIntern
from meldroute_common.db import Session
from meldroute_common.paginering import DEFAULT_PAGE_SIZE, Cursor, PageSize
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from intake_api.deps import SignaalId, SleutelsDep
from intake_api.intern import schemas, service
from intake_api.toegang.service import Actie, log_toegang

#: Every internal operation is counted per client under `INTAKE_INTERN_RATE_LIMIT`.
router = APIRouter(
    prefix="/intern",
    tags=["intern"],
    dependencies=[rate_limited("intern", limit_setting="intern_rate_limit")],
)


@router.get(
    "/casussen",
    operation_id="internCasussenZoeken",
    summary="Opgeschaalde signalen (intern)",
    response_model=schemas.CasussenPagina,
    openapi_extra=RATE_LIMITED,
)
async def intern_casussen_zoeken(
    claims: IntakeIntern,
    session: Session,
    partner: Annotated[
        str | None, Query(max_length=64, description="Only cases escalated to this partner.")
    ] = None,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> schemas.CasussenPagina:
    """Opgeschaalde signalen, nieuwste opschaling eerst, zonder verzegelde gegevens; optioneel alleen die
    met `partner` onder de ontvangers. Alleen voor de privacy-gateway."""
    return await service.search_casussen(session=session, page_size=page_size, partner=partner, cursor=cursor)


@router.get(
    "/casussen/{signaalId}",
    operation_id="internCasusOphalen",
    summary="Eén opgeschaald signaal met verzegelde identiteit (intern)",
    response_model=schemas.Casus,
    openapi_extra=RATE_LIMITED,
)
async def intern_casus_ophalen(
    signaal_id: SignaalId, claims: IntakeIntern, session: Session
) -> schemas.Casus:
    """Eén opgeschaald signaal met per betrokkene het koppelpseudoniem en de verzegelde identiteit
    (base64; alleen de privacy-gateway kan die openen). Een niet-opgeschaald of onbekend signaal is 404.
    Na het verstrijken van de bewaartermijn zijn de verzegelde gegevens null."""
    casus = await service.get_casus(session=session, signaal_id=signaal_id)
    await log_toegang(session=session, claims=claims, signaal_id=casus.id, actie=Actie.casus_gelezen_intern)
    return casus


@router.post(
    "/pseudoniemen",
    operation_id="internPseudoniemBepalen",
    summary="Het koppelpseudoniem van een persoon (intern)",
    response_model=schemas.Pseudoniem,
    openapi_extra=RATE_LIMITED,
)
async def intern_pseudoniem_bepalen(
    verzoek: schemas.PseudoniemVerzoek, claims: IntakeIntern, sleutels: SleutelsDep, session: Session
) -> schemas.Pseudoniem:
    """Het koppelpseudoniem van een BSN, of van een naam met geboortedatum, zodat de privacy-gateway een
    inzageverzoek kan beantwoorden zonder de koppelsleutel te hebben, met alle koppelpseudoniemen die
    daaraan gekoppeld zijn: wie ooit met BSN én naam en geboortedatum is vastgelegd, wordt met beide
    gevonden. Een ongeldig BSN is 400. Er wordt niets opgeslagen of gelogd over de persoon."""
    return await service.get_pseudoniem(session=session, verzoek=verzoek, sleutel=sleutels.link_sleutel)
