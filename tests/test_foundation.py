"""What every service promises alike: auth on every operation, problem+json, headers, no redirects."""

from __future__ import annotations

import os

import pytest
from meldroute_common.auth import Scope
from meldroute_common.devissuer import DevIssuer
from meldroute_common.problems import PROBLEM_JSON
from meldroute_dev.testing import FORGERIES, ServiceHarness, forge, operations

SERVICES = ("intake-api", "privacy-gateway", "reporting")
HARNESS = {
    "intake-api": "intake_harness",
    "privacy-gateway": "gateway_harness",
    "reporting": "reporting_harness",
}


def _harness(request: pytest.FixtureRequest, service: str) -> ServiceHarness:
    harness: ServiceHarness = request.getfixturevalue(HARNESS[service])
    return harness


def _assert_problem(response: object, status: int) -> dict[str, object]:
    import httpx

    assert isinstance(response, httpx.Response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.headers["api-version"]
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    assert "Traceback" not in response.text and "SELECT" not in response.text
    return body  # type: ignore[no-any-return]


#: Forgeries per operation in `make test`, rotating through :data:`FORGERIES` so each kind meets several
#: operations (the verifier itself sees every kind in test_token_rules); `MELDROUTE_TOKEN_MATRIX=alle`
#: (`make fuzz`) sends every kind to every operation.
FORGERIES_PER_OPERATION = len(FORGERIES) if os.environ.get("MELDROUTE_TOKEN_MATRIX") == "alle" else 8


def _forgeries_for(index: int) -> list[str]:
    """The forgeries sent to the operation at `index`: the next ones in turn."""
    start = index * FORGERIES_PER_OPERATION
    return [FORGERIES[(start + j) % len(FORGERIES)] for j in range(FORGERIES_PER_OPERATION)]


@pytest.mark.slow
@pytest.mark.parametrize("service", SERVICES)
async def test_every_operation_refuses_missing_and_forged_tokens(
    service: str, request: pytest.FixtureRequest, issuer: DevIssuer
) -> None:
    harness = _harness(request, service)
    async with harness.client() as client:
        ops = operations(client._transport.app)  # type: ignore[attr-defined]
        assert ops, "the service documents no operation"
        geprobeerd: set[str] = set()
        for index, (method, path, scopes) in enumerate(ops):
            assert scopes, f"{method} {path} documents no scope"
            response = await client.request(method, path)
            _assert_problem(response, 401)
            assert response.headers["www-authenticate"].startswith("Bearer")

            other = [s.value for s in Scope if s.value not in scopes]
            wrong_scope = issuer.mint(rol="fg", audience=service, extra={"scope": " ".join(other)})
            response = await client.request(method, path, headers={"Authorization": f"Bearer {wrong_scope}"})
            _assert_problem(response, 403)

            for kind in _forgeries_for(index):
                geprobeerd.add(kind)
                token = forge(kind, issuer=issuer, audience=service, scope=" ".join(scopes))
                response = await client.request(method, path, headers={"Authorization": f"Bearer {token}"})
                body = _assert_problem(response, 401)
                assert "www-authenticate" in response.headers, (kind, body)
        # Every kind of forgery met several operations; all kinds on every operation with the full matrix.
        assert geprobeerd == set(FORGERIES), set(FORGERIES) - geprobeerd


@pytest.mark.parametrize("service", SERVICES)
async def test_trailing_slash_is_404_not_a_redirect(service: str, request: pytest.FixtureRequest) -> None:
    async with _harness(request, service).client() as client:
        for method, path, _ in operations(client._transport.app):  # type: ignore[attr-defined]
            response = await client.request(method, path + "/")
            _assert_problem(response, 404)
        _assert_problem(await client.get("/health/live/"), 404)


@pytest.mark.parametrize("service", SERVICES)
async def test_health_metrics_and_headers(service: str, request: pytest.FixtureRequest) -> None:
    async with _harness(request, service).client(metrics_open=True) as client:
        live, ready = await client.get("/health/live"), await client.get("/health/ready")
        assert live.status_code == ready.status_code == 200
        assert ready.json()["database"] == "ok"
        metrics = await client.get("/metrics")
        assert "meldroute_http_requests_total" in metrics.text
        document = await client.get("/v1/openapi.json")
        assert document.status_code == 200 and document.json()["servers"] == [
            {"url": "/v1", "description": "Deze dienst"}
        ]
        for response in (live, ready, metrics, document):
            assert response.headers["api-version"] == document.json()["info"]["version"]
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-request-id"]
        echoed = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
        assert echoed.headers["x-request-id"] == "abc-123"
        _assert_problem(await client.get("/v1/bestaat-niet"), 404)
        _assert_problem(await client.delete("/health/live"), 405)


async def test_ready_is_503_when_the_database_is_gone(
    intake_harness: ServiceHarness, tmp_path: object
) -> None:
    app = intake_harness.app(database_url="postgresql+asyncpg://postgres@127.0.0.1:9/bestaat_niet")
    from meldroute_dev.testing import running

    async with running(app) as client:
        _assert_problem(await client.get("/health/ready"), 503)


async def test_oversized_body_is_413(intake_harness: ServiceHarness, issuer: DevIssuer) -> None:
    async with intake_harness.client(max_body_bytes=2048) as client:
        token = issuer.mint(rol="melder")
        response = await client.post(
            "/v1/catalogus", content=b"x" * 5000, headers={"Authorization": f"Bearer {token}"}
        )
        _assert_problem(response, 413)
