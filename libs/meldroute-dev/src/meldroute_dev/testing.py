"""Pytest fixtures shared by every service's tests (registered in the root conftest).

The backend comes from `MELDROUTE_TEST_DB` (`sqlite`, the default, or `postgresql`); PostgreSQL databases
are created per test session on `MELDROUTE_TEST_PG` (default 127.0.0.1:5432, user postgres) and dropped after.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI
from meldroute_common.codering import encode_b64url
from meldroute_common.devissuer import DEFAULT_ISSUER, DevIssuer
from meldroute_common.devkeys import ensure_dev_keys
from meldroute_common.jwt import sign_token
from meldroute_common.settings import Omgeving
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine

PG_SERVER = os.environ.get("MELDROUTE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")


def test_backend() -> str:
    return os.environ.get("MELDROUTE_TEST_DB", "sqlite")


async def _pg_admin(statement: str) -> None:
    engine = create_async_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _run(statement: str) -> None:
    """Run an admin statement to completion, also when called from inside a running event loop."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _pg_admin(statement)).result()


class TestDatabases:
    """Creates empty databases for one test session and drops them afterwards."""

    __test__ = False

    def __init__(self, folder: Path) -> None:
        self.folder, self.created = folder, []  # type: tuple[Path, list[str]]

    def create(self, name: str) -> str:
        if test_backend() == "postgresql":
            database = f"meldroute_test_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
            _run(f'CREATE DATABASE "{database}"')
            self.created.append(database)
            return f"{PG_SERVER}/{database}"
        return f"sqlite+aiosqlite:///{self.folder / f'{name}-{uuid.uuid4().hex[:8]}.sqlite3'}"

    def drop_all(self) -> None:
        for database in self.created:
            _run(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def test_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    databases = TestDatabases(tmp_path_factory.mktemp("databases"))
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def local_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local folder with freshly generated development keys, shared by the session."""
    folder = tmp_path_factory.mktemp("local")
    ensure_dev_keys(local_dir=folder, env=Omgeving.test, issuer=DEFAULT_ISSUER)
    return folder


@pytest.fixture(scope="session")
def issuer(local_dir: Path) -> DevIssuer:
    return DevIssuer.load(local_dir=local_dir, env=Omgeving.test)


async def clear_tables(url: str, metadata: MetaData) -> None:
    """Empty every table (children first) so each test starts from a clean, migrated database."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(table.delete())
    finally:
        await engine.dispose()


@asynccontextmanager
async def running(app: FastAPI, *, base_url: str = "http://testserver") -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running, and a client talking to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


# --- forged tokens -------------------------------------------------------------------------------


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{encode_b64url(json.dumps(header).encode())}.{encode_b64url(json.dumps(claims).encode())}"


def _hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = _unsigned({**header, "alg": "HS256"}, claims)
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{encode_b64url(signature)}"


FORGERIES = (
    "wrong_audience", "wrong_issuer", "expired", "not_yet_valid", "missing_exp", "missing_aud", "missing_sub",
    "unknown_kid", "alg_none", "hs256_public_pem", "hs256_public_der", "bad_signature", "garbage",
    # Odd but genuinely signed tokens: each must be 401, never accepted and never a 500.
    "exp_far_future", "exp_float_1e18", "exp_infinity", "exp_nan", "iat_infinity", "nbf_infinity", "exp_string",
    "iat_boolean", "float_times", "iat_future", "lifetime_too_long", "crit_unknown", "ps256_on_rs256_key",
    "missing_iat", "deeply_nested_header", "typ_list", "kid_object", "header_not_object",
    # The same checks on the PS256 path (the development issuer's second key is published with alg PS256).
    "ps256_bad_signature", "ps256_wrong_audience", "ps256_wrong_issuer", "ps256_expired", "ps256_exp_infinity",
    "ps256_lifetime_too_long", "rs256_on_ps256_key", "ps256_hs256_public_pem",
)  # fmt: skip
#: Larger than any header block the HTTP server reads (h11: 16 KiB), so over HTTP it never reaches the app; the
#: verifier's own limit (16 KiB) is shown in-process.
OVERSIZED = "oversized"


def _rsa_signed(header: dict[str, Any], payload: str, private_key_pem: str, *, pss: bool = False) -> str:
    """A token with any header and any payload text (also what json.dumps makes of NaN and Infinity)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    signing_input = f"{encode_b64url(json.dumps(header).encode())}.{encode_b64url(payload.encode())}"
    scheme: padding.AsymmetricPadding = (
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32) if pss else padding.PKCS1v15()
    )
    return f"{signing_input}.{encode_b64url(key.sign(signing_input.encode(), scheme, hashes.SHA256()))}"


@lru_cache(maxsize=4)
def _public_encodings(private_key_pem: str) -> tuple[bytes, bytes]:
    """The issuer's public key as PEM and DER: what an algorithm-confusion attacker would use as HMAC secret."""
    public = serialization.load_pem_private_key(private_key_pem.encode(), password=None).public_key()
    return (
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
    )


def forge(
    kind: str, *, issuer: DevIssuer, audience: str, scope: str, extra: dict[str, Any] | None = None
) -> str:
    """A token that must be refused with 401, of the given kind; otherwise valid for `audience` and `scope`."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer.issuer, "aud": audience, "sub": "vervalser", "iat": now, "nbf": now, "exp": now + 600,
        "scope": scope, "gemeente": "GM1509", "organisatie": "riec-oost-nederland", **(extra or {}),
    }  # fmt: skip
    header = {"kid": issuer.kid, "typ": "at+jwt"}
    pem, der = _public_encodings(issuer.private_key_pem)

    def signed(c: dict[str, Any], kid: str = issuer.kid) -> str:
        return sign_token(claims=c, private_key_pem=issuer.private_key_pem, kid=kid)

    match kind:
        case "wrong_audience":
            return signed({**claims, "aud": "een-andere-dienst"})
        case "wrong_issuer":
            return signed({**claims, "iss": "https://vervalser.example"})
        case "expired":
            return signed({**claims, "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600})
        case "not_yet_valid":
            return signed({**claims, "nbf": now + 3600})
        case "missing_exp" | "missing_aud" | "missing_sub":
            return signed({k: v for k, v in claims.items() if k != kind.removeprefix("missing_")})
        case "unknown_kid":
            return signed(claims, kid="onbekende-sleutel")
        case "alg_none":
            return _unsigned({**header, "alg": "none"}, claims) + "."
        case "hs256_public_pem":
            return _hs256(header, claims, pem)
        case "hs256_public_der":
            return _hs256(header, claims, der)
        case "bad_signature":
            token = signed(claims)
            head, body, signature = token.split(".")
            return f"{head}.{body}.{signature[:-4]}AAAA"
        case "garbage":
            return "dit-is-geen-token"

    rs256 = {"alg": "RS256", **header}

    def raw(c: dict[str, Any], h: dict[str, Any] = rs256, *, pss: bool = False) -> str:
        return _rsa_signed(h, json.dumps(c), issuer.private_key_pem, pss=pss)

    match kind:
        case "exp_far_future":
            return raw({**claims, "exp": 10**18})
        case "exp_float_1e18":
            return raw({**claims, "exp": 1e18})
        case "exp_infinity":
            return raw({**claims, "exp": float("inf")})
        case "exp_nan":
            return raw({**claims, "exp": float("nan")})
        case "iat_infinity":
            return raw({**claims, "iat": float("-inf")})
        case "nbf_infinity":
            return raw({**claims, "nbf": float("-inf")})
        case "exp_string":
            return raw({**claims, "exp": str(now + 600)})
        case "iat_boolean":
            return raw({**claims, "iat": True})
        case "float_times":
            return raw({**claims, "iat": now + 0.5, "exp": now + 600.5})
        case "iat_future":
            return raw({**claims, "iat": now + 365 * 86400, "nbf": now, "exp": now + 365 * 86400 + 600})
        case "lifetime_too_long":
            return raw({**claims, "exp": now + 7200})
        case "oversized":
            return raw({**claims, "opvulling": "x" * 17 * 1024})
        case "crit_unknown":
            return raw(
                claims,
                {**rs256, "crit": ["https://vervalser.example/ext"], "https://vervalser.example/ext": 1},
            )
        case "ps256_on_rs256_key":
            return raw(claims, {**rs256, "alg": "PS256"}, pss=True)
        case "missing_iat":
            return raw({k: v for k, v in claims.items() if k != "iat"})
        case "typ_list":
            return raw(claims, {**rs256, "typ": ["at+jwt"]})
        case "kid_object":
            return raw(claims, {**rs256, "kid": {"kid": issuer.kid}})
        case "header_not_object":
            return f"{encode_b64url(b'[1]')}.{encode_b64url(json.dumps(claims).encode())}.{encode_b64url(b'x' * 256)}"
        case "deeply_nested_header":
            nested = json.dumps({"alg": "RS256", "kid": issuer.kid, "x": 0}).replace(
                "0}", "[" * 2000 + "]" * 2000 + "}"
            )
            return f"{encode_b64url(nested.encode())}.{encode_b64url(json.dumps(claims).encode())}.{encode_b64url(b'x' * 256)}"

    ps256 = {"alg": "PS256", "kid": issuer.pss_kid, "typ": "at+jwt"}

    def pss(c: dict[str, Any]) -> str:
        return _rsa_signed(ps256, json.dumps(c), issuer.pss_private_key_pem, pss=True)

    match kind:
        case "ps256_bad_signature":
            head, body, signature = pss(claims).split(".")
            return f"{head}.{body}.{signature[:-4]}AAAA"
        case "ps256_wrong_audience":
            return pss({**claims, "aud": "een-andere-dienst"})
        case "ps256_wrong_issuer":
            return pss({**claims, "iss": "https://vervalser.example"})
        case "ps256_expired":
            return pss({**claims, "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600})
        case "ps256_exp_infinity":
            return pss({**claims, "exp": float("inf")})
        case "ps256_lifetime_too_long":
            return pss({**claims, "exp": now + 7200})
        case "rs256_on_ps256_key":
            return _rsa_signed({**ps256, "alg": "RS256"}, json.dumps(claims), issuer.pss_private_key_pem)
        case "ps256_hs256_public_pem":
            return _hs256({**ps256}, claims, _public_encodings(issuer.pss_private_key_pem)[0])
    raise ValueError(kind)


# --- OpenAPI helpers for cross-cutting tests ---------------------------------------------------


def operations(app: FastAPI) -> list[tuple[str, str, list[str]]]:
    """(method, concrete path, required scopes) for every documented operation; ids filled with fresh UUIDs."""
    document = app.openapi()
    result = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            scopes = [
                s for requirement in operation.get("security", []) for s in requirement.get("oauth2", [])
            ]
            concrete = "/v1" + path
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    concrete = concrete.replace("{" + parameter["name"] + "}", str(uuid.uuid4()))
            result.append((method.upper(), concrete, scopes))
    return result


class ServiceHarness:
    """One service under test: a migrated database for the session, apps and clients per test."""

    __test__ = False

    def __init__(
        self,
        *,
        name: str,
        service_dir: Path,
        settings_cls: Any,
        create_app: Callable[[Any], FastAPI],
        metadata: MetaData,
        databases: TestDatabases,
        local_dir: Path,
    ) -> None:
        self.name, self.service_dir, self.settings_cls = name, service_dir, settings_cls
        self.create_app, self.metadata = create_app, metadata
        self.databases, self.local_dir = databases, local_dir
        self._url: str | None = None

    @property
    def database_url(self) -> str:
        if self._url is None:
            from meldroute_common.migrations import upgrade

            url = self.databases.create(self.name)
            upgrade(service_dir=self.service_dir, database_url=url)
            self._url = url
        return self._url

    def settings(self, **overrides: Any) -> Any:
        values: dict[str, Any] = {
            "env": Omgeving.test, "local_dir": self.local_dir, "database_url": self.database_url, **overrides,
        }  # fmt: skip
        return self.settings_cls(**values)

    def app(self, **overrides: Any) -> FastAPI:
        return self.create_app(self.settings(**overrides))

    @asynccontextmanager
    async def client(self, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        try:
            async with running(self.app(**overrides)) as client:
                yield client
        finally:
            await clear_tables(self.database_url, self.metadata)


# --- real processes ------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServiceProcess:
    """One service as a real uvicorn process on a free port; killable and restartable (soak tests)."""

    __test__ = False

    def __init__(self, *, dienst: Any, env: dict[str, str], log_dir: Path, port: int | None = None) -> None:
        self.dienst, self.env, self.log_dir = dienst, env, log_dir
        self.port = port or free_port()
        self.process: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 90.0, ready: bool = True) -> None:
        """Start and wait until `/health/ready` answers 200 (or, with `ready=False`, until `/health/live` does)."""
        import subprocess
        import sys

        log = (self.log_dir / f"{self.dienst.naam}.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", self.dienst.factory, "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--no-access-log"],
            env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.dienst.naam} stopped at start-up; see {log.name}")
            try:
                answer = httpx.get(f"{self.url}/health/{'ready' if ready else 'live'}", timeout=1.0)
            except httpx.HTTPError:
                time.sleep(0.1)
                continue
            # The port may have been taken by another process between choosing and binding it: make sure the
            # answer comes from this very service.
            if answer.status_code == 200 and answer.json().get("dienst") == self.dienst.naam:
                time.sleep(0.2)
                if self.process.poll() is None:
                    return
                raise RuntimeError(f"{self.dienst.naam}: port {self.port} is served by another process")
            time.sleep(0.1)
        raise TimeoutError(f"{self.dienst.naam} did not become ready")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, as a crash would be."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except Exception:
                self.process.kill()


class Stack:
    """intake-api, privacy-gateway and reporting as real processes wired to each other."""

    __test__ = False

    def __init__(
        self,
        *,
        local_dir: Path,
        database_urls: dict[str, str],
        log_dir: Path,
        env: dict[str, str] | None = None,
    ):
        from meldroute_dev.services import DIENSTEN

        self.ports = {d.naam: free_port() for d in DIENSTEN}
        url = {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()}
        common = {"MELDROUTE_ENV": "test", "MELDROUTE_LOCAL_DIR": str(local_dir), **(env or {})}
        per_service = {
            "intake-api": {"INTAKE_DATABASE_URL": database_urls["intake-api"], "INTAKE_REPORTING_URL": url["reporting"]},
            "privacy-gateway": {"GATEWAY_DATABASE_URL": database_urls["privacy-gateway"], "GATEWAY_INTAKE_URL": url["intake-api"]},
            "reporting": {"REPORTING_DATABASE_URL": database_urls["reporting"]},
        }  # fmt: skip
        self.services = {
            d.naam: ServiceProcess(
                dienst=d, env={**common, **per_service[d.naam]}, log_dir=log_dir, port=self.ports[d.naam]
            )
            for d in DIENSTEN
        }

    def url(self, name: str) -> str:
        return self.services[name].url

    def start(self) -> None:
        for name in ("reporting", "intake-api", "privacy-gateway"):
            self.services[name].start()

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()


@pytest.fixture(scope="session")
def stack(
    pytestconfig: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
    test_databases: TestDatabases,
    local_dir: Path,
) -> Iterator[Stack]:
    """The three services as real processes on migrated databases of the current backend (session-wide)."""
    from meldroute_common.migrations import upgrade

    from meldroute_dev.services import DIENSTEN

    root = pytestconfig.rootpath  # the repository: its pyproject.toml holds the pytest configuration
    urls = {}
    for dienst in DIENSTEN:
        urls[dienst.naam] = test_databases.create(f"stack-{dienst.naam}")
        upgrade(service_dir=dienst.folder(root), database_url=urls[dienst.naam])
    running_stack = Stack(local_dir=local_dir, database_urls=urls, log_dir=tmp_path_factory.mktemp("logs"))
    running_stack.start()
    yield running_stack
    running_stack.stop()
