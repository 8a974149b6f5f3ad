"""The shared app behaviour on a small app built with build_app: errors, limits, headers, transactions."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from meldroute_common.app import build_app
from meldroute_common.auth import SignalenAanmaken
from meldroute_common.db import Session
from meldroute_common.devissuer import DevIssuer
from meldroute_common.problems import PROBLEM_JSON, Conflict
from meldroute_common.settings import Omgeving, ServiceSettings
from meldroute_dev.testing import PG_SERVER, running
from pydantic import BaseModel, Field
from sqlalchemy import text


class Voorbeeld(BaseModel):
    naam: str = Field(min_length=2)
    aantal: int = Field(ge=0, le=10)


def _app(local_dir: Path, tmp_path: Path, **overrides: object) -> FastAPI:
    router = APIRouter()

    @router.post("/voorbeelden", operation_id="voorbeeldAanmaken")
    async def aanmaken(body: Voorbeeld, claims: SignalenAanmaken, session: Session) -> Voorbeeld:
        await session.execute(text("CREATE TABLE IF NOT EXISTS t (naam TEXT)"))
        await session.execute(text("INSERT INTO t VALUES (:n)"), {"n": body.naam})
        if body.naam == "conflict":
            raise Conflict("bestaat al")
        return body

    @router.get("/boem", operation_id="boem")
    async def boem(claims: SignalenAanmaken) -> None:
        raise RuntimeError("SELECT geheim FROM tabel")

    values: dict[str, object] = {
        "service_name": "intake-api",
        "env": Omgeving.test,
        "local_dir": local_dir,
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'app.sqlite3'}",
        **overrides,
    }
    settings = ServiceSettings(**values)  # type: ignore[arg-type]
    return build_app(
        settings=settings, title="t", summary="t", description="t", version="1.2.3", routers=[router]
    )


@pytest.fixture
async def client(local_dir: Path, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running(_app(local_dir, tmp_path)) as client:
        yield client


@pytest.fixture
def auth(issuer: DevIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='melder')}"}


async def test_invalid_fields_are_400_naming_each_field(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.post("/v1/voorbeelden", json={"naam": "x", "aantal": 99}, headers=auth)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert names == {"naam", "aantal"}


async def test_malformed_json_is_400(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post(
        "/v1/voorbeelden", content=b'{"naam": "ab", ', headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["invalidParams"]


async def test_rejected_input_is_never_echoed(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post(
        "/v1/voorbeelden", json={"naam": "123456782-geheim", "aantal": "veel"}, headers=auth
    )
    assert response.status_code == 400
    assert "geheim" not in response.text and "veel" not in response.text


async def test_unexpected_errors_are_500_without_details(
    client: httpx.AsyncClient, auth: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = await client.get("/v1/boem", headers=auth)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert "SELECT" not in response.text and "Traceback" not in response.text
    assert response.headers["api-version"] == "1.2.3"


async def test_streamed_body_over_the_limit_is_413(
    local_dir: Path, tmp_path: Path, auth: dict[str, str]
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 1024

    async with running(_app(local_dir, tmp_path, max_body_bytes=4096)) as client:
        response = await client.post("/v1/voorbeelden", content=chunks(), headers=auth)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM_JSON)


async def test_a_raising_handler_rolls_back(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    assert (
        await client.post("/v1/voorbeelden", json={"naam": "blijft", "aantal": 1}, headers=auth)
    ).status_code == 200
    assert (
        await client.post("/v1/voorbeelden", json={"naam": "conflict", "aantal": 1}, headers=auth)
    ).status_code == 409
    app = client._transport.app  # type: ignore[attr-defined]
    async with app.state.engine.connect() as connection:
        names = (await connection.execute(text("SELECT naam FROM t"))).scalars().all()
    assert names == ["blijft"]


async def test_request_id_is_returned_and_logged(
    client: httpx.AsyncClient, auth: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="meldroute.toegang"):
        response = await client.get("/health/live", headers={"X-Request-ID": "verzoek-42"})
    assert response.headers["x-request-id"] == "verzoek-42"
    assert any(getattr(r, "request_id", None) == "verzoek-42" for r in caplog.records)
    invalid = await client.get("/health/live", headers={"X-Request-ID": "bad id\twith spaces"})
    assert invalid.headers["x-request-id"] != "bad id\twith spaces"


async def test_cors_only_for_allowed_origins(local_dir: Path, tmp_path: Path) -> None:
    app = _app(local_dir, tmp_path, cors_origins=["https://front-end.gemeente.example"])
    async with running(app) as client:
        allowed = await client.options(
            "/v1/voorbeelden",
            headers={"Origin": "https://front-end.gemeente.example", "Access-Control-Request-Method": "POST"},
        )
        refused = await client.options(
            "/v1/voorbeelden",
            headers={"Origin": "https://kwaadwillend.example", "Access-Control-Request-Method": "POST"},
        )
    assert allowed.headers["access-control-allow-origin"] == "https://front-end.gemeente.example"
    assert "access-control-allow-origin" not in refused.headers


async def test_the_database_pool_is_sized_by_the_settings(local_dir: Path, tmp_path: Path) -> None:
    app = _app(
        local_dir,
        tmp_path,
        database_url=f"{PG_SERVER}/postgres",
        database_pool_size=3,
        database_max_overflow=1,
    )
    async with running(app):
        engine = app.state.engine
        connections = [await engine.connect() for _ in range(4)]
        try:
            # Three kept and one more at the peak, the most the pool opens.
            assert (engine.pool.size(), engine.pool.checkedout(), engine.pool.overflow()) == (3, 4, 1)
        finally:
            for connection in connections:
                await connection.close()
        assert engine.pool.checkedin() == 3  # the one beyond the pool was closed


async def test_docs_hidden_in_production(local_dir: Path, tmp_path: Path) -> None:
    async with running(_app(local_dir, tmp_path)) as client:
        assert (await client.get("/v1/docs")).status_code == 200
    production = _app(local_dir, tmp_path, env=Omgeving.production, jwks_url="https://idp.example/jwks")
    async with running(production) as client:
        assert (await client.get("/v1/docs")).status_code == 404
        assert (await client.get("/v1/openapi.json")).status_code == 200


def test_openapi_has_problem_responses_and_no_422(local_dir: Path, tmp_path: Path) -> None:
    document = _app(local_dir, tmp_path).openapi()
    operation = document["paths"]["/voorbeelden"]["post"]
    assert "422" not in operation["responses"]
    for code in ("400", "401", "403", "404"):
        assert PROBLEM_JSON in operation["responses"][code]["content"]
    assert operation["security"] == [{"oauth2": ["signalen:aanmaken"]}]
    assert document["servers"][0]["url"] == "/v1"
    assert json.dumps(document).count("API-Version") > 4


async def test_405_lists_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/voorbeelden")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    response = await client.put("/health/live")
    assert response.status_code == 405 and "GET" in response.headers["allow"]


async def test_outbound_calls_carry_the_request_id_and_user_agent() -> None:
    from meldroute_common.app import outbound_client
    from meldroute_common.logs import request_id_var

    seen: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    token = request_id_var.set("verzoek-7")
    try:
        async with outbound_client(
            service="privacy-gateway", version="1.2.3", transport=httpx.MockTransport(upstream)
        ) as http:
            await http.get("https://intake.example/v1/intern/casussen")
    finally:
        request_id_var.reset(token)
    assert seen[0].headers["x-request-id"] == "verzoek-7"
    assert seen[0].headers["user-agent"] == "meldroute-privacy-gateway/1.2.3"
