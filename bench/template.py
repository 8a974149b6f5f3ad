"""Optional benchmark: intake's POST beside the FastAPI full-stack template's `POST /api/v1/items/`, with wrk.

The template (github.com/fastapi/full-stack-fastapi-template) is a common reference for "a FastAPI service
with a database": token check, pydantic validation, one SQLModel INSERT, the row read back. It is never part
of this repository: the row runs when `MELDROUTE_BENCH_TEMPLATE` points at the `backend` folder of a
checkout with its own virtual environment (`backend/.venv`, or `.venv` at the checkout's root; see
bench/README.md), and is skipped with its reason otherwise. Both servers run on the server core, on the same PostgreSQL server, each in a database of
its own; wrk loads them in the order template, ours, ours, template.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from bench.data import signal_bodies
from bench.harness import SERVER_CPUS, Context, Resources, bearer, intake_env, pin_process
from bench.intake import GEMEENTE, MELDER, SATURATED
from bench.results import Aim, AimKind, Row
from bench.wrk import WrkTarget, alternating_wrk

TEMPLATE_ENV = "MELDROUTE_BENCH_TEMPLATE"
_GEBRUIKER = "bench@example.com"


def template_backend() -> tuple[Path | None, str]:
    """The template's backend folder and its interpreter, or None with the reason the row is skipped."""
    waarde = os.environ.get(TEMPLATE_ENV, "").strip()
    if not waarde:
        return None, f"{TEMPLATE_ENV} is not set (see bench/README.md to fetch the template)"
    backend = Path(waarde).expanduser().resolve()
    if not (backend / "app" / "main.py").is_file():
        return None, f"{TEMPLATE_ENV}={backend} is not the template's backend folder (no app/main.py)"
    # `uv sync` puts the environment beside the backend, or at the checkout's root where that is a uv workspace.
    for venv in (backend / ".venv", backend.parent / ".venv"):
        if (venv / "bin" / "python").is_file():
            return backend, str(venv / "bin" / "python")
    return None, f"neither {backend} nor its parent has a .venv (run `uv sync` there, see bench/README.md)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(database_url: str) -> dict[str, str]:
    """The template's settings: its database on our PostgreSQL server, fresh secrets, no e-mail, no Sentry."""
    url = make_url(database_url)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MELDROUTE_", "VIRTUAL_ENV"))},
        "ENVIRONMENT": "local",
        "PROJECT_NAME": "bench",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "FIRST_SUPERUSER": _GEBRUIKER,
        "FIRST_SUPERUSER_PASSWORD": secrets.token_urlsafe(16),
        # Newer versions read one URL, older ones the parts.
        "DATABASE_URL": url.set(drivername="postgresql").render_as_string(hide_password=False),
        "POSTGRES_SERVER": url.host or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": url.username or "postgres",
        "POSTGRES_PASSWORD": url.password or "",
        "POSTGRES_DB": url.database or "",
    }


async def _start_template(
    *, backend: Path, python: str, env: dict[str, str], log_dir: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """Migrate, create the first user, and start the template under uvicorn; its process and base URL."""
    log = (log_dir / "template.log").open("ab")
    for stap in (["-m", "alembic", "upgrade", "head"], ["app/initial_data.py"]):
        klaar = await asyncio.to_thread(
            subprocess.run, [python, *stap], cwd=backend, env=env, stdout=log, stderr=log, check=False
        )
        if klaar.returncode != 0:
            raise RuntimeError(f"the template's `{' '.join(stap)}` failed; see {log.name}")
    port = _free_port()
    # Popen only starts the process (it does not wait), like the service processes of the harness.
    process = subprocess.Popen(  # noqa: ASYNC220
        [python, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
        cwd=backend, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(timeout=2) as http:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"the template stopped while starting; see {log.name}")
            try:
                if (await http.get(f"{url}/api/v1/utils/health-check/")).status_code == 200:
                    return process, url
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"the template did not answer within 90 s; see {log.name}")


async def run(ctx: Context) -> list[Row]:
    backend, python_of_reden = template_backend()
    if backend is None:
        ctx.say(f"[yellow]template row skipped[/yellow]: {python_of_reden}")
        return []
    async with ctx.resources("template") as resources:
        ours_url = await resources.migrated(backend="postgresql", service="intake-api")
        template_db = await resources.database(backend="postgresql", name="template")
        ours = resources.server(
            name="intake-api", factory="intake_api.main:create_app", env=intake_env(ours_url)
        )
        await resources.start(ours)
        env = _env(template_db)
        process, template_url = await _start_template(
            backend=backend, python=python_of_reden, env=env, log_dir=resources.log_dir
        )
        try:
            pin_process(process.pid, SERVER_CPUS)
            row = await _measure(
                ctx,
                resources,
                ours_url=ours.url,
                ours_pid=ours.pid,
                template=(template_url, process.pid),
                env=env,
            )
        finally:
            process.terminate()
            await asyncio.to_thread(process.wait, 10)
    return row


async def _measure(
    ctx: Context,
    resources: Resources,
    *,
    ours_url: str,
    ours_pid: int,
    template: tuple[str, int],
    env: dict[str, str],
) -> list[Row]:
    template_url, template_pid = template
    async with httpx.AsyncClient(timeout=10) as http:
        login = await http.post(
            f"{template_url}/api/v1/login/access-token",
            data={"username": _GEBRUIKER, "password": env["FIRST_SUPERUSER_PASSWORD"]},
        )
        if login.status_code != 200:
            raise RuntimeError(f"logging in to the template: HTTP {login.status_code}: {login.text[:200]}")
        token = login.json()["access_token"]
    items = [f'{{"title": "item {i}", "description": "a benchmark item"}}'.encode() for i in range(64)]
    json_header = {"Content-Type": "application/json"}
    ours_target = WrkTarget(
        base_url=ours_url, method="POST", path="/v1/signalen", server_pids=[ours_pid],
        headers={**bearer(ctx.issuer, rol="melder", gemeente=GEMEENTE, sub=MELDER), **json_header},
        bodies=signal_bodies(count=512, gemeente=GEMEENTE), connections=ctx.sizes.concurrency,
    )  # fmt: skip
    template_target = WrkTarget(
        base_url=template_url, method="POST", path="/api/v1/items/", server_pids=[template_pid],
        headers={"Authorization": f"Bearer {token}", **json_header}, bodies=items,
        connections=ctx.sizes.concurrency,
    )  # fmt: skip
    ctx.say(f"template: wrk, template ours ours template, {ctx.sizes.seconds:g} s per side")
    ours, baseline = await alternating_wrk(
        ours=ours_target, baseline=template_target, seconds=ctx.sizes.seconds, warmup=ctx.sizes.warmup_seconds
    )
    if not ours.good or not baseline.good:
        raise RuntimeError(
            f"no successful requests (ours: {ours.first_error}; template: {baseline.first_error})"
        )
    notes = [
        f"{side}: wrk kept the client core {run.client_share:.0%} busy: its throughput is a lower bound"
        for side, run in (("ours", ours), ("template", baseline))
        if run.client_share >= SATURATED
    ] + [
        f"{side}: {run.errors} failed requests; first: {run.first_error}"
        for side, run in (("ours", ours), ("template", baseline))
        if run.errors
    ]
    name = "intake POST /v1/signalen against the full-stack template's POST /api/v1/items/, PostgreSQL"
    label = "template"
    details = {"template": str(template_backend()[0]), "notes": notes, "logs": str(resources.log_dir)}
    return [
        Row(
            name=f"{name}: throughput", unit="req/s", ours=ours.throughput, baseline=baseline.throughput,
            baseline_label=label, aim=Aim(AimKind.RATIO_MIN, 1.5), details=details,
        ),
        Row(
            name=f"{name}: server CPU per request", unit="ms", ours=ours.server_ms_per_request,
            baseline=baseline.server_ms_per_request, baseline_label=label,
        ),
    ]  # fmt: skip
