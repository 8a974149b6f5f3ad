"""Run the benchmarks: `python -m bench [--quick] [--only NAME,...] [--json PATH]`."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench import beleid, gateway, intake, reporting, template, wachtrij
from bench.config import Sizes, quick_requested, sizes_from_env
from bench.harness import CLIENT_CPUS, PINNED, ROOT, SERVER_CPUS, Context, dev_issuer, pg_answers, pin_client
from bench.results import Row, failed, print_table, write_json

Benchmark = Callable[[Context], Awaitable[list[Row]]]

#: (key for --only, title, benchmark), in the order they run.
BENCHMARKS: tuple[tuple[str, str, Benchmark], ...] = (
    ("intake-postgresql", "intake POST /v1/signalen, PostgreSQL", partial(intake.run, backend="postgresql")),
    ("intake-sqlite", "intake POST /v1/signalen, SQLite", partial(intake.run, backend="sqlite")),
    ("gateway", "gateway case read against intake's internal read", gateway.run),
    ("beleid", "policy decision", beleid.run),
    ("reporting", "reporting ingest and statistics", reporting.run),
    ("wachtrij", "signal queue, deep page against page 1", wachtrij.run),
    # Only with MELDROUTE_BENCH_TEMPLATE set (see bench/README.md); skipped with its reason otherwise.
    ("template", "intake POST against the FastAPI full-stack template", template.run),
)
DEFAULT_JSON = ROOT / "test-artifacts" / "bench.json"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="everything in seconds (MELDROUTE_BENCH_QUICK=1)"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated benchmarks to run (prefixes of: "
        + ", ".join(key for key, _, _ in BENCHMARKS)
        + "); default all",
    )
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"where the JSON goes ({DEFAULT_JSON})"
    )
    return parser.parse_args(argv)


def _selected(only: str) -> list[tuple[str, str, Benchmark]]:
    wanted = [w.strip() for w in only.split(",") if w.strip()]
    chosen = [b for b in BENCHMARKS if not wanted or any(b[0].startswith(w) for w in wanted)]
    if not chosen:
        raise SystemExit(f"--only {only!r} matches none of: {', '.join(k for k, _, _ in BENCHMARKS)}")
    return chosen


async def _run(sizes: Sizes, *, selected: list[tuple[str, str, Benchmark]], json_path: Path) -> int:
    # SIGTERM cancels the run like Ctrl-C does, so every database and process is still cleaned up.
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)

    out, err = Console(), Console(stderr=True)
    if not out.is_terminal:
        out = Console(width=160)  # a log file or pipe: keep each row on one line
    if not await pg_answers(sizes.pg_server):
        err.print(f"[red]PostgreSQL does not answer at {sizes.pg_server}; the benchmarks need it.[/red]")
        return 2
    pin_client()
    log_dir = json_path.parent / "bench-logs"
    shutil.rmtree(log_dir, ignore_errors=True)
    log_dir.mkdir(parents=True)
    started, clock, load_before = datetime.now(UTC), time.perf_counter(), os.getloadavg()
    rows: list[Row] = []
    with (
        tempfile.TemporaryDirectory(prefix="meldroute-bench-") as temporary,
        Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=err, transient=True,
        ) as progress,
    ):  # fmt: skip
        folder = Path(temporary)
        context = Context(
            sizes=sizes,
            issuer=dev_issuer(folder / "local"),
            local_dir=folder / "local",
            work_dir=folder / "work",
            log_dir=log_dir,
            progress=progress,
        )
        for _, title, benchmark in selected:
            context.say(f"[bold]{title}[/bold]")
            try:
                rows += await benchmark(context)
            except Exception as error:
                err.print(f"[red]{title} failed[/red] (server logs in {log_dir}):")
                err.print("".join(traceback.format_exception(error)))
                rows.append(failed(title, error))
    mode = "quick" if sizes.quick else "full"
    print_table(
        rows, console=out, title=f"meldroute benchmarks ({mode}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)"
    )
    load_after = os.getloadavg()
    meta = {
        "started": started.isoformat(),
        "seconds": round(time.perf_counter() - clock, 1),
        "quick": sizes.quick,
        "sizes": {k: v for k, v in asdict(sizes).items() if k != "pg_server"},
        "machine": {
            "cpus": os.cpu_count(),
            "pinned": PINNED,
            "serverCpus": sorted(SERVER_CPUS),
            "clientCpus": sorted(CLIENT_CPUS),
            "python": platform.python_version(),
            # Other work on the machine skews every figure; the 1-minute load shows how much there was.
            "loadAverageBefore": [round(x, 2) for x in load_before],
            "loadAverageAfter": [round(x, 2) for x in load_after],
        },
    }
    write_json(json_path, rows=rows, meta=meta)
    out.print(f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; written to {json_path}")
    return 1 if any(row.error for row in rows) else 0


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    sizes = sizes_from_env(quick=arguments.quick or quick_requested())
    try:
        return asyncio.run(
            _run(sizes, selected=_selected(arguments.only), json_path=arguments.json.resolve())
        )
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
