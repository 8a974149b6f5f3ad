"""Identity with four eyes: a partner asks, a different person approves, then the requester may unseal.

The HPKE private keys are used here and nowhere else. Every request, approval, unsealing and denial
is written to the verwerkingenlog (:mod:`privacy_gateway.verwerkingen.vastlegging`) before the answer
is produced; a logged denial is returned, a denial that is not logged is raised (the rule is stated there).
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import JSONResponse
from meldroute_common.auth import Claims
from meldroute_common.beleid import Beslissing, Categorie, decide
from meldroute_common.db import as_utc
from meldroute_common.problems import BadGateway, Conflict, Forbidden, NotFound
from meldroute_common.sealing import (
    VELD_IDENTITEIT,
    SealContext,
    SealingError,
    decode_identiteit,
    open_sealed,
)
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.context import Gateway, feiten, organisatie
from privacy_gateway.identiteit.models import Identiteitsverzoek
from privacy_gateway.identiteit.reden import seal_reden
from privacy_gateway.identiteit.schemas import Identiteit, IdentiteitsverzoekIn, IdentiteitsverzoekUit, Status
from privacy_gateway.intake.schemas import IntakeCasus
from privacy_gateway.referenties.service import casus_for_referentie, dag
from privacy_gateway.verwerkingen.vastlegging import Actie, deny, grondslag_for, record

__all__ = ["approve_identiteitsverzoek", "read_identiteit", "submit_identiteitsverzoek"]

logger = logging.getLogger("meldroute.gateway.identiteit")


NIET_GEVONDEN = "Identiteitsverzoek niet gevonden."


def _referentie(gateway: Gateway, verzoek: Identiteitsverzoek) -> UUID:
    return gateway.casus_referentie(partner=verzoek.partner, casus_id=verzoek.casus_id)


def _uit(gateway: Gateway, verzoek: Identiteitsverzoek) -> IdentiteitsverzoekUit:
    """The request as its partner sees it: its own references, days instead of moments."""
    return IdentiteitsverzoekUit(
        id=verzoek.id,
        casus_id=_referentie(gateway, verzoek),
        betrokkene=gateway.betrokkene_referentie(
            partner=verzoek.partner, betrokkene_id=verzoek.betrokkene_id
        ),
        doel=verzoek.doel,
        status=Status(verzoek.status),
        aangevraagd_op=dag(as_utc(verzoek.aangevraagd_op)),
        goedgekeurd_op=None if verzoek.goedgekeurd_op is None else dag(as_utc(verzoek.goedgekeurd_op)),
        geldig_tot=None if verzoek.geldig_tot is None else dag(as_utc(verzoek.geldig_tot)),
    )


def _identiteit_toegestaan(beslissing: Beslissing) -> bool:
    return beslissing.toegestaan and Categorie.IDENTITEIT in beslissing.categorieen


async def submit_identiteitsverzoek(
    *,
    session: AsyncSession,
    gateway: Gateway,
    request: Request,
    claims: Claims,
    referentie: UUID,
    verzoek: IdentiteitsverzoekIn,
) -> IdentiteitsverzoekUit | JSONResponse:
    """Record a request for one betrokkene's identity, with its reason sealed; a logged denial is returned."""
    partner = organisatie(claims)
    basis: dict[str, object] = {"organisatie": partner, "gebruiker": claims.sub}
    intern = await casus_for_referentie(session=session, partner=partner, referentie=referentie)
    casus = None if intern is None else await gateway.intake.casus(intern)
    if casus is None or partner not in casus.partners:
        return await deny(
            session=session, gateway=gateway, request=request, doel=verzoek.doel, casus_id=intern, referentie=referentie,
            vertrouwelijkheid="vertrouwelijk", detail={**basis, "reden": "onbekend_of_niet_gedeeld"},
            probleem=NotFound("Casus niet gevonden."),
        )  # fmt: skip
    nu = datetime.now(UTC)
    beslissing = decide(
        beleid=gateway.beleid, partner_id=partner, doel=verzoek.doel, casus=feiten(casus), nu=nu
    )
    if not _identiteit_toegestaan(beslissing):
        reden = beslissing.geweigerd.get(Categorie.IDENTITEIT)
        code = "niet_in_regel" if reden is None else reden.code.value
        toelichting = "identiteit is niet toegestaan" if reden is None else reden.toelichting
        return await deny(
            session=session, gateway=gateway, request=request, doel=verzoek.doel, casus_id=casus.id, referentie=referentie, beslissing=beslissing,
            vertrouwelijkheid=casus.vertrouwelijkheidaanduiding, detail={**basis, "reden": code},
            probleem=Forbidden(f"Het convenantbeleid staat dit niet toe: {toelichting}", extra={"reden": code}),
        )  # fmt: skip
    betrokkene = next(
        (
            b
            for b in casus.betrokkenen
            if gateway.betrokkene_referentie(partner=partner, betrokkene_id=b.id) == verzoek.betrokkene
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
        reden_verzegeld=seal_reden(
            tekst=verzoek.reden, ontvanger=gateway.eigen_zegel, verzoek_id=verzoek_id, casus_id=casus.id,
            betrokkene_id=betrokkene.id,
        ),
        status=Status.AANGEVRAAGD.value,
        aangevraagd_op=nu,
    )  # fmt: skip
    session.add(rij)
    await session.flush()
    await record(
        session=session, gateway=gateway, request=request,
        actie=Actie.IDENTITEITSVERZOEK, doel=verzoek.doel, grondslag=grondslag_for(gateway=gateway, beslissing=beslissing, doel=verzoek.doel),
        afnemer=None, betrokkenen=[log_pseudoniem], casus_id=casus.id, referentie=referentie,
        vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
        detail={**basis, "verzoekId": str(rij.id), "regelId": beslissing.regel_id}, nu=nu,
    )  # fmt: skip
    return _uit(gateway, rij)


async def _verzoek_van_organisatie(
    *, session: AsyncSession, verzoek_id: UUID, claims: Claims
) -> Identiteitsverzoek:
    partner = organisatie(claims)
    verzoek = await session.get(Identiteitsverzoek, verzoek_id)
    if verzoek is None or verzoek.partner != partner:
        raise NotFound(NIET_GEVONDEN)
    return verzoek


async def approve_identiteitsverzoek(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, verzoek_id: UUID
) -> IdentiteitsverzoekUit | JSONResponse:
    """Approve another person's request of the own organisation (four eyes); approving one's own is a logged denial."""
    verzoek = await _verzoek_van_organisatie(session=session, verzoek_id=verzoek_id, claims=claims)
    basis: dict[str, object] = {
        "organisatie": verzoek.partner,
        "gebruiker": claims.sub,
        "verzoekId": str(verzoek.id),
    }
    if claims.sub == verzoek.aanvrager:
        return await deny(
            session=session, gateway=gateway, request=request, doel=verzoek.doel, casus_id=verzoek.casus_id,
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
    await record(
        session=session, gateway=gateway, request=request,
        actie=Actie.GOEDKEURING, doel=verzoek.doel, grondslag=grondslag_for(gateway=gateway, beslissing=None, doel=verzoek.doel),
        afnemer=None, betrokkenen=[verzoek.betrokkene_log], casus_id=verzoek.casus_id,
        referentie=_referentie(gateway, verzoek), vertrouwelijkheid="vertrouwelijk",
        detail={**basis, "aanvrager": verzoek.aanvrager}, nu=nu,
    )  # fmt: skip
    await session.refresh(verzoek)
    return _uit(gateway, verzoek)


async def read_identiteit(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, verzoek_id: UUID
) -> Identiteit | JSONResponse:
    """Unseal the identity for the requester after approval, the policy deciding again; every denial is logged."""
    verzoek = await _verzoek_van_organisatie(session=session, verzoek_id=verzoek_id, claims=claims)
    basis: dict[str, object] = {
        "organisatie": verzoek.partner,
        "gebruiker": claims.sub,
        "verzoekId": str(verzoek.id),
    }

    async def weiger(
        code: str,
        probleem: Forbidden | NotFound | Conflict | BadGateway,
        *,
        beslissing: Beslissing | None = None,
    ) -> JSONResponse:
        return await deny(
            session=session, gateway=gateway, request=request, doel=verzoek.doel, casus_id=verzoek.casus_id,
            referentie=_referentie(gateway, verzoek), vertrouwelijkheid="vertrouwelijk",
            detail={**basis, "reden": code}, betrokkene=verzoek.betrokkene_log, probleem=probleem, beslissing=beslissing,
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
    beslissing = decide(
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
    await record(
        session=session, gateway=gateway, request=request,
        actie=Actie.ONTZEGELING, doel=verzoek.doel, grondslag=grondslag_for(gateway=gateway, beslissing=beslissing, doel=verzoek.doel),
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
            context=SealContext(signaal_id=casus.id, betrokkene_id=betrokkene_id, veld=VELD_IDENTITEIT),
        )
    except (binascii.Error, SealingError, ValueError) as fout:
        logger.warning("verzegelde identiteit niet te openen (%s)", type(fout).__name__)
        return None
    try:
        velden = decode_identiteit(tekst).velden()
    except SealingError:
        logger.warning("verzegelde identiteit heeft een onverwachte vorm")
        return None
    return velden
