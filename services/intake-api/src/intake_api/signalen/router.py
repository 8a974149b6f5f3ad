"""/v1/signalen: record a signal, read one signal and its history (the queue is `werkvoorraad`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response
from fastapi.responses import JSONResponse
from meldroute_common.auth import SignalenAanmaken, SignalenLezen
from meldroute_common.db import Session, StatementSession
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from intake_api.deps import CatalogusDep, SignaalId, SleutelsDep, etag
from intake_api.idempotentie import service as idempotentie
from intake_api.signalen import schemas, service
from intake_api.tijd import nu
from intake_api.toegang.service import Actie, log_toegang

router = APIRouter(tags=["signalen"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Client-chosen key (e.g. a UUID). The same key with the same body within 24 hours "
        "returns the first answer again instead of recording the signal twice.",
    ),
]


#: What a client can do next with a new signal (OpenAPI links; schemathesis follows them in its stateful phase).
_VERVOLG = {
    "SignaalOphalen": {"operationId": "signaalOphalen", "parameters": {"signaalId": "$response.body#/id"}},
    "HistorieOphalen": {
        "operationId": "signaalHistorieOphalen",
        "parameters": {"signaalId": "$response.body#/id"},
    },
    "Beoordelen": {
        "operationId": "beoordelingVastleggen",
        "parameters": {"signaalId": "$response.body#/id", "If-Match": "$response.header.ETag"},
    },
    "StatusVoorMelder": {
        "operationId": "signaalStatusVoorMelder",
        "parameters": {"signaalId": "$response.body#/id"},
    },
    "AdviesVragen": {"operationId": "adviesVragen", "parameters": {"signaalId": "$response.body#/id"}},
    "Toewijzen": {"operationId": "toewijzingVastleggen", "parameters": {"signaalId": "$response.body#/id"}},
    "ToestemmingVastleggen": {
        "operationId": "toestemmingVastleggen",
        "parameters": {"signaalId": "$response.body#/id", "betrokkeneId": "$response.body#/betrokkenen/0/id"},
    },
}


@router.post(
    "/signalen",
    operation_id="signaalAanmaken",
    summary="Een signaal vastleggen",
    status_code=201,
    dependencies=[rate_limited("signalen")],
    openapi_extra=RATE_LIMITED,
    response_model=schemas.Signaal,
    responses={
        201: {"description": "Vastgelegd; de gepseudonimiseerde weergave.", "headers": {
            "Location": {"description": "URL van het signaal.", "schema": {"type": "string"}},
            "ETag": {"description": "Versie van het signaal.", "schema": {"type": "string"}},
        }, "links": _VERVOLG},
        409: {"description": "Een verzoek met dezelfde Idempotency-Key wordt nog verwerkt."},
        422: {"description": "De Idempotency-Key is al gebruikt voor een ander verzoek."},
    },
)  # fmt: skip
async def signaal_aanmaken(
    invoer: schemas.SignaalInvoer,
    claims: SignalenAanmaken,
    # On PostgreSQL the signal is read for links and then written in one statement (`opslaan`).
    session: StatementSession,
    catalogus: CatalogusDep,
    sleutels: SleutelsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Legt een signaal vast voor de eigen gemeente (`gemeenteCode` moet gelijk zijn aan die van het token,
    anders 403). Codes worden gecontroleerd tegen de catalogus; een onbekende code is 400 met het veld
    (bijvoorbeeld `indicatoren[1]`).

    Per betrokkene bewaart intake alleen een koppelpseudoniem, de identiteit verzegeld voor de
    privacy-gateway en grove kenmerken (leeftijdsklasse op de waarnemingsdatum, geslacht,
    nationaliteitsgroep). In de omschrijving worden herkenbare gegevens vervangen door plaatshouders; de
    oorspronkelijke tekst wordt verzegeld. Het antwoord bevat geen identificerende gegevens.

    Met `Idempotency-Key` levert hetzelfde verzoek binnen 24 uur hetzelfde antwoord; dezelfde sleutel met
    een ander verzoek is 422, en zolang het eerste verzoek nog loopt 409."""
    moment = nu()
    claim = None
    if idempotency_key is not None:
        # A key counts only within one client, user and municipality: another municipality's token never
        # receives this one's answer (and a replay passes the same checks as a new request).
        claim = idempotentie.Claim(
            client=idempotentie.bereik(sleutel=sleutels.link_sleutel, claims=claims),
            sleutel=idempotency_key,
            hash_=idempotentie.verzoek_hash(
                sleutel=sleutels.link_sleutel, body=invoer.model_dump_json(by_alias=True).encode()
            ),
        )
    uitkomst = await service.record_signaal(
        session=session,
        invoer=invoer,
        door=claims.sub,
        gemeente=claims.gemeente,
        catalogus=catalogus,
        sleutels=sleutels,
        nu=moment,
        claim=claim,
    )
    if isinstance(uitkomst, idempotentie.Herhaling):
        headers = {"ETag": etag(int(uitkomst.body.get("versie", 1)))}
        if uitkomst.locatie:
            headers["Location"] = uitkomst.locatie
        return JSONResponse(uitkomst.body, status_code=uitkomst.status, headers=headers)
    return JSONResponse(
        uitkomst.body, status_code=201, headers={"Location": uitkomst.locatie, "ETag": etag(uitkomst.versie)}
    )


@router.get(
    "/signalen/{signaalId}",
    operation_id="signaalOphalen",
    summary="Eén signaal, gepseudonimiseerd",
    response_model=schemas.Signaal,
    responses={200: {"headers": {"ETag": {"description": "Versie van het signaal.", "schema": {"type": "string"}}}}},
)  # fmt: skip
async def signaal_ophalen(
    signaal_id: SignaalId,
    response: Response,
    claims: SignalenLezen,
    session: Session,
) -> schemas.Signaal:
    """Eén signaal van de eigen gemeente (een signaal van een andere gemeente is 404), met per betrokkene
    het aantal andere signalen in de regio met dezelfde persoon. De `ETag` is de versie; stuur die mee
    als `If-Match` bij een beoordeling. Elke inzage wordt vastgelegd in het toegangslog."""
    signaal = await service.get_signaal(session=session, signaal_id=signaal_id, gemeente=claims.gemeente)
    await log_toegang(session=session, claims=claims, signaal_id=signaal.id, actie=Actie.signaal_gelezen)
    response.headers["ETag"] = etag(signaal.versie)
    return await service.build_weergave(session=session, signaal=signaal)


@router.get(
    "/signalen/{signaalId}/historie",
    operation_id="signaalHistorieOphalen",
    summary="De historie van een signaal",
    response_model=schemas.Historie,
)
async def signaal_historie(
    signaal_id: SignaalId,
    claims: SignalenLezen,
    session: Session,
) -> schemas.Historie:
    """Elke wijziging van een signaal van de eigen gemeente: wie (`door`), wanneer, wat en waarom. Elke
    inzage wordt vastgelegd in het toegangslog."""
    signaal = await service.get_signaal(session=session, signaal_id=signaal_id, gemeente=claims.gemeente)
    await log_toegang(session=session, claims=claims, signaal_id=signaal.id, actie=Actie.historie_gelezen)
    return await service.get_historie(session=session, signaal_id=signaal.id)


@router.get(
    "/signalen/{signaalId}/status",
    operation_id="signaalStatusVoorMelder",
    summary="De status van een signaal voor de melder",
    response_model=schemas.SignaalStatusVoorMelder,
    responses={404: {"description": "Geen signaal dat u (dit token) hebt vastgelegd."}},
)
async def signaal_status_voor_melder(
    signaal_id: SignaalId,
    claims: SignalenAanmaken,
    session: Session,
) -> schemas.SignaalStatusVoorMelder:
    """Voor de melder die het signaal vastlegde (dezelfde `sub`, dezelfde gemeente): ontvangen, in
    behandeling of afgehandeld, en sinds welke dag. Verder niets. Iedereen anders krijgt 404, net als
    voor een signaal dat niet bestaat."""
    return await service.read_status_voor_melder(
        session=session, signaal_id=signaal_id, sub=claims.sub, gemeente=claims.gemeente
    )
