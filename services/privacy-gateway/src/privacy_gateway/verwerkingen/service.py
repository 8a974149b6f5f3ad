"""Appending to, reading and verifying the verwerkingenlog.

Appends are serialised on the head row (``verwerkingen_kop``, one row): the first statement of an
append is an ``UPDATE ... RETURNING`` on it, which takes a row lock on PostgreSQL (a concurrent
appender waits, then reads the new head under READ COMMITTED) and the database write lock on SQLite.
So each append sees the real previous row, the chain stays linear without retries, and only
appenders wait for each other (readers and other writes do not). An advisory lock would be
PostgreSQL-only, and SERIALIZABLE with retries would have to repeat whole requests, intake calls
included.

Rows are written in the caller's transaction, before the caller produces a response: if the row
cannot be written, the request fails with 503 and its transaction (and anything it would have
disclosed) is discarded.

Every ``checkpoint_interval`` rows the head is signed (:mod:`.checkpoints`) and stored as a checkpoint
in the same transaction; once that transaction has committed, the checkpoint is also appended to the
witness (:mod:`.getuige`), if one is configured.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from meldroute_common.db import as_utc
from meldroute_common.paginering import CursorCodec
from meldroute_common.problems import ServiceUnavailable
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session as SyncSession

from privacy_gateway.verwerkingen.checkpoints import Checkpoint, CheckpointFout, Ondertekening
from privacy_gateway.verwerkingen.getuige import Getuige
from privacy_gateway.verwerkingen.keten import (
    GENESIS_HASH,
    KetenFout,
    KetenFoutSoort,
    KetenRij,
    Ketensleutels,
    Verificatie,
    Verwerking,
    canonieke_json,
    nieuwe_rij,
    normalise,
    verify_chain,
)
from privacy_gateway.verwerkingen.models import VerwerkingenCheckpoint, VerwerkingenKop, VerwerkingRij

__all__ = [
    "KOP_ID",
    "LOG_NIET_BESCHIKBAAR",
    "Kopstand",
    "Logboek",
    "Verslag",
    "VerwerkingenFilter",
    "ensure_head",
    "read_checkpoints",
    "read_head_ahead",
    "read_verwerkingen",
    "rechain_old_rows",
    "rij_velden",
    "rows_for_betrokkene",
    "verify_log",
    "write_verwerkingen",
]

log = logging.getLogger("meldroute.gateway.verwerkingen")

KOP_ID = 1
LOG_NIET_BESCHIKBAAR = "Het verwerkingenlog kan niet worden bijgewerkt; er is niets verstrekt."
_VERIFICATIE_BATCH = 1000
_GETUIGE_WACHTRIJ = "meldroute.getuige.wachtrij"


@dataclass(frozen=True, slots=True, kw_only=True)
class Logboek:
    """The keys and the witness of the verwerkingenlog, loaded at start-up from files outside the database."""

    sleutels: Ketensleutels
    ondertekening: Ondertekening
    getuige: Getuige | None = None
    checkpoint_interval: int = 100
    checkpoint_seconden: int = 0
    """Also sign the head at an append when the last checkpoint is older than this (0: only by count)."""


async def ensure_head(*, session: AsyncSession) -> None:
    """Create the head row of an empty log. A missing head over a non-empty log is left alone (fail closed)."""
    bestaat = await session.scalar(sa.select(sa.func.count()).select_from(VerwerkingenKop))
    if bestaat:
        return
    rijen = await session.scalar(sa.select(sa.func.count()).select_from(VerwerkingRij))
    if rijen:
        log.error("het verwerkingenlog heeft rijen maar geen kop; schrijven wordt geweigerd")
        return
    session.add(VerwerkingenKop(id=KOP_ID, volgnummer=0, hash=GENESIS_HASH))
    await session.flush()


@dataclass(frozen=True, slots=True)
class Kopstand:
    """The head as read ahead of an append, without its lock, and when the last checkpoint was signed.

    Read while the caller waits for something else (a disclosure: intake's answer). The append then
    moves the head only if it is still this one; if another append came first, it takes the head's lock
    and reads it again. Checkpoints are only written by appends, so while the head is unchanged the last
    checkpoint's time is too.
    """

    volgnummer: int
    hash: str
    laatste_checkpoint: datetime | None


# Core statements on the tables: the ORM's bulk paths cost more than the append itself.
_KOP = cast(sa.Table, VerwerkingenKop.__table__)
_RIJEN = cast(sa.Table, VerwerkingRij.__table__)
_CHECKPOINTS = cast(sa.Table, VerwerkingenCheckpoint.__table__)
_LAATSTE_CHECKPOINT = sa.select(_CHECKPOINTS.c.tijdstip).order_by(_CHECKPOINTS.c.volgnummer.desc()).limit(1)
_KOP_VOORUIT = sa.select(
    _KOP.c.volgnummer, _KOP.c.hash, _LAATSTE_CHECKPOINT.scalar_subquery().label("laatste")
).where(_KOP.c.id == KOP_ID)
#: Moves the head only if it is still the one read ahead (it then holds the head's lock like the locking read).
_KOP_VERPLAATSEN = (
    sa.update(_KOP)
    .where(
        _KOP.c.id == KOP_ID,
        _KOP.c.volgnummer == sa.bindparam("oud_volgnummer"),
        _KOP.c.hash == sa.bindparam("oude_hash"),
    )
    .values(volgnummer=sa.bindparam("nieuw_volgnummer"), hash=sa.bindparam("nieuwe_hash"))
)
#: A no-op update that locks the head and returns it: the first statement of a locking append.
_KOP_VERGRENDELEN = (
    sa.update(_KOP)
    .where(_KOP.c.id == KOP_ID)
    .values(volgnummer=_KOP.c.volgnummer)
    .returning(_KOP.c.volgnummer, _KOP.c.hash)
)


#: The columns of a row as :func:`_kolommen` gives them, in the order of the statement below.
_PG_KOLOMMEN: tuple[str, ...] = (
    "volgnummer", "actie", "verwerkingsactiviteit", "doel", "grondslag", "afnemer", "betrokkene",
    "vertrouwelijkheid", "bewaartermijn", "tijdstip", "request_id", "casus_id", "detail", "vorige_hash",
    "hash", "sleutel_id",
)  # fmt: skip
#: On PostgreSQL, moving the head read ahead and inserting the rows after it in one statement: the rows
#: are inserted only when the head was still the one read (the update then holds the head's lock, as the
#: two statements did); no row returned means another append came first. The rows travel as one array
#: per column.
_KOP_VERPLAATSEN_EN_INVOEGEN_PG = sa.text(
    """
    WITH kop AS (
        UPDATE verwerkingen_kop SET volgnummer = :nieuw_volgnummer, hash = :nieuwe_hash
        WHERE id = 1 AND volgnummer = :oud_volgnummer AND hash = :oude_hash
        RETURNING id
    )
    INSERT INTO verwerkingen (
        volgnummer, actie, verwerkingsactiviteit, doel, grondslag, afnemer, betrokkene, vertrouwelijkheid,
        bewaartermijn, tijdstip, request_id, casus_id, detail, vorige_hash, hash, sleutel_id
    )
    SELECT
        r.volgnummer, r.actie, r.verwerkingsactiviteit, r.doel, r.grondslag, r.afnemer, r.betrokkene,
        r.vertrouwelijkheid, r.bewaartermijn, r.tijdstip, r.request_id, r.casus_id, CAST(r.detail AS json),
        r.vorige_hash, r.hash, r.sleutel_id
    FROM unnest(
        CAST(:volgnummer AS bigint[]), CAST(:actie AS text[]), CAST(:verwerkingsactiviteit AS text[]),
        CAST(:doel AS text[]), CAST(:grondslag AS text[]), CAST(:afnemer AS text[]),
        CAST(:betrokkene AS text[]), CAST(:vertrouwelijkheid AS text[]), CAST(:bewaartermijn AS text[]),
        CAST(:tijdstip AS timestamptz[]), CAST(:request_id AS text[]), CAST(:casus_id AS text[]),
        CAST(:detail AS text[]), CAST(:vorige_hash AS text[]), CAST(:hash AS text[]), CAST(:sleutel_id AS text[])
    ) AS r (
        volgnummer, actie, verwerkingsactiviteit, doel, grondslag, afnemer, betrokkene, vertrouwelijkheid,
        bewaartermijn, tijdstip, request_id, casus_id, detail, vorige_hash, hash, sleutel_id
    )
    WHERE EXISTS (SELECT 1 FROM kop)
    RETURNING volgnummer
    """
)


def _pg_rijen(rijen: Sequence[KetenRij]) -> dict[str, list[Any]]:
    """The rows as one list per column, the detail as JSON text (the column is `json`: stored as given)."""
    kolommen = [_kolommen(rij) for rij in rijen]
    arrays: dict[str, list[Any]] = {k: [kolom[k] for kolom in kolommen] for k in _PG_KOLOMMEN}
    arrays["detail"] = [json.dumps(d) for d in arrays["detail"]]
    return arrays


async def read_head_ahead(*, session: AsyncSession) -> Kopstand | None:
    """The head (and the last checkpoint's time) without its lock; None when there is no head. 503 on failure."""
    try:
        kop = (await session.execute(_KOP_VOORUIT)).one_or_none()
    except SQLAlchemyError as fout:
        log.error("verwerkingenlog niet te lezen (%s)", type(fout).__name__)
        raise ServiceUnavailable(LOG_NIET_BESCHIKBAAR) from None
    if kop is None:
        return None
    laatste = None if kop.laatste is None else as_utc(kop.laatste)
    return Kopstand(volgnummer=kop.volgnummer, hash=kop.hash, laatste_checkpoint=laatste)


def _keten(
    volgnummer: int, kop_hash: str, verwerkingen: Sequence[Verwerking], logboek: Logboek
) -> list[KetenRij]:
    """The rows that follow the head at ``volgnummer`` with hash ``kop_hash``."""
    vorige = None if volgnummer == 0 else KetenRij(volgnummer, {}, GENESIS_HASH, kop_hash)
    nieuw: list[KetenRij] = []
    for verwerking in verwerkingen:
        velden = verwerking.velden()
        velden["tijdstip"] = verwerking.tijdstip.astimezone(UTC)
        vorige = nieuwe_rij(vorige=vorige, velden=velden, sleutels=logboek.sleutels)
        nieuw.append(vorige)
    return nieuw


async def write_verwerkingen(
    *,
    session: AsyncSession,
    verwerkingen: Sequence[Verwerking],
    logboek: Logboek,
    kop: Kopstand | None = None,
) -> list[KetenRij]:
    """Append ``verwerkingen`` in order and flush; raises ServiceUnavailable (503) if that is impossible.

    ``kop``, when given, is the head read ahead (:func:`read_head_ahead`): if it is still the head, the
    append costs no locking read of its own.
    """
    if not verwerkingen:
        return []
    try:
        nieuw: list[KetenRij] | None = None
        laatste_checkpoint: datetime | None = None
        laatste_gelezen = False
        ingevoegd = False
        if kop is not None:
            nieuw = _keten(kop.volgnummer, kop.hash, verwerkingen, logboek)
            verplaatsing = {
                "oud_volgnummer": kop.volgnummer,
                "oude_hash": kop.hash,
                "nieuw_volgnummer": nieuw[-1].volgnummer,
                "nieuwe_hash": nieuw[-1].hash,
            }
            if session.get_bind().dialect.name == "postgresql":
                verplaatst = bool(
                    (
                        await session.execute(
                            _KOP_VERPLAATSEN_EN_INVOEGEN_PG, {**verplaatsing, **_pg_rijen(nieuw)}
                        )
                    ).first()
                )
                ingevoegd = verplaatst
            else:
                resultaat = await session.execute(_KOP_VERPLAATSEN, verplaatsing)
                verplaatst = resultaat.rowcount == 1  # type: ignore[attr-defined]
            if verplaatst:
                laatste_checkpoint, laatste_gelezen = kop.laatste_checkpoint, True
            else:
                nieuw = None  # another append came first: lock the head and read it again
        if nieuw is None:
            vergrendeld = (await session.execute(_KOP_VERGRENDELEN)).one_or_none()
            if vergrendeld is None:
                # Only an empty log may get a fresh head; otherwise rows were lost or the head removed.
                await ensure_head(session=session)
                vergrendeld = (await session.execute(sa.select(_KOP.c.volgnummer, _KOP.c.hash))).one_or_none()
            if vergrendeld is None:
                raise ServiceUnavailable(LOG_NIET_BESCHIKBAAR)
            nieuw = _keten(vergrendeld.volgnummer, vergrendeld.hash, verwerkingen, logboek)
            await session.execute(
                sa.update(_KOP)
                .where(_KOP.c.id == KOP_ID)
                .values(volgnummer=nieuw[-1].volgnummer, hash=nieuw[-1].hash)
            )
        if not ingevoegd:
            await session.execute(sa.insert(_RIJEN), [_kolommen(rij) for rij in nieuw])
        vorige = nieuw[-1]
        nu = datetime.now(UTC)
        posities = {rij.volgnummer for rij in nieuw if rij.volgnummer % logboek.checkpoint_interval == 0}
        if logboek.checkpoint_seconden and vorige.volgnummer not in posities:
            if not laatste_gelezen:
                # Under the head's lock, so concurrent appenders see each other's checkpoints.
                laatste = await session.scalar(_LAATSTE_CHECKPOINT)
                laatste_checkpoint = None if laatste is None else as_utc(laatste)
            if (
                laatste_checkpoint is None
                or (nu - laatste_checkpoint).total_seconds() >= logboek.checkpoint_seconden
            ):
                posities.add(vorige.volgnummer)
        checkpoints = [
            logboek.ondertekening.onderteken(volgnummer=rij.volgnummer, kop=rij.hash, tijdstip=nu)
            for rij in nieuw
            if rij.volgnummer in posities
        ]
        if checkpoints:
            await session.execute(sa.insert(_CHECKPOINTS), [_checkpoint_kolommen(c) for c in checkpoints])
        await session.flush()
    except SQLAlchemyError as fout:
        log.error("verwerkingenlog niet te schrijven (%s)", type(fout).__name__)
        raise ServiceUnavailable(LOG_NIET_BESCHIKBAAR) from None
    if checkpoints and logboek.getuige is not None:
        _na_commit_naar_getuige(session, logboek.getuige, checkpoints)
    return nieuw


def _checkpoint_kolommen(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "volgnummer": checkpoint.volgnummer,
        "hash": checkpoint.kop,
        "tijdstip": checkpoint.tijdstip,
        "sleutel_id": checkpoint.sleutel_id,
        "handtekening": base64.b64encode(checkpoint.handtekening).decode("ascii"),
    }


def _na_commit_naar_getuige(session: AsyncSession, getuige: Getuige, checkpoints: list[Checkpoint]) -> None:
    """Queue ``checkpoints`` for the witness; they are written once the transaction commits, dropped on rollback.

    Writing before the commit could leave the witness holding a checkpoint the database never kept, which
    verification would then (rightly) report as a rewrite.
    """
    sync = session.sync_session
    wachtrij: list[Checkpoint] | None = sync.info.get(_GETUIGE_WACHTRIJ)
    if wachtrij is None:
        wachtrij = []
        sync.info[_GETUIGE_WACHTRIJ] = wachtrij

        def na_commit(_: SyncSession) -> None:
            te_schrijven = list(wachtrij)
            wachtrij.clear()
            if not te_schrijven:
                return
            try:
                getuige.schrijf(te_schrijven)
            except OSError as fout:
                # The rows are committed; the missing witness entries show up in verification as `ontbrekend`.
                log.error("checkpoint niet naar de getuige te schrijven (%s)", type(fout).__name__)

        def na_rollback(_: SyncSession) -> None:
            wachtrij.clear()

        event.listen(sync, "after_commit", na_commit)
        event.listen(sync, "after_soft_rollback", lambda s, _t: na_rollback(s))
    wachtrij.extend(checkpoints)


def _kolommen(rij: KetenRij) -> dict[str, Any]:
    v = rij.velden
    return {
        "volgnummer": rij.volgnummer,
        "actie": v["actie"],
        "verwerkingsactiviteit": v["verwerkingsactiviteit"],
        "doel": v["doel"],
        "grondslag": v["grondslag"],
        "afnemer": v["afnemer"],
        "betrokkene": v["betrokkene"],
        "vertrouwelijkheid": v["vertrouwelijkheid"],
        "bewaartermijn": v["bewaartermijn"],
        "tijdstip": v["tijdstip"],
        "request_id": v["requestId"],
        "casus_id": v["casusId"],
        "detail": normalise(v["detail"]) if isinstance(v["detail"], Mapping) else v["detail"],
        "vorige_hash": rij.vorige_hash,
        "hash": rij.hash,
        "sleutel_id": rij.sleutel_id,
    }


def rij_velden(rij: VerwerkingRij | sa.Row[Any]) -> dict[str, object]:
    """The hashed fields of a stored row, as :meth:`Verwerking.velden` gave them when it was written."""
    return {
        "actie": rij.actie,
        "verwerkingsactiviteit": rij.verwerkingsactiviteit,
        "doel": rij.doel,
        "grondslag": rij.grondslag,
        "afnemer": rij.afnemer,
        "betrokkene": rij.betrokkene,
        "vertrouwelijkheid": rij.vertrouwelijkheid,
        "bewaartermijn": rij.bewaartermijn,
        "tijdstip": as_utc(rij.tijdstip),
        "requestId": rij.request_id,
        "casusId": rij.casus_id,
        "detail": rij.detail,
    }


# --- upgrading a log from before the keyed chain -----------------------------------------------------


def _oude_hash(*, velden: Mapping[str, object], vorige_hash: str) -> str:
    """The unkeyed SHA-256 of rows written before the keyed chain (revision 0001)."""
    return hashlib.sha256(canonieke_json({"velden": velden, "vorigeHash": vorige_hash})).hexdigest()


async def rechain_old_rows(*, session: AsyncSession, logboek: Logboek) -> int:
    """Re-chain rows from before the keyed chain (``sleutel_id`` NULL) under the active chain key, once.

    Runs only when the operator asks (``GATEWAY_VERWERKINGEN_HERKETENEN``), never by itself: otherwise a
    database administrator could strip key ids and signatures to have a rewrite re-hashed at the next start.
    And only while the keyed chain has not started: no row has a key id, no checkpoint is signed and the
    witness is empty; otherwise nothing is changed and verification reports the rows without a key. The
    old chain must verify
    with the old, unkeyed hash (and agree with the head row) before it is re-chained. Returns the number
    of rows re-chained.
    """
    oud = await session.scalar(
        sa.select(sa.func.count()).select_from(VerwerkingRij).where(VerwerkingRij.sleutel_id.is_(None))
    )
    if not oud:
        return 0
    gesleuteld = await session.scalar(
        sa.select(sa.func.count()).select_from(VerwerkingRij).where(VerwerkingRij.sleutel_id.is_not(None))
    )
    ondertekend = await session.scalar(
        sa.select(sa.func.count())
        .select_from(VerwerkingenCheckpoint)
        .where(VerwerkingenCheckpoint.handtekening.is_not(None))
    )
    getuige = logboek.getuige
    if (
        gesleuteld
        or ondertekend
        or (getuige is not None and (await asyncio.to_thread(getuige.lees)).checkpoints)
    ):
        log.error("rijen zonder ketensleutel in een gesleutelde keten; ze worden niet opnieuw gehasht")
        return 0
    rijen = list((await session.scalars(sa.select(VerwerkingRij).order_by(VerwerkingRij.volgnummer))).all())
    kop = (await session.execute(sa.select(VerwerkingenKop.volgnummer, VerwerkingenKop.hash))).one_or_none()
    vorige_hash = GENESIS_HASH
    for verwacht, rij in enumerate(rijen, start=1):
        if (
            rij.volgnummer != verwacht
            or rij.vorige_hash != vorige_hash
            or _oude_hash(velden=rij_velden(rij), vorige_hash=vorige_hash) != rij.hash
        ):
            log.error("de oude keten klopt niet bij rij %d; ze wordt niet opnieuw gehasht", rij.volgnummer)
            return 0
        vorige_hash = rij.hash
    if kop is None or kop.volgnummer != len(rijen) or kop.hash != vorige_hash:
        log.error("de kop van de oude keten klopt niet; ze wordt niet opnieuw gehasht")
        return 0
    vorige: KetenRij | None = None
    nieuw: list[KetenRij] = []
    for rij in rijen:
        vorige = nieuwe_rij(vorige=vorige, velden=rij_velden(rij), sleutels=logboek.sleutels)
        nieuw.append(vorige)
    # Hashes are unique: first clear them all, then write the new ones.
    zonder_sync = {"synchronize_session": False}
    await session.execute(
        sa.update(VerwerkingRij).values(hash=VerwerkingRij.volgnummer.cast(sa.String)),
        execution_options=zonder_sync,
    )
    for herketend in nieuw:
        await session.execute(
            sa.update(VerwerkingRij)
            .where(VerwerkingRij.volgnummer == herketend.volgnummer)
            .values(vorige_hash=herketend.vorige_hash, hash=herketend.hash, sleutel_id=herketend.sleutel_id),
            execution_options=zonder_sync,
        )
    assert vorige is not None
    await session.execute(
        sa.update(VerwerkingenKop).where(VerwerkingenKop.id == KOP_ID).values(hash=vorige.hash)
    )
    await session.execute(sa.delete(VerwerkingenCheckpoint))
    nu = datetime.now(UTC)
    posities = {r.volgnummer for r in nieuw if r.volgnummer % logboek.checkpoint_interval == 0}
    posities.add(vorige.volgnummer)  # sign the upgraded head at once
    checkpoints = [
        logboek.ondertekening.onderteken(volgnummer=r.volgnummer, kop=r.hash, tijdstip=nu)
        for r in nieuw
        if r.volgnummer in posities
    ]
    await session.execute(sa.insert(VerwerkingenCheckpoint), [_checkpoint_kolommen(c) for c in checkpoints])
    await session.flush()
    if getuige is not None:
        _na_commit_naar_getuige(session, getuige, checkpoints)
    log.warning(
        "%d rijen van voor de gesleutelde keten opnieuw gehasht onder ketensleutel %s",
        len(nieuw),
        logboek.sleutels.actief,
    )
    return len(nieuw)


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class VerwerkingenFilter:
    """Filters of ``GET /v1/verwerkingen``; None means no filter."""

    actie: str | None = None
    afnemer: str | None = None
    doel: str | None = None
    casus_id: str | None = None
    vanaf: datetime | None = None
    tot: datetime | None = None


#: Both lists page in log order after the last row's volgnummer.
_CURSOR = CursorCodec(velden=(int,))


async def read_verwerkingen(
    *, session: AsyncSession, filter: VerwerkingenFilter, page_size: int, cursor: str | None
) -> tuple[list[VerwerkingRij], str | None]:
    """One page of rows in log order (oldest first) and the cursor of the next page, if any."""
    query = sa.select(VerwerkingRij).order_by(VerwerkingRij.volgnummer).limit(page_size + 1)
    if cursor is not None:
        query = query.where(VerwerkingRij.volgnummer > _CURSOR.decode(cursor)[0])
    if filter.actie is not None:
        query = query.where(VerwerkingRij.actie == filter.actie)
    if filter.afnemer is not None:
        query = query.where(VerwerkingRij.afnemer == filter.afnemer)
    if filter.doel is not None:
        query = query.where(VerwerkingRij.doel == filter.doel)
    if filter.casus_id is not None:
        query = query.where(VerwerkingRij.casus_id == filter.casus_id)
    if filter.vanaf is not None:
        query = query.where(VerwerkingRij.tijdstip >= filter.vanaf.astimezone(UTC))
    if filter.tot is not None:
        query = query.where(VerwerkingRij.tijdstip < filter.tot.astimezone(UTC))
    rijen = list((await session.scalars(query)).all())
    if len(rijen) > page_size:
        rijen = rijen[:page_size]
        return rijen, _CURSOR.encode(rijen[-1].volgnummer)
    return rijen, None


async def rows_for_betrokkene(*, session: AsyncSession, betrokkene: str) -> list[VerwerkingRij]:
    """Every row about one betrokkene (by the log's pseudonym), in log order."""
    query = (
        sa.select(VerwerkingRij)
        .where(VerwerkingRij.betrokkene == betrokkene)
        .order_by(VerwerkingRij.volgnummer)
    )
    return list((await session.scalars(query)).all())


async def read_checkpoints(
    *, session: AsyncSession, page_size: int, cursor: str | None
) -> tuple[list[Checkpoint], str | None]:
    """One page of signed checkpoints (oldest first) and the cursor of the next page, if any.

    Checkpoints from before signing (no signature) are not published: they prove nothing.
    """
    query = (
        sa.select(VerwerkingenCheckpoint)
        .where(VerwerkingenCheckpoint.handtekening.is_not(None))
        .order_by(VerwerkingenCheckpoint.volgnummer)
        .limit(page_size + 1)
    )
    if cursor is not None:
        query = query.where(VerwerkingenCheckpoint.volgnummer > _CURSOR.decode(cursor)[0])
    rijen = list((await session.scalars(query)).all())
    volgende = None
    if len(rijen) > page_size:
        rijen = rijen[:page_size]
        volgende = _CURSOR.encode(rijen[-1].volgnummer)
    return [c for c in (_checkpoint(r) for r in rijen) if c is not None], volgende


def _checkpoint(rij: VerwerkingenCheckpoint) -> Checkpoint | None:
    """The stored checkpoint as signed; None when it has no (readable) signature."""
    if rij.sleutel_id is None or rij.handtekening is None:
        return None
    try:
        handtekening = base64.b64decode(rij.handtekening, validate=True)
    except (binascii.Error, ValueError):
        handtekening = b""
    return Checkpoint(
        volgnummer=rij.volgnummer,
        kop=rij.hash,
        tijdstip=as_utc(rij.tijdstip),
        sleutel_id=rij.sleutel_id,
        handtekening=handtekening,
    )


# --- verification ----------------------------------------------------------------------------------


class _Bron:
    DATABASE = "checkpoint"
    GETUIGE = "checkpoint van de getuige"
    BEWAARD = "bewaarde kop"


@dataclass(frozen=True, slots=True, kw_only=True)
class GetuigeVerslag:
    """What verification found in the witness."""

    aantal: int
    """Witness entries checked (signature and position in the chain)."""
    ontbrekend: int
    """Signed checkpoints of the database that the witness lacks (e.g. the gateway stopped before writing)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Verslag:
    """Outcome of :func:`verify_log`: the chain, the checkpoints, the witness and the kept head."""

    uitkomst: Verificatie
    checkpoints: int
    getuige: GetuigeVerslag | None
    bewaarde_kop: bool | None
    """True when the kept head is in the chain at its position under a valid signature; None when none given."""

    @property
    def ok(self) -> bool:
        return self.uitkomst.ok

    def als_dict(self) -> dict[str, object]:
        return {
            **self.uitkomst.als_dict(),
            "checkpoints": self.checkpoints,
            "getuige": None
            if self.getuige is None
            else {"aantal": self.getuige.aantal, "ontbrekend": self.getuige.ontbrekend},
            "bewaardeKop": self.bewaarde_kop,
        }


@dataclass(slots=True)
class _Verwachting:
    """A head that must be found in the chain: a checkpoint (database or witness) or the kept head."""

    bron: str
    checkpoint: Checkpoint
    handtekening: CheckpointFout | None
    gevonden: bool = False


@dataclass(slots=True)
class _Stand:
    """Hashes seen while walking the chain, at the positions verification asks about."""

    gezocht: set[int]
    hashes: dict[int, str] = field(default_factory=dict)


async def verify_log(
    *, session: AsyncSession, logboek: Logboek, bewaard: Checkpoint | None = None
) -> Verslag:
    """Verify the whole chain under the chain keys, then that everything kept of it agrees.

    Checked, and the first problem (by position) reported:

    - every row's keyed hash, link and number (:func:`keten.verify_chain`);
    - the head row points at the last row;
    - every checkpoint in the database and in the witness is signed by a configured key and names the
      hash the chain has at its position (not past its end);
    - the head ``bewaard`` an auditor kept (a published checkpoint) likewise.

    The chain alone cannot show rows cut off at the end; checkpoints can, and the witness and kept heads
    can even when the database's checkpoints were removed or rewritten too.
    """
    ondertekening = logboek.ondertekening
    kop = (await session.execute(sa.select(VerwerkingenKop.volgnummer, VerwerkingenKop.hash))).one_or_none()
    verwachtingen: list[_Verwachting] = []
    database_posities: set[int] = set()
    for rij in (await session.scalars(sa.select(VerwerkingenCheckpoint))).all():
        checkpoint = _checkpoint(rij)
        database_posities.add(rij.volgnummer)
        if checkpoint is None:
            # An unsigned checkpoint (from before signing, or stripped): it cannot vouch for anything.
            checkpoint = Checkpoint(
                volgnummer=rij.volgnummer,
                kop=rij.hash,
                tijdstip=as_utc(rij.tijdstip),
                sleutel_id="",
                handtekening=b"",
            )
            verwachtingen.append(
                _Verwachting(_Bron.DATABASE, checkpoint, CheckpointFout.HANDTEKENING_ONGELDIG)
            )
            continue
        verwachtingen.append(_Verwachting(_Bron.DATABASE, checkpoint, ondertekening.verify(checkpoint)))
    getuige_verslag: GetuigeVerslag | None = None
    getuige_fout: KetenFout | None = None
    if logboek.getuige is not None:
        inhoud = await asyncio.to_thread(logboek.getuige.lees)
        for checkpoint in inhoud.checkpoints.values():
            verwachtingen.append(_Verwachting(_Bron.GETUIGE, checkpoint, ondertekening.verify(checkpoint)))
        getuige_verslag = GetuigeVerslag(
            aantal=len(inhoud.checkpoints), ontbrekend=len(database_posities - set(inhoud.checkpoints))
        )
        if inhoud.onleesbaar:
            getuige_fout = KetenFout(
                0,
                KetenFoutSoort.BEWAARDE_KOP_ONTBREEKT,
                f"de getuige is gewijzigd of beschadigd ({inhoud.onleesbaar[0]})",
            )
    bewaarde: _Verwachting | None = None
    if bewaard is not None:
        bewaarde = _Verwachting(_Bron.BEWAARD, bewaard, ondertekening.verify(bewaard))
        verwachtingen.append(bewaarde)

    stand = _Stand(gezocht={v.checkpoint.volgnummer for v in verwachtingen})
    stand.gezocht |= {nr - 1 for nr in stand.gezocht}

    def rijen(sync: SyncSession) -> Iterator[KetenRij]:
        laatste = -1
        while True:
            batch = (
                sync.execute(
                    sa.select(VerwerkingRij)
                    .where(VerwerkingRij.volgnummer > laatste)
                    .order_by(VerwerkingRij.volgnummer)
                    .limit(_VERIFICATIE_BATCH)
                )
                .scalars()
                .all()
            )
            if not batch:
                return
            for rij in batch:
                if rij.volgnummer in stand.gezocht:
                    stand.hashes[rij.volgnummer] = rij.hash
                yield KetenRij(rij.volgnummer, rij_velden(rij), rij.vorige_hash, rij.hash, rij.sleutel_id)
            sync.expunge_all()  # keep memory flat on a long log
            laatste = batch[-1].volgnummer

    uitkomst = await session.run_sync(lambda sync: verify_chain(rijen(sync), sleutels=logboek.sleutels))
    stand.hashes[0] = GENESIS_HASH

    def kop_voor(volgnummer: int) -> tuple[int, str]:
        """Rows verified before ``volgnummer`` and the hash of the last of them."""
        aantal = min(volgnummer - 1, uitkomst.aantal)
        return aantal, stand.hashes.get(aantal, uitkomst.kop)

    problemen: list[tuple[int, Verificatie]] = []
    if uitkomst.eerste_fout is not None:
        problemen.append((uitkomst.eerste_fout.volgnummer, uitkomst))
    for verwachting in verwachtingen:
        nr, checkpoint = verwachting.checkpoint.volgnummer, verwachting.checkpoint
        fout: KetenFout | None = None
        if verwachting.handtekening is CheckpointFout.ONBEKENDE_SLEUTEL:
            fout = KetenFout(
                nr,
                KetenFoutSoort.ONBEKENDE_SLEUTEL,
                f"{verwachting.bron} bij rij {nr} is ondertekend met sleutel {checkpoint.sleutel_id or '(geen)'}, "
                "die niet is ingesteld: ondertekeningssleutel vervangen of checkpoint vervalst",
            )
        elif verwachting.handtekening is CheckpointFout.HANDTEKENING_ONGELDIG:
            fout = KetenFout(
                nr,
                KetenFoutSoort.HANDTEKENING_ONGELDIG,
                f"de handtekening van {verwachting.bron} bij rij {nr} klopt niet: checkpoint gewijzigd of "
                "opnieuw ondertekend",
            )
        elif nr > uitkomst.aantal and uitkomst.ok:
            soort = (
                KetenFoutSoort.ONTBREKENDE_RIJ
                if verwachting.bron == _Bron.DATABASE
                else KetenFoutSoort.BEWAARDE_KOP_ONTBREEKT
            )
            fout = KetenFout(
                uitkomst.aantal + 1,
                soort,
                f"{verwachting.bron} bij rij {nr} ligt voorbij het einde (rij {uitkomst.aantal}): "
                "rijen aan het eind verwijderd",
            )
        elif nr <= uitkomst.aantal and stand.hashes.get(nr) != checkpoint.kop:
            soort = (
                KetenFoutSoort.KETEN_VERBROKEN
                if verwachting.bron == _Bron.DATABASE
                else KetenFoutSoort.BEWAARDE_KOP_ONTBREEKT
            )
            fout = KetenFout(
                nr,
                soort,
                f"hash wijkt af van {verwachting.bron} bij rij {nr}: het log is vanaf hier herschreven",
            )
        elif nr <= uitkomst.aantal:
            verwachting.gevonden = True
        if fout is not None:
            aantal, voor = kop_voor(fout.volgnummer)
            problemen.append(
                (fout.volgnummer, Verificatie(ok=False, aantal=aantal, kop=voor, eerste_fout=fout))
            )
    if uitkomst.ok:
        volgende = uitkomst.aantal + 1
        if kop is None:
            problemen.append(
                (
                    volgende,
                    _mislukt(
                        uitkomst, volgende, KetenFoutSoort.ONTBREKENDE_RIJ, "de kop van het log ontbreekt"
                    ),
                )
            )
        elif kop.volgnummer != uitkomst.aantal or kop.hash != uitkomst.kop:
            melding = (
                f"de kop wijst naar rij {kop.volgnummer}: rijen aan het eind verwijderd of de kop gewijzigd"
            )
            nr = min(volgende, kop.volgnummer + 1)
            problemen.append((nr, _mislukt(uitkomst, nr, KetenFoutSoort.ONTBREKENDE_RIJ, melding)))
    if getuige_fout is not None:
        problemen.append((0, Verificatie(ok=False, aantal=0, kop=GENESIS_HASH, eerste_fout=getuige_fout)))
    eindoordeel = min(problemen, key=lambda p: p[0])[1] if problemen else uitkomst
    return Verslag(
        uitkomst=eindoordeel,
        checkpoints=sum(1 for v in verwachtingen if v.bron == _Bron.DATABASE and v.gevonden),
        getuige=getuige_verslag,
        bewaarde_kop=None if bewaarde is None else bewaarde.gevonden,
    )


def _mislukt(uitkomst: Verificatie, volgnummer: int, soort: KetenFoutSoort, toelichting: str) -> Verificatie:
    return Verificatie(
        ok=False,
        aantal=uitkomst.aantal,
        kop=uitkomst.kop,
        eerste_fout=KetenFout(volgnummer, soort, toelichting),
    )
