"""The verwerkingenlog for the FG and auditors: rows with filters, and verification of the chain."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from meldroute_common.auth import VerwerkingenLezen
from meldroute_common.paginering import DEFAULT_PAGE_SIZE, Cursor, PageSize
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited
from meldroute_common.typen import Tijdstip

from privacy_gateway.context import LogSession
from privacy_gateway.verwerkingen.models import VerwerkingRij
from privacy_gateway.verwerkingen.schemas import VerificatieUit, VerwerkingenPagina, VerwerkingUit
from privacy_gateway.verwerkingen.service import (
    VerwerkingenFilter,
    lees_verwerkingen,
    rij_velden,
    verifieer_log,
)

router = APIRouter(tags=["verwerkingen"], dependencies=[rate_limited("verwerkingen")])

_503: dict[int | str, dict[str, Any]] = {503: {"description": "De database is niet beschikbaar."}}


def verwerking_uit(rij: VerwerkingRij) -> VerwerkingUit:
    velden = rij_velden(rij)
    return VerwerkingUit.model_validate(
        {**velden, "volgnummer": rij.volgnummer, "vorigeHash": rij.vorige_hash, "hash": rij.hash}
    )


@router.get(
    "/verwerkingen",
    operation_id="verwerkingenOpvragen",
    openapi_extra=RATE_LIMITED,
    summary="Rijen van het verwerkingenlog",
    responses=_503,
)
async def verwerkingen_opvragen(
    session: LogSession,
    claims: VerwerkingenLezen,
    actie: Annotated[str | None, Query(max_length=40, description="Alleen deze actie.")] = None,
    afnemer: Annotated[str | None, Query(max_length=80, description="Alleen deze partner.")] = None,
    doel: Annotated[str | None, Query(max_length=80, description="Alleen dit doel.")] = None,
    casusId: Annotated[UUID | None, Query(description="Alleen deze casus.")] = None,
    vanaf: Annotated[Tijdstip | None, Query(description="Tijdstip vanaf (inclusief).")] = None,
    tot: Annotated[Tijdstip | None, Query(description="Tijdstip tot (exclusief).")] = None,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> VerwerkingenPagina:
    """De rijen van het verwerkingenlog in volgorde van vastleggen (oudste eerst), met filters en
    paginering; elke rij met de hash van de vorige en haar eigen hash, zodat de keten na te rekenen is."""
    filter = VerwerkingenFilter(
        actie=actie,
        afnemer=afnemer,
        doel=doel,
        casus_id=None if casusId is None else str(casusId),
        vanaf=vanaf,
        tot=tot,
    )
    rijen, volgende = await lees_verwerkingen(session, filter=filter, page_size=page_size, cursor=cursor)
    return VerwerkingenPagina(verwerkingen=[verwerking_uit(r) for r in rijen], volgende=volgende)


@router.get(
    "/verwerkingen/verificatie",
    operation_id="verwerkingenVerifieren",
    openapi_extra=RATE_LIMITED,
    summary="Controle van de hashketen van het verwerkingenlog",
    responses=_503,
)
async def verwerkingen_verifieren(session: LogSession, claims: VerwerkingenLezen) -> VerificatieUit:
    """Rekent de hele keten na en vergelijkt de kop en de periodieke checkpoints: `ok` met het aantal rijen en
    de hash van de laatste, of de eerste rij waar een wijziging, verwijdering of andere volgorde zichtbaar is."""
    return VerificatieUit.model_validate((await verifieer_log(session)).als_dict())
