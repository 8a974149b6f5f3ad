"""A first run without surprises: a missing key is one line naming it, the logs are JSON only, and the banner of
`meldroute dev` waits until every service answers readiness."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from meldroute_common.migrations import upgrade
from meldroute_dev.cli import wacht_tot_gereed
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import ServiceProcess, TestDatabases, free_port

pytestmark = pytest.mark.processes

DIENST = {d.naam: d for d in DIENSTEN}
ROOT = Path(__file__).resolve().parents[1]
#: The development key each service reads at start-up, with the setting that names it.
SLEUTELS = {
    "intake-api": [
        ("intake-link.key", "INTAKE_LINK_KEY_FILE"),
        ("gateway-hpke-public.pem", "INTAKE_GATEWAY_PUBLIC_KEY_FILE"),
        ("jwks.json", "MELDROUTE_JWKS_FILE"),
    ],
    "privacy-gateway": [
        ("gateway-pseudonym.key", "GATEWAY_PSEUDONYM_KEY_FILE"),
        ("gateway-hpke-private.pem", "GATEWAY_HPKE_PRIVATE_KEY_FILES"),
        ("gateway-keten.key", "GATEWAY_KETEN_SLEUTEL_BESTANDEN"),
        ("gateway-checkpoint.pem", "GATEWAY_CHECKPOINT_SLEUTEL_BESTANDEN"),
    ],
    "reporting": [("jwks.json", "MELDROUTE_JWKS_FILE")],
}


def _schone_omgeving(**env: str) -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MELDROUTE_", "INTAKE_", "GATEWAY_", "REPORTING_"))
    }
    return {**clean, **env}


def _kopie_zonder(local_dir: Path, doel: Path, bestand: str) -> Path:
    (doel / "keys").mkdir(parents=True)
    for pad in (local_dir / "keys").iterdir():
        if pad.name != bestand:
            (doel / "keys" / pad.name).write_bytes(pad.read_bytes())
    return doel


@pytest.mark.parametrize(
    ("dienst", "bestand", "setting"),
    [(dienst, bestand, setting) for dienst, sleutels in SLEUTELS.items() for bestand, setting in sleutels],
)
def test_a_missing_key_file_is_one_line_naming_it(
    dienst: str, bestand: str, setting: str, local_dir: Path, tmp_path: Path
) -> None:
    lokaal = _kopie_zonder(local_dir, tmp_path / "local", bestand)
    proces = subprocess.run(
        [sys.executable, "-m", "uvicorn", DIENST[dienst].factory, "--factory", "--port", str(free_port())],
        env=_schone_omgeving(MELDROUTE_ENV="development", MELDROUTE_LOCAL_DIR=str(lokaal)),
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proces.returncode == 2, proces.stderr[-2000:]
    uitvoer = proces.stdout + proces.stderr
    assert "Traceback" not in uitvoer, uitvoer
    regels = [r for r in uitvoer.splitlines() if r.strip()]
    assert len(regels) == 1, regels
    assert regels[0].startswith(f"{dienst} start niet: ")
    assert f"{setting}: bestand {lokaal / 'keys' / bestand} ontbreekt" in regels[0]
    assert "meldroute dev-keys" in regels[0]


def test_a_service_logs_json_lines_only_and_no_access_lines(
    test_databases: TestDatabases, local_dir: Path, tmp_path: Path
) -> None:
    url = test_databases.create("eerste-start")
    upgrade(service_dir=DIENST["reporting"].folder(ROOT), database_url=url)
    dienst = ServiceProcess(
        dienst=DIENST["reporting"],
        env={"MELDROUTE_ENV": "test", "MELDROUTE_LOCAL_DIR": str(local_dir), "REPORTING_DATABASE_URL": url},
        log_dir=tmp_path,
    )
    dienst.start()
    try:
        assert httpx.get(f"{dienst.url}/health/live", timeout=5).status_code == 200
    finally:
        dienst.stop()
    regels = [r for r in (tmp_path / "reporting.log").read_text(encoding="utf-8").splitlines() if r.strip()]
    records = [json.loads(regel) for regel in regels]  # a plain uvicorn line would not parse
    loggers = {record["logger"] for record in records}
    assert "uvicorn.error" in loggers  # uvicorn's own start and stop lines, as JSON
    assert "uvicorn.access" not in loggers
    assert any(r["logger"] == "meldroute.toegang" for r in records)  # the request, once, with its request id
    assert all(r["dienst"] == "reporting" and "color_message" not in r for r in records)


def test_the_banner_waits_until_every_service_is_ready(
    test_databases: TestDatabases, local_dir: Path, tmp_path: Path
) -> None:
    env = {"MELDROUTE_ENV": "test", "MELDROUTE_LOCAL_DIR": str(local_dir)}
    # No database behind it: the service lives but is never ready.
    nooit = ServiceProcess(
        dienst=DIENST["reporting"],
        env={**env, "REPORTING_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:9/meldroute"},
        log_dir=tmp_path,
    )
    nooit.start(ready=False)
    try:
        assert wacht_tot_gereed(urls={"reporting": nooit.url}, processes=[nooit.process], timeout=3) == [
            "reporting (/health/ready 503)"
        ]
        nooit.process.terminate()
        nooit.process.wait(timeout=10)
        gestopt = wacht_tot_gereed(urls={"reporting": nooit.url}, processes=[nooit.process], timeout=3)
        assert len(gestopt) == 1 and gestopt[0].startswith("reporting is gestopt (code ")
    finally:
        nooit.stop()

    url = test_databases.create("gereed")
    upgrade(service_dir=DIENST["reporting"].folder(ROOT), database_url=url)
    gereed = ServiceProcess(
        dienst=DIENST["reporting"], env={**env, "REPORTING_DATABASE_URL": url}, log_dir=tmp_path
    )
    gereed.start(ready=False)
    try:
        assert wacht_tot_gereed(urls={"reporting": gereed.url}, processes=[gereed.process], timeout=60) == []
    finally:
        gereed.stop()
