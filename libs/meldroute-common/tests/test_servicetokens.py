"""Service-to-service tokens: client credentials against a token endpoint, renewed before they expire."""

from __future__ import annotations

import base64
import json
import logging
import time
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from meldroute_common.codering import encode_b64url_int
from meldroute_common.devissuer import DevIssuer
from meldroute_common.jwt import KeyStore, TokenVerifier
from meldroute_common.servicetokens import ServiceTokenSource, TokenUnavailable
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
        source = ServiceTokenSource(
            settings=settings, audience="reporting", http=http, scope="rapportage:invoeren",
            resource="https://reporting.gemeente.example/",
        )  # fmt: skip
        assert await source.token() == "token-1"
        assert await source.token() == "token-1"  # cached until shortly before it expires
        source.invalidate()
        assert await source.token() == "token-2"
    body = parse_qs(calls[0].content.decode())
    assert body == {
        "grant_type": ["client_credentials"], "scope": ["rapportage:invoeren"],
        "resource": ["https://reporting.gemeente.example/"],
    }  # fmt: skip
    assert calls[0].headers["authorization"] == "Basic " + base64.b64encode(b"intake-api:geheim").decode()


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
        with pytest.raises(TokenUnavailable):
            await ServiceTokenSource(settings=production, audience="intake-api", http=http).token()


def _settings(tmp_path: Path, **extra: object) -> ServiceSettings:
    values: dict[str, object] = {
        "service_name": "privacy-gateway", "env": Omgeving.test, "local_dir": tmp_path,
        "token_url": "https://idp.example/token", **extra,
    }  # fmt: skip
    return ServiceSettings(**values)  # type: ignore[arg-type]


async def test_client_secret_post_sends_the_credentials_in_the_body(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"access_token": "t", "expires_in": 300})

    settings = _settings(tmp_path, client_auth_method="client_secret_post", client_secret="g&h=i")
    async with httpx.AsyncClient(transport=httpx.MockTransport(endpoint)) as http:
        await ServiceTokenSource(
            settings=settings,
            audience="intake-api",
            http=http,
            scope="intake:intern",
            audience_parameter="intake-api",
        ).token()
    body = parse_qs(seen[0].content.decode())
    assert body["client_id"] == ["privacy-gateway"] and body["client_secret"] == ["g&h=i"]
    assert body["audience"] == ["intake-api"] and "authorization" not in seen[0].headers


async def test_private_key_jwt_signs_an_rfc7523_assertion(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = tmp_path / "client.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    numbers = key.public_key().public_numbers()

    jwks = tmp_path / "client-jwks.json"
    jwks.write_text(
        json.dumps(
            {
                "keys": [
                    {
                        "kty": "EC",
                        "crv": "P-256",
                        "x": encode_b64url_int(numbers.x, length=32),
                        "y": encode_b64url_int(numbers.y, length=32),
                        "kid": "c1",
                    }
                ]
            }
        )
    )
    seen: list[dict[str, list[str]]] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        seen.append(parse_qs(request.content.decode()))
        assert "authorization" not in request.headers
        return httpx.Response(200, json={"access_token": "t", "expires_in": 300})

    settings = _settings(
        tmp_path,
        client_auth_method="private_key_jwt",
        client_key_file=pem,
        client_key_id="c1",
        client_secret="nooit",
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(endpoint)) as http:
        source = ServiceTokenSource(
            settings=settings, audience="intake-api", http=http, scope="intake:intern"
        )
        await source.token()
        source.invalidate()
        await source.token()
    body = seen[0]
    assert body["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    assert "client_secret" not in body and body["client_id"] == ["privacy-gateway"]
    # The assertion verifies with the client's public key: iss = sub = client id, aud the token endpoint.
    verifier = TokenVerifier(
        keys=KeyStore(url=None, file=jwks, cache_seconds=60),
        issuer="privacy-gateway",
        audience="https://idp.example/token",
    )
    claims = await verifier.verify(body["client_assertion"][0])
    assert claims["sub"] == "privacy-gateway" and claims["exp"] - claims["iat"] <= 60 and claims["jti"]
    assert seen[1]["client_assertion"] != body["client_assertion"]  # a fresh jti each time


async def test_a_refused_request_is_logged_and_reported_without_the_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls = 0

    def endpoint(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(400, json={"error": "invalid_target", "error_description": "resource onbekend"})

    settings = _settings(tmp_path, client_secret="heel-geheim-123")
    async with httpx.AsyncClient(transport=httpx.MockTransport(endpoint)) as http:
        source = ServiceTokenSource(
            settings=settings, audience="intake-api", http=http, scope="intake:intern"
        )
        with caplog.at_level(logging.WARNING, logger="meldroute.servicetokens"):
            with pytest.raises(TokenUnavailable, match="invalid_target"):
                await source.token()
            reason = await source.status()
            assert reason is not None and "intake-api" in reason and "resource onbekend" in reason
            assert calls == 1  # readiness does not hammer the provider right after a failure
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "invalid_target" in logged and "resource onbekend" in logged and "intake-api" in logged
    assert "heel-geheim-123" not in logged and "heel-geheim-123" not in reason


async def test_tokens_are_renewed_shortly_before_exp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issued = 0

    def endpoint(request: httpx.Request) -> httpx.Response:
        nonlocal issued
        issued += 1
        return httpx.Response(200, json={"access_token": f"t{issued}", "expires_in": 300})

    clock = [time.time()]
    monkeypatch.setattr("meldroute_common.servicetokens.time.time", lambda: clock[0])
    async with httpx.AsyncClient(transport=httpx.MockTransport(endpoint)) as http:
        source = ServiceTokenSource(settings=_settings(tmp_path), audience="intake-api", http=http)
        assert await source.token() == "t1"
        clock[0] += 239
        assert await source.token() == "t1"
        assert await source.status() is None
        clock[0] += 2  # within the last minute: renewed
        assert await source.token() == "t2"
