"""Benchmark 1: `POST /v1/signalen` under 32 concurrent connections against a bare INSERT endpoint.

Both servers are uvicorn processes on the server core, writing into the same database (intake's own
`signalen` table); wrk on the client core sends the same realistic bodies to both, each request with its
own Idempotency-Key, for the same time, in the order baseline, ours, ours, baseline. Server CPU per
request is read from the server process; a saturated client core is flagged in the notes.
"""

from __future__ import annotations

import sqlalchemy as sa
from meldroute_common.db import make_engine

from bench.baseline_app import DATABASE_URL_ENV, NAAM
from bench.data import signal_bodies
from bench.harness import Context, Server, bearer, intake_env
from bench.profiel import profiled
from bench.results import Aim, AimKind, Row
from bench.wrk import WrkRun, WrkTarget, alternating_wrk

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


#: A client core busier than this may have limited what was measured.
SATURATED = 0.9


def _notes(ours: WrkRun, baseline: WrkRun, *, stored: int) -> list[str]:
    notes = []
    for side, run in (("ours", ours), ("baseline", baseline)):
        if run.errors:
            notes.append(f"{side}: {run.errors} failed requests; first: {run.first_error}")
        if run.client_share >= SATURATED:
            notes.append(
                f"{side}: wrk kept the client core {run.client_share:.0%} busy, so this side may be limited by "
                "the client: its throughput is a lower bound"
            )
    if stored < ours.good:
        notes.append(f"only {stored} signals stored for {ours.good} answers 201")
    return notes


def _summary(run: WrkRun) -> dict[str, object]:
    return {
        "requests": run.good,
        "errors": run.errors,
        "seconds": round(run.elapsed, 3),
        "p50Ms": round(run.p50_ms, 3),
        "p99Ms": round(run.p99_ms, 3),
        "clientCpuShare": round(run.client_share, 3),
        "serverCpuShare": round(run.server_cpu / run.elapsed, 3) if run.elapsed else None,
        "serverCpuMsPerRequest": None
        if run.server_ms_per_request is None
        else round(run.server_ms_per_request, 3),
    }


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

        def target(server: Server) -> WrkTarget:
            return WrkTarget(
                base_url=server.url, method="POST", path="/v1/signalen", headers=headers,
                bodies=bodies, connections=sizes.concurrency, server_pids=[server.pid],
            )  # fmt: skip

        ctx.say(f"intake {label}: wrk, baseline ours ours baseline, {sizes.seconds:g} s per side")
        with_profile = profiled(ours_server.pid, out=resources.log_dir / "intake-profile.txt")
        async with with_profile as profile:
            ours, baseline = await alternating_wrk(
                ours=target(ours_server), baseline=target(baseline_server),
                seconds=sizes.seconds, warmup=sizes.warmup_seconds,
            )  # fmt: skip
        stored = await _stored(url)

    if not ours.good or not baseline.good:
        raise RuntimeError(
            f"no successful requests (ours: {ours.first_error}; baseline: {baseline.first_error})"
        )
    details = {
        "backend": backend,
        "loadGenerator": "wrk",
        "concurrency": sizes.concurrency,
        "ours": _summary(ours),
        "baseline": _summary(baseline),
        "notes": _notes(ours, baseline, stored=stored),
    }
    if profile:
        details["profile"] = profile
    name = f"intake POST /v1/signalen, {label}"
    bare = "bare INSERT"
    return [
        Row(
            name=f"{name}: throughput",
            unit="req/s",
            ours=ours.throughput,
            baseline=baseline.throughput,
            baseline_label=bare,
            aim=Aim(AimKind.RATIO_MIN, 0.5) if backend == "postgresql" else None,
            details=details,
        ),
        Row(name=f"{name}: p50", unit="ms", ours=ours.p50_ms, baseline=baseline.p50_ms, baseline_label=bare),
        Row(name=f"{name}: p99", unit="ms", ours=ours.p99_ms, baseline=baseline.p99_ms, baseline_label=bare),
        Row(
            name=f"{name}: server CPU per request",
            unit="ms",
            ours=ours.server_ms_per_request,
            baseline=baseline.server_ms_per_request,
            baseline_label=bare,
        ),
    ]
