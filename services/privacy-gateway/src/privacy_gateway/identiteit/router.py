"""Identity with four eyes: a partner asks, a different person approves, then the requester may unseal.

The HPKE private keys are used here and nowhere else. Every request, approval, unsealing and denial
is written to the verwerkingenlog before the answer is produced.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from uuid import UUID

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from meldroute_common.auth import Claims, IdentiteitGoedkeuren, IdentiteitVerzoeken
from meldroute_common.db import as_utc
from meldroute_common.problems import BadGateway, Conflict, Forbidden, NotFound
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited
from meldroute_common.sealing import SealContext, SealingError, open_sealed
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.beleid import Beslissing, Categorie, beslis
from privacy_gateway.casussen.router import CasusReferentiePad
from privacy_gateway.casussen.schemas import ProblemPolicyDenial
from privacy_gateway.casussen.service import (
    Actie,
    betrokkene_referentie,
    casus_referentie,
    casus_van,
    feiten,
    grondslag_van,
    log,
    organisatie,
    weigering,
)
from privacy_gateway.context import Gateway, GatewayState, LogSession
from privacy_gateway.identiteit.models import Identiteitsverzoek
from privacy_gateway.identiteit.reden import zegel_reden
from privacy_gateway.identiteit.schemas import (
    Identiteit,
    IdentiteitsverzoekIn,
    IdentiteitsverzoekUit,
    Status,
)
from privacy_gateway.intake.schemas import IntakeCasus
from privacy_gateway.referenties.service import dag

router = APIRouter(tags=["identiteit"], dependencies=[rate_limited("identiteit")])
logger = logging.getLogger("meldroute.gateway.identiteit")

#: The identifying fields intake seals; anything else in a blob is dropped, never passed on.
IDENTITEIT_VELDEN: Final = ("bsn", "naam", "geboortedatum", "geslacht", "nationaliteit", "adres", "telefoon")

_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {"description": "intake-api antwoordde met een fout of onbruikbaar; er is niets verstrekt."},
    503: {"description": "intake-api of het verwerkingenlog is niet beschikbaar; er is niets verstrekt."},
    504: {"description": "intake-api antwoordde niet op tijd; er is niets verstrekt."},
}
NIET_GEVONDEN = "Identiteitsverzoek niet gevonden."
#: OpenAPI links: from a request to its approval and to the identity (stateful testing follows them).
_OPHALEN = {
    "IdentiteitOphalen": {
        "operationId": "identiteitOphalen",
        "parameters": {"verzoekId": "$response.body#/id"},
    }
}
_VERVOLG = {
    "IdentiteitsverzoekGoedkeuren": {
        "operationId": "identiteitsverzoekGoedkeuren",
        "parameters": {"verzoekId": "$response.body#/id"},
    },
    **_OPHALEN,
}
_WEIGERING: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "Het token mist de benodigde scope, of het convenantbeleid staat dit niet toe (`reden`).",
        "model": ProblemPolicyDenial,
    }
}


def _referentie(gateway: Gateway, verzoek: Identiteitsverzoek) -> UUID:
    return casus_referentie(gateway, partner=verzoek.partner, casus_id=verzoek.casus_id)


def _uit(gateway: Gateway, verzoek: Identiteitsverzoek) -> IdentiteitsverzoekUit:
    """The request as its partner sees it: its own references, days instead of moments."""
    return IdentiteitsverzoekUit(
        id=verzoek.id,
        casusId=_referentie(gateway, verzoek),
        betrokkene=betrokkene_referentie(
            gateway, partner=verzoek.partner, betrokkene_id=verzoek.betrokkene_id
        ),
        doel=verzoek.doel,
        status=Status(verzoek.status),
        aangevraagdOp=dag(as_utc(verzoek.aangevraagd_op)),
        goedgekeurdOp=None if verzoek.goedgekeurd_op is None else dag(as_utc(verzoek.goedgekeurd_op)),
        geldigTot=None if verzoek.geldig_tot is None else dag(as_utc(verzoek.geldig_tot)),
    )


def _identiteit_toegestaan(beslissing: Beslissing) -> bool:
    return beslissing.toegestaan and Categorie.IDENTITEIT in beslissing.categorieen


@router.post(
    "/casussen/{casusId}/identiteitsverzoeken",
    operation_id="identiteitsverzoekIndienen",
    openapi_extra=RATE_LIMITED,
    summary="Om de identiteit van een betrokkene vragen",
    status_code=201,
    response_model=IdentiteitsverzoekUit,
    responses={
        **_ERRORS,
        **_WEIGERING,
        201: {"description": "Het verzoek is vastgelegd; het wacht op goedkeuring.", "links": _VERVOLG},
        409: {"description": "Van deze betrokkene is geen identiteit (meer) beschikbaar."},
    },
)
async def identiteitsverzoek_indienen(
    request: Request,
    response: Response,
    session: LogSession,
    gateway: GatewayState,
    claims: IdentiteitVerzoeken,
    casusId: CasusReferentiePad,
    verzoek: IdentiteitsverzoekIn,
) -> Any:
    """Legt een verzoek vast om de identiteit van één betrokkene (de `referentie` uit de casus) voor een doel,
    met een reden van minstens 20 tekens. Alleen als het beleid deze partner voor dit doel de categorie
    identiteit toestaat. Een andere persoon met `identiteit:goedkeuren` moet het verzoek goedkeuren voordat de
    identiteit kan worden opgehaald. De casus is de eigen referentie van de organisatie. De reden wordt verzegeld
    bewaard (leesbaar alleen met vervangen identificatoren) en gewist met het verzoek na de bewaartermijn."""
    partner = organisatie(claims)
    basis: dict[str, object] = {"organisatie": partner, "gebruiker": claims.sub}
    intern = await casus_van(session, partner=partner, referentie=casusId)
    casus = None if intern is None else await gateway.intake.casus(intern)
    if casus is None or partner not in casus.partners:
        return await _weiger(
            session, gateway, request, doel=verzoek.doel, casus_id=intern, referentie=casusId,
            vertrouwelijkheid="vertrouwelijk", detail={**basis, "reden": "onbekend_of_niet_gedeeld"},
            probleem=NotFound("Casus niet gevonden."),
        )  # fmt: skip
    nu = datetime.now(UTC)
    beslissing = beslis(
        beleid=gateway.beleid, partner_id=partner, doel=verzoek.doel, casus=feiten(casus), nu=nu
    )
    if not _identiteit_toegestaan(beslissing):
        reden = beslissing.geweigerd.get(Categorie.IDENTITEIT)
        code = "niet_in_regel" if reden is None else reden.code.value
        toelichting = "identiteit is niet toegestaan" if reden is None else reden.toelichting
        return await _weiger(
            session, gateway, request, doel=verzoek.doel, casus_id=casus.id, referentie=casusId, beslissing=beslissing,
            vertrouwelijkheid=casus.vertrouwelijkheidaanduiding, detail={**basis, "reden": code},
            probleem=Forbidden(f"Het convenantbeleid staat dit niet toe: {toelichting}", extra={"reden": code}),
        )  # fmt: skip
    betrokkene = next(
        (
            b
            for b in casus.betrokkenen
            if betrokkene_referentie(gateway, partner=partner, betrokkene_id=b.id) == verzoek.betrokkene
        ),
        None,
    )
    if betrokkene is None:
        raise NotFound("Betrokkene niet gevonden in deze casus.")
    if betrokkene.identiteit_verzegeld is None:
        raise Conflict("Van deze betrokkene is geen identiteit (meer) beschikbaar.")
    log_pseudoniem = (
        None if betrokkene.link_pseudoniem is None else gateway.log_pseudoniem(betrokkene.link_pseudoniem)
    )
    verzoek_id = uuid.uuid4()
    rij = Identiteitsverzoek(
        id=verzoek_id,
        casus_id=casus.id,
        betrokkene_id=betrokkene.id,
        betrokkene_log=log_pseudoniem,
        partner=partner,
        aanvrager=claims.sub,
        doel=verzoek.doel,
        reden=None,  # only sealed: see identiteit/reden.py
        reden_verzegeld=zegel_reden(
            tekst=verzoek.reden, ontvanger=gateway.eigen_zegel, verzoek_id=verzoek_id, casus_id=casus.id,
            betrokkene_id=betrokkene.id,
        ),
        status=Status.AANGEVRAAGD.value,
        aangevraagd_op=nu,
    )  # fmt: skip
    session.add(rij)
    await session.flush()
    await log(
        session, gateway, request,
        actie=Actie.IDENTITEITSVERZOEK, doel=verzoek.doel, grondslag=grondslag_van(gateway, beslissing, verzoek.doel),
        afnemer=None, betrokkenen=[log_pseudoniem], casus_id=casus.id, referentie=casusId,
        vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
        detail={**basis, "verzoekId": str(rij.id), "regelId": beslissing.regel_id}, nu=nu,
    )  # fmt: skip
    response.headers["Location"] = f"/v1/identiteitsverzoeken/{rij.id}"
    return _uit(gateway, rij)


async def _weiger(
    session: AsyncSession,
    gateway: Gateway,
    request: Request,
    *,
    doel: str,
    casus_id: object,
    vertrouwelijkheid: str,
    detail: dict[str, object],
    probleem: Forbidden | NotFound | Conflict | BadGateway,
    referentie: UUID | None = None,
    beslissing: Beslissing | None = None,
    betrokkene: str | None = None,
) -> Response:
    await log(
        session, gateway, request,
        actie=Actie.WEIGERING, doel=doel, grondslag=grondslag_van(gateway, beslissing, doel), afnemer=None,
        betrokkenen=[betrokkene], casus_id=casus_id, referentie=referentie, vertrouwelijkheid=vertrouwelijkheid,
        detail=detail,
    )  # fmt: skip
    return weigering(request, probleem)


async def _verzoek_van_organisatie(
    session: AsyncSession, *, verzoek_id: UUID, claims: Claims
) -> Identiteitsverzoek:
    partner = organisatie(claims)
    verzoek = await session.get(Identiteitsverzoek, verzoek_id)
    if verzoek is None or verzoek.partner != partner:
        raise NotFound(NIET_GEVONDEN)
    return verzoek


@router.post(
    "/identiteitsverzoeken/{verzoekId}/goedkeuringen",
    operation_id="identiteitsverzoekGoedkeuren",
    openapi_extra=RATE_LIMITED,
    summary="Het identiteitsverzoek van een ander goedkeuren (vier ogen)",
    status_code=201,
    response_model=IdentiteitsverzoekUit,
    responses={
        **_ERRORS,
        201: {"description": "Goedgekeurd; de aanvrager kan de identiteit ophalen.", "links": _OPHALEN},
        409: {"description": "Het verzoek is al goedgekeurd."},
    },
)
async def identiteitsverzoek_goedkeuren(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: IdentiteitGoedkeuren,
    verzoekId: UUID,
) -> Any:
    """Keurt een identiteitsverzoek van de eigen organisatie goed. De goedkeurder moet een ander zijn dan de
    aanvrager (andere `sub`); anders 403. Na goedkeuring kan de aanvrager de identiteit ophalen, binnen de
    geldigheid van de goedkeuring en het venster van het beleid."""
    verzoek = await _verzoek_van_organisatie(session, verzoek_id=verzoekId, claims=claims)
    basis: dict[str, object] = {
        "organisatie": verzoek.partner,
        "gebruiker": claims.sub,
        "verzoekId": str(verzoek.id),
    }
    if claims.sub == verzoek.aanvrager:
        return await _weiger(
            session, gateway, request, doel=verzoek.doel, casus_id=verzoek.casus_id,
            referentie=_referentie(gateway, verzoek), vertrouwelijkheid="vertrouwelijk",
            detail={**basis, "reden": "eigen_verzoek"}, betrokkene=verzoek.betrokkene_log,
            probleem=Forbidden("Een identiteitsverzoek moet door een ander worden goedgekeurd (vier ogen)."),
        )  # fmt: skip
    nu = datetime.now(UTC)
    geldig_tot = nu + timedelta(hours=gateway.settings.identiteit_geldigheid_uren)
    # Conditional update: of two approvals at the same moment only one succeeds.
    bijgewerkt = await session.execute(
        sa.update(Identiteitsverzoek)
        .where(Identiteitsverzoek.id == verzoek.id, Identiteitsverzoek.status == Status.AANGEVRAAGD.value)
        .values(
            status=Status.GOEDGEKEURD.value,
            goedgekeurd_door=claims.sub,
            goedgekeurd_op=nu,
            geldig_tot=geldig_tot,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(bijgewerkt, "rowcount", 0) != 1:
        raise Conflict("Het verzoek is al goedgekeurd.")
    await log(
        session, gateway, request,
        actie=Actie.GOEDKEURING, doel=verzoek.doel, grondslag=grondslag_van(gateway, None, verzoek.doel),
        afnemer=None, betrokkenen=[verzoek.betrokkene_log], casus_id=verzoek.casus_id,
        referentie=_referentie(gateway, verzoek), vertrouwelijkheid="vertrouwelijk",
        detail={**basis, "aanvrager": verzoek.aanvrager}, nu=nu,
    )  # fmt: skip
    await session.refresh(verzoek)
    return _uit(gateway, verzoek)


@router.get(
    "/identiteitsverzoeken/{verzoekId}/identiteit",
    operation_id="identiteitOphalen",
    openapi_extra=RATE_LIMITED,
    summary="De identiteit ophalen na goedkeuring",
    response_model=Identiteit,
    responses={
        **_ERRORS,
        **_WEIGERING,
        409: {"description": "Het verzoek is nog niet goedgekeurd, of de identiteit is gewist."},
    },
)
async def identiteit_ophalen(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: IdentiteitVerzoeken,
    verzoekId: UUID,
) -> Any:
    """Geeft de aanvrager, na goedkeuring door een ander en binnen de geldigheid en het venster van het beleid,
    de identiteit van de betrokkene: alleen de identificerende velden die bij intake zijn vastgelegd. De
    verzegelde gegevens worden alleen hier geopend; elke ontzegeling en elke weigering staat in het
    verwerkingenlog."""
    verzoek = await _verzoek_van_organisatie(session, verzoek_id=verzoekId, claims=claims)
    basis: dict[str, object] = {
        "organisatie": verzoek.partner,
        "gebruiker": claims.sub,
        "verzoekId": str(verzoek.id),
    }

    async def weiger(
        code: str, probleem: Forbidden | NotFound | Conflict | BadGateway, **extra: Any
    ) -> Response:
        return await _weiger(
            session, gateway, request, doel=verzoek.doel, casus_id=verzoek.casus_id,
            referentie=_referentie(gateway, verzoek), vertrouwelijkheid="vertrouwelijk",
            detail={**basis, "reden": code}, betrokkene=verzoek.betrokkene_log, probleem=probleem, **extra,
        )  # fmt: skip

    if claims.sub != verzoek.aanvrager:
        return await weiger("niet_de_aanvrager", Forbidden("Alleen de aanvrager kan de identiteit ophalen."))
    if verzoek.status != Status.GOEDGEKEURD.value or verzoek.geldig_tot is None:
        return await weiger("niet_goedgekeurd", Conflict("Het verzoek is nog niet goedgekeurd."))
    nu = datetime.now(UTC)
    if nu >= as_utc(verzoek.geldig_tot):
        return await weiger(
            "goedkeuring_verlopen", Forbidden("De goedkeuring is verlopen; dien een nieuw verzoek in.")
        )
    casus = await gateway.intake.casus(verzoek.casus_id)
    if casus is None or verzoek.partner not in casus.partners:
        return await weiger("onbekend_of_niet_gedeeld", NotFound("Casus niet gevonden."))
    # The policy decides again now: membership, window and purpose may have changed since the request.
    beslissing = beslis(
        beleid=gateway.beleid, partner_id=verzoek.partner, doel=verzoek.doel, casus=feiten(casus), nu=nu
    )
    if not _identiteit_toegestaan(beslissing):
        reden = beslissing.geweigerd.get(Categorie.IDENTITEIT)
        code = "niet_in_regel" if reden is None else reden.code.value
        return await weiger(
            code,
            Forbidden("Het convenantbeleid staat dit (niet meer) toe.", extra={"reden": code}),
            beslissing=beslissing,
        )
    betrokkene = next((b for b in casus.betrokkenen if b.id == verzoek.betrokkene_id), None)
    if betrokkene is None or betrokkene.identiteit_verzegeld is None:
        return await weiger(
            "identiteit_gewist", Conflict("Van deze betrokkene is geen identiteit (meer) beschikbaar.")
        )
    velden = _ontzegel(
        gateway, casus=casus, betrokkene_id=betrokkene.id, blob=betrokkene.identiteit_verzegeld
    )
    if velden is None:
        return await weiger("ontzegeling_mislukt", BadGateway("De verzegelde identiteit is niet te openen."))
    await log(
        session, gateway, request,
        actie=Actie.ONTZEGELING, doel=verzoek.doel, grondslag=grondslag_van(gateway, beslissing, verzoek.doel),
        afnemer=verzoek.partner, betrokkenen=[verzoek.betrokkene_log], casus_id=casus.id,
        referentie=_referentie(gateway, verzoek), vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
        detail={
            **basis, "categorieen": [Categorie.IDENTITEIT.value], "velden": sorted(velden),
            "regelId": beslissing.regel_id, "goedgekeurdDoor": verzoek.goedgekeurd_door,
        },
        nu=nu,
    )  # fmt: skip
    return Identiteit.model_validate({"verzoekId": verzoek.id, **velden})


def _ontzegel(
    gateway: Gateway, *, casus: IntakeCasus, betrokkene_id: UUID, blob: str
) -> dict[str, object] | None:
    """The allowed identifying fields of a sealed blob, or None when it does not open or is not what it should be."""
    try:
        data = base64.b64decode(blob, validate=True)
        tekst = open_sealed(
            blob=data,
            sleutels=gateway.sleutelbos,
            context=SealContext(signaal_id=casus.id, betrokkene_id=betrokkene_id, veld="identiteit"),
        )
        inhoud = json.loads(tekst)
    except (binascii.Error, SealingError, ValueError) as fout:
        logger.warning("verzegelde identiteit niet te openen (%s)", type(fout).__name__)
        return None
    if not isinstance(inhoud, dict):
        return None
    velden = {k: v for k, v in inhoud.items() if k in IDENTITEIT_VELDEN and v is not None}
    try:
        Identiteit.model_validate({"verzoekId": UUID(int=0), **velden})
    except ValidationError:
        logger.warning("verzegelde identiteit heeft een onverwachte vorm")
        return None
    return velden
