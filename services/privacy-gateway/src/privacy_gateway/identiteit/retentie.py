"""The gateway's retention: identity requests, their approvals and their sealed reasons are purged.

A request is kept `GATEWAY_RETENTIE_IDENTITEITSVERZOEKEN` (default P1Y) after its approval ends, or
after the request itself when it was never approved. The purge deletes the rows in batches, each batch
in one transaction with a verwerkingenlog row that records only counts and the period: no reason, no
reference, no person. What was asked and approved stays in the log's own rows of those events.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from uuid import UUID

import sqlalchemy as sa
from fastapi import FastAPI
from meldroute_common.duur import parse_duur
from meldroute_common.taken import start_periodic
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from privacy_gateway.config import GatewaySettings
from privacy_gateway.identiteit.models import Identiteitsverzoek
from privacy_gateway.verwerkingen.service import Logboek
from privacy_gateway.verwerkingen.vastlegging import Actie, record_rows, verwerking

__all__ = ["BATCH", "Retentie", "purge", "start_retentietaak", "verlopen_verzoeken"]

log = logging.getLogger("meldroute.gateway.retentie")

BATCH: Final = 500
DOEL: Final = "bewaartermijn"
GRONDSLAG: Final = "art. 5 lid 1 sub e AVG (opslagbeperking)"
#: The verwerkingenlog's `requestId` of a purge: it answers no request.
RETENTIE_ID: Final = "retentie"


@dataclass(frozen=True, slots=True)
class Retentie:
    termijn: str
    bewaartermijn_log: str
    logboek: Logboek

    @classmethod
    def uit(cls, settings: GatewaySettings, *, logboek: Logboek) -> Retentie:
        return cls(
            termijn=settings.retentie_identiteitsverzoeken,
            bewaartermijn_log=settings.verwerkingen_bewaartermijn,
            logboek=logboek,
        )


def _verlopen(grens: datetime) -> sa.ColumnElement[bool]:
    # An approval always ends after the request, so the later of the two is the approval's end if any.
    return sa.func.coalesce(Identiteitsverzoek.geldig_tot, Identiteitsverzoek.aangevraagd_op) <= grens


async def verlopen_verzoeken(*, session: AsyncSession, retentie: Retentie, moment: datetime) -> list[UUID]:
    """Ids of the requests whose retention has ended."""
    grens = parse_duur(retentie.termijn).terug(moment)
    return list(
        await session.scalars(
            sa.select(Identiteitsverzoek.id).where(_verlopen(grens)).order_by(Identiteitsverzoek.id)
        )
    )


async def _wis(*, session: AsyncSession, ids: list[UUID], retentie: Retentie, moment: datetime) -> int:
    grens = parse_duur(retentie.termijn).terug(moment)
    # Counted and deleted under the same condition, so a request that changed meanwhile stays for the next run.
    keuze = sa.and_(Identiteitsverzoek.id.in_(ids), _verlopen(grens))
    goedgekeurd = await session.scalar(
        sa.select(sa.func.count()).where(keuze, Identiteitsverzoek.goedgekeurd_op.is_not(None))
    )
    resultaat = await session.execute(
        sa.delete(Identiteitsverzoek).where(keuze).execution_options(synchronize_session=False)
    )
    gewist = int(getattr(resultaat, "rowcount", 0) or 0)
    if gewist:
        await record_rows(
            session=session,
            verwerkingen=[
                verwerking(
                    actie=Actie.RETENTIE,
                    doel=DOEL,
                    grondslag=GRONDSLAG,
                    afnemer=None,
                    betrokkene=None,
                    vertrouwelijkheid="vertrouwelijk",
                    bewaartermijn=retentie.bewaartermijn_log,
                    tijdstip=moment,
                    request_id=RETENTIE_ID,
                    casus_id=None,
                    detail={
                        "bewaartermijn": retentie.termijn,
                        "identiteitsverzoeken": gewist,
                        "goedkeuringen": int(goedgekeurd or 0),
                        "gewist": ["identiteitsverzoeken", "goedkeuringen", "redenen"],
                    },
                )
            ],
            logboek=retentie.logboek,
        )
    return gewist


async def purge(
    *,
    maker: async_sessionmaker[AsyncSession],
    retentie: Retentie,
    moment: datetime | None = None,
    bij_start: Callable[[int], None] | None = None,
    na_batch: Callable[[int], None] | None = None,
) -> int:
    """Delete every request whose retention has ended, in batches of :data:`BATCH`; the number deleted."""
    moment = moment or datetime.now(UTC)
    async with maker() as session:
        ids = await verlopen_verzoeken(session=session, retentie=retentie, moment=moment)
    if bij_start:
        bij_start(len(ids))
    gewist = 0
    for begin in range(0, len(ids), BATCH):
        batch = ids[begin : begin + BATCH]
        async with maker() as session, session.begin():
            aantal = await _wis(session=session, ids=batch, retentie=retentie, moment=moment)
        gewist += aantal
        if na_batch:
            na_batch(len(batch))
    if gewist:
        log.info(
            "bewaartermijn verstreken: identiteitsverzoeken gewist", extra={"identiteitsverzoeken": gewist}
        )
    return gewist


async def start_retentietaak(app: FastAPI) -> Callable[[], Awaitable[None]] | None:
    """Start-up hook: the purge once at start and then every `retentie_interval_seconden` (daily)."""
    settings: GatewaySettings = app.state.settings
    if not settings.retentie_taak_aan:
        return None
    retentie = Retentie.uit(settings, logboek=app.state.gateway.logboek)

    return start_periodic(
        name="retentie",
        round=lambda: purge(maker=app.state.sessionmaker, retentie=retentie),
        interval_seconds=settings.retentie_interval_seconden,
        log=log,
        failure="retentie mislukt; volgende poging bij de volgende ronde",
    )
