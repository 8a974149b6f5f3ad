"""Production refuses unsafe defaults at start: the process exits with one line naming the setting, no traceback.

Each case starts a service as a real uvicorn process from the environment, as a deployment does, with one setting
missing or pointing at a development default.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from meldroute_common.settings import DEV_ISSUER
from meldroute_dev.cli import banner_voorbeelden
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import free_port

DIENST = {d.naam: d for d in DIENSTEN}
ONBEREIKBARE_PG = "postgresql+asyncpg://meldroute@127.0.0.1:9/meldroute"


@pytest.fixture
def productie(tmp_path: Path) -> dict[str, str]:
    """A complete production environment for all three services, with key files outside the local folder."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name in (
        "intake-link.key",
        "gateway-pseudonym.key",
        "gateway-hpke-public.pem",
        "gateway-hpke-private.pem",
    ):
        (secrets / name).write_text("niet gebruikt: de start stopt eerder of leest ze niet\n")
    return {
        "MELDROUTE_ENV": "production",
        "MELDROUTE_LOCAL_DIR": str(tmp_path / "local"),
        "MELDROUTE_OIDC_ISSUER": "https://login.gemeente.example/realms/meldroute",
        "MELDROUTE_JWKS_URL": "https://login.gemeente.example/realms/meldroute/protocol/openid-connect/certs",
        "MELDROUTE_TOKEN_URL": "https://login.gemeente.example/realms/meldroute/protocol/openid-connect/token",
        "INTAKE_DATABASE_URL": ONBEREIKBARE_PG,
        "INTAKE_CLIENT_SECRET": "s",
        "INTAKE_LINK_KEY_FILE": str(secrets / "intake-link.key"),
        "INTAKE_GATEWAY_PUBLIC_KEY_FILE": str(secrets / "gateway-hpke-public.pem"),
        "GATEWAY_DATABASE_URL": ONBEREIKBARE_PG,
        "GATEWAY_CLIENT_SECRET": "s",
        "GATEWAY_HPKE_PRIVATE_KEY_FILES": f'["{secrets / "gateway-hpke-private.pem"}"]',
        "GATEWAY_PSEUDONYM_KEY_FILE": str(secrets / "gateway-pseudonym.key"),
        "REPORTING_DATABASE_URL": ONBEREIKBARE_PG,
    }


def _start(dienst: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MELDROUTE_", "INTAKE_", "GATEWAY_", "REPORTING_"))
    }
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", DIENST[dienst].factory, "--factory", "--host", "127.0.0.1",
         "--port", str(free_port())],
        env={**clean, **env}, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _refused(dienst: str, env: dict[str, str], cwd: Path) -> str:
    process = _start(dienst, env, cwd)
    try:
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 2, (process.returncode, stderr[-2000:])
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr
    regels = [r for r in stderr.splitlines() if f"{dienst} start niet" in r]
    assert len(regels) == 1, stderr
    return regels[0]


@pytest.mark.parametrize(
    ("dienst", "wijziging", "instelling"),
    [
        ("intake-api", {"INTAKE_DATABASE_URL": None}, "INTAKE_DATABASE_URL"),
        ("reporting", {"REPORTING_DATABASE_URL": "sqlite+aiosqlite:///reporting.sqlite3"}, "REPORTING_DATABASE_URL"),
        ("privacy-gateway", {"GATEWAY_DATABSE_URL": ONBEREIKBARE_PG, "GATEWAY_DATABASE_URL": None}, "GATEWAY_DATABASE_URL"),
        ("privacy-gateway", {"MELDROUTE_JWKS_URL": None}, "MELDROUTE_JWKS_URL"),
        ("reporting", {"MELDROUTE_OIDC_ISSUER": DEV_ISSUER}, "MELDROUTE_OIDC_ISSUER"),
        ("intake-api", {"INTAKE_LINK_KEY_FILE": "{local}/keys/intake-link.key"}, "INTAKE_LINK_KEY_FILE"),
        ("intake-api", {"INTAKE_GATEWAY_PUBLIC_KEY_FILE": None}, "INTAKE_GATEWAY_PUBLIC_KEY_FILE"),
        ("privacy-gateway", {"GATEWAY_HPKE_PRIVATE_KEY_FILES": '["{local}/keys/gateway-hpke-private.pem"]'},
         "GATEWAY_HPKE_PRIVATE_KEY_FILES"),
        ("privacy-gateway", {"GATEWAY_PSEUDONYM_KEY_FILE": ".local/keys/gateway-pseudonym.key"}, "GATEWAY_PSEUDONYM_KEY_FILE"),
        ("privacy-gateway", {"MELDROUTE_TOKEN_URL": None}, "MELDROUTE_TOKEN_URL"),
        ("intake-api", {"INTAKE_CLIENT_SECRET": None}, "INTAKE_CLIENT_SECRET"),
        ("intake-api", {"INTAKE_CLIENT_AUTH_METHOD": "private_key_jwt"}, "INTAKE_CLIENT_KEY_FILE"),
    ],
)  # fmt: skip
@pytest.mark.processes
def test_production_refuses_an_unsafe_setting(
    dienst: str, wijziging: dict[str, str | None], instelling: str, productie: dict[str, str], tmp_path: Path
) -> None:
    env = dict(productie)
    for naam, waarde in wijziging.items():
        if waarde is None:
            env.pop(naam, None)
        else:
            env[naam] = waarde.replace("{local}", productie["MELDROUTE_LOCAL_DIR"])
    regel = _refused(dienst, env, tmp_path)
    assert instelling in regel, regel
    # Nothing else is wrong, so nothing else is named.
    andere = {n for n in productie if n != instelling and n.isupper() and n in regel}
    assert not andere, regel


@pytest.mark.processes
def test_a_complete_production_environment_starts(productie: dict[str, str], tmp_path: Path) -> None:
    """The control: the same environment, nothing broken, gets past the settings (the database is not reachable)."""
    process = _start("reporting", productie, tmp_path)
    try:
        port = process.args[-1]  # type: ignore[index]
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[1][-2000:]
            try:
                live = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1)
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "reporting did not start"
                time.sleep(0.2)
                continue
            assert live.status_code == 200 and live.json()["dienst"] == "reporting"
            # Started, but not ready: the database does not answer, and readiness says so.
            assert httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=10).status_code == 503
            break
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_banner_shows_development_tokens_only_in_development() -> None:
    assert "meldroute token --rol" in banner_voorbeelden(omgeving="development", host="127.0.0.1")
    for omgeving in ("test", "production"):
        banner = banner_voorbeelden(omgeving=omgeving, host="127.0.0.1")
        assert "meldroute token" not in banner and "Bearer" not in banner and omgeving in banner


@pytest.mark.processes
def test_a_production_migration_needs_only_a_postgresql_url(
    productie: dict[str, str], tmp_path: Path
) -> None:
    """Migrations check the database URL alone (the migration jobs carry no keys), and refuse SQLite too."""
    root = Path(__file__).resolve().parents[2]
    alleen_db = {k: v for k, v in productie.items() if k.startswith("MELDROUTE_")}
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MELDROUTE_", "INTAKE_", "GATEWAY_", "REPORTING_"))
    }

    def migreer(url: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(root / "services/intake-api/alembic.ini"), "upgrade", "head"],
            env={**clean, **alleen_db, "INTAKE_DATABASE_URL": url}, cwd=tmp_path, capture_output=True, text=True,
            timeout=120, check=False,
        )  # fmt: skip

    geweigerd = migreer("sqlite+aiosqlite:///intake.sqlite3")
    assert geweigerd.returncode == 2 and "Traceback" not in geweigerd.stderr, geweigerd.stderr[-2000:]
    assert "INTAKE_DATABASE_URL wijst naar SQLite" in geweigerd.stderr
    assert not (tmp_path / "intake.sqlite3").exists()
    # With a PostgreSQL URL the settings pass: it fails only on reaching the (absent) server, not on a key setting.
    doorgelaten = migreer(ONBEREIKBARE_PG)
    assert "start niet" not in doorgelaten.stderr and doorgelaten.returncode != 0
