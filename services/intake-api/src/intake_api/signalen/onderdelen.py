"""Reading what hangs off a signal after triage: its tracks (with partners and outcomes), advice questions
(with answers), requests for a follow-on purpose, the consent records of its victims and the supplements to
its description."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.models import (
    Aanvulling,
    Adviesantwoord,
    Adviesvraag,
    Betrokkene,
    Doelverzoek,
    Signaal,
    Terugkoppeling,
    Toestemming,
    Traject,
    TrajectPartner,
)
from intake_api.signalen import schemas
from intake_api.tijd import utc


def geldige_toestemming(toestemmingen: Sequence[Toestemming]) -> Toestemming | None:
    """The victim's valid consent now: the latest record (by when it was recorded), if given and not withdrawn."""
    if not toestemmingen:
        return None
    laatste = max(toestemmingen, key=lambda t: (utc(t.vastgelegd_op), str(t.id)))
    return laatste if laatste.gegeven and laatste.ingetrokken_op is None else None


async def read_toestemmingen(
    *, session: AsyncSession, betrokkene_ids: Iterable[UUID]
) -> dict[UUID, list[Toestemming]]:
    """Per betrokkene, its consent records, oldest first."""
    ids = list(betrokkene_ids)
    per_betrokkene: dict[UUID, list[Toestemming]] = {i: [] for i in ids}
    if not ids:
        return per_betrokkene
    rijen = await session.scalars(
        sa.select(Toestemming)
        .where(Toestemming.betrokkene_id.in_(ids))
        .order_by(Toestemming.vastgelegd_op, Toestemming.id)
    )
    for rij in rijen:
        per_betrokkene[rij.betrokkene_id].append(rij)
    return per_betrokkene


def toestemming_weergave(rij: Toestemming, *, geldig: bool) -> schemas.ToestemmingWeergave:
    return schemas.ToestemmingWeergave(
        id=rij.id,
        betrokkene_id=rij.betrokkene_id,
        gegeven=rij.gegeven,
        datum=rij.datum,
        vastlegging=rij.vastlegging,
        onder16=rij.onder16,
        door_voogd=rij.door_voogd,
        vastgelegd_door=rij.vastgelegd_door,
        vastgelegd_op=utc(rij.vastgelegd_op),
        ingetrokken_op=rij.ingetrokken_op,
        geldig=geldig,
    )


def toestemmingen_weergave(rijen: Sequence[Toestemming]) -> list[schemas.ToestemmingWeergave]:
    geldig = geldige_toestemming(rijen)
    return [toestemming_weergave(r, geldig=geldig is not None and r.id == geldig.id) for r in rijen]


async def read_trajecten(
    *, session: AsyncSession, signaal_ids: Sequence[UUID]
) -> dict[UUID, list[tuple[Traject, list[str]]]]:
    """Per signal, its tracks in order with each track's partners (in the order they were added)."""
    per_signaal: dict[UUID, list[tuple[Traject, list[str]]]] = {i: [] for i in signaal_ids}
    if not signaal_ids:
        return per_signaal
    trajecten = list(
        await session.scalars(
            sa.select(Traject).where(Traject.signaal_id.in_(signaal_ids)).order_by(Traject.volgnummer)
        )
    )
    partners: dict[UUID, list[str]] = defaultdict(list)
    for rij in await session.scalars(
        sa.select(TrajectPartner)
        .where(TrajectPartner.signaal_id.in_(signaal_ids))
        .order_by(TrajectPartner.traject_id, TrajectPartner.volgnummer)
    ):
        partners[rij.traject_id].append(rij.partner)
    for traject in trajecten:
        per_signaal[traject.signaal_id].append((traject, partners[traject.id]))
    return per_signaal


def terugkoppeling_weergave(rij: Terugkoppeling) -> schemas.TerugkoppelingWeergave:
    return schemas.TerugkoppelingWeergave(
        id=rij.id,
        partner=rij.partner,
        doel=rij.doel,
        terugkoppeling=rij.terugkoppeling,
        reden=rij.reden,
        opvangvorm=rij.opvangvorm,
        maatregel=rij.maatregel,
        toelichting=rij.toelichting,
        vastgelegd_op=utc(rij.vastgelegd_op),
    )


def traject_weergave(
    traject: Traject, partners: list[str], terugkoppelingen: Sequence[Terugkoppeling] = ()
) -> schemas.TrajectWeergave:
    return schemas.TrajectWeergave(
        id=traject.id,
        doel=traject.doel,
        status=traject.status,
        partners=list(partners),
        geopend_op=utc(traject.geopend_op),
        geopend_door=traject.geopend_door,
        afgerond_op=utc(traject.afgerond_op) if traject.afgerond_op else None,
        terugkoppelingen=[terugkoppeling_weergave(t) for t in terugkoppelingen],
    )


async def read_trajecten_weergave(
    *, session: AsyncSession, signaal_id: UUID
) -> list[schemas.TrajectWeergave]:
    trajecten = (await read_trajecten(session=session, signaal_ids=[signaal_id]))[signaal_id]
    per_traject: dict[UUID, list[Terugkoppeling]] = defaultdict(list)
    for rij in await session.scalars(
        sa.select(Terugkoppeling)
        .where(Terugkoppeling.signaal_id == signaal_id)
        .order_by(Terugkoppeling.vastgelegd_op, Terugkoppeling.id)
    ):
        per_traject[rij.traject_id].append(rij)
    return [traject_weergave(t, p, per_traject[t.id]) for t, p in trajecten]


async def read_traject_weergave(*, session: AsyncSession, traject: Traject) -> schemas.TrajectWeergave:
    partners = list(
        await session.scalars(
            sa.select(TrajectPartner.partner)
            .where(TrajectPartner.traject_id == traject.id)
            .order_by(TrajectPartner.traject_id, TrajectPartner.volgnummer)
        )
    )
    terugkoppelingen = list(
        await session.scalars(
            sa.select(Terugkoppeling)
            .where(Terugkoppeling.traject_id == traject.id)
            .order_by(Terugkoppeling.vastgelegd_op, Terugkoppeling.id)
        )
    )
    return traject_weergave(traject, partners, terugkoppelingen)


async def read_antwoorden(
    *, session: AsyncSession, vraag_ids: Sequence[UUID]
) -> dict[UUID, list[Adviesantwoord]]:
    per_vraag: dict[UUID, list[Adviesantwoord]] = {i: [] for i in vraag_ids}
    if not vraag_ids:
        return per_vraag
    for rij in await session.scalars(
        sa.select(Adviesantwoord)
        .where(Adviesantwoord.adviesvraag_id.in_(vraag_ids))
        .order_by(Adviesantwoord.gegeven_op, Adviesantwoord.id)
    ):
        per_vraag[rij.adviesvraag_id].append(rij)
    return per_vraag


def adviesvraag_weergave(
    vraag: Adviesvraag, antwoorden: Sequence[Adviesantwoord]
) -> schemas.AdviesvraagWeergave:
    return schemas.AdviesvraagWeergave(
        id=vraag.id,
        signaal_id=vraag.signaal_id,
        gesteld_op=utc(vraag.gesteld_op),
        gesteld_door=vraag.gesteld_door,
        vraag=vraag.vraag,
        experts=list(vraag.experts),
        status=vraag.status,
        antwoorden=[
            schemas.AdviesantwoordWeergave(
                partner=a.partner, gegeven_op=utc(a.gegeven_op), antwoord=a.antwoord
            )
            for a in antwoorden
        ],
    )


async def read_adviesvragen(*, session: AsyncSession, signaal_id: UUID) -> list[schemas.AdviesvraagWeergave]:
    vragen = list(
        await session.scalars(
            sa.select(Adviesvraag)
            .where(Adviesvraag.signaal_id == signaal_id)
            .order_by(Adviesvraag.gesteld_op, Adviesvraag.id)
        )
    )
    antwoorden = await read_antwoorden(session=session, vraag_ids=[v.id for v in vragen])
    return [adviesvraag_weergave(v, antwoorden[v.id]) for v in vragen]


def doelverzoek_weergave(rij: Doelverzoek) -> schemas.DoelverzoekWeergave:
    return schemas.DoelverzoekWeergave(
        id=rij.id,
        partner=rij.partner,
        doel=rij.doel,
        reden=rij.reden,
        status=rij.status,
        ingediend_op=utc(rij.ingediend_op),
        besloten_op=utc(rij.besloten_op) if rij.besloten_op else None,
        traject_id=rij.traject_id,
    )


async def read_doelverzoeken(*, session: AsyncSession, signaal_id: UUID) -> list[schemas.DoelverzoekWeergave]:
    rijen = await session.scalars(
        sa.select(Doelverzoek)
        .where(Doelverzoek.signaal_id == signaal_id)
        .order_by(Doelverzoek.ingediend_op, Doelverzoek.id)
    )
    return [doelverzoek_weergave(r) for r in rijen]


async def read_aanvullingen(*, session: AsyncSession, signaal_id: UUID) -> list[schemas.AanvullingWeergave]:
    rijen = await session.scalars(
        sa.select(Aanvulling)
        .where(Aanvulling.signaal_id == signaal_id)
        .order_by(Aanvulling.vastgelegd_op, Aanvulling.id)
    )
    return [
        schemas.AanvullingWeergave(
            id=r.id, omschrijving=r.omschrijving, door=r.door, vastgelegd_op=utc(r.vastgelegd_op)
        )
        for r in rijen
    ]


MINDERJARIGE_INDICATOR = "minderjarige-betrokken"


def minderjarig_betrokken(signaal: Signaal, betrokkenen: Iterable[Betrokkene]) -> bool:
    """Whether a minor is involved: the signal's indicator, or a betrokkene under 18 (the policy's fact)."""
    return MINDERJARIGE_INDICATOR in signaal.indicatoren or any(
        b.leeftijdsklasse == "<18" for b in betrokkenen
    )


async def minderjarig_per_signaal(*, session: AsyncSession, signalen: Sequence[Signaal]) -> dict[UUID, bool]:
    """`minderjarig_betrokken` for a page of signals, their betrokkenen read at once."""
    per_signaal: dict[UUID, list[Betrokkene]] = defaultdict(list)
    if signalen:
        for betrokkene in await session.scalars(
            sa.select(Betrokkene).where(Betrokkene.signaal_id.in_([s.id for s in signalen]))
        ):
            per_signaal[betrokkene.signaal_id].append(betrokkene)
    return {s.id: minderjarig_betrokken(s, per_signaal[s.id]) for s in signalen}
