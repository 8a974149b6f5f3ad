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
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from meldroute_common.db import as_utc
from meldroute_common.problems import BadRequest, InvalidParam, ServiceUnavailable
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session as SyncSession

from privacy_gateway.verwerkingen.keten import (
    GENESIS_HASH,
    KetenFout,
    KetenFoutSoort,
    KetenRij,
    Verificatie,
    Verwerking,
    nieuwe_rij,
    normaliseer,
    verifieer,
)
from privacy_gateway.verwerkingen.models import VerwerkingenCheckpoint, VerwerkingenKop, VerwerkingRij

__all__ = [
    "KOP_ID",
    "LOG_NIET_BESCHIKBAAR",
    "VerwerkingenFilter",
    "lees_verwerkingen",
    "rij_velden",
    "rijen_van_betrokkene",
    "schrijf_verwerkingen",
    "verifieer_log",
    "zorg_voor_kop",
]

log = logging.getLogger("meldroute.gateway.verwerkingen")

KOP_ID = 1
LOG_NIET_BESCHIKBAAR = "Het verwerkingenlog kan niet worden bijgewerkt; er is niets verstrekt."
_VERIFICATIE_BATCH = 1000


async def zorg_voor_kop(session: AsyncSession) -> None:
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


async def schrijf_verwerkingen(
    session: AsyncSession, *, verwerkingen: Sequence[Verwerking], checkpoint_interval: int
) -> list[KetenRij]:
    """Append ``verwerkingen`` in order and flush; raises ServiceUnavailable (503) if that is impossible."""
    if not verwerkingen:
        return []
    try:
        kop = (
            await session.execute(
                sa.update(VerwerkingenKop)
                .where(VerwerkingenKop.id == KOP_ID)
                .values(volgnummer=VerwerkingenKop.volgnummer)
                .returning(VerwerkingenKop.volgnummer, VerwerkingenKop.hash)
            )
        ).one_or_none()
        if kop is None:
            # Only an empty log may get a fresh head; otherwise rows were lost or the head removed.
            await zorg_voor_kop(session)
            kop = (
                await session.execute(sa.select(VerwerkingenKop.volgnummer, VerwerkingenKop.hash))
            ).one_or_none()
        if kop is None:
            raise ServiceUnavailable(LOG_NIET_BESCHIKBAAR)
        vorige = None if kop.volgnummer == 0 else KetenRij(kop.volgnummer, {}, GENESIS_HASH, kop.hash)
        nieuw: list[KetenRij] = []
        for verwerking in verwerkingen:
            velden = verwerking.velden()
            velden["tijdstip"] = verwerking.tijdstip.astimezone(UTC)
            vorige = nieuwe_rij(vorige=vorige, velden=velden)
            nieuw.append(vorige)
        await session.execute(sa.insert(VerwerkingRij), [_kolommen(rij) for rij in nieuw])
        assert vorige is not None
        await session.execute(
            sa.update(VerwerkingenKop)
            .where(VerwerkingenKop.id == KOP_ID)
            .values(volgnummer=vorige.volgnummer, hash=vorige.hash)
        )
        checkpoints = [
            {"volgnummer": rij.volgnummer, "hash": rij.hash, "tijdstip": datetime.now(UTC)}
            for rij in nieuw
            if rij.volgnummer % checkpoint_interval == 0
        ]
        if checkpoints:
            await session.execute(sa.insert(VerwerkingenCheckpoint), checkpoints)
        await session.flush()
    except SQLAlchemyError as fout:
        log.error("verwerkingenlog niet te schrijven (%s)", type(fout).__name__)
        raise ServiceUnavailable(LOG_NIET_BESCHIKBAAR) from None
    return nieuw


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
        "detail": normaliseer(v["detail"]) if isinstance(v["detail"], Mapping) else v["detail"],
        "vorige_hash": rij.vorige_hash,
        "hash": rij.hash,
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


def _cursor_tekst(volgnummer: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{volgnummer}".encode()).decode().rstrip("=")


def _cursor_volgnummer(cursor: str) -> int:
    try:
        tekst = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        soort, _, nummer = tekst.partition(":")
        if soort != "v1" or not nummer.isdigit():
            raise ValueError(cursor)
        return int(nummer)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest(
            "De cursor is ongeldig.", invalid_params=[InvalidParam(name="cursor", reason="Ongeldige cursor.")]
        ) from None


async def lees_verwerkingen(
    session: AsyncSession, *, filter: VerwerkingenFilter, page_size: int, cursor: str | None
) -> tuple[list[VerwerkingRij], str | None]:
    """One page of rows in log order (oldest first) and the cursor of the next page, if any."""
    query = sa.select(VerwerkingRij).order_by(VerwerkingRij.volgnummer).limit(page_size + 1)
    if cursor is not None:
        query = query.where(VerwerkingRij.volgnummer > _cursor_volgnummer(cursor))
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
        return rijen, _cursor_tekst(rijen[-1].volgnummer)
    return rijen, None


async def rijen_van_betrokkene(session: AsyncSession, *, betrokkene: str) -> list[VerwerkingRij]:
    """Every row about one betrokkene (by the log's pseudonym), in log order."""
    query = (
        sa.select(VerwerkingRij)
        .where(VerwerkingRij.betrokkene == betrokkene)
        .order_by(VerwerkingRij.volgnummer)
    )
    return list((await session.scalars(query)).all())


# --- verification ----------------------------------------------------------------------------------


async def verifieer_log(session: AsyncSession) -> Verificatie:
    """Verify the whole chain, then that the head row and every checkpoint agree with it.

    The chain alone cannot show rows cut off at the end; the head row and the checkpoints can
    (up to the last checkpoint, even when the head row was rewritten too).
    """
    kop = (await session.execute(sa.select(VerwerkingenKop.volgnummer, VerwerkingenKop.hash))).one_or_none()
    checkpoint_rijen = await session.execute(
        sa.select(VerwerkingenCheckpoint.volgnummer, VerwerkingenCheckpoint.hash)
    )
    checkpoints: dict[int, str] = dict(checkpoint_rijen.all())
    afwijking: list[tuple[int, int, str]] = []  # (volgnummer, rows before it, hash of the row before it)

    def rijen(sync: SyncSession) -> Iterator[KetenRij]:
        laatste, vorige_hash, aantal = -1, GENESIS_HASH, 0
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
                verwacht = checkpoints.get(rij.volgnummer)
                if verwacht is not None and verwacht != rij.hash and not afwijking:
                    afwijking.append((rij.volgnummer, aantal, vorige_hash))
                yield KetenRij(rij.volgnummer, rij_velden(rij), rij.vorige_hash, rij.hash)
                vorige_hash, aantal = rij.hash, aantal + 1
            sync.expunge_all()  # keep memory flat on a long log
            laatste = batch[-1].volgnummer

    uitkomst = await session.run_sync(lambda sync: verifieer(rijen(sync)))
    if afwijking and (uitkomst.eerste_fout is None or afwijking[0][0] <= uitkomst.eerste_fout.volgnummer):
        volgnummer, ervoor, kop_ervoor = afwijking[0]
        fout = KetenFout(
            volgnummer,
            KetenFoutSoort.KETEN_VERBROKEN,
            "hash wijkt af van het checkpoint: het log is vanaf hier herschreven",
        )
        return Verificatie(ok=False, aantal=ervoor, kop=kop_ervoor, eerste_fout=fout)
    if not uitkomst.ok:
        return uitkomst
    volgende = uitkomst.aantal + 1
    if kop is None:
        return _mislukt(uitkomst, volgende, KetenFoutSoort.ONTBREKENDE_RIJ, "de kop van het log ontbreekt")
    if kop.volgnummer != uitkomst.aantal or kop.hash != uitkomst.kop:
        melding = f"de kop wijst naar rij {kop.volgnummer}: rijen aan het eind verwijderd of de kop gewijzigd"
        return _mislukt(uitkomst, min(volgende, kop.volgnummer + 1), KetenFoutSoort.ONTBREKENDE_RIJ, melding)
    voorbij = [nr for nr in checkpoints if nr > uitkomst.aantal]
    if voorbij:
        melding = f"checkpoint bij rij {min(voorbij)} ligt voorbij het einde: rijen aan het eind verwijderd"
        return _mislukt(uitkomst, volgende, KetenFoutSoort.ONTBREKENDE_RIJ, melding)
    return uitkomst


def _mislukt(uitkomst: Verificatie, volgnummer: int, soort: KetenFoutSoort, toelichting: str) -> Verificatie:
    return Verificatie(
        ok=False,
        aantal=uitkomst.aantal,
        kop=uitkomst.kop,
        eerste_fout=KetenFout(volgnummer, soort, toelichting),
    )
