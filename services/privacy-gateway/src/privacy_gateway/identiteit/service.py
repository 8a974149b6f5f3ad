"""Identity with four eyes: a partner asks, a different person approves, then the requester may unseal.

A request that is not approved ends otherwise: rejected by an approver with a reason (scrubbed for the
requester, sealed as typed), withdrawn by the requester, or expired when it waited past `verloopt_op`
(recorded by the round in :mod:`privacy_gateway.identiteit.verloop`, or by the first approval, rejection or
withdrawal that finds it expired). Approvers list the requests of their organisation waiting for them (never
their own), requesters their own requests.

The HPKE private keys are used here and nowhere else. Every request, approval, rejection, withdrawal, expiry,
unsealing and denial is written to the verwerkingenlog (:mod:`privacy_gateway.verwerkingen.vastlegging`) before the answer
is produced; a logged denial is returned, a denial that is not logged is raised (the rule is stated there).
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import JSONResponse
from meldroute_common.auth import Claims, Scope
from meldroute_common.beleid import Beslissing, Categorie, decide
from meldroute_common.db import as_utc
from meldroute_common.meldingen import Meldingsoort
from meldroute_common.paginering import CursorCodec
from meldroute_common.problems import BadGateway, Conflict, Forbidden, NotFound, problem_response
from meldroute_common.scrubbing import KnownIdentity, scrub_text
from meldroute_common.sealing import (
    VELD_IDENTITEIT,
    Identiteitsgegevens,
    SealContext,
    SealingError,
    decode_identiteit,
    open_sealed,
)
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.context import Gateway, feiten, organisatie, request_id
from privacy_gateway.identiteit.models import Identiteitsverzoek
from privacy_gateway.identiteit.reden import AFWIJZING, seal_reden
from privacy_gateway.identiteit.schemas import (
    AfwijzingIn,
    Identiteit,
    IdentiteitsverzoekenPagina,
    IdentiteitsverzoekIn,
    IdentiteitsverzoekUit,
    Status,
)
from privacy_gateway.intake.schemas import IntakeCasus
from privacy_gateway.referenties.service import casus_for_referentie, dag, dag_of_none
from privacy_gateway.verwerkingen.vastlegging import (
    Actie,
    deny,
    grondslag_for,
    record,
    record_rows,
    verwerking,
)

__all__ = [
    "approve_identiteitsverzoek",
    "expire_identiteitsverzoek",
    "list_identiteitsverzoeken",
    "read_identiteit",
    "reject_identiteitsverzoek",
    "submit_identiteitsverzoek",
    "withdraw_identiteitsverzoek",
]

logger = logging.getLogger("meldroute.gateway.identiteit")


NIET_GEVONDEN = "Identiteitsverzoek niet gevonden."


def _referentie(gateway: Gateway, verzoek: Identiteitsverzoek) -> UUID:
    return gateway.casus_referentie(partner=verzoek.partner, casus_id=verzoek.casus_id)


def _wacht(verzoek: Identiteitsverzoek, nu: datetime) -> bool:
    """Whether the request still waits for an answer (not answered, not withdrawn, not expired)."""
    return verzoek.status == Status.AANGEVRAAGD.value and nu < as_utc(verzoek.verloopt_op)


def _status(verzoek: Identiteitsverzoek, nu: datetime) -> Status:
    """The stored status, and `verlopen` for a waiting request past its time the round has not yet recorded."""
    if verzoek.status == Status.AANGEVRAAGD.value and not _wacht(verzoek, nu):
        return Status.VERLOPEN
    return Status(verzoek.status)


def _dag(moment: datetime | None) -> date | None:
    return dag_of_none(None if moment is None else as_utc(moment))


def _uit(gateway: Gateway, verzoek: Identiteitsverzoek, nu: datetime | None = None) -> IdentiteitsverzoekUit:
    """The request as its partner sees it: its own references, days instead of moments; never an identity."""
    return IdentiteitsverzoekUit(
        id=verzoek.id,
        casus_id=_referentie(gateway, verzoek),
        betrokkene=gateway.betrokkene_referentie(
            partner=verzoek.partner, betrokkene_id=verzoek.betrokkene_id
        ),
        doel=verzoek.doel,
        aanvrager=verzoek.aanvrager,
        status=_status(verzoek, nu or datetime.now(UTC)),
        aangevraagd_op=dag(as_utc(verzoek.aangevraagd_op)),
        verloopt_op=dag(as_utc(verzoek.verloopt_op)),
        goedgekeurd_op=_dag(verzoek.goedgekeurd_op),
        geldig_tot=_dag(verzoek.geldig_tot),
        afgewezen_op=_dag(verzoek.afgewezen_op),
        afwijzingsreden=verzoek.afwijzing_reden,
        ingetrokken_op=_dag(verzoek.ingetrokken_op),
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
    intern = await casus_for_referentie(
        session=session, partner=partner, referentie=referentie, geheugen=gateway.referenties
    )
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
        verloopt_op=nu + timedelta(hours=gateway.settings.identiteit_verzoek_looptijd_uren),
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
    # The approvers of the organisation hear that something waits (intake delivers; kind and ids only).
    # Before the commit: if intake cannot take it, the request fails whole and nothing is stored.
    await gateway.intake.schedule_melding(
        soort=Meldingsoort.goedkeuring_wacht.value, organisaties=[partner], signaal_id=casus.id
    )
    return _uit(gateway, rij, nu)


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

    def waarden(verzoek: Identiteitsverzoek, nu: datetime) -> dict[str, object]:
        geldig_tot = nu + timedelta(hours=gateway.settings.identiteit_geldigheid_uren)
        return {"status": Status.GOEDGEKEURD.value, "goedgekeurd_door": claims.sub, "goedgekeurd_op": nu,
                "geldig_tot": geldig_tot}  # fmt: skip

    return await _beantwoord(
        session=session, gateway=gateway, request=request, claims=claims, verzoek_id=verzoek_id,
        antwoord=_Antwoord(
            actie=Actie.GOEDKEURING, door_aanvrager=False, weigering="eigen_verzoek",
            melding="Een identiteitsverzoek moet door een ander worden goedgekeurd (vier ogen).",
        ),
        waarden=waarden, detail=lambda verzoek, _vorige: {"aanvrager": verzoek.aanvrager},
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Antwoord:
    """One answer to a request: what it logs, who may give it, and the refusal of anyone else."""

    actie: str  # an `Actie`
    #: True: only the requester may give it (withdrawal); False: anyone of the organisation but them (four eyes).
    door_aanvrager: bool
    weigering: str
    melding: str
    #: The requests it applies to at a moment (by default those still waiting).
    voorwaarde: Callable[[datetime], sa.ColumnElement[bool]] | None = None
    #: When set: the answer applies to a valid approval too, and this is the conflict once it has lapsed.
    goedkeuring_verlopen: str | None = None


async def _beantwoord(
    *,
    session: AsyncSession,
    gateway: Gateway,
    request: Request,
    claims: Claims,
    verzoek_id: UUID,
    antwoord: _Antwoord,
    waarden: Callable[[Identiteitsverzoek, datetime], dict[str, object]],
    detail: Callable[[Identiteitsverzoek, str], dict[str, object]],
) -> IdentiteitsverzoekUit | JSONResponse:
    """Load the organisation's request, check who answers, write the answer if the request still allows it (one
    conditional update: of two answers at the same moment only one succeeds, never after expiry, and a request
    found expired is recorded so) and log it. `detail` gets the request and its status before the answer."""
    verzoek = await _verzoek_van_organisatie(session=session, verzoek_id=verzoek_id, claims=claims)
    basis: dict[str, object] = {
        "organisatie": verzoek.partner,
        "gebruiker": claims.sub,
        "verzoekId": str(verzoek.id),
    }
    if (claims.sub == verzoek.aanvrager) != antwoord.door_aanvrager:
        return await deny(
            session=session, gateway=gateway, request=request, doel=verzoek.doel, casus_id=verzoek.casus_id,
            referentie=_referentie(gateway, verzoek), vertrouwelijkheid="vertrouwelijk",
            detail={**basis, "reden": antwoord.weigering}, betrokkene=verzoek.betrokkene_log,
            probleem=Forbidden(antwoord.melding),
        )  # fmt: skip
    nu = datetime.now(UTC)
    vorige = verzoek.status
    voorwaarde = antwoord.voorwaarde or _wachtend
    bijgewerkt = await session.execute(
        sa.update(Identiteitsverzoek)
        .where(Identiteitsverzoek.id == verzoek.id, voorwaarde(nu))
        .values(**waarden(verzoek, nu))
        .execution_options(synchronize_session=False)
    )
    if getattr(bijgewerkt, "rowcount", 0) != 1:
        if antwoord.goedkeuring_verlopen is not None:
            await session.refresh(verzoek)
            if verzoek.status == Status.GOEDGEKEURD.value:
                raise Conflict(antwoord.goedkeuring_verlopen)
        return await _niet_meer_open(
            session=session, gateway=gateway, request=request, verzoek=verzoek, nu=nu
        )
    await record(
        session=session, gateway=gateway, request=request,
        actie=antwoord.actie, doel=verzoek.doel, grondslag=grondslag_for(gateway=gateway, beslissing=None, doel=verzoek.doel),
        afnemer=None, betrokkenen=[verzoek.betrokkene_log], casus_id=verzoek.casus_id,
        referentie=_referentie(gateway, verzoek), vertrouwelijkheid="vertrouwelijk",
        detail={**basis, **detail(verzoek, vorige)}, nu=nu,
    )  # fmt: skip
    await session.refresh(verzoek)
    return _uit(gateway, verzoek, nu)


def _wachtend(nu: datetime) -> sa.ColumnElement[bool]:
    """The condition of a request that still waits at `nu`: only such a request may be answered."""
    return sa.and_(Identiteitsverzoek.status == Status.AANGEVRAAGD.value, Identiteitsverzoek.verloopt_op > nu)


_AFGEHANDELD = {
    Status.GOEDGEKEURD: "Het verzoek is al goedgekeurd.",
    Status.AFGEWEZEN: "Het verzoek is afgewezen.",
    Status.INGETROKKEN: "Het verzoek is ingetrokken.",
    Status.VERLOPEN: "Het verzoek is verlopen; dien zo nodig een nieuw verzoek in.",
}


async def _niet_meer_open(
    *, session: AsyncSession, gateway: Gateway, request: Request, verzoek: Identiteitsverzoek, nu: datetime
) -> JSONResponse:
    """409 for a request that no longer waits; one found expired is first recorded as expired (and logged).

    The expiry is returned, not raised, so its row commits; any other state is a conflict that writes nothing.
    """
    await session.refresh(verzoek)
    if verzoek.status == Status.AANGEVRAAGD.value:
        await expire_identiteitsverzoek(
            session=session, gateway=gateway, verzoek=verzoek, nu=nu, request_id=request_id(request)
        )
        await session.refresh(verzoek)
    probleem = Conflict(
        _AFGEHANDELD.get(_status(verzoek, nu), "Het verzoek wacht niet meer op een antwoord.")
    )
    if verzoek.status == Status.VERLOPEN.value:
        return problem_response(probleem, request_id=request_id(request))
    raise probleem


async def expire_identiteitsverzoek(
    *, session: AsyncSession, gateway: Gateway, verzoek: Identiteitsverzoek, nu: datetime, request_id: str
) -> bool:
    """Record a waiting request past `verloopt_op` as expired, with its verwerkingenlog row; False if it was not.

    Conditional, so of two rounds (or a round and an answer) only one records it, and it is logged once.
    """
    bijgewerkt = await session.execute(
        sa.update(Identiteitsverzoek)
        .where(
            Identiteitsverzoek.id == verzoek.id,
            Identiteitsverzoek.status == Status.AANGEVRAAGD.value,
            Identiteitsverzoek.verloopt_op <= nu,
        )
        .values(status=Status.VERLOPEN.value, verlopen_op=nu)
        .execution_options(synchronize_session=False)
    )
    if getattr(bijgewerkt, "rowcount", 0) != 1:
        return False
    await record_rows(
        session=session,
        logboek=gateway.logboek,
        verwerkingen=[
            verwerking(
                actie=Actie.VERLOOP, doel=verzoek.doel,
                grondslag=grondslag_for(gateway=gateway, beslissing=None, doel=verzoek.doel), afnemer=None,
                betrokkene=verzoek.betrokkene_log, vertrouwelijkheid="vertrouwelijk",
                bewaartermijn=gateway.settings.verwerkingen_bewaartermijn, tijdstip=nu, request_id=request_id,
                casus_id=str(verzoek.casus_id),
                detail={
                    "organisatie": verzoek.partner, "verzoekId": str(verzoek.id), "aanvrager": verzoek.aanvrager,
                    "verlooptOp": as_utc(verzoek.verloopt_op).isoformat(),
                    "casusReferentie": str(_referentie(gateway, verzoek)),
                },
            )
        ],
    )  # fmt: skip
    return True


async def reject_identiteitsverzoek(
    *,
    session: AsyncSession,
    gateway: Gateway,
    request: Request,
    claims: Claims,
    verzoek_id: UUID,
    afwijzing: AfwijzingIn,
) -> IdentiteitsverzoekUit | JSONResponse:
    """Reject another person's waiting request of the own organisation with a reason (four eyes, like approval).

    The reason is kept scrubbed for the requester and sealed as typed; rejecting one's own is a logged denial.
    The approver may know the person from elsewhere: the case's own people are unsealed (here, never passed on)
    so that their names, address and birth date in the reason are replaced too, not only what has a shape.
    """
    verzoek = await _verzoek_van_organisatie(session=session, verzoek_id=verzoek_id, claims=claims)
    geschoond = scrub_text(afwijzing.reden, known=await _bekende_personen(gateway, verzoek.casus_id))

    def waarden(verzoek: Identiteitsverzoek, nu: datetime) -> dict[str, object]:
        verzegeld = seal_reden(
            tekst=afwijzing.reden, ontvanger=gateway.eigen_zegel, verzoek_id=verzoek.id, casus_id=verzoek.casus_id,
            betrokkene_id=verzoek.betrokkene_id, soort=AFWIJZING,
        )  # fmt: skip
        return {"status": Status.AFGEWEZEN.value, "afgewezen_door": claims.sub, "afgewezen_op": nu,
                "afwijzing_reden": geschoond.text, "afwijzing_reden_verzegeld": verzegeld}  # fmt: skip

    return await _beantwoord(
        session=session, gateway=gateway, request=request, claims=claims, verzoek_id=verzoek_id,
        antwoord=_Antwoord(
            actie=Actie.AFWIJZING, door_aanvrager=False, weigering="eigen_verzoek",
            melding="Een identiteitsverzoek moet door een ander worden afgewezen (vier ogen).",
        ),
        waarden=waarden,
        detail=lambda verzoek, _vorige: {"aanvrager": verzoek.aanvrager, "vervangen": geschoond.total},
    )  # fmt: skip


async def _bekende_personen(gateway: Gateway, casus_id: UUID) -> tuple[KnownIdentity, ...]:
    """The identities of the case's betrokkenen, for the scrubber only; none when the case is gone."""
    casus = await gateway.intake.casus(casus_id)
    if casus is None:
        return ()
    bekend: list[KnownIdentity] = []
    for betrokkene in casus.betrokkenen:
        if betrokkene.identiteit_verzegeld is None:
            continue
        velden = _ontzegel(
            gateway, casus=casus, betrokkene_id=betrokkene.id, blob=betrokkene.identiteit_verzegeld
        )
        if velden is None:
            continue
        identiteit = Identiteitsgegevens.model_validate(velden)
        bekend.append(
            KnownIdentity(
                names=(identiteit.naam,) if identiteit.naam else (), address=identiteit.adres,
                birth_date=identiteit.geboortedatum, bsn=identiteit.bsn, phone=identiteit.telefoon,
            )
        )  # fmt: skip
    return tuple(bekend)


def _intrekbaar(nu: datetime) -> sa.ColumnElement[bool]:
    """A request its requester may still withdraw: waiting, or approved and still valid."""
    return sa.or_(
        _wachtend(nu),
        sa.and_(Identiteitsverzoek.status == Status.GOEDGEKEURD.value, Identiteitsverzoek.geldig_tot > nu),
    )


async def withdraw_identiteitsverzoek(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, verzoek_id: UUID
) -> IdentiteitsverzoekUit | JSONResponse:
    """The requester withdraws their request, waiting or approved and still valid; anyone else is a logged denial.

    A withdrawn approval can no longer be used to unseal the identity.
    """
    return await _beantwoord(
        session=session, gateway=gateway, request=request, claims=claims, verzoek_id=verzoek_id,
        antwoord=_Antwoord(
            actie=Actie.INTREKKING, door_aanvrager=True, weigering="niet_de_aanvrager",
            melding="Alleen de aanvrager kan het verzoek intrekken.", voorwaarde=_intrekbaar,
            goedkeuring_verlopen="De goedkeuring is verlopen; er is niets meer in te trekken.",
        ),
        waarden=lambda _verzoek, nu: {"status": Status.INGETROKKEN.value, "ingetrokken_op": nu},
        detail=lambda _verzoek, vorige: {"vorigeStatus": vorige},
    )  # fmt: skip


#: Pages of the list follow the moment of the request, then its id (oldest first: a queue).
_CURSOR = CursorCodec(velden=(datetime, UUID))


async def list_identiteitsverzoeken(
    *, session: AsyncSession, gateway: Gateway, claims: Claims, page_size: int, cursor: str | None
) -> IdentiteitsverzoekenPagina:
    """The requests of the caller's organisation the caller may see, oldest first.

    With `identiteit:goedkeuren`: those of others that wait for approval (never the caller's own, never an
    expired one). With `identiteit:verzoeken`: the caller's own, in every state. With both: both.
    """
    partner = organisatie(claims)
    nu = datetime.now(UTC)
    zichtbaar: list[sa.ColumnElement[bool]] = []
    if Scope.identiteit_verzoeken.value in claims.scopes:
        zichtbaar.append(Identiteitsverzoek.aanvrager == claims.sub)
    if Scope.identiteit_goedkeuren.value in claims.scopes:
        zichtbaar.append(sa.and_(Identiteitsverzoek.aanvrager != claims.sub, _wachtend(nu)))
    query = sa.select(Identiteitsverzoek).where(Identiteitsverzoek.partner == partner, sa.or_(*zichtbaar))
    if cursor is not None:
        na_moment, na_id = _CURSOR.decode(cursor)
        query = query.where(
            sa.or_(
                Identiteitsverzoek.aangevraagd_op > na_moment,
                sa.and_(Identiteitsverzoek.aangevraagd_op == na_moment, Identiteitsverzoek.id > na_id),
            )
        )
    query = query.order_by(Identiteitsverzoek.aangevraagd_op, Identiteitsverzoek.id).limit(page_size + 1)
    rijen = list(await session.scalars(query))
    volgende = None
    if len(rijen) > page_size:
        rijen = rijen[:page_size]
        volgende = _CURSOR.encode(as_utc(rijen[-1].aangevraagd_op), rijen[-1].id)
    return IdentiteitsverzoekenPagina(
        identiteitsverzoeken=[_uit(gateway, rij, nu) for rij in rijen], volgende=volgende
    )


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
        status = _status(verzoek, datetime.now(UTC))
        melding = (
            "Het verzoek is nog niet goedgekeurd." if status == Status.AANGEVRAAGD else _AFGEHANDELD[status]
        )
        return await weiger("niet_goedgekeurd", Conflict(melding))
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
