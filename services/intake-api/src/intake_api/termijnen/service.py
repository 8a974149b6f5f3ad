"""Stored deadlines: opened and closed where a signal changes status or a partner reports an outcome, shown on
the signal, filtered and sorted on in the queue, and marked passed once by a round inside the service.

    sync_status_termijnen(...)        after every status change (historie.record_wijziging, the decision)
    nieuwe_status_termijnen(...)      a new signal's first deadlines, written with its other rows (signalen)
    open_traject_termijnen(...)       after an outcome on a track (terugkoppelingen)
    sluit_traject_termijnen(...)      when a track is completed (trajecten)
    markeer_verstreken_termijnen(...) the round: each passed deadline marked once, one outbox event each
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Literal
from uuid import UUID

import sqlalchemy as sa
from fastapi import FastAPI
from meldroute_common.catalogus import Catalogus
from meldroute_common.gebeurtenissen import gebeurtenismodellen, maand_van
from meldroute_common.meldingen import Meldingsoort
from meldroute_common.paginering import CursorCodec, ongeldige_cursor
from meldroute_common.taken import start_periodic
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake_api.meldingen.service import meld
from intake_api.models import OutboxGebeurtenis, Signaal, Termijn
from intake_api.termijnen.beleid import Termijnbeleid, Termijnregel, actief_termijnbeleid
from intake_api.termijnen.rekenen import datum_in_nederland, verlopen_vanaf, vervaldatum
from intake_api.termijnen.schemas import TermijnStatus, TermijnWeergave
from intake_api.tijd import nu as klok
from intake_api.tijd import utc

log = logging.getLogger("intake_api.termijnen")

#: The queue's `termijn` filter, and its `sorteer` values.
TermijnFilter = Literal["verlopen", "lopend"]
Sortering = Literal["ontvangen", "termijn"]

__all__ = [
    "markeer_verstreken_termijnen",
    "nieuwe_status_termijnen",
    "open_traject_termijnen",
    "read_termijnen_weergave",
    "sluit_traject_termijnen",
    "start_termijnentaak",
    "sync_status_termijnen",
    "termijn_status",
    "termijnen_weergave",
]


def _nieuw(*, signaal_id: UUID, traject_id: UUID | None, regel: Termijnregel, nu: datetime) -> Termijn:
    vervalt = vervaldatum(datum_in_nederland(nu), aantal=regel.aantal, eenheid=regel.eenheid)
    return Termijn(
        id=uuid.uuid4(), signaal_id=signaal_id, traject_id=traject_id, soort=regel.soort, gestart_op=nu,
        vervalt_op=vervalt, verlopen_vanaf=verlopen_vanaf(vervalt), gesloten_op=None, verstreken=False,
    )  # fmt: skip


async def _open(*, session: AsyncSession, signaal_id: UUID, traject_id: UUID | None) -> dict[str, Termijn]:
    vraag = sa.select(Termijn).where(Termijn.signaal_id == signaal_id, Termijn.gesloten_op.is_(None))
    vraag = vraag.where(
        Termijn.traject_id.is_(None) if traject_id is None else Termijn.traject_id == traject_id
    )
    return {t.soort: t for t in await session.scalars(vraag)}


def nieuwe_status_termijnen(
    *, signaal_id: UUID, status: str, nu: datetime, beleid: Termijnbeleid | None = None
) -> list[Termijn]:
    """The status deadlines a signal recorded now with `status` opens, not added to any session: what
    `sync_status_termijnen` opens for a signal without deadlines, for a caller that writes its rows itself
    (recording a signal)."""
    beleid = beleid or actief_termijnbeleid()
    return [
        _nieuw(signaal_id=signaal_id, traject_id=None, regel=regel, nu=nu)
        for regel in beleid.bij_status()
        if regel.statussen is not None and status in regel.statussen
    ]


async def sync_status_termijnen(
    *, session: AsyncSession, signaal: Signaal, nu: datetime, beleid: Termijnbeleid | None = None
) -> None:
    """Open the status deadlines the signal's status now calls for and close those it no longer does: a deadline
    runs from entering one of its statuses until leaving all of them (from ontvangen to a final decision, say)."""
    beleid = beleid or actief_termijnbeleid()
    lopend = await _open(session=session, signaal_id=signaal.id, traject_id=None)
    for regel in beleid.bij_status():
        assert regel.statussen is not None
        termijn = lopend.get(regel.soort)
        if signaal.status in regel.statussen and termijn is None:
            session.add(_nieuw(signaal_id=signaal.id, traject_id=None, regel=regel, nu=nu))
        elif signaal.status not in regel.statussen and termijn is not None:
            termijn.gesloten_op = nu
    await session.flush()


async def open_traject_termijnen(
    *,
    session: AsyncSession,
    signaal: Signaal,
    traject_id: UUID,
    terugkoppeling: str,
    nu: datetime,
    beleid: Termijnbeleid | None = None,
) -> None:
    """Open the deadlines an outcome starts on a track (COSM bedenktijd after opvang_geregeld), once per track."""
    beleid = beleid or actief_termijnbeleid()
    regels = beleid.na_terugkoppeling(terugkoppeling)
    if not regels:
        return
    al = set(
        await session.scalars(
            sa.select(Termijn.soort).where(Termijn.traject_id == traject_id, Termijn.signaal_id == signaal.id)
        )
    )
    session.add_all(
        _nieuw(signaal_id=signaal.id, traject_id=traject_id, regel=r, nu=nu)
        for r in regels
        if r.soort not in al
    )
    await session.flush()


async def sluit_traject_termijnen(*, session: AsyncSession, traject_id: UUID, nu: datetime) -> None:
    """Close the open deadlines of a completed track."""
    await session.execute(
        sa.update(Termijn)
        .where(Termijn.traject_id == traject_id, Termijn.gesloten_op.is_(None))
        .values(gesloten_op=nu)
        .execution_options(synchronize_session=False)
    )


def termijn_status(termijn: Termijn, *, nu: datetime) -> TermijnStatus:
    grens = utc(termijn.verlopen_vanaf)
    if termijn.gesloten_op is not None:
        return "gehaald" if utc(termijn.gesloten_op) < grens else "verlopen"
    return "verlopen" if termijn.verstreken or nu >= grens else "lopend"


async def read_termijnen_weergave(
    *, session: AsyncSession, signaal_id: UUID, nu: datetime
) -> list[TermijnWeergave]:
    rijen = await session.scalars(
        sa.select(Termijn)
        .where(Termijn.signaal_id == signaal_id)
        .order_by(Termijn.vervalt_op, Termijn.gestart_op)
    )
    return termijnen_weergave(rijen, nu=nu)


def termijnen_weergave(termijnen: Iterable[Termijn], *, nu: datetime) -> list[TermijnWeergave]:
    """The deadlines as the signal shows them, in the order given (`read_termijnen_weergave`: by due date)."""
    return [
        TermijnWeergave(
            soort=t.soort, traject_id=t.traject_id, gestart_op=utc(t.gestart_op), vervalt_op=t.vervalt_op,
            gesloten_op=utc(t.gesloten_op) if t.gesloten_op else None, status=termijn_status(t, nu=nu),
        )
        for t in termijnen
    ]  # fmt: skip


# --- the queue -------------------------------------------------------------------------------------------


def open_termijnen(*, nu: datetime, verlopen: bool | None) -> sa.ColumnElement[bool]:
    """The signal has an open deadline: any (None), one past its due date (True) or one not yet past (False)."""
    voorwaarden = [Termijn.signaal_id == Signaal.id, Termijn.gesloten_op.is_(None)]
    if verlopen is True:
        voorwaarden.append(Termijn.verlopen_vanaf <= nu)
    elif verlopen is False:
        voorwaarden.append(Termijn.verlopen_vanaf > nu)
    return sa.exists().where(*voorwaarden)


def eerste_vervaldag() -> sa.ScalarSelect[datetime]:
    """The moment the signal's earliest open deadline is overdue (null without one): the queue's `sorteer=termijn`."""
    return (
        sa.select(sa.func.min(Termijn.verlopen_vanaf))
        .where(Termijn.signaal_id == Signaal.id, Termijn.gesloten_op.is_(None))
        .scalar_subquery()
    )


# --- the round -------------------------------------------------------------------------------------------


async def markeer_verstreken_termijnen(
    *, session: AsyncSession, nu: datetime, catalogus: Catalogus
) -> list[Termijn]:
    """Mark every deadline that passed (open past its due date, or closed after it) and not yet marked, and add
    one anonymous `termijn_verstreken` event per deadline to the outbox, in the caller's transaction.

    The mark is a conditional update (`WHERE NOT verstreken`), so of two rounds at once each deadline is marked,
    reported and notified (`termijn.verstreken` to the municipality's subscriptions) by one."""
    kandidaten = (
        sa.select(Termijn.id)
        .where(
            Termijn.verstreken.is_(False),
            Termijn.verlopen_vanaf <= nu,
            sa.or_(Termijn.gesloten_op.is_(None), Termijn.gesloten_op >= Termijn.verlopen_vanaf),
        )
        .order_by(Termijn.verlopen_vanaf, Termijn.id)
    )
    ids = list(await session.scalars(kandidaten))
    if not ids:
        return []
    gemarkeerd = set(
        (
            await session.execute(
                sa.update(Termijn)
                .where(Termijn.id.in_(ids), Termijn.verstreken.is_(False))
                .values(verstreken=True)
                .returning(Termijn.id)
                .execution_options(synchronize_session=False)
            )
        ).scalars()
    )
    rijen = list(
        await session.execute(
            sa.select(Termijn, Signaal.gemeente_code)
            .join(Signaal, Signaal.id == Termijn.signaal_id)
            .where(Termijn.id.in_(gemarkeerd))
            .order_by(Termijn.verlopen_vanaf, Termijn.id)
            .execution_options(populate_existing=True)
        )
    )
    model, _ = gebeurtenismodellen(catalogus)
    for termijn, gemeente in rijen:
        # The month it passed: the first day it was overdue, in the Netherlands.
        gebeurtenis = model.model_validate(
            {
                "id": str(uuid.uuid4()), "type": "termijn_verstreken", "gemeenteCode": gemeente,
                "maand": maand_van(datum_in_nederland(utc(termijn.verlopen_vanaf))), "termijn": termijn.soort,
            }
        )  # fmt: skip
        session.add(
            OutboxGebeurtenis(
                id=gebeurtenis.id,
                gebeurtenis=gebeurtenis.model_dump(mode="json", by_alias=True, exclude_none=True),
                aangemaakt_op=nu,
                pogingen=0,
            )
        )
        # The municipality's subscribers hear that a deadline passed (the kind and the signal's id only).
        await meld(
            session=session, soort=Meldingsoort.termijn_verstreken, organisaties=[gemeente],
            onderwerp=termijn.signaal_id, nu=nu,
        )  # fmt: skip
    await session.flush()
    return [termijn for termijn, _ in rijen]


async def mark_passed(
    *, maker: async_sessionmaker[AsyncSession], catalogus: Catalogus, moment: datetime | None = None
) -> int:
    """One round in its own transaction; the number of deadlines marked."""
    async with maker() as session, session.begin():
        gemarkeerd = await markeer_verstreken_termijnen(
            session=session, nu=moment or klok(), catalogus=catalogus
        )
    if gemarkeerd:
        log.info("termijnen verstreken", extra={"termijnen": len(gemarkeerd)})
    return len(gemarkeerd)


async def start_termijnentaak(app: FastAPI) -> Callable[[], Awaitable[None]] | None:
    """Start-up hook: mark passed deadlines at start and then every `termijnen_interval_seconden`."""
    settings = app.state.settings
    if not settings.termijnen_taak_aan:
        return None
    return start_periodic(
        name="termijnen",
        round=lambda: mark_passed(maker=app.state.sessionmaker, catalogus=app.state.catalogus),
        interval_seconds=settings.termijnen_interval_seconden,
        log=log,
        failure="termijnen markeren mislukt; volgende poging bij de volgende ronde",
    )


#: The position after the last row of a page sorted by deadline: the tag, its earliest overdue moment and id. A
#: cursor of the default order (two fields) is refused here, and this one there: 400 naming `cursor`.
TERMIJN_CURSOR = CursorCodec(velden=(str, datetime, UUID))
_TAG = "termijn"


def filter_op_termijn(
    query: sa.Select[Signaal], *, termijn: TermijnFilter | None, nu: datetime
) -> sa.Select[Signaal]:
    """The queue's `termijn`: signals with an open deadline past its due date (`verlopen`) or one not yet past
    (`lopend`); a signal may be both."""
    if termijn is None:
        return query
    return query.where(open_termijnen(nu=nu, verlopen=termijn == "verlopen"))


async def signalen_op_termijn(
    *, session: AsyncSession, query: sa.Select[Signaal], page_size: int, cursor: str | None
) -> tuple[list[Signaal], str | None]:
    """One page of `query` sorted by earliest due open deadline first (then id), keyset-paginated; signals without an
    open deadline are not in this order (they have nothing due)."""
    eerste = eerste_vervaldag()
    query = query.where(eerste.is_not(None))
    if cursor is not None:
        tag, na_moment, na_id = TERMIJN_CURSOR.decode(cursor)
        if tag != _TAG:
            raise ongeldige_cursor()
        moment = sa.literal(na_moment, Termijn.verlopen_vanaf.type)
        query = query.where(
            sa.or_(
                eerste > moment, sa.and_(eerste == moment, Signaal.id > sa.literal(na_id, Signaal.id.type))
            )
        )
    vraag = query.add_columns(eerste.label("eerste")).order_by(eerste, Signaal.id).limit(page_size + 1)
    rijen = [(s, utc(m)) for s, m in await session.execute(vraag)]
    if len(rijen) <= page_size:
        return [s for s, _ in rijen], None
    rijen = rijen[:page_size]
    laatste, moment_laatste = rijen[-1]
    return [s for s, _ in rijen], TERMIJN_CURSOR.encode(_TAG, moment_laatste, laatste.id)
