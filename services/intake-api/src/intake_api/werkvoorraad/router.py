"""The queue (werkvoorraad): GET /v1/signalen with its filters, and PUT /v1/signalen/{signaalId}/toewijzing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from meldroute_common.auth import SignalenBeoordelen, SignalenLezen
from meldroute_common.db import Session
from meldroute_common.paginering import DEFAULT_PAGE_SIZE, Cursor, PageSize

from intake_api.deps import CatalogusDep, SignaalId, SleutelsDep, etag
from intake_api.signalen import schemas as signaal_schemas
from intake_api.signalen.service import build_weergave
from intake_api.termijnen.service import Sortering
from intake_api.tijd import nu
from intake_api.werkvoorraad import schemas, service
from intake_api.werkvoorraad.filters import WerkvoorraadfilterDep

router = APIRouter(tags=["werkvoorraad"])


@router.get(
    "/signalen",
    operation_id="signalenZoeken",
    summary="De signalen van de eigen gemeente",
    response_model=signaal_schemas.SignalenPagina,
)
async def signalen_zoeken(
    claims: SignalenLezen,
    session: Session,
    catalogus: CatalogusDep,
    filter: WerkvoorraadfilterDep,
    sorteer: Annotated[
        Sortering,
        Query(description="ontvangen: newest first (default); termijn: earliest due open deadline first."),
    ] = "ontvangen",
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> signaal_schemas.SignalenPagina:
    """De wachtrij (werkvoorraad) van de eigen gemeente, nieuwste eerst, gepagineerd met een cursor
    (`volgende`). Filters, die allemaal tegelijk gelden (EN): `status`, `uitbuitingsvorm`, `indicator`
    (herhaalbaar: een van deze), `sector`, `locatietype`, `melderDomein` (codes uit de catalogus; een
    onbekende code is 400), `waargenomenVanaf` en `ontvangenVanaf` (inclusief), `waargenomenTot` en
    `ontvangenTot` (exclusief; vóór het begin is 400), `toegewezenAan` (een `sub`, of `ik` voor uzelf) en
    `toegewezen` (`true` toegewezen, `false` niet toegewezen) en `termijn` (`verlopen`: een open termijn voorbij
    de vervaldag; `lopend`: een open termijn die nog loopt). `sorteer=termijn` toont de signalen met een open
    termijn, de vroegst vervallende eerst; de cursor van de ene volgorde geldt niet voor de andere (400).
    `pageSize` is standaard 20 en hoogstens 100 (daarboven 400); een cursor hoort bij dezelfde filters."""
    return await service.list_signalen(
        session=session, gemeente=claims.gemeente, sub=claims.sub, filter=filter, catalogus=catalogus,
        page_size=page_size, nu=nu(), cursor=cursor, sorteer=sorteer,
    )  # fmt: skip


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
