"""POST /v1/signalen/{signaalId}/beoordelingen: the attention officer's decision."""

from __future__ import annotations

from fastapi import APIRouter, Response
from meldroute_common.auth import SignalenBeoordelen
from meldroute_common.db import Session

from intake_api.beoordelingen import service
from intake_api.beoordelingen.schemas import BeoordelingInvoer, ProblemStatusConflict
from intake_api.deps import BeleidDep, CatalogusDep, IfMatch, SignaalId, SleutelsDep, etag, parse_if_match
from intake_api.signalen import schemas
from intake_api.signalen.service import build_weergave
from intake_api.tijd import nu

router = APIRouter(tags=["beoordelingen"])

#: What the attention officer can do next with a decided signal (OpenAPI links for the stateful phase).
_VERVOLG = {
    "SignaalOphalen": {"operationId": "signaalOphalen", "parameters": {"signaalId": "$response.body#/id"}},
    "TrajectOpenen": {"operationId": "trajectOpenen", "parameters": {"signaalId": "$response.body#/id"}},
    "AdviesVragen": {"operationId": "adviesVragen", "parameters": {"signaalId": "$response.body#/id"}},
    "ToestemmingVastleggen": {
        "operationId": "toestemmingVastleggen",
        "parameters": {"signaalId": "$response.body#/id", "betrokkeneId": "$response.body#/betrokkenen/0/id"},
    },
    "TrajectPartnerToevoegen": {
        "operationId": "trajectPartnerToevoegen",
        "parameters": {"signaalId": "$response.body#/id", "trajectId": "$response.body#/trajecten/0/id"},
    },
    "TrajectAfronden": {
        "operationId": "trajectAfronden",
        "parameters": {"signaalId": "$response.body#/id", "trajectId": "$response.body#/trajecten/0/id"},
    },
}


@router.post(
    "/signalen/{signaalId}/beoordelingen",
    operation_id="beoordelingVastleggen",
    summary="Een signaal beoordelen",
    response_model=schemas.Signaal,
    responses={
        200: {"description": "Vastgelegd; het signaal in zijn nieuwe status.", "headers": {
            "ETag": {"description": "De nieuwe versie.", "schema": {"type": "string"}},
        }, "links": _VERVOLG},
        400: {"description": "Ongeldige velden, of een partner of doel dat het convenant niet toestaat (met "
                             "code en regel); er is niets vastgelegd."},
        409: {"description": "Deze overgang is niet toegestaan; `toegestaneStatussen` noemt wat wel mag.",
              "model": ProblemStatusConflict},
        412: {"description": "If-Match (of versie) is niet de huidige versie: iemand anders besliste eerst."},
        428: {"description": "Geen If-Match en geen versie meegegeven."},
    },
)  # fmt: skip
async def beoordeling_vastleggen(
    signaal_id: SignaalId,
    invoer: BeoordelingInvoer,
    response: Response,
    claims: SignalenBeoordelen,
    session: Session,
    catalogus: CatalogusDep,
    sleutels: SleutelsDep,
    beleid: BeleidDep,
    if_match: IfMatch = None,
) -> schemas.Signaal:
    """Legt de beoordeling van de aandachtsfunctionaris vast. De toestandsmachine:
    `ontvangen → in_behandeling → afgesloten_geen_mensenhandel | doorverwezen_ander_domein | opgeschaald`.
    Vanuit `advies_gevraagd` brengt een beoordeling `in_behandeling` het signaal terug.
    Een doorverwijzing noemt het domein (`doorverwezenNaar`, uit de catalogus); opschalen noemt de
    `trajecten` van de casus (elk een `doel` met `partners`, één tot vijf), of kort `partners` en `doel`
    voor één traject (niet allebei), en optioneel `vertrouwelijkheidaanduiding` (standaard `vertrouwelijk`).
    Elke partner en elk doel wordt vooraf getoetst aan het convenant: een onbekende partner (een tikfout),
    een onbekend doel of een doel dat het convenant de partner niet toestaat, is 400 met het veld
    (`trajecten[0].partners[1]`, `partners[0]`, `doel`), de code en de regel; er wordt dan niets vastgelegd.

    Een niet-toegestane overgang is 409 met `toegestaneStatussen`. Geef de versie waarop u beslist mee
    (`If-Match` met de ETag, of `versie`): is het signaal intussen gewijzigd, dan 412; zonder versie 428.
    Elke wijziging komt met wie, wanneer en waarom (`toelichting`) in de historie.

    Een signaal van een andere gemeente is 404, net als bij lezen: of het bestaat, blijft verborgen."""
    signaal = await service.record_beoordeling(
        session=session,
        signaal_id=signaal_id,
        gemeente=claims.gemeente,
        invoer=invoer,
        verwachte_versie=parse_if_match(if_match),
        door=claims.sub,
        catalogus=catalogus,
        sleutels=sleutels,
        beleid=beleid,
        nu=nu(),
    )
    response.headers["ETag"] = etag(signaal.versie)
    return await build_weergave(session=session, signaal=signaal)
