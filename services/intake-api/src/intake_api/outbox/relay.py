"""The outbox relay: posts anonymous events to reporting, at least once, safe with several replicas.

Each round claims a batch in a short transaction (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL,
so two relays never claim the same rows; SQLite has a single writer and ignores the clause), stamps it
with a claim that lapses after `claim_seconden`, and commits. It then posts the batch with a service
token, retrying with backoff, and marks the events delivered only on a 2xx answer. A failed batch is
released for the next round; while reporting is down the relay waits longer each time, up to a maximum,
and the events wait in the outbox. Reporting drops duplicates by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from meldroute_common.servicetokens import ServiceTokenSource
from meldroute_common.taken import Stopsein, start_background
from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from intake_api.config import IntakeSettings
from intake_api.models import OutboxGebeurtenis
from intake_api.tijd import nu, utc

log = logging.getLogger("intake_api.outbox")


class OutboxMetrics:
    """The outbox backlog as Prometheus gauges: how many events wait, and how long the oldest has waited."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.aantal = Gauge(
            "meldroute_outbox_backlog_events",
            "Events in the outbox not yet delivered to reporting",
            registry=registry,
        )
        self.leeftijd = Gauge(
            "meldroute_outbox_backlog_age_seconds",
            "Seconds the oldest undelivered outbox event has waited (0 when none waits)",
            registry=registry,
        )


class AfleverFout(Exception):
    """Reporting did not accept a batch (unreachable, or a non-2xx answer)."""


class _Opnieuw(Exception):
    """An answer worth retrying (5xx, 429, or an expired token)."""


@dataclass
class Relay:
    maker: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    tokens: ServiceTokenSource
    url: str
    batchgrootte: int = 100
    interval: float = 2.0
    claim_seconden: float = 60.0
    max_wachttijd: float = 60.0
    pogingen_per_batch: int = 3
    metrics: OutboxMetrics | None = None
    afgeleverd: int = field(default=0, init=False)

    async def achterstand(self) -> tuple[int, float]:
        """How many events wait for delivery, and the age in seconds of the oldest."""
        async with self.maker() as session:
            aantal, oudste = (
                await session.execute(
                    sa.select(sa.func.count(), sa.func.min(OutboxGebeurtenis.aangemaakt_op)).where(
                        OutboxGebeurtenis.afgeleverd_op.is_(None)
                    )
                )
            ).one()
        if oudste is None:
            return int(aantal), 0.0
        return int(aantal), max(0.0, (nu() - utc(oudste)).total_seconds())

    async def _meet(self) -> None:
        if self.metrics is None:
            return
        try:
            aantal, leeftijd = await self.achterstand()
        except Exception as exc:  # a metric never stops the relay
            log.warning("outbox-achterstand niet te meten: %s", type(exc).__name__)
            return
        self.metrics.aantal.set(aantal)
        self.metrics.leeftijd.set(leeftijd)

    async def _claim(self) -> list[tuple[int, dict[str, Any]]]:
        moment = nu()
        async with self.maker() as session, session.begin():
            rijen = (
                await session.execute(
                    sa.select(OutboxGebeurtenis.volgnummer, OutboxGebeurtenis.gebeurtenis)
                    .where(
                        OutboxGebeurtenis.afgeleverd_op.is_(None),
                        sa.or_(
                            OutboxGebeurtenis.geclaimd_tot.is_(None), OutboxGebeurtenis.geclaimd_tot < moment
                        ),
                    )
                    .order_by(OutboxGebeurtenis.volgnummer)
                    .limit(self.batchgrootte)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if rijen:
                await session.execute(
                    sa.update(OutboxGebeurtenis)
                    .where(OutboxGebeurtenis.volgnummer.in_([r[0] for r in rijen]))
                    .values(
                        geclaimd_tot=moment + timedelta(seconds=self.claim_seconden),
                        pogingen=OutboxGebeurtenis.pogingen + 1,
                    )
                )
        return [(int(r[0]), dict(r[1])) for r in rijen]

    async def _markeer(self, volgnummers: list[int], *, afgeleverd: datetime | None) -> None:
        async with self.maker() as session, session.begin():
            await session.execute(
                sa.update(OutboxGebeurtenis)
                .where(OutboxGebeurtenis.volgnummer.in_(volgnummers))
                .values(afgeleverd_op=afgeleverd, geclaimd_tot=None)
            )

    async def _post(self, gebeurtenissen: list[dict[str, Any]]) -> None:
        try:
            async for poging in AsyncRetrying(
                stop=stop_after_attempt(self.pogingen_per_batch),
                wait=wait_exponential(multiplier=0.2, max=2),
                retry=retry_if_exception_type((httpx.TransportError, _Opnieuw)),
                reraise=True,
            ):
                with poging:
                    token = await self.tokens.token()
                    response = await self.http.post(
                        self.url,
                        json={"gebeurtenissen": gebeurtenissen},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    if response.status_code == 401:
                        self.tokens.invalidate()
                        raise _Opnieuw("token geweigerd")
                    if response.status_code == 429 or response.status_code >= 500:
                        raise _Opnieuw(f"status {response.status_code}")
                    if not 200 <= response.status_code < 300:
                        raise AfleverFout(f"rapportage weigerde de batch met status {response.status_code}")
        except (httpx.TransportError, _Opnieuw) as exc:
            raise AfleverFout(f"rapportage niet bereikbaar: {type(exc).__name__}") from None

    async def run_round(self) -> int:
        """Claim and deliver one batch; the number delivered (0 when the outbox is empty)."""
        batch = await self._claim()
        if not batch:
            return 0
        volgnummers = [v for v, _ in batch]
        try:
            await self._post([g for _, g in batch])
        except BaseException:
            # Release the claim so this or another relay retries soon, not only after it lapses.
            with contextlib.suppress(Exception):
                await asyncio.shield(self._markeer(volgnummers, afgeleverd=None))
            raise
        await self._markeer(volgnummers, afgeleverd=nu())
        self.afgeleverd += len(batch)
        return len(batch)

    async def run(self, stop: Stopsein | None = None) -> None:
        """Run until `stop` is given (between rounds) or the task is cancelled."""
        stop = stop or Stopsein()
        wacht = self.interval
        while not stop.gezet:
            try:
                aantal = await self.run_round()
                # A full batch means more may be waiting: go on at once.
                wacht = 0.0 if aantal == self.batchgrootte else self.interval
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                wacht = min(max(wacht * 2, self.interval), self.max_wachttijd)
                log.warning("outbox niet afgeleverd, nieuwe poging over %.1f s: %s", wacht, exc)
            await self._meet()
            await stop.slaap(wacht)


def build_relay(app: FastAPI) -> Relay:
    settings: IntakeSettings = app.state.settings
    return Relay(
        maker=app.state.sessionmaker,
        http=app.state.http,
        tokens=ServiceTokenSource(
            settings=settings,
            audience=settings.reporting_audience,
            http=app.state.http,
            scope=settings.reporting_token_scope,
            resource=settings.reporting_token_resource,
            audience_parameter=settings.reporting_token_audience,
        ),
        url=settings.reporting_url.rstrip("/") + "/v1/gebeurtenissen",
        batchgrootte=settings.outbox_batchgrootte,
        interval=settings.outbox_interval_seconden,
        claim_seconden=settings.outbox_claim_seconden,
        max_wachttijd=settings.outbox_max_wachttijd_seconden,
        metrics=OutboxMetrics(app.state.metrics.registry),
    )


async def start_relay(app: FastAPI) -> Callable[[], Awaitable[None]] | None:
    """Start-up hook: the relay as a background task of the service (unless switched off)."""
    settings: IntakeSettings = app.state.settings
    if not settings.outbox_relay_aan:
        return None
    relay = build_relay(app)
    app.state.outbox_relay = relay
    app.state.token_sources.append(relay.tokens)
    return start_background(name="outbox-relay", loop=relay.run)
