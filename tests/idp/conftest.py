"""A real OIDC provider process for the tests: node `oidc-provider` (pinned in package-lock.json) via provider.mjs.

`make test` installs it (`node_modules/.bootstrapped`); without it these tests fail, they are not skipped.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from meldroute_common.codering import decode_b64url, encode_b64url_int
from meldroute_common.roles import ROLLEN
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
PROVIDER = Path(__file__).with_name("provider.mjs")
#: RFC 8707 resource indicator of each service.
RESOURCE = {d.naam: f"urn:meldroute:{d.naam}" for d in DIENSTEN}


def service_scopes(audience: str) -> str:
    """Every scope a role or service client uses at `audience`."""
    return " ".join(sorted({s.value for r in ROLLEN.values() if r.audience == audience for s in r.scopes}))


@dataclass
class Provider:
    """One running provider: its issuer URL and its clients' secrets."""

    issuer: str
    secrets: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    output: list[str] = field(default_factory=list)

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    def token(self, client_id: str, *, resource: str, scope: str) -> str:
        """An access token for a client, by client credentials with `resource` and `scope` (client_secret_basic)."""
        response = httpx.post(
            self.token_url,
            data={"grant_type": "client_credentials", "resource": resource, "scope": scope},
            auth=(client_id, self.secrets[client_id]),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "Bearer" and set(body["scope"].split()) == set(scope.split()), body
        token: str = body["access_token"]
        return token

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def header(token: str) -> dict[str, Any]:
    part = token.split(".")[0]
    value: dict[str, Any] = json.loads(decode_b64url(part))
    return value


def payload(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    value: dict[str, Any] = json.loads(decode_b64url(part))
    return value


def client_key(folder: Path, name: str) -> tuple[Path, dict[str, str]]:
    """An RSA key for private_key_jwt: the PEM file for the service, the public JWK for the provider."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = folder / f"{name}.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    path.chmod(0o600)
    numbers = key.public_key().public_numbers()

    return path, {
        "kty": "RSA",
        "n": encode_b64url_int(numbers.n),
        "e": encode_b64url_int(numbers.e),
        "kid": f"{name}-1",
        "use": "sig",
    }


StartProvider = Callable[..., Provider]


@pytest.fixture
def start_provider(tmp_path: Path) -> Iterator[StartProvider]:
    """`start_provider(alg=..., clients=[...], audiences={...})`: the provider as a process, stopped after the test.

    `clients` are the provider's client entries (client_id, scope, claims, token_endpoint_auth_method, jwks);
    a secret is generated for each client without `jwks`. `audiences` renames the audience of a resource.
    """
    node = shutil.which("node")
    assert node, "node is needed for the OIDC provider tests"
    assert (ROOT / "node_modules" / "oidc-provider").is_dir(), (
        "run `make node_modules/.bootstrapped` (npm ci) first"
    )
    started: list[Provider] = []

    def start(
        *, alg: str, clients: list[dict[str, Any]], audiences: dict[str, str] | None = None
    ) -> Provider:
        port = free_port()
        secrets = {}
        for client in clients:
            if "jwks" not in client:
                client["client_secret"] = base64.urlsafe_b64encode(os.urandom(24)).decode()
                secrets[client["client_id"]] = client["client_secret"]
        resources = {
            RESOURCE[d.naam]: {
                "audience": (audiences or {}).get(d.naam, d.naam),
                "scope": service_scopes(d.naam),
            }
            for d in DIENSTEN
        }
        config = tmp_path / f"provider-{port}.json"
        config.write_text(json.dumps({"port": port, "alg": alg, "resources": resources, "clients": clients}))
        config.chmod(0o600)
        log = tmp_path / f"provider-{port}.log"
        process = subprocess.Popen(
            [node, str(PROVIDER), str(config)], cwd=ROOT, stdout=subprocess.PIPE, stderr=log.open("wb")
        )
        provider = Provider(issuer=f"http://127.0.0.1:{port}", secrets=secrets, process=process, log=log)
        started.append(provider)
        ready = threading.Event()

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                provider.output.append(line.decode(errors="replace"))
                if line.startswith(b"ready "):
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + 30
        while not ready.wait(0.1):
            assert process.poll() is None, f"the provider stopped: {log.read_text()}"
            assert time.monotonic() < deadline, "the provider did not start"
        assert httpx.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).status_code == 200
        return provider

    yield start
    for provider in started:
        provider.stop()


def role_clients(gemeente: str, partner: str) -> list[dict[str, Any]]:
    """A client per user role with the role's scopes and claims: its tokens stand for a user of that role."""
    clients = []
    for naam, rol in ROLLEN.items():
        if rol.is_service:
            continue
        claims: dict[str, str] = {}
        if rol.claim == "gemeente":
            claims["gemeente"] = gemeente
        elif rol.claim == "organisatie":
            claims["organisatie"] = partner
        clients.append(
            {
                "client_id": f"gebruiker-{naam}",
                "scope": " ".join(s.value for s in rol.scopes),
                "claims": claims,
            }
        )
    return clients


def service_client(naam: str, **extra: Any) -> dict[str, Any]:
    return {"client_id": naam, "scope": " ".join(s.value for s in ROLLEN[naam].scopes), **extra}
