"""What a service shows to the outside: no interactive docs in production, and CORS only for listed origins.

Production mode verifies tokens against a JWKS URL; a tiny local server publishes the development issuer's keys
there, so an authenticated call proves the production app really runs.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

import httpx
import pytest
from meldroute_common.roles import ROLLEN
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import running

if TYPE_CHECKING:
    from meldroute_dev.testing import ServiceHarness

    from tests.security.conftest import Api, JwksServer, Operatie

DIENST_NAMEN = [d.naam for d in DIENSTEN]
TOEGESTAAN = "https://meldpunt.achterhoek.example"
ANDER = "https://kwaadwillend.example"
DOCS = ("/v1/docs", "/docs", "/redoc", "/v1/redoc", "/v1/docs/oauth2-redirect")

Productie = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def productie(
    harness_van: Callable[[str], ServiceHarness], jwks_server: JwksServer, monkeypatch: pytest.MonkeyPatch
) -> Productie:
    """`async with productie(dienst) as client`: the service in production mode with a CORS allowlist.

    The JWKS URL and the allowlist come in through their documented environment names.
    """
    monkeypatch.setenv("MELDROUTE_JWKS_URL", jwks_server.url)
    monkeypatch.setenv("MELDROUTE_CORS_ORIGINS", json.dumps([TOEGESTAAN]))

    @asynccontextmanager
    async def open_(dienst: str) -> AsyncIterator[httpx.AsyncClient]:
        harness = harness_van(dienst)
        extra = {"outbox_relay_aan": False, "retentie_taak_aan": False} if dienst == "intake-api" else {}
        settings = harness.settings(env="production", **extra)
        assert settings.is_production and settings.jwks_url == jwks_server.url
        assert settings.cors_origins == [TOEGESTAAN]
        async with running(harness.create_app(settings)) as client:
            yield client

    return open_


def _leesbaar(api: Api, dienst: str) -> tuple[Operatie, str]:
    """A read without id or required query, and a role that may call it."""
    for operatie in api.operaties:
        kaal = not (operatie.pad_parameters or operatie.verplichte_query)
        if operatie.dienst == dienst and operatie.methode == "GET" and kaal:
            return operatie, next(n for n, r in ROLLEN.items() if operatie.toegestaan_voor(r))
    raise AssertionError(f"{dienst} has no plain read")


@pytest.mark.parametrize("dienst", DIENST_NAMEN)
async def test_production_serves_no_interactive_docs(dienst: str, productie: Productie, api: Api) -> None:
    operatie, rol = _leesbaar(api, dienst)
    async with productie(dienst) as client:
        for pad in DOCS:
            assert (await client.get(pad)).status_code == 404, pad
        # The contract itself stays published, and a token verified against the JWKS URL is accepted.
        assert (await client.get("/v1/openapi.json")).status_code == 200
        kop = {"Authorization": f"Bearer {api.token(rol, dienst=dienst)}"}
        antwoord = await client.get(operatie.pad, headers=kop)
        assert antwoord.status_code == 200, antwoord.text
    # The control: outside production the same service does serve them.
    assert api.http.get(api.stack.url(dienst) + "/v1/docs").status_code == 200


@pytest.mark.parametrize("dienst", DIENST_NAMEN)
async def test_cors_answers_only_listed_origins(dienst: str, productie: Productie, api: Api) -> None:
    operatie, rol = _leesbaar(api, dienst)
    kop = {"Authorization": f"Bearer {api.token(rol, dienst=dienst)}"}
    voorvraag = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
    async with productie(dienst) as client:
        toegestaan = await client.get(operatie.pad, headers={**kop, "Origin": TOEGESTAAN})
        assert toegestaan.headers.get("access-control-allow-origin") == TOEGESTAAN
        vooraf = await client.options(operatie.pad, headers={**voorvraag, "Origin": TOEGESTAAN})
        assert vooraf.status_code == 200 and vooraf.headers.get("access-control-allow-origin") == TOEGESTAAN
        assert "authorization" in vooraf.headers.get("access-control-allow-headers", "").lower()

        ander = await client.get(operatie.pad, headers={**kop, "Origin": ANDER})
        assert "access-control-allow-origin" not in ander.headers
        vooraf = await client.options(operatie.pad, headers={**voorvraag, "Origin": ANDER})
        assert vooraf.status_code >= 400 and "access-control-allow-origin" not in vooraf.headers
    # The running stack lists no origin at all: nobody gets the header.
    standaard = api.http.get(api.stack.url(dienst) + operatie.pad, headers={**kop, "Origin": TOEGESTAAN})
    assert "access-control-allow-origin" not in standaard.headers


@pytest.mark.parametrize("dienst", DIENST_NAMEN)
async def test_production_metrics_need_the_metrics_scope(dienst: str, productie: Productie, api: Api) -> None:
    """/metrics in production: 401 without a token, 403 without metrics:lezen, 200 with it."""
    ander_rol = next(n for n, r in ROLLEN.items() if r.audience == dienst and not r.is_service)
    async with productie(dienst) as client:
        api.probleem(await client.get("/metrics"), 401)
        api.probleem(await client.get("/metrics", headers={"Authorization": "Bearer geen-token"}), 401)
        zonder = {"Authorization": f"Bearer {api.token(ander_rol, dienst=dienst)}"}
        document = api.probleem(await client.get("/metrics", headers=zonder), 403)
        assert "metrics:lezen" in document["detail"]
        # A monitoring token for another service is refused too (its audience is wrong).
        elders = next(d for d in DIENST_NAMEN if d != dienst)
        verkeerd = {"Authorization": f"Bearer {api.token('monitoring', dienst=elders)}"}
        api.probleem(await client.get("/metrics", headers=verkeerd), 401)
        met = {"Authorization": f"Bearer {api.token('monitoring', dienst=dienst)}"}
        antwoord = await client.get("/metrics", headers=met)
        assert antwoord.status_code == 200 and "meldroute_http_requests_total" in antwoord.text
    # The running stack (MELDROUTE_ENV=test) keeps them closed as well; only development opens them.
    api.probleem(api.http.get(api.stack.url(dienst) + "/metrics"), 401)
    met = {"Authorization": f"Bearer {api.token('monitoring', dienst=dienst)}"}
    assert api.http.get(api.stack.url(dienst) + "/metrics", headers=met).status_code == 200
