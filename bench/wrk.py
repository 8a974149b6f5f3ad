"""HTTP load with `wrk`, a compiled load generator that outpaces the servers here.

The Python generator in `bench.load` tops out below what a bare endpoint can serve, so a ratio against
the bare baseline would measure the client. `wrk` runs on the client core (the servers on the other),
sends each request with its own Idempotency-Key and a body from the benchmark's set, and reports through
a Lua `done` hook as one JSON line. Its CPU time is read from the process, so a run whose client core was
saturated is flagged, not trusted.

Install it with `make bench` (Debian's package, like Chromium for the browser test).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.harness import CLIENT_CPUS, cpu_seconds

#: The Lua script: per thread a counter for unique keys; the bodies are read once per thread.
_SCRIPT = r"""
local bodies, method, path, run_id, thread_id, counter = {}, "GET", "/", "00000000", 0, 0
local threads = {}

setup = function(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

init = function(args)
  method, path, run_id = args[1], args[2], args[3]
  if args[4] ~= nil then
    for line in io.lines(args[4]) do table.insert(bodies, line) end
  end
end

request = function()
  counter = counter + 1
  -- wrk.format replaces wrk.headers (the -H headers) by the table it gets: start from a copy.
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  -- A UUID-shaped key unique per run, thread and request: no request is a replay of an earlier one.
  headers["Idempotency-Key"] = string.format("%s-%04x-4000-8000-%012x", run_id, thread_id, counter)
  local body = nil
  if #bodies > 0 then body = bodies[(counter % #bodies) + 1] end
  return wrk.format(method, path, headers, body)
end

-- The first failure, to say what went wrong (bench data is synthetic, so its body is safe to show).
local first_error = nil
response = function(status, headers, body)
  if status >= 400 and first_error == nil then
    first_error = string.format("HTTP %d: %s", status, string.sub(body or "", 1, 300))
    io.write("WRK_FIRST_ERROR " .. first_error .. "\n")
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "durationUs": %d, "connectErrors": %d, "readErrors": %d, '
    .. '"writeErrors": %d, "timeouts": %d, "statusErrors": %d, "p50Us": %d, "p99Us": %d}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write, errors.timeout,
    errors.status, latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_path() -> str | None:
    """The wrk binary, or None when it is not installed."""
    return shutil.which("wrk")


@dataclass(frozen=True, slots=True)
class WrkRun:
    """One stretch of wrk load: answered requests, failures, latency percentiles and the CPU of both ends."""

    requests: int
    errors: int
    elapsed: float
    p50_ms: float
    p99_ms: float
    client_cpu: float
    server_cpu: float
    first_error: str | None = None

    @property
    def good(self) -> int:
        return max(0, self.requests - self.errors)

    @property
    def throughput(self) -> float:
        return self.good / self.elapsed if self.elapsed else 0.0

    @property
    def client_share(self) -> float:
        """How busy wrk kept its core (1.0: saturated, so the server may not be what was measured)."""
        return self.client_cpu / self.elapsed if self.elapsed else 0.0

    @property
    def server_ms_per_request(self) -> float | None:
        return self.server_cpu / self.good * 1000 if self.good else None


def combine(runs: Sequence[WrkRun]) -> WrkRun:
    """Runs of one side added up; latency percentiles weighted by requests (an approximation, noted)."""
    total = sum(r.requests for r in runs) or 1
    return WrkRun(
        requests=sum(r.requests for r in runs),
        errors=sum(r.errors for r in runs),
        elapsed=sum(r.elapsed for r in runs),
        p50_ms=sum(r.p50_ms * r.requests for r in runs) / total,
        p99_ms=max((r.p99_ms for r in runs), default=0.0),
        client_cpu=sum(r.client_cpu for r in runs),
        server_cpu=sum(r.server_cpu for r in runs),
        first_error=next((r.first_error for r in runs if r.first_error), None),
    )


def _pin_to_client_core() -> None:
    os.sched_setaffinity(0, CLIENT_CPUS)


@dataclass(frozen=True, slots=True)
class WrkTarget:
    """What to load: an endpoint with its headers and bodies, over `connections` keep-alive connections."""

    base_url: str
    method: str
    path: str
    headers: dict[str, str]
    server_pids: Sequence[int]
    bodies: Sequence[bytes] = ()
    connections: int = 32


async def run_wrk(target: WrkTarget, *, seconds: float) -> WrkRun:
    """Load the target on one wrk thread, pinned to the client core, for `seconds`."""
    binary = wrk_path()
    if binary is None:
        raise RuntimeError("wrk is not installed (make bench installs Debian's package)")
    with tempfile.TemporaryDirectory(prefix="meldroute-wrk-") as tmp:
        script = Path(tmp) / "load.lua"
        script.write_text(_SCRIPT, encoding="utf-8")
        arguments = [target.method, target.path, uuid.uuid4().hex[:8]]
        if target.bodies:
            body_file = Path(tmp) / "bodies.jsonl"
            body_file.write_bytes(b"\n".join(b.replace(b"\n", b" ") for b in target.bodies) + b"\n")
            arguments.append(str(body_file))
        header_args = [arg for name, value in target.headers.items() for arg in ("-H", f"{name}: {value}")]
        # wrk takes whole seconds, and counts only the answers that arrive within them.
        command = [
            binary, "-t1", f"-c{target.connections}", f"-d{max(2, round(seconds))}s", "--timeout", "30s",
            *header_args, "-s", str(script), target.base_url, "--", *arguments,
        ]  # fmt: skip
        before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_before = sum(cpu_seconds(pid) for pid in target.server_pids)
        loop = asyncio.get_running_loop()
        start = loop.time()
        process = await asyncio.create_subprocess_exec(
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=_pin_to_client_core,
        )
        stdout, stderr = await process.communicate()
        elapsed = loop.time() - start
        server_cpu = sum(cpu_seconds(pid) for pid in target.server_pids) - server_before
        after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}): {stderr.decode(errors='replace')[:500]}")
    line = next((x for x in stdout.decode().splitlines() if x.startswith("WRK_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {stdout.decode(errors='replace')[:500]}")
    first_error = next(
        (
            x.removeprefix("WRK_FIRST_ERROR ")
            for x in stdout.decode().splitlines()
            if x.startswith("WRK_FIRST_ERROR ")
        ),
        None,
    )
    result = json.loads(line.removeprefix("WRK_RESULT "))
    errors = sum(
        result[k] for k in ("connectErrors", "readErrors", "writeErrors", "timeouts", "statusErrors")
    )
    client_cpu = (after_children.ru_utime - before_children.ru_utime) + (
        after_children.ru_stime - before_children.ru_stime
    )
    return WrkRun(
        requests=int(result["requests"]),
        errors=int(errors),
        # wrk's own clock covers the load only, not its start and the script's set-up.
        elapsed=int(result["durationUs"]) / 1e6 or elapsed,
        p50_ms=int(result["p50Us"]) / 1000,
        p99_ms=int(result["p99Us"]) / 1000,
        client_cpu=client_cpu,
        server_cpu=server_cpu,
        first_error=first_error,
    )


async def alternating_wrk(
    *, ours: WrkTarget, baseline: WrkTarget, seconds: float, warmup: float
) -> tuple[WrkRun, WrkRun]:
    """Warm both up, then measure in the order baseline, ours, ours, baseline, each for half the time."""
    await run_wrk(baseline, seconds=warmup)
    await run_wrk(ours, seconds=warmup)
    runs: dict[str, list[WrkRun]] = {"ours": [], "baseline": []}
    sides = {"ours": ours, "baseline": baseline}
    for side in ("baseline", "ours", "ours", "baseline"):
        runs[side].append(await run_wrk(sides[side], seconds=seconds / 2))
    return combine(runs["ours"]), combine(runs["baseline"])
