"""Service-to-service tokens: client credentials against a token endpoint, renewed before they expire."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_common.servicetokens import ServiceTokenSource
from meldroute_common.settings import Omgeving, ServiceSettings


async def test_client_credentials_are_posted_and_the_token_reused(tmp_path: Path) -> None:
    calls: list[httpx.Request] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={"access_token": f"token-{len(calls)}", "expires_in": 300})

    settings = ServiceSettings(
        service_name="intake-api", env=Omgeving.test, local_dir=tmp_path, token_url="https://idp.example/token",
        client_secret="geheim",  # type: ignore[arg-type]
    )  # fmt: skip
    async with httpx.AsyncClient(transport=httpx.MockTransport(endpoint)) as http:
        source = ServiceTokenSource(settings=settings, audience="reporting", http=http)
        assert await source.token() == "token-1"
        assert await source.token() == "token-1"  # cached until shortly before it expires
        source.invalidate()
        assert await source.token() == "token-2"
    body = calls[0].content.decode()
    assert "grant_type=client_credentials" in body and "audience=reporting" in body
    assert calls[0].headers["authorization"].startswith("Basic ")


async def test_the_development_issuer_signs_locally_but_never_in_production(
    local_dir: Path, issuer: DevIssuer
) -> None:
    settings = ServiceSettings(service_name="privacy-gateway", env=Omgeving.test, local_dir=local_dir)
    async with httpx.AsyncClient() as http:
        token = await ServiceTokenSource(settings=settings, audience="intake-api", http=http).token()
    assert token.count(".") == 2
    production = ServiceSettings(
        service_name="privacy-gateway",
        env=Omgeving.production,
        local_dir=local_dir,
        jwks_url="https://idp.example/jwks",
    )
    async with httpx.AsyncClient() as http:
        with pytest.raises(RuntimeError):
            await ServiceTokenSource(settings=production, audience="intake-api", http=http).token()
