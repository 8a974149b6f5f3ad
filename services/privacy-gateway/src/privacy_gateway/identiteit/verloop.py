"""The expiry round: waiting identity requests past `verloopt_op` are recorded as expired, each logged once.

A request waits `GATEWAY_IDENTITEIT_VERZOEK_LOOPTIJD_UREN` (default fourteen days). After that it shows as
`verlopen` at once and can no longer be approved or rejected; this round writes the expiry itself: the
status, the moment, and one verwerkingenlog row per request (actie `verloop`). An approval, rejection or
withdrawal that meets an expired request first does the same (:func:`expire_identiteitsverzoek`); the
conditional update in it makes sure a request is recorded, and logged, only once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Final

import sqlalchemy as sa
from fastapi import FastAPI
from meldroute_common.taken import start_periodic
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from privacy_gateway.config import GatewaySettings
from privacy_gateway.context import Gateway
from privacy_gateway.identiteit.models import Identiteitsverzoek
from privacy_gateway.identiteit.schemas import Status
from privacy_gateway.identiteit.service import expire_identiteitsverzoek

__all__ = ["BATCH", "VERLOOP_ID", "expire_all", "start_verlooptaak"]

log = logging.getLogger("meldroute.gateway.verloop")

BATCH: Final = 500
#: The verwerkingenlog's `requestId` of an expiry the round records: it answers no request.
VERLOOP_ID: Final = "verloop"


async def expire_all(
    *, maker: async_sessionmaker[AsyncSession], gateway: Gateway, moment: datetime | None = None
) -> int:
    """Record every waiting request past its time as expired, in batches of :data:`BATCH`; the number recorded."""
    moment = moment or datetime.now(UTC)
    async with maker() as session:
        ids = list(
            await session.scalars(
                sa.select(Identiteitsverzoek.id)
                .where(
                    Identiteitsverzoek.status == Status.AANGEVRAAGD.value,
                    Identiteitsverzoek.verloopt_op <= moment,
                )
                .order_by(Identiteitsverzoek.id)
            )
        )
    verlopen = 0
    for begin in range(0, len(ids), BATCH):
        async with maker() as session, session.begin():
            rijen = await session.scalars(
                sa.select(Identiteitsverzoek).where(Identiteitsverzoek.id.in_(ids[begin : begin + BATCH]))
            )
            for verzoek in list(rijen):
                if await expire_identiteitsverzoek(
                    session=session, gateway=gateway, verzoek=verzoek, nu=moment, request_id=VERLOOP_ID
                ):
                    verlopen += 1
    if verlopen:
        log.info("identiteitsverzoeken verlopen", extra={"identiteitsverzoeken": verlopen})
    return verlopen


async def start_verlooptaak(app: FastAPI) -> Callable[[], Awaitable[None]] | None:
    """Start-up hook: the round once at start and then every `verloop_interval_seconden`."""
    settings: GatewaySettings = app.state.settings
    if not settings.retentie_taak_aan:
        return None
    gateway: Gateway = app.state.gateway

    return start_periodic(
        name="verloop",
        round=lambda: expire_all(maker=app.state.sessionmaker, gateway=gateway),
        interval_seconds=settings.verloop_interval_seconden,
        log=log,
        failure="verlopen identiteitsverzoeken niet vastgelegd; volgende poging bij de volgende ronde",
    )
