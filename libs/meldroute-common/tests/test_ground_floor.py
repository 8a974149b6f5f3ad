"""The library is the ground floor: loading all of it pulls in no service, no development tooling, no pytest."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parents[1]
ABOVE = ("pytest", "_pytest", "intake_api", "privacy_gateway", "reporting", "meldroute_dev")

_PROBE = """
import importlib, json, pkgutil, sys
import meldroute_common
for module in pkgutil.walk_packages(meldroute_common.__path__, "meldroute_common."):
    importlib.import_module(module.name)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


@pytest.mark.processes
def test_importing_every_library_module_loads_nothing_from_above() -> None:
    # A fresh interpreter: this test process has pytest and the services loaded already.
    result = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True)
    loaded = set(json.loads(result.stdout))
    assert "meldroute_common" in loaded
    assert loaded.isdisjoint(ABOVE), loaded & set(ABOVE)


def test_the_library_declares_no_test_or_service_dependency() -> None:
    project = tomllib.loads((LIBRARY / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {
        dependency.split("[")[0].split(">")[0].split("=")[0].strip() for dependency in project["dependencies"]
    }
    assert names.isdisjoint({"pytest", "intake-api", "privacy-gateway", "reporting", "meldroute-dev"}), names
    assert "scripts" not in project  # the `meldroute` command lives in meldroute-dev
