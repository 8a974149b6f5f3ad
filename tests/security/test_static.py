"""Static checks: bandit over the shipped code, pip-audit over the locked environment."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from meldroute_dev.services import DIENSTEN

ROOT = Path(__file__).resolve().parents[2]
BRONNEN = ["libs", *(str(d.folder(ROOT).relative_to(ROOT) / "src") for d in DIENSTEN)]

#: Signs in pip-audit's output that the vulnerability service could not be reached at all.
ONBEREIKBAAR = ("ConnectionError", "Max retries exceeded", "Name or service not known", "Temporary failure in name resolution", "timed out", "Network is unreachable")  # fmt: skip


@pytest.mark.processes
def test_bandit_finds_nothing_of_medium_severity_or_worse() -> None:
    resultaat = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", *BRONNEN, "--severity-level", "medium", "-f", "json", "-q"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
    rapport = json.loads(resultaat.stdout)
    assert not rapport["errors"], rapport["errors"]
    assert rapport["metrics"]["_totals"]["loc"] > 1000, "bandit scanned (almost) nothing"
    bevindingen = [
        f"{b['filename']}:{b['line_number']} {b['test_id']} ({b['issue_severity']}): {b['issue_text']}"
        for b in rapport["results"]
    ]
    assert not bevindingen, "\n".join(bevindingen)
    assert resultaat.returncode in {0, 1}, resultaat.stderr


def _vergrendeld() -> list[str]:
    """`name==version` of every package uv.lock takes from an index (workspace members are not published)."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return sorted(
        f"{p['name']}=={p['version']}" for p in lock["package"] if "registry" in p.get("source", {})
    )


@pytest.mark.processes
def test_pip_audit_finds_no_known_vulnerability(tmp_path: Path) -> None:
    pakketten = _vergrendeld()
    assert len(pakketten) > 20, pakketten
    eisen, uitvoer = tmp_path / "requirements.txt", tmp_path / "audit.json"
    eisen.write_text("\n".join(pakketten) + "\n", encoding="utf-8")
    resultaat = subprocess.run(
        [sys.executable, "-m", "pip_audit", "-r", str(eisen), "--no-deps", "--disable-pip", "--progress-spinner",
         "off", "--timeout", "10", "-f", "json", "-o", str(uitvoer)],
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
    )  # fmt: skip
    if not uitvoer.exists() or not uitvoer.read_text(encoding="utf-8").strip():
        if any(teken in resultaat.stderr for teken in ONBEREIKBAAR):
            print(f"pip-audit: no package index answered; {len(pakketten)} locked packages NOT audited")
            return
        raise AssertionError(f"pip-audit failed ({resultaat.returncode}): {resultaat.stderr[-3000:]}")
    afhankelijkheden = json.loads(uitvoer.read_text(encoding="utf-8"))["dependencies"]
    lekken = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v.get('fix_versions', [])) or 'no release'})"
        for d in afhankelijkheden for v in d.get("vulns", [])
    ]  # fmt: skip
    assert not lekken, "\n".join(lekken)
    overgeslagen = [d["name"] for d in afhankelijkheden if d.get("skip_reason")]
    if len(overgeslagen) == len(afhankelijkheden):
        print(f"pip-audit: no package index knew any of the {len(pakketten)} locked packages; NOT audited")
    elif overgeslagen:
        print(
            f"pip-audit: audited {len(afhankelijkheden) - len(overgeslagen)} packages; not found: {overgeslagen}"
        )
    else:
        print(f"pip-audit: audited {len(afhankelijkheden)} packages, no known vulnerability")
    assert resultaat.returncode == 0, resultaat.stderr[-3000:]
