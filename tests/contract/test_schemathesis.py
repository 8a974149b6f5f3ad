"""Schemathesis against each service as a real uvicorn process, with a real token per role.

Every role runs the operations its scopes allow (derived from the OpenAPI document), in all phases and with all
checks, including `ignored_auth`. `MELDROUTE_FUZZ_EXAMPLES` and `MELDROUTE_FUZZ_SEED` lengthen or vary the run
(`make fuzz`); CI uses the fixed defaults.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_common.roles import ROLLEN
from meldroute_dev.testing import Stack

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("MELDROUTE_FUZZ_EXAMPLES", "8"))
SEED = int(os.environ.get("MELDROUTE_FUZZ_SEED", "20261128"))
CLAIMS = {"gemeente": "GM1509", "organisatie": "riec-oost-nederland"}


def _operations_for(document: dict[str, Any], scopes: set[str]) -> list[str]:
    ids = []
    for item in document["paths"].values():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                needed = {s for req in operation.get("security", []) for s in req.get("oauth2", [])}
                if needed and needed <= scopes:
                    ids.append(operation["operationId"])
    return ids


def _has_links(document: dict[str, Any], operation_ids: list[str]) -> bool:
    """Whether some OpenAPI link joins two of these operations (the stateful phase needs one)."""
    selected = set(operation_ids)
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") in selected:
                for response in operation.get("responses", {}).values():
                    if any(
                        link.get("operationId") in selected for link in response.get("links", {}).values()
                    ):
                        return True
    return False


def _runs() -> list[tuple[str, str]]:
    """(service, role) for every role that has at least one operation on the service (committed documents)."""
    runs = []
    for service in ("intake-api", "privacy-gateway", "reporting"):
        document = json.loads((ROOT / "openapi" / f"{service}.json").read_text(encoding="utf-8"))
        for rol, spec in ROLLEN.items():
            if _operations_for(document, {s.value for s in spec.scopes}):
                runs.append((service, rol))
    return runs


RUNS = _runs()


@pytest.mark.parametrize(("service", "rol"), RUNS, ids=[f"{s}-{r}" for s, r in RUNS])
def test_schemathesis(service: str, rol: str, stack: Stack, issuer: DevIssuer, tmp_path: Path) -> None:
    base = stack.url(service)
    document = httpx.get(f"{base}/v1/openapi.json").json()
    operation_ids = _operations_for(document, {s.value for s in ROLLEN[rol].scopes})
    assert operation_ids, "the served document differs from the committed one"
    # Stateful testing follows links (create → read → triage); a role without linked operations has no scenario.
    phases = "examples,coverage,fuzzing" + (",stateful" if _has_links(document, operation_ids) else "")
    token = issuer.mint(rol=rol, audience=service, sub=f"schemathesis-{rol}", **CLAIMS)  # type: ignore[arg-type]
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{base}/v1/openapi.json",
        "--mode", "all", "--phases", phases, "--checks", "all",
        "--seed", str(SEED), "--max-examples", str(EXAMPLES), "--workers", "1",
        "--header", f"Authorization: Bearer {token}", "--request-timeout", "20",
        "--suppress-health-check", "all", "--no-color",
    ]  # fmt: skip
    for operation_id in operation_ids:
        command += ["--include-operation-id", operation_id]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-15000:] + result.stderr[-3000:]
