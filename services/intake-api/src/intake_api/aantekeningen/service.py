"""Work notes: on a signal or one of its tracks by the municipality's attention officer, and on a track by a
partner of it (forwarded by the gateway, which has logged it).

Every note goes through the one scrubber with the signal's own people (their scrub marks); the original is
sealed to the gateway. Notes are never edited or deleted by users; the retention purge removes them with the
signal's other sealed data. The attention officer sees every note; a partner reads back only its own
organisation's notes on its tracks, never the municipality's nor another partner's.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.problems import Conflict, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.aantekeningen import schemas
from intake_api.historie import scrub_toelichting, seal_tekst
from intake_api.models import Aantekening, Signaal, Traject
from intake_api.signalen.service import get_signaal
from intake_api.sleutels import Sleutels
from intake_api.tijd import utc
from intake_api.trajecten.service import find_partner_traject


def _weergave(rij: Aantekening) -> schemas.AantekeningWeergave:
    return schemas.AantekeningWeergave(
        id=rij.id, signaal_id=rij.signaal_id, traject_id=rij.traject_id, partner=rij.partner, door=rij.door,
        tekst=rij.tekst, vastgelegd_op=utc(rij.vastgelegd_op),
    )  # fmt: skip


async def _traject(*, session: AsyncSession, signaal: Signaal, traject_id: UUID | None) -> Traject | None:
    """The track of the signal the note is about (404 for one of another signal), or None for the signal."""
    if traject_id is None:
        return None
    traject = await session.get(Traject, traject_id)
    if traject is None or traject.signaal_id != signaal.id:
        raise NotFound("Traject niet gevonden.")
    return traject


async def _store(
    *,
    session: AsyncSession,
    signaal: Signaal,
    traject_id: UUID | None,
    partner: str | None,
    door: str,
    tekst: str,
    sleutels: Sleutels,
    nu: datetime,
) -> Aantekening:
    if signaal.gewist_op is not None:
        # The purge has run and will not run again for this signal: a note now would outlive its period.
        raise Conflict(
            "De bewaartermijn van het signaal is verstreken; er kunnen geen aantekeningen meer bij."
        )
    rij_id = uuid.uuid4()
    rij = Aantekening(
        id=rij_id, signaal_id=signaal.id, traject_id=traject_id, partner=partner, door=door,
        tekst=await scrub_toelichting(session=session, signaal_id=signaal.id, tekst=tekst, sleutels=sleutels),
        tekst_verzegeld=seal_tekst(signaal=signaal, veld=f"aantekening.{rij_id}", tekst=tekst, sleutels=sleutels),
        vastgelegd_op=nu,
    )  # fmt: skip
    session.add(rij)
    await session.flush()
    return rij


async def record_aantekening(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    traject_id: UUID | None,
    gemeente: str | None,
    invoer: schemas.AantekeningInvoer,
    door: str,
    sleutels: Sleutels,
    nu: datetime,
) -> schemas.AantekeningWeergave:
    """The attention officer's note on a signal of the own municipality or on one of its tracks (404
    otherwise; 409 after the retention purge)."""
    signaal = await get_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    traject = await _traject(session=session, signaal=signaal, traject_id=traject_id)
    rij = await _store(
        session=session, signaal=signaal, traject_id=traject.id if traject else None, partner=None, door=door,
        tekst=invoer.tekst, sleutels=sleutels, nu=nu,
    )  # fmt: skip
    return _weergave(rij)


async def list_aantekeningen(
    *, session: AsyncSession, signaal_id: UUID, traject_id: UUID | None, gemeente: str | None
) -> schemas.Aantekeningen:
    """The notes on a signal of the own municipality (`traject_id` None), or on one of its tracks with the
    partners' notes on it, oldest first."""
    signaal = await get_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    traject = await _traject(session=session, signaal=signaal, traject_id=traject_id)
    query = sa.select(Aantekening).where(Aantekening.signaal_id == signaal.id)
    query = query.where(
        Aantekening.traject_id == traject.id if traject is not None else Aantekening.traject_id.is_(None)
    )
    rijen = await session.scalars(query.order_by(Aantekening.vastgelegd_op, Aantekening.id))
    return schemas.Aantekeningen(
        signaal_id=signaal.id,
        traject_id=traject.id if traject is not None else None,
        aantekeningen=[_weergave(r) for r in rijen],
    )


async def _casus(*, session: AsyncSession, signaal_id: UUID) -> Signaal:
    signaal = await session.get(Signaal, signaal_id)
    if signaal is None or signaal.status != "opgeschaald":
        raise NotFound("Casus niet gevonden.")
    return signaal


async def record_partner_aantekening(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    invoer: schemas.PartnerAantekeningInvoer,
    sleutels: Sleutels,
    nu: datetime,
) -> schemas.PartnerAantekeningVastgelegd:
    """A partner's note on its open or running track with this purpose (404 for an unknown case or when the
    partner has no such track)."""
    signaal = await _casus(session=session, signaal_id=signaal_id)
    traject = await find_partner_traject(
        session=session, signaal_id=signaal.id, partner=invoer.partner, doel=invoer.doel
    )
    if traject is None:
        raise NotFound("Casus niet gevonden.")
    rij = await _store(
        session=session, signaal=signaal, traject_id=traject.id, partner=invoer.partner, door=invoer.door,
        tekst=invoer.tekst, sleutels=sleutels, nu=nu,
    )  # fmt: skip
    return schemas.PartnerAantekeningVastgelegd(vastgelegd_op=utc(rij.vastgelegd_op))


async def list_partner_aantekeningen(
    *, session: AsyncSession, signaal_id: UUID, partner: str, doel: str
) -> schemas.PartnerAantekeningen:
    """The partner organisation's own notes on its tracks with this purpose on the case, oldest first; never
    the municipality's or another partner's (404 for an unknown case)."""
    signaal = await _casus(session=session, signaal_id=signaal_id)
    rijen = await session.execute(
        sa.select(Aantekening, Traject.doel)
        .join(Traject, Traject.id == Aantekening.traject_id)
        .where(Aantekening.signaal_id == signaal.id, Aantekening.partner == partner, Traject.doel == doel)
        .order_by(Aantekening.vastgelegd_op, Aantekening.id)
    )
    return schemas.PartnerAantekeningen(
        aantekeningen=[
            schemas.PartnerAantekening(
                door=rij.door, doel=doel_van, tekst=rij.tekst, vastgelegd_op=utc(rij.vastgelegd_op)
            )
            for rij, doel_van in rijen
        ]
    )
