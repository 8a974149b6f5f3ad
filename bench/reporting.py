"""Benchmark 4: reporting's ingest and statistics against raw SQL on the same PostgreSQL database.

Ingest: the same events (batches of 1000, a few concurrent clients) go through `POST /v1/gebeurtenissen`
into the service's tables, and raw into copies of those tables (same columns, indexes and foreign key) in
two ways: asyncpg's `executemany` and `COPY` (`copy_records_to_table`), each into its own copies, one
transaction per batch like the API. The baseline is the faster of the two raw ways. Order: executemany,
COPY, API (first halves), API, COPY, executemany (second halves).

Publication: one closed month holding every ingested event (copied into a month of its own) is published as
the daily task does (every table that can be asked for: one GROUP BY each, protection, storing), against the
same GROUP BYs run raw, without protecting or storing.

Statistics: `GET /v1/statistieken/signalen` (reading the stored publication and JSON in the service) against the
GROUP BY a per-request count would rest on, run raw over the same rows, one at a time and alternating.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from reporting.statistieken.publicatie import (
    KOLOMMEN,
    alle_groeperingen,
    publish_closed,
    publish_period,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.data import EVENT_COLUMNS, EventSource, statistics_range
from bench.harness import Context, Resources, Server, asyncpg_dsn, bearer, cpu_seconds
from bench.load import Call, Measurement, expecting, interleaved
from bench.results import Aim, AimKind, Row

#: The month the publication benchmark copies every event into: far before any other data.
_MAAND = "2001-01"
#: SQL column of each dimension (the forms are in their own table).
_KOLOM = {d: ("v." if d == "uitbuitingsvorm" else "g.") + c.key for d, c in KOLOMMEN.items()}
#: What each stored table counts, as a condition on the raw rows.
_TELLING = {
    "signalen": "g.type = 'signaal_ontvangen'",
    "beoordelingen": "g.type = 'beoordeling_vastgelegd'",
    "terugkoppelingen": "g.type = 'terugkoppeling_vastgelegd'",
    "eerste_terugkoppelingen": "g.type = 'terugkoppeling_vastgelegd' AND g.eerste_terugkoppeling",
    "verstreken_termijnen": "g.type = 'termijn_verstreken'",
}

#: The raw ways of ingesting, each into its own copies of the tables: (name, table prefix).
RAW_METHODS = (("executemany", "bench_"), ("COPY", "bench_copy_"))
_RAW_TABLES = "".join(
    f"""
CREATE TABLE {prefix}gebeurtenissen (LIKE gebeurtenissen INCLUDING ALL);
CREATE TABLE {prefix}gebeurtenis_uitbuitingsvormen (LIKE gebeurtenis_uitbuitingsvormen INCLUDING ALL);
ALTER TABLE {prefix}gebeurtenis_uitbuitingsvormen ADD FOREIGN KEY (gebeurtenis_id)
    REFERENCES {prefix}gebeurtenissen (id) ON DELETE CASCADE;
"""
    for _, prefix in RAW_METHODS
)
_RAW_INSERT = (
    f"INSERT INTO bench_gebeurtenissen ({', '.join(EVENT_COLUMNS)}) "
    f"VALUES ({', '.join(f'${i}' for i in range(1, len(EVENT_COLUMNS) + 1))})"
)
_RAW_FORMS = (
    "INSERT INTO bench_gebeurtenis_uitbuitingsvormen (gebeurtenis_id, uitbuitingsvorm) VALUES ($1, $2)"
)
_FORM_COLUMNS = ("gebeurtenis_id", "uitbuitingsvorm")

#: (name, query parameters of the API, the raw GROUP BY the answer rests on).
QUERIES: tuple[tuple[str, dict[str, str], str], ...] = (
    (
        "gemeente × uitbuitingsvorm per kwartaal",
        {"groeperenOp": "gemeente,uitbuitingsvorm", "periode": "kwartaal"},
        "SELECT g.kwartaal, g.gemeente_code, v.uitbuitingsvorm, count(*) FROM gebeurtenissen g "
        "JOIN gebeurtenis_uitbuitingsvormen v ON v.gebeurtenis_id = g.id "
        "WHERE g.type = 'signaal_ontvangen' AND g.maand >= $1 AND g.maand <= $2 GROUP BY 1, 2, 3",
    ),
    (
        "melderDomein per maand",
        {"groeperenOp": "melderDomein", "periode": "maand"},
        "SELECT maand, melder_domein, count(*) FROM gebeurtenissen "
        "WHERE type = 'signaal_ontvangen' AND maand >= $1 AND maand <= $2 GROUP BY 1, 2",
    ),
)


async def _api_ingest(
    *, ctx: Context, server: Server, source: EventSource, batches: range, token: dict[str, str], label: str
) -> Measurement:
    sizes = ctx.sizes
    result = Measurement()
    pending = iter(batches)
    task = ctx.progress.add_task(label, total=len(batches) * sizes.batch)
    headers = {**token, "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=sizes.clients)

    async def client(http: httpx.AsyncClient) -> None:
        for batch in pending:
            body = source.batch_body(batch * sizes.batch, sizes.batch)
            start = time.perf_counter()
            response = await http.post("/v1/gebeurtenissen", content=body, headers=headers)
            latency = time.perf_counter() - start
            stored = response.json().get("nieuw") if response.status_code == 200 else None
            if stored == sizes.batch:
                result.latencies.append(latency)
            else:
                result.errors += 1
                result.first_error = (
                    result.first_error or f"HTTP {response.status_code}: {response.text[:300]}"
                )
            ctx.progress.advance(task, sizes.batch)

    server_cpu, wall = cpu_seconds(server.pid), time.perf_counter()
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=120) as http:
        await asyncio.gather(*(client(http) for _ in range(sizes.clients)))
    result.elapsed = time.perf_counter() - wall
    result.server_cpu = cpu_seconds(server.pid) - server_cpu
    ctx.progress.remove_task(task)
    return result


async def _raw_ingest(
    *, ctx: Context, pool: asyncpg.Pool, source: EventSource, batches: range, label: str, method: str
) -> Measurement:
    sizes = ctx.sizes
    result = Measurement()
    pending = iter(batches)
    task = ctx.progress.add_task(label, total=len(batches) * sizes.batch)

    async def client() -> None:
        async with pool.acquire() as connection:
            for batch in pending:
                indices = range(batch * sizes.batch, (batch + 1) * sizes.batch)
                rows = [source.row(i) for i in indices]
                forms = [
                    (row[0], form) for i, row in zip(indices, rows, strict=True) for form in source.forms(i)
                ]
                start = time.perf_counter()
                async with connection.transaction():
                    if method == "COPY":
                        await connection.copy_records_to_table(
                            "bench_copy_gebeurtenissen", records=rows, columns=EVENT_COLUMNS
                        )
                        await connection.copy_records_to_table(
                            "bench_copy_gebeurtenis_uitbuitingsvormen", records=forms, columns=_FORM_COLUMNS
                        )
                    else:
                        await connection.executemany(_RAW_INSERT, rows)
                        await connection.executemany(_RAW_FORMS, forms)
                result.latencies.append(time.perf_counter() - start)
                ctx.progress.advance(task, sizes.batch)

    wall = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(sizes.clients)))
    result.elapsed = time.perf_counter() - wall
    ctx.progress.remove_task(task)
    return result


async def _ingest(
    *, ctx: Context, server: Server, pool: asyncpg.Pool, source: EventSource
) -> tuple[Measurement, dict[str, Measurement]]:
    """Ours, and each raw way by name."""
    token = bearer(ctx.issuer, rol="intake-api")
    batches = ctx.sizes.events // ctx.sizes.batch
    halves = (range(0, batches // 2), range(batches // 2, batches))
    ours = Measurement()
    raw = {name: Measurement() for name, _ in RAW_METHODS}
    methods = [name for name, _ in RAW_METHODS]
    order = [(m, 0) for m in methods] + [("ours", 0), ("ours", 1)] + [(m, 1) for m in reversed(methods)]
    for side, half in order:
        label = f"reporting ingest: {side} {half + 1}/2"
        if side == "ours":
            ours.add(
                await _api_ingest(
                    ctx=ctx, server=server, source=source, batches=halves[half], token=token, label=label
                )
            )
        else:
            raw[side].add(
                await _raw_ingest(
                    ctx=ctx, pool=pool, source=source, batches=halves[half], label=label, method=side
                )
            )
    return ours, raw


async def run(ctx: Context) -> list[Row]:
    source = EventSource.build(today=date.today())
    van, tot = statistics_range(date.today())
    async with ctx.resources("reporting") as resources:
        rows, details = await _measure(ctx, resources, source, van=van, tot=tot)
    rows[0].details.update(details)
    return rows


async def _measure(
    ctx: Context, resources: Resources, source: EventSource, *, van: str, tot: str
) -> tuple[list[Row], dict[str, Any]]:
    sizes = ctx.sizes
    url = await resources.migrated(backend="postgresql", service="reporting")
    server = resources.server(
        name="reporting",
        factory="reporting.main:create_app",
        env={
            "REPORTING_DATABASE_URL": url,
            "REPORTING_RATE_LIMIT": "100000000/minute",
            "REPORTING_RATE_LIMIT_ORGANISATIE": "100000000/minute",
        },
    )
    await resources.start(server)
    pool = await asyncpg.create_pool(asyncpg_dsn(url), min_size=1, max_size=sizes.clients)
    try:
        async with pool.acquire() as connection:
            await connection.execute(_RAW_TABLES)
        ours, raw = await _ingest(ctx=ctx, server=server, pool=pool, source=source)
        async with pool.acquire() as connection:
            stored = await connection.fetchval("SELECT count(*) FROM gebeurtenissen")
            stored_raw = [
                await connection.fetchval(f"SELECT count(*) FROM {prefix}gebeurtenissen")  # nosec B608
                for _, prefix in RAW_METHODS
            ]
            await connection.execute("ANALYZE gebeurtenissen, gebeurtenis_uitbuitingsvormen")
        if stored != sizes.events or any(n != sizes.events for n in stored_raw):
            raise RuntimeError(
                f"stored {stored} events through the API and {stored_raw} raw, expected {sizes.events} "
                f"(first API error: {ours.first_error})"
            )
        publish_row = await _publish(ctx=ctx, pool=pool, url=url)
        # The statistics are served from the publication: publish the closed periods, as the daily task does.
        engine = create_async_engine(url)
        try:
            await publish_closed(
                maker=async_sessionmaker(engine, expire_on_commit=False),
                drempel=10,
                embargo=timedelta(days=14),
            )
        finally:
            await engine.dispose()
        query_rows = await _queries(ctx=ctx, server=server, url=url, van=van, tot=tot)
    finally:
        await pool.close()

    # The baseline is the faster raw way of this run, whichever it is.
    fastest = min(raw, key=lambda name: raw[name].elapsed)
    details: dict[str, Any] = {
        "events": sizes.events,
        "batch": sizes.batch,
        "clients": sizes.clients,
        "ours": {**ours.summary(), "eventsPerSecond": sizes.events / ours.elapsed},
        "baseline": {**raw[fastest].summary(), "eventsPerSecond": sizes.events / raw[fastest].elapsed},
        "raw": {
            name: {**m.summary(), "eventsPerSecond": sizes.events / m.elapsed} for name, m in raw.items()
        },
        "notes": [f"ours: {ours.errors} failed batches; first: {ours.first_error}"] if ours.errors else [],
    }
    ingest = Row(
        name=f"reporting POST /v1/gebeurtenissen, {sizes.events:,} events: throughput",
        unit="events/s",
        ours=sizes.events / ours.elapsed,
        baseline=sizes.events / raw[fastest].elapsed,
        baseline_label=f"raw {fastest} (the faster of executemany and COPY)",
        aim=Aim(AimKind.RATIO_MIN, 0.7),
    )
    return [ingest, publish_row, *query_rows], details


def _raw_group_by(telling: str, per_vorm: bool, dims: tuple[str, ...]) -> str:
    kolommen = ", ".join(_KOLOM[d] for d in dims)
    vorm = " JOIN gebeurtenis_uitbuitingsvormen v ON v.gebeurtenis_id = g.id" if per_vorm else ""
    select = f"SELECT {kolommen + ', ' if dims else ''}count(*) FROM gebeurtenissen g{vorm} "
    where = f"WHERE {_TELLING[telling]} AND g.maand = '{_MAAND}'"
    return select + where + (f" GROUP BY {kolommen}" if dims else "")


async def _publish(*, ctx: Context, pool: asyncpg.Pool, url: str) -> Row:
    """Publishing one closed month of every ingested event, against the raw GROUP BYs of the same tables."""
    sizes = ctx.sizes
    task = ctx.progress.add_task("reporting publication: copy into one month", total=None)
    async with pool.acquire() as connection:
        await connection.execute(
            "CREATE TEMP TABLE bench_kopie AS SELECT id AS oud, gen_random_uuid() AS nieuw FROM gebeurtenissen"
        )
        await connection.execute(
            f"INSERT INTO gebeurtenissen (id, type, maand, kwartaal, jaar, gemeente_code, sector, locatietype, "
            f"melder_domein, leeftijdsklasse, geslacht, nationaliteitsgroep, uitkomst, doorlooptijd_dagen, "
            f"terugkoppeling, eerste_terugkoppeling, celsleutel) SELECT k.nieuw, g.type, '{_MAAND}', '2001-K1', "
            f"'2001', g.gemeente_code, g.sector, g.locatietype, g.melder_domein, g.leeftijdsklasse, g.geslacht, "
            f"g.nationaliteitsgroep, g.uitkomst, g.doorlooptijd_dagen, g.terugkoppeling, g.eerste_terugkoppeling, "
            f"g.celsleutel FROM gebeurtenissen g JOIN bench_kopie k ON k.oud = g.id"
        )
        await connection.execute(
            "INSERT INTO gebeurtenis_uitbuitingsvormen (gebeurtenis_id, uitbuitingsvorm) SELECT k.nieuw, "
            "v.uitbuitingsvorm FROM gebeurtenis_uitbuitingsvormen v JOIN bench_kopie k ON k.oud = v.gebeurtenis_id"
        )
        await connection.execute("ANALYZE gebeurtenissen, gebeurtenis_uitbuitingsvormen")
    ctx.progress.remove_task(task)
    tabellen = alle_groeperingen()
    queries = [_raw_group_by(t.telling, t.per_vorm, t.dimensies) for t in tabellen]
    engine = create_async_engine(url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    ours: list[float] = []
    raw: list[float] = []
    try:
        # Alternate: raw, ours (first publication), raw, ours (an explicit republication of the same month).
        for ronde in range(2):
            start = time.perf_counter()
            async with pool.acquire() as connection:
                for sql in queries:
                    await connection.fetch(sql)
            raw.append(time.perf_counter() - start)
            start = time.perf_counter()
            async with maker() as session, session.begin():
                await publish_period(
                    session=session, periode=_MAAND, drempel=10, nu=datetime.now(UTC), opnieuw=ronde > 0,
                    reden="benchmark",
                )  # fmt: skip
            ours.append(time.perf_counter() - start)
        async with maker() as session:
            cellen = await session.scalar(
                text("SELECT count(*) FROM gepubliceerde_cellen WHERE periode = :p"),
                {"p": _MAAND},
            )
    finally:
        await engine.dispose()
    async with pool.acquire() as connection:
        await connection.execute(
            f"DELETE FROM gebeurtenissen WHERE maand = '{_MAAND}'; DROP TABLE bench_kopie"
        )
    return Row(
        name=f"reporting publishing one closed month of {sizes.events:,} events",
        unit="s",
        ours=min(ours),
        baseline=min(raw),
        baseline_label="raw GROUP BY of the same tables",
        aim=Aim(AimKind.RATIO_MAX, 3.0),
        details={"tables": len(tabellen), "cells": int(cellen or 0), "ours": ours, "baseline": raw},
    )


async def _queries(*, ctx: Context, server: Server, url: str, van: str, tot: str) -> list[Row]:
    token = bearer(ctx.issuer, rol="beleidsmedewerker")
    rows = []
    # After five executions of a prepared statement PostgreSQL may switch to a generic plan, which for
    # these range queries is a nested loop several times slower than the hash join it plans for the
    # actual values. The raw baseline is the query as planned for its values, every time.
    db = await asyncpg.connect(asyncpg_dsn(url), server_settings={"plan_cache_mode": "force_custom_plan"})
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=120, headers=token) as http:
            for name, params, sql in QUERIES:
                query = {**params, "van": van, "tot": tot}
                first = await http.get("/v1/statistieken/signalen", params=query)
                if first.status_code != 200:
                    raise RuntimeError(f"statistics {name}: HTTP {first.status_code}: {first.text[:300]}")
                answer = first.json()
                groups = await db.fetch(sql, van, tot)
                if answer.get("volledigOnderdrukt") or not groups:
                    raise RuntimeError(
                        f"statistics {name}: nothing to count (is the data in the range {van}..{tot}?)"
                    )

                async def raw(sql: str = sql) -> str | None:
                    return None if await db.fetch(sql, van, tot) else "no groups"

                async def send(query: dict[str, str] = query) -> httpx.Response:
                    return await http.get("/v1/statistieken/signalen", params=query)

                api: Call = expecting(send)
                measured_ours, measured_raw = await interleaved(
                    ours=api, baseline=raw, count=ctx.sizes.queries, ours_pids=[server.pid], warmup=2,
                    progress=ctx.progress, label=f"reporting statistics: {name}",
                )  # fmt: skip
                if not measured_ours.count:
                    raise RuntimeError(f"statistics {name}: {measured_ours.first_error}")
                rows.append(
                    Row(
                        name=f"reporting GET /v1/statistieken/signalen ({name}): p50",
                        unit="ms",
                        ours=measured_ours.p(50),
                        baseline=measured_raw.p(50),
                        baseline_label="raw GROUP BY",
                        # Served from the stored publication: at most 20 ms, whatever the data size.
                        aim=Aim(AimKind.OURS_MAX, 20.0),
                        details={
                            "query": query,
                            "groups": len(groups),
                            "cells": len(answer.get("cellen", [])),
                            "ours": measured_ours.summary(),
                            "baseline": measured_raw.summary(),
                        },
                    )
                )
    finally:
        await db.close()
    return rows
