"""A sampling profile of a server under load: `MELDROUTE_BENCH_PROFILE=1` makes the intake benchmark run
py-spy (a dev dependency) on intake's process while wrk loads it (the gateway benchmark: on the gateway's
process while the reads run), and puts the top of the profile in the row's details and the raw stacks
(flamegraph input) in the server logs.

py-spy samples the running threads only, so the stretches in which the baseline is loaded add nothing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

PROFILE_ENV = "MELDROUTE_BENCH_PROFILE"
#: Where a frame's file lies decides its group in the summary; the first match wins.
_GROEPEN = (
    ("sqlalchemy/orm", "SQLAlchemy ORM"),
    ("sqlalchemy", "SQLAlchemy Core/engine"),
    ("asyncpg", "asyncpg"),
    ("aiosqlite", "aiosqlite"),
    ("pydantic", "pydantic"),
    ("fastapi", "FastAPI"),
    ("starlette", "Starlette"),
    ("uvicorn", "uvicorn"),
    ("cryptography", "cryptography"),
    ("meldroute_common", "meldroute_common"),
    ("intake_api", "intake_api"),
    ("privacy_gateway", "privacy_gateway"),
    ("reporting", "reporting"),
    ("httpcore", "httpx/httpcore"),
    ("httpx", "httpx/httpcore"),
    ("h11", "h11"),
    ("asyncio", "asyncio"),
)


def requested() -> bool:
    return os.environ.get(PROFILE_ENV, "").strip().lower() in {"1", "true", "yes", "ja"}


def _groep(frame: str) -> str:
    plek = frame.rsplit("(", 1)[-1]
    return next((naam for sleutel, naam in _GROEPEN if sleutel in plek), "other")


def summarise(raw: Path, *, top: int = 15) -> dict[str, object]:
    """Self time per group of code and the functions with the most inclusive time, as shares of all samples."""
    totaal, zelf, inclusief = 0, Counter[str](), Counter[str]()
    for regel in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stapel, _, aantal = regel.rpartition(" ")
        if not stapel or not aantal.isdigit():
            continue
        n, frames = int(aantal), stapel.split(";")
        totaal += n
        zelf[_groep(frames[-1])] += n
        for naam in {f"{f.split(' (')[0]} [{_groep(f)}]" for f in frames}:
            inclusief[naam] += n
    if not totaal:
        return {"samples": 0}
    return {
        "samples": totaal,
        "selfShare": {g: round(n / totaal, 3) for g, n in zelf.most_common()},
        "inclusiveTop": {f: round(n / totaal, 3) for f, n in inclusief.most_common(top)},
    }


@asynccontextmanager
async def profiled(pid: int, *, out: Path) -> AsyncIterator[dict[str, object]]:
    """py-spy on `pid` while the block runs; the summary is filled in on leaving (empty when not requested)."""
    samenvatting: dict[str, object] = {}
    # The virtual environment's own, also when its bin folder is not on PATH.
    binary = shutil.which(
        "py-spy", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    )
    if not requested() or binary is None:
        if requested():
            samenvatting["error"] = "py-spy is not installed (it is a dev dependency: make bootstrap)"
        yield samenvatting
        return
    process = await asyncio.create_subprocess_exec(
        # --nonblocking: read the stacks without pausing the server, which would slow what is measured.
        binary, "record", "--nonblocking", "-p", str(pid), "-r", "100", "-f", "raw", "-o", str(out),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield samenvatting
    finally:
        process.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        await process.wait()
        try:
            samenvatting.update(await asyncio.to_thread(summarise, out), raw=str(out))
        except FileNotFoundError:
            samenvatting["error"] = "py-spy wrote no profile (may it trace other processes here?)"
