"""The verwerkingenlog for the FG and auditors: rows with filters, and verification of the chain."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from meldroute_common.auth import VerwerkingenLezen
from meldroute_common.paginering import DEFAULT_PAGE_SIZE, Cursor, PageSize
from meldroute_common.problems import BadRequest, InvalidParam
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited
from meldroute_common.typen import Tijdstip

from privacy_gateway.context import GatewayState, LogSession
from privacy_gateway.verwerkingen.checkpoints import Checkpoint, read_handtekening
from privacy_gateway.verwerkingen.models import VerwerkingRij
from privacy_gateway.verwerkingen.schemas import (
    CheckpointsPagina,
    CheckpointUit,
    SleutelsUit,
    SleutelUit,
    VerificatieUit,
    VerwerkingenPagina,
    VerwerkingUit,
)
from privacy_gateway.verwerkingen.service import (
    VerwerkingenFilter,
    read_checkpoints,
    read_verwerkingen,
    rij_velden,
    verify_log,
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
    rijen, volgende = await read_verwerkingen(
        session=session, filter=filter, page_size=page_size, cursor=cursor
    )
    return VerwerkingenPagina(verwerkingen=[verwerking_uit(r) for r in rijen], volgende=volgende)


_HASH_PATROON = r"^[0-9a-f]{64}$"
_BEWAARD = ("volgnummer", "kop", "tijdstip", "sleutelId", "handtekening")


@router.get(
    "/verwerkingen/verificatie",
    operation_id="verwerkingenVerifieren",
    openapi_extra=RATE_LIMITED,
    summary="Controle van de hashketen van het verwerkingenlog",
    responses=_503,
)
async def verwerkingen_verifieren(
    session: LogSession,
    gateway: GatewayState,
    claims: VerwerkingenLezen,
    volgnummer: Annotated[
        int | None, Query(ge=1, le=2**62, description="Bewaarde kop: het volgnummer van het checkpoint.")
    ] = None,
    kop: Annotated[
        str | None, Query(pattern=_HASH_PATROON, description="Bewaarde kop: de hash van het checkpoint.")
    ] = None,
    tijdstip: Annotated[
        Tijdstip | None, Query(description="Bewaarde kop: het tijdstip van het checkpoint.")
    ] = None,
    sleutelId: Annotated[
        str | None,
        Query(pattern=r"^[0-9a-f]{8}$", description="Bewaarde kop: de sleutel die het ondertekende."),
    ] = None,
    handtekening: Annotated[
        str | None, Query(max_length=100, description="Bewaarde kop: de handtekening (base64).")
    ] = None,
) -> VerificatieUit:
    """Rekent de hele keten na met de ketensleutels, controleert de handtekeningen van de checkpoints in de
    database en in de getuige, en of de keten ze op hun plaats bevat; geef een eerder opgehaald checkpoint
    mee (alle vijf velden) om te bewijzen dat de huidige keten die kop nog bevat. `ok` met het aantal rijen
    en de hash van de laatste, of de eerste plaats waar een wijziging, verwijdering, inkorting of vervangen
    sleutel zichtbaar is."""
    waarden = {
        "volgnummer": volgnummer,
        "kop": kop,
        "tijdstip": tijdstip,
        "sleutelId": sleutelId,
        "handtekening": handtekening,
    }
    bewaard: Checkpoint | None = None
    if any(v is not None for v in waarden.values()):
        ontbrekend = [naam for naam in _BEWAARD if waarden[naam] is None]
        if ontbrekend:
            raise BadRequest(
                "Een bewaarde kop heeft alle vijf velden van het checkpoint nodig.",
                invalid_params=[InvalidParam(name=n, reason="Ontbreekt.") for n in ontbrekend],
            )
        assert volgnummer is not None and kop is not None and tijdstip is not None and sleutelId is not None
        assert handtekening is not None
        if tijdstip.utcoffset() is None:
            raise BadRequest(
                "Het tijdstip heeft een tijdzone nodig.",
                invalid_params=[InvalidParam(name="tijdstip", reason="Geef een tijdzone, bijvoorbeeld Z.")],
            )
        try:
            ruwe_handtekening = read_handtekening(handtekening)
        except ValueError as fout:
            raise BadRequest(
                "De handtekening is ongeldig.",
                invalid_params=[InvalidParam(name="handtekening", reason=str(fout))],
            ) from None
        bewaard = Checkpoint(
            volgnummer=volgnummer,
            kop=kop,
            tijdstip=tijdstip,
            sleutel_id=sleutelId,
            handtekening=ruwe_handtekening,
        )
    verslag = await verify_log(session=session, logboek=gateway.logboek, bewaard=bewaard)
    return VerificatieUit.model_validate(verslag.als_dict())


@router.get(
    "/verwerkingen/checkpoints",
    operation_id="verwerkingenCheckpointsOpvragen",
    openapi_extra=RATE_LIMITED,
    summary="Ondertekende checkpoints van het verwerkingenlog",
    responses=_503,
)
async def verwerkingen_checkpoints_opvragen(
    session: LogSession,
    gateway: GatewayState,
    claims: VerwerkingenLezen,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> CheckpointsPagina:
    """De ondertekende koppen van de keten (oudste eerst): bewaar ze buiten de gateway en geef er later een
    terug aan de verificatie; controleer de handtekening zelf met de publieke sleutels."""
    checkpoints, volgende = await read_checkpoints(session=session, page_size=page_size, cursor=cursor)
    ondertekening = gateway.logboek.ondertekening
    return CheckpointsPagina(
        checkpoints=[
            CheckpointUit.model_validate({**c.als_dict(), "notitie": ondertekening.notitie(c)})
            for c in checkpoints
        ],
        volgende=volgende,
    )


@router.get(
    "/verwerkingen/sleutels",
    operation_id="verwerkingenSleutelsOpvragen",
    openapi_extra=RATE_LIMITED,
    summary="Publieke sleutels van de checkpoints",
)
async def verwerkingen_sleutels_opvragen(gateway: GatewayState, claims: VerwerkingenLezen) -> SleutelsUit:
    """De Ed25519-sleutels waaronder checkpoints geldig zijn: de actieve en de eerdere (na rotatie)."""
    ondertekening = gateway.logboek.ondertekening
    return SleutelsUit(
        herkomst=ondertekening.herkomst,
        sleutels=[
            SleutelUit(
                sleutel_id=sleutel_id,
                algoritme="Ed25519",
                publieke_sleutel=ondertekening.publieke_sleutel(sleutel_id),
                verificatiesleutel=ondertekening.verificatiesleutel(sleutel_id),
                actief=sleutel_id == ondertekening.actief_id,
            )
            for sleutel_id in ondertekening.publiek
        ],
    )
