"""Benchmark 1: `POST /v1/signalen` under 32 concurrent connections against a bare INSERT endpoint.

Both servers are uvicorn processes on the server core, writing into the same database (intake's own
`signalen` table); the load generator sends the same realistic bodies to both, each request with its own
Idempotency-Key, for the same time, in the order baseline, ours, ours, baseline.
"""

from __future__ import annotations

import sqlalchemy as sa
from meldroute_common.db import make_engine

from bench.baseline_app import DATABASE_URL_ENV, NAAM
from bench.data import signal_bodies
from bench.harness import Context, bearer, intake_env
from bench.load import Measurement, alternating, connections, idempotency_key, sustained
from bench.results import Aim, AimKind, Row

GEMEENTE = "GM1509"
MELDER = "bench-melder"
BACKENDS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


async def _stored(url: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            query = sa.text("SELECT count(*) FROM signalen WHERE aangemaakt_door = :door")
            return int((await connection.execute(query, {"door": MELDER})).scalar_one())
    finally:
        await engine.dispose()


def _notes(ours: Measurement, baseline: Measurement, *, stored: int) -> list[str]:
    notes = []
    for side, measurement in (("ours", ours), ("baseline", baseline)):
        if measurement.errors:
            notes.append(f"{side}: {measurement.errors} failed requests; first: {measurement.first_error}")
        share = measurement.client_cpu / measurement.elapsed if measurement.elapsed else 0.0
        if share >= 0.9:
            notes.append(
                f"{side}: the load generator kept its core {share:.0%} busy, so this side may be limited by "
                "the client: its throughput is a lower bound"
            )
    if stored < ours.count:
        notes.append(f"only {stored} signals stored for {ours.count} answers 201")
    return notes


async def run(ctx: Context, *, backend: str) -> list[Row]:
    label = BACKENDS[backend]
    sizes = ctx.sizes
    async with ctx.resources(f"intake-{backend}") as resources:
        url = await resources.migrated(backend=backend, service="intake-api")
        ours_server = resources.server(
            name="intake-api", factory="intake_api.main:create_app", env=intake_env(url)
        )
        baseline_server = resources.server(
            name=NAAM,
            factory="bench.baseline_app:create_app",
            env={DATABASE_URL_ENV: url},
        )
        await resources.start(ours_server, baseline_server)
        bodies = signal_bodies(count=512, gemeente=GEMEENTE)
        headers = {**bearer(ctx.issuer, rol="melder", gemeente=GEMEENTE, sub=MELDER)}
        headers["Content-Type"] = "application/json"

        def request(i: int) -> tuple[str, str, dict[str, str], bytes | None]:
            return (
                "POST",
                "/v1/signalen",
                {**headers, "Idempotency-Key": idempotency_key()},
                bodies[i % len(bodies)],
            )

        async with (
            connections(ours_server.url, count=sizes.concurrency) as ours_clients,
            connections(baseline_server.url, count=sizes.concurrency) as baseline_clients,
        ):

            async def ours(seconds: float) -> Measurement:
                return await sustained(
                    clients=ours_clients, request=request, expect=201,
                    seconds=seconds, server_pids=[ours_server.pid], progress=ctx.progress,
                    label=f"intake {label}: ours",
                )  # fmt: skip

            async def baseline(seconds: float) -> Measurement:
                return await sustained(
                    clients=baseline_clients, request=request, expect=201,
                    seconds=seconds, server_pids=[baseline_server.pid], progress=ctx.progress,
                    label=f"intake {label}: baseline",
                )  # fmt: skip

            measured_ours, measured_baseline = await alternating(
                ours=ours, baseline=baseline, seconds=sizes.seconds, warmup=sizes.warmup_seconds
            )
        stored = await _stored(url)

    if not measured_ours.count or not measured_baseline.count:
        raise RuntimeError(
            f"no successful requests (ours: {measured_ours.first_error}; baseline: {measured_baseline.first_error})"
        )
    details = {
        "backend": backend,
        "concurrency": sizes.concurrency,
        "ours": measured_ours.summary(),
        "baseline": measured_baseline.summary(),
        "notes": _notes(measured_ours, measured_baseline, stored=stored),
    }
    name = f"intake POST /v1/signalen, {label}"
    bare = "bare INSERT"
    return [
        Row(
            name=f"{name}: throughput",
            unit="req/s",
            ours=measured_ours.throughput,
            baseline=measured_baseline.throughput,
            baseline_label=bare,
            aim=Aim(AimKind.RATIO_MIN, 0.5) if backend == "postgresql" else None,
            details=details,
        ),
        Row(
            name=f"{name}: p50",
            unit="ms",
            ours=measured_ours.p(50),
            baseline=measured_baseline.p(50),
            baseline_label=bare,
        ),
        Row(
            name=f"{name}: p99",
            unit="ms",
            ours=measured_ours.p(99),
            baseline=measured_baseline.p(99),
            baseline_label=bare,
        ),
    ]
