"""The load generator: concurrent HTTP load for a fixed time, and interleaved one-at-a-time latency pairs.

Ours and the baseline are measured alternately (A B B A for throughput, A B / B A per request for
latency) so a slow drift of the machine (other work, a growing table) falls on both alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import httpx
from rich.progress import Progress, TaskID

from bench.harness import cpu_seconds

#: method, path, headers, body of request number i.
RequestFactory = Callable[[int], tuple[str, str, dict[str, str], bytes | None]]
#: One timed call: None when it succeeded, else what went wrong.
Call = Callable[[], Awaitable[str | None]]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of the values."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


@dataclass
class Measurement:
    """Latencies (seconds) of the successful requests, errors, wall time and CPU spent on both ends."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    elapsed: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    def add(self, other: Measurement) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.first_error = self.first_error or other.first_error
        self.elapsed += other.elapsed
        self.client_cpu += other.client_cpu
        self.server_cpu += other.server_cpu

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def p(self, q: float) -> float:
        """Percentile latency in milliseconds."""
        return percentile(self.latencies, q) * 1000

    def summary(self) -> dict[str, float | int | str | None]:
        """Figures for the JSON details: counts, utilisation of the client and server cores."""
        return {
            "requests": self.count,
            "errors": self.errors,
            "firstError": self.first_error,
            "seconds": round(self.elapsed, 3),
            "p50Ms": round(self.p(50), 3) if self.latencies else None,
            "p99Ms": round(self.p(99), 3) if self.latencies else None,
            "clientCpuShare": round(self.client_cpu / self.elapsed, 3) if self.elapsed else None,
            "serverCpuShare": round(self.server_cpu / self.elapsed, 3) if self.elapsed else None,
            "serverCpuMsPerRequest": round(self.server_cpu / self.count * 1000, 3) if self.count else None,
        }


class _Clock:
    """Wall, client CPU and server CPU time of a stretch of load."""

    def __init__(self, server_pids: Sequence[int]) -> None:
        self.pids = list(server_pids)

    def __enter__(self) -> _Clock:
        # Reading /proc stays outside the wall-clock window.
        self.server = sum(cpu_seconds(pid) for pid in self.pids)
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.elapsed = time.perf_counter() - self.wall
        self.client_cpu = time.process_time() - self.cpu
        self.server_cpu = sum(cpu_seconds(pid) for pid in self.pids) - self.server


def _describe(response: httpx.Response) -> str:
    # Bench data is synthetic, so the start of the body is safe to show and says what went wrong.
    return f"HTTP {response.status_code}: {response.text[:300]}"


@contextlib.asynccontextmanager
async def connections(base_url: str, *, count: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """`count` keep-alive connections, each its own client.

    One client with a pool of 32 spends several times more CPU per request than 32 clients of one
    connection each (its pool is searched per request); on a core of its own the difference decides
    whether the load generator or the server is measured.
    """
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with contextlib.AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60))
            for _ in range(count)
        ]


async def sustained(
    *,
    clients: Sequence[httpx.AsyncClient],
    request: RequestFactory,
    expect: int,
    seconds: float,
    server_pids: Sequence[int] = (),
    progress: Progress | None = None,
    label: str = "",
) -> Measurement:
    """One worker per client sends requests back to back for `seconds`; latencies of the expected answers."""
    result = Measurement()
    counter = iter(range(1 << 62))
    deadline = time.perf_counter() + seconds
    task: TaskID | None = progress.add_task(label, total=seconds) if progress and label else None

    async def worker(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            method, path, headers, body = request(next(counter))
            start = time.perf_counter()
            try:
                response = await client.request(method, path, headers=headers, content=body)
            except httpx.HTTPError as error:
                result.errors += 1
                result.first_error = result.first_error or f"{type(error).__name__}: {error}"
                continue
            latency = time.perf_counter() - start
            if response.status_code == expect:
                result.latencies.append(latency)
            else:
                result.errors += 1
                result.first_error = result.first_error or _describe(response)

    async def ticker() -> None:
        while task is not None and progress is not None and time.perf_counter() < deadline:
            progress.update(task, completed=seconds - max(0.0, deadline - time.perf_counter()))
            await asyncio.sleep(0.25)

    with _Clock(server_pids) as clock:
        tick = asyncio.create_task(ticker())
        await asyncio.gather(*(worker(client) for client in clients))
        tick.cancel()
    if progress is not None and task is not None:
        progress.remove_task(task)
    result.elapsed, result.client_cpu, result.server_cpu = clock.elapsed, clock.client_cpu, clock.server_cpu
    return result


async def alternating(
    *,
    ours: Callable[[float], Awaitable[Measurement]],
    baseline: Callable[[float], Awaitable[Measurement]],
    seconds: float,
    warmup: float,
) -> tuple[Measurement, Measurement]:
    """Warm both up, then measure in the order baseline, ours, ours, baseline, each for half the time."""
    await baseline(warmup)
    await ours(warmup)
    totals = {"ours": Measurement(), "baseline": Measurement()}
    runs = {"ours": ours, "baseline": baseline}
    for side in ("baseline", "ours", "ours", "baseline"):
        totals[side].add(await runs[side](seconds / 2))
    return totals["ours"], totals["baseline"]


def expecting(send: Callable[[], Awaitable[httpx.Response]], *, status: int = 200) -> Call:
    """A call that succeeds when the response has `status`; otherwise it names what came back."""

    async def call() -> str | None:
        response = await send()
        return None if response.status_code == status else _describe(response)

    return call


async def interleaved(
    *,
    ours: Call,
    baseline: Call,
    count: int,
    ours_pids: Sequence[int] = (),
    baseline_pids: Sequence[int] = (),
    warmup: int = 10,
    progress: Progress | None = None,
    label: str = "",
) -> tuple[Measurement, Measurement]:
    """`count` calls of each, one at a time, alternating which goes first; latencies per side."""
    results = {"ours": Measurement(), "baseline": Measurement()}
    calls = {"ours": ours, "baseline": baseline}
    pids = {"ours": ours_pids, "baseline": baseline_pids}
    for _ in range(warmup):
        for call in (baseline, ours):
            await call()
    task = progress.add_task(label, total=count) if progress and label else None
    for i in range(count):
        for side in ("ours", "baseline") if i % 2 == 0 else ("baseline", "ours"):
            with _Clock(pids[side]) as clock:
                try:
                    error = await calls[side]()
                except httpx.HTTPError as failure:
                    error = f"{type(failure).__name__}: {failure}"
            measurement = results[side]
            measurement.elapsed += clock.elapsed
            measurement.client_cpu += clock.client_cpu
            measurement.server_cpu += clock.server_cpu
            if error is None:
                measurement.latencies.append(clock.elapsed)
            else:
                measurement.errors += 1
                measurement.first_error = measurement.first_error or error
        if progress is not None and task is not None:
            progress.advance(task)
    if progress is not None and task is not None:
        progress.remove_task(task)
    return results["ours"], results["baseline"]


def idempotency_key() -> str:
    return str(uuid.uuid4())
