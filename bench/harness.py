"""What every benchmark needs: databases it creates and drops, pinned server processes, tokens, CPU clocks.

Pinning: on a machine with two or more cores the servers run on the first core and the load generator
(this process) on the second, so the client never steals the server's CPU. PostgreSQL itself is not
pinned; it serves ours and the baseline alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace, TracebackType
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from meldroute_common.devissuer import DEFAULT_ISSUER, DevIssuer
from meldroute_common.devkeys import ensure_dev_keys
from meldroute_common.migrations import upgrade
from meldroute_common.settings import Omgeving
from meldroute_dev.testing import ServiceProcess
from rich.progress import Progress
from sqlalchemy.engine import make_url

from bench.config import Sizes

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ROOT / "services"

# --- cores -----------------------------------------------------------------------------------------

_CPUS = sorted(os.sched_getaffinity(0))
#: `MELDROUTE_BENCH_PIN=0` leaves scheduling to the kernel (to see what pinning itself changes).
PINNED = len(_CPUS) >= 2 and os.environ.get("MELDROUTE_BENCH_PIN", "1") != "0"
SERVER_CPUS = {_CPUS[0]} if PINNED else set(_CPUS)
CLIENT_CPUS = {_CPUS[1]} if PINNED else set(_CPUS)


def pin_client() -> None:
    """Move this process (the load generator) to its core; threads started later inherit it."""
    os.sched_setaffinity(0, CLIENT_CPUS)


def pin_process(pid: int, cpus: set[int]) -> None:
    """Pin every thread of a running process (affinity is per thread; new threads inherit it)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(ProcessLookupError, FileNotFoundError):  # a thread may just have ended
            os.sched_setaffinity(int(task.name), cpus)


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the command name: state is field 3, utime 14 and stime 15 (1-based, see proc(5)).
    return (int(fields[11]) + int(fields[12])) / _TICKS


# --- databases -------------------------------------------------------------------------------------


def asyncpg_dsn(url: str) -> str:
    """The plain libpq URL asyncpg takes, from a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def pg_answers(server: str) -> bool:
    try:
        connection = await asyncpg.connect(asyncpg_dsn(f"{server}/postgres"), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


async def _pg_admin(server: str, statement: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(f"{server}/postgres"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


# --- keys and tokens -------------------------------------------------------------------------------


def dev_issuer(local_dir: Path) -> DevIssuer:
    """Fresh development keys in `local_dir` (token issuer, HPKE pair, link and pseudonym keys)."""
    ensure_dev_keys(local_dir=local_dir, env=Omgeving.test, issuer=DEFAULT_ISSUER)
    return DevIssuer.load(local_dir=local_dir, env=Omgeving.test)


#: Long enough for the slowest full run.
TOKEN_SECONDS = 3600  # the services' maximum token lifetime


def bearer(issuer: DevIssuer, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(lifetime_seconds=TOKEN_SECONDS, **claims)}"}


# --- resources of one benchmark --------------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: ServiceProcess

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def pid(self) -> int:
        return int(self.process.process.pid)


class Resources:
    """Databases and processes of one benchmark, removed again on leaving, also after an error."""

    def __init__(self, *, pg_server: str, local_dir: Path, work_dir: Path, log_dir: Path) -> None:
        self.pg_server, self.local_dir, self.work_dir, self.log_dir = pg_server, local_dir, work_dir, log_dir
        self._databases: list[str] = []
        self._folders: list[Path] = []
        self._servers: list[Server] = []

    async def __aenter__(self) -> Resources:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop every process, drop every database, remove every folder; one failure stops none of the rest."""
        problems: list[str] = []
        for server in reversed(self._servers):
            try:
                server.process.stop()
            except Exception as error:
                problems.append(f"stopping {server.name}: {error}")
        self._servers.clear()
        for database in reversed(self._databases):
            try:
                await _pg_admin(self.pg_server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            except (OSError, asyncpg.PostgresError) as error:
                problems.append(f"dropping {database}: {error}")
        self._databases.clear()
        for folder in self._folders:
            shutil.rmtree(folder, ignore_errors=True)
        self._folders.clear()
        if problems:
            raise RuntimeError("clean-up incomplete: " + "; ".join(problems))

    async def database(self, *, backend: str, name: str) -> str:
        """An empty database, dropped when the benchmark ends; returns its SQLAlchemy URL."""
        suffix = uuid.uuid4().hex[:8]
        if backend == "postgresql":
            database = f"meldroute_bench_{name.replace('-', '_')}_{suffix}"
            await _pg_admin(self.pg_server, f'CREATE DATABASE "{database}"')
            self._databases.append(database)
            return f"{self.pg_server}/{database}"
        if backend == "sqlite":
            folder = self.work_dir / f"sqlite-{name}-{suffix}"
            folder.mkdir(parents=True)
            self._folders.append(folder)
            return f"sqlite+aiosqlite:///{folder / f'{name}.sqlite3'}"
        raise ValueError(f"unknown backend {backend!r}")

    async def migrated(self, *, backend: str, service: str) -> str:
        """A database with the service's migrations applied."""
        url = await self.database(backend=backend, name=service)
        upgrade(service_dir=SERVICES / service, database_url=url)
        return url

    def server(self, *, name: str, factory: str, env: Mapping[str, str]) -> Server:
        """A uvicorn process of `factory`, not started yet (its URL is known already).

        `name` must be what the app's `/health/ready` calls itself (`dienst`): readiness checks it, so a
        stranger on a reused port is never mistaken for the server.
        """
        common = {
            "MELDROUTE_ENV": "test",
            "MELDROUTE_LOCAL_DIR": str(self.local_dir),
            # The bench package must be importable by the baseline servers.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        process = ServiceProcess(
            dienst=SimpleNamespace(naam=name, factory=factory), env={**common, **env}, log_dir=self.log_dir
        )
        server = Server(name=name, process=process)
        self._servers.append(server)  # stopped on leaving, also when its start fails
        return server

    async def start(self, *servers: Server) -> None:
        """Start the servers side by side on every core, then pin each to the server core once ready."""

        def launch(server: Server) -> None:
            # Runs in a thread of its own: the child inherits this thread's affinity at fork.
            os.sched_setaffinity(0, set(_CPUS))
            server.process.start(timeout=90)

        # Wait for every start to end before raising, so no thread is left polling a stopped process.
        outcomes = await asyncio.gather(
            *(asyncio.to_thread(launch, server) for server in servers), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        for server in servers:
            pin_process(server.pid, SERVER_CPUS)


def intake_env(database_url: str) -> dict[str, str]:
    """intake-api alone: no relays (to reporting, of notifications) and no periodic tasks (retention,
    deadlines) running beside the load."""
    return {
        "INTAKE_DATABASE_URL": database_url,
        "INTAKE_OUTBOX_RELAY_AAN": "false",
        "INTAKE_MELDINGEN_RELAY_AAN": "false",
        "INTAKE_RETENTIE_TAAK_AAN": "false",
        "INTAKE_TERMIJNEN_TAAK_AAN": "false",
        "INTAKE_RATE_LIMIT": "100000000/minute",
        "INTAKE_RATE_LIMIT_ORGANISATIE": "100000000/minute",
        "INTAKE_INTERN_RATE_LIMIT": "100000000/minute",
    }


# --- what a benchmark gets -------------------------------------------------------------------------


@dataclass
class Context:
    sizes: Sizes
    issuer: DevIssuer
    local_dir: Path
    work_dir: Path
    log_dir: Path
    progress: Progress

    def resources(self, label: str) -> Resources:
        """The resources of one benchmark; its server logs go to a folder named `label`."""
        log_dir = self.log_dir / label
        log_dir.mkdir(parents=True, exist_ok=True)
        return Resources(
            pg_server=self.sizes.pg_server, local_dir=self.local_dir, work_dir=self.work_dir, log_dir=log_dir
        )

    def say(self, message: str) -> None:
        self.progress.console.log(message)
