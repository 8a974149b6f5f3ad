"""Sizes of the benchmarks: full-size defaults, overridable per environment variable, or seconds with --quick.

| variable | default | quick | meaning |
|---|---|---|---|
| `MELDROUTE_BENCH_SCALE` | 1 | 1 | multiplies every count and duration below |
| `MELDROUTE_BENCH_SECONDS` | 20 | 4 | measured seconds per side of a throughput comparison |
| `MELDROUTE_BENCH_CONCURRENCY` | 32 | 32 | concurrent connections of the intake load |
| `MELDROUTE_BENCH_REQUESTS` | 1000 | 30 | sequential requests per side of a latency comparison |
| `MELDROUTE_BENCH_DECISIONS` | 200000 | 5000 | policy decisions timed one by one |
| `MELDROUTE_BENCH_EVENTS` | 1000000 | 4000 | events ingested into reporting (each side) |
| `MELDROUTE_BENCH_BATCH` | 1000 | 1000 | events per ingest batch |
| `MELDROUTE_BENCH_CLIENTS` | 4 | 4 | concurrent ingest clients |
| `MELDROUTE_BENCH_QUERIES` | 30 | 5 | statistics queries per side |
| `MELDROUTE_BENCH_SIGNALS` | 1000000 | 10000 | signals bulk-loaded for the queue |
| `MELDROUTE_BENCH_PG` | `postgresql+asyncpg://postgres@127.0.0.1:5432` | | the PostgreSQL server |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432"

# name: (full default, quick default, scaled)
_SIZES: dict[str, tuple[float, float, bool]] = {
    "SECONDS": (20.0, 4.0, True),
    "CONCURRENCY": (32, 32, False),
    "REQUESTS": (1000, 30, True),
    "DECISIONS": (200_000, 5000, True),
    "EVENTS": (1_000_000, 4000, True),
    "BATCH": (1000, 1000, False),
    "CLIENTS": (4, 4, False),
    "QUERIES": (30, 5, True),
    "SIGNALS": (1_000_000, 10_000, True),
}


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big each benchmark is; see the module docstring for the variables."""

    quick: bool
    scale: float
    seconds: float
    warmup_seconds: float
    concurrency: int
    requests: int
    decisions: int
    events: int
    batch: int
    clients: int
    queries: int
    signals: int
    pg_server: str


def quick_requested(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get("MELDROUTE_BENCH_QUICK", "").strip().lower() in {"1", "true", "yes", "ja"}


def sizes_from_env(*, quick: bool, environ: Mapping[str, str] = os.environ) -> Sizes:
    """The sizes for this run: a variable that is set wins over the (quick) default, then the scale applies."""
    scale = float(environ.get("MELDROUTE_BENCH_SCALE", "1"))
    if scale <= 0:
        raise ValueError("MELDROUTE_BENCH_SCALE must be positive")
    values: dict[str, float] = {}
    for name, (full, short, scaled) in _SIZES.items():
        raw = environ.get(f"MELDROUTE_BENCH_{name}")
        value = float(raw) if raw else (short if quick else full)
        if value <= 0:
            raise ValueError(f"MELDROUTE_BENCH_{name} must be positive")
        values[name] = value * scale if scaled else value
    batch = int(values["BATCH"])
    if batch > 1000:
        raise ValueError("MELDROUTE_BENCH_BATCH is at most 1000 (the ingest's limit)")
    seconds = values["SECONDS"]
    return Sizes(
        quick=quick,
        scale=scale,
        seconds=seconds,
        # Long enough to fill connection pools and caches, short next to the measurement.
        warmup_seconds=max(0.3, min(3.0, seconds / 5)),
        concurrency=int(values["CONCURRENCY"]),
        requests=max(2, int(values["REQUESTS"])),
        decisions=max(100, int(values["DECISIONS"])),
        events=max(batch, int(values["EVENTS"]) // batch * batch),
        batch=batch,
        clients=int(values["CLIENTS"]),
        queries=max(2, int(values["QUERIES"])),
        signals=max(200, int(values["SIGNALS"])),
        pg_server=environ.get("MELDROUTE_BENCH_PG", PG_DEFAULT).rstrip("/"),
    )
