"""Unknown query parameters are refused on every operation of every service: 400 naming them, never ignored.

The operations are those of the committed OpenAPI documents (openapi/*.json), so an operation added later is
tested without touching this file. Every operation is called with `?zoek=x` without a token, and every GET
operation (the list operations among them) again with a token holding its scopes: with `zoek` the answer is a
400 naming exactly `zoek` (a declared parameter beside it, `pageSize` on a list, is not refused), without it the
declared parameters are accepted as before.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_common.problems import PROBLEM_JSON
from meldroute_dev.testing import ServiceHarness

ROOT = Path(__file__).resolve().parents[2]
HARNESS = {
    "intake-api": "intake_harness",
    "privacy-gateway": "gateway_harness",
    "reporting": "reporting_harness",
}
CLAIMS = {"gemeente": "GM1509", "organisatie": "riec-oost-nederland"}


def _document(service: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((ROOT / "openapi" / f"{service}.json").read_text(encoding="utf-8"))
    return document


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, concrete path under /v1, operation): path parameters filled with a value of their type."""
    result = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            concrete = "/v1" + path
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    schema = parameter.get("schema", {})
                    waarde = str(uuid.uuid4()) if schema.get("format") == "uuid" else "GM1509"
                    concrete = concrete.replace("{" + parameter["name"] + "}", waarde)
            result.append((method.upper(), concrete, operation))
    return result


def _query_names(operation: dict[str, Any]) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def _scopes(operation: dict[str, Any]) -> list[str]:
    return sorted({s for req in operation.get("security", []) for s in req.get("oauth2", [])})


def _unknown(response: httpx.Response) -> list[str] | str:
    """The parameters a 400 names, or what went wrong instead."""
    if response.status_code != 400 or not response.headers["content-type"].startswith(PROBLEM_JSON):
        return f"{response.status_code} {response.text[:200]}"
    return sorted(p["name"] for p in response.json().get("invalidParams") or [])


@pytest.mark.parametrize("service", list(HARNESS))
async def test_every_operation_refuses_an_unknown_query_parameter(
    service: str, request: pytest.FixtureRequest, issuer: DevIssuer
) -> None:
    document = _document(service)
    operaties = _operations(document)
    lezen = [(m, p, o) for m, p, o in operaties if m == "GET"]
    assert lezen, f"{service} documents no GET operation"
    harness: ServiceHarness = request.getfixturevalue(HARNESS[service])
    fouten: list[str] = []
    async with harness.client() as client:
        served = (await client.get("/v1/openapi.json")).json()
        assert served["paths"] == document["paths"], "the committed document differs from the code"
        for method, path, operation in operaties:
            assert "zoek" not in _query_names(operation)
            response = await client.request(method, path, params={"zoek": "x"})
            if _unknown(response) != ["zoek"]:
                fouten.append(f"{method} {path} ?zoek=x: {_unknown(response)}")
            # Names are exact: a declared name in another case is unknown too.
            for naam in sorted(_query_names(operation)):
                response = await client.request(method, path, params={naam.upper(): "1"})
                if _unknown(response) != [naam.upper()]:
                    fouten.append(f"{method} {path} ?{naam.upper()}=1: {_unknown(response)}")

        for method, path, operation in lezen:
            token = issuer.mint(
                rol="fg", audience=service, sub="lijstlezer", extra={"scope": " ".join(_scopes(operation))},
                **CLAIMS,  # type: ignore[arg-type]
            )  # fmt: skip
            headers = {"Authorization": f"Bearer {token}"}
            gedeclareerd = [("pageSize", "1")] if "pageSize" in _query_names(operation) else []
            # With a token that may read it: still refused, naming only the unknown ones, once each.
            response = await client.request(
                method,
                path,
                params=[*gedeclareerd, ("zoek", "x"), ("zoek", "y"), ("Zoek", "z")],
                headers=headers,
            )
            if _unknown(response) != ["Zoek", "zoek"]:
                fouten.append(f"{method} {path} with token: {_unknown(response)}")
            if any(p.get("required") for p in operation.get("parameters", []) if p["in"] == "query"):
                continue
            # The declared parameters alone are still accepted (whatever the operation then answers).
            response = await client.request(method, path, params=gedeclareerd, headers=headers)
            if response.status_code == 400:
                fouten.append(f"{method} {path} {gedeclareerd}: {response.text[:200]}")
    assert not fouten, "\n".join(fouten)


async def test_the_problem_names_the_parameter_in_dutch(
    intake_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    token = issuer.mint(rol="aandachtsfunctionaris", gemeente="GM1509")
    async with intake_harness.client() as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/v1/signalen", headers=headers)).status_code == 200
        response = await client.get("/v1/signalen", params={"zoek": "Jansen"}, headers=headers)
        assert response.status_code == 400
        body = response.json()
        assert "`zoek`" in body["detail"]
        [param] = body["invalidParams"]
        assert param["name"] == "zoek" and "pageSize" in param["reason"] and "Jansen" not in response.text
