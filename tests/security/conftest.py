"""Shared pieces of the security suite: the operations of the served OpenAPI documents and how to call them.

Everything is derived from the documents the running services publish (`/v1/openapi.json` of the session
`stack`), so a new operation is covered by every matrix without touching the tests. Values the documents
cannot supply (a required query parameter without example) come from `QUERY_WAARDEN`; an operation that needs
one not listed there fails loudly instead of being skipped.
"""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from meldroute_common.codering import decode_b64url, encode_b64url
from meldroute_common.devissuer import DevIssuer
from meldroute_common.problems import PROBLEM_JSON
from meldroute_common.roles import ROLLEN, Rol
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import ServiceHarness, Stack

ROOT = Path(__file__).resolve().parents[2]
DIENST_NAMEN = tuple(d.naam for d in DIENSTEN)
METHODEN = ("get", "post", "put", "patch", "delete")

#: Values for required query parameters the documents give no example for.
QUERY_WAARDEN: dict[str, str] = {"doel": "casusoverleg", "organisatie": "riec-oost-nederland"}

#: The municipality and partner the suite's own data belongs to.
GEMEENTE = "GM1509"
PARTNER = "riec-oost-nederland"
#: The detail of a 403 that the scope check gives (meldroute_common.auth.require_scopes).
SCOPE_WEIGERING = "Scope ontbreekt"


class _Standaard:
    """Marks a claim left to the role's default."""


_STANDAARD = _Standaard()


@dataclass(frozen=True)
class Operatie:
    """One documented operation of a service, as the served OpenAPI document describes it."""

    dienst: str
    methode: str
    pad: str
    operation_id: str
    scopes: frozenset[str]  # every scope the document names for it
    #: The security requirements: alternatives (OpenAPI), each a set of scopes that must all be held.
    scope_eisen: tuple[frozenset[str], ...]
    pad_parameters: tuple[str, ...]
    query_parameters: Mapping[str, Mapping[str, Any]]
    verplichte_query: tuple[str, ...]
    body_voorbeeld: Any
    heeft_body: bool
    statussen: frozenset[str]  # the documented response codes
    begrensd: bool  # documented as rate limited per client (`x-rate-limited`)

    def __str__(self) -> str:
        return f"{self.dienst} {self.methode} {self.pad} ({self.operation_id})"

    def toegestaan_voor(self, rol: Rol) -> bool:
        """Whether the role's scopes cover one of the operation's security requirements (all its scopes)."""
        return any(eis <= {s.value for s in rol.scopes} for eis in self.scope_eisen)


def _voorbeeld(document: Mapping[str, Any], content: Mapping[str, Any]) -> Any:
    """The first example of a JSON request body: from the media type, else from its (referenced) schema."""
    if "example" in content:
        return content["example"]
    if content.get("examples"):
        eerste = next(iter(content["examples"].values()))
        return eerste.get("value")
    schema = content.get("schema", {})
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    voorbeelden = schema.get("examples")
    if voorbeelden:
        return voorbeelden[0]
    return schema.get("example")


def operaties_van(dienst: str, document: Mapping[str, Any]) -> list[Operatie]:
    """Every operation of one served document."""
    prefix = document.get("servers", [{"url": ""}])[0]["url"].rstrip("/")
    resultaat = []
    for pad, item in document["paths"].items():
        for methode, operatie in item.items():
            if methode not in METHODEN:
                continue
            parameters = [*item.get("parameters", []), *operatie.get("parameters", [])]
            body = operatie.get("requestBody", {}).get("content", {}).get("application/json")
            resultaat.append(
                Operatie(
                    dienst=dienst,
                    methode=methode.upper(),
                    pad=prefix + pad,
                    operation_id=operatie["operationId"],
                    scopes=frozenset(
                        s for eis in operatie.get("security", []) for s in eis.get("oauth2", [])
                    ),
                    scope_eisen=tuple(
                        frozenset(eis.get("oauth2", [])) for eis in operatie.get("security", [])
                    ),
                    pad_parameters=tuple(p["name"] for p in parameters if p["in"] == "path"),
                    query_parameters={p["name"]: p for p in parameters if p["in"] == "query"},
                    verplichte_query=tuple(
                        p["name"] for p in parameters if p["in"] == "query" and p.get("required")
                    ),
                    body_voorbeeld=None if body is None else _voorbeeld(document, body),
                    heeft_body=body is not None,
                    statussen=frozenset(operatie.get("responses", {})),
                    begrensd=bool(operatie.get("x-rate-limited")),
                )
            )
    return resultaat


def _json_deel(deel: str) -> dict[str, Any]:
    resultaat: dict[str, Any] = json.loads(decode_b64url(deel))
    return resultaat


def query_waarde(operatie: Operatie, naam: str) -> str:
    """A usable value for a required query parameter: the document's example, else `QUERY_WAARDEN`."""
    spec = operatie.query_parameters[naam]
    schema = spec.get("schema", {})
    for bron in (spec.get("example"), *(spec.get("examples") or {}).values(), schema.get("example")):
        if bron is not None:
            return str(bron["value"] if isinstance(bron, dict) else bron)
    if schema.get("examples"):
        return str(schema["examples"][0])
    if schema.get("enum"):
        return str(schema["enum"][0])
    if naam in QUERY_WAARDEN:
        return QUERY_WAARDEN[naam]
    raise AssertionError(
        f"{operatie}: no value for the required query parameter {naam!r}; add it to QUERY_WAARDEN"
    )


@dataclass
class Api:
    """Calls documented operations of the running stack with tokens minted for any role and audience."""

    stack: Stack
    issuer: DevIssuer
    http: httpx.Client
    documenten: dict[str, dict[str, Any]]
    _sjablonen: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    _sleutel: rsa.RSAPrivateKey | None = None

    @cached_property
    def operaties(self) -> list[Operatie]:
        return [o for dienst in DIENST_NAMEN for o in operaties_van(dienst, self.documenten[dienst])]

    def operatie(self, operation_id: str) -> Operatie:
        gevonden = [o for o in self.operaties if o.operation_id == operation_id]
        assert len(gevonden) == 1, f"operation {operation_id!r} is documented {len(gevonden)} times"
        return gevonden[0]

    def token(
        self,
        rol: str,
        *,
        dienst: str | None = None,
        gemeente: str | _Standaard | None = _STANDAARD,
        organisatie: str | _Standaard | None = _STANDAARD,
        sub: str | None = None,
    ) -> str:
        """A valid token with the role's scopes for `dienst` (default the role's own audience).

        Both `gemeente` and `organisatie` are set whatever the user role (None is sent as null, read as
        absent), so a refusal can only come from the scopes or from the object asked for, never from a missing
        claim. A service client's token carries neither unless asked: with one it is a user token, which the
        internal operations refuse whatever its scopes.
        """
        dienstrol = ROLLEN[rol].is_service
        if isinstance(gemeente, _Standaard):
            gemeente = None if dienstrol else GEMEENTE
        if isinstance(organisatie, _Standaard):
            organisatie = None if dienstrol else PARTNER
        kop, sjabloon = self._sjabloon(rol)
        nu = int(time.time())
        claims = {
            **sjabloon, "aud": dienst or ROLLEN[rol].audience, "sub": sub or sjabloon["sub"],
            "gemeente": gemeente, "organisatie": organisatie, "iat": nu, "nbf": nu, "exp": nu + 900,
            "jti": uuid.uuid4().hex,
        }  # fmt: skip
        return self._onderteken(kop, claims)

    def _sjabloon(self, rol: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Header and claims of a token the development issuer mints for `rol` (minted once per role)."""
        if rol not in self._sjablonen:
            kop, claims, _ = self.issuer.mint(rol=rol).split(".")
            self._sjablonen[rol] = (_json_deel(kop), _json_deel(claims))
        return self._sjablonen[rol]

    def _onderteken(self, kop: dict[str, Any], claims: dict[str, Any]) -> str:
        # RS256 with the issuer's key loaded once: loading a PEM key costs more than a hundred requests.
        if self._sleutel is None:
            sleutel = serialization.load_pem_private_key(self.issuer.private_key_pem.encode(), password=None)
            assert isinstance(sleutel, rsa.RSAPrivateKey) and kop["alg"] == "RS256"
            self._sleutel = sleutel
        invoer = f"{encode_b64url(json.dumps(kop).encode())}.{encode_b64url(json.dumps(claims).encode())}"
        handtekening = self._sleutel.sign(invoer.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{invoer}.{encode_b64url(handtekening)}"

    def verzoek(
        self,
        operatie: Operatie,
        *,
        token: str | None,
        pad: Mapping[str, str] | None = None,
        query: Mapping[str, str | int] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        base_url: str | None = None,
    ) -> httpx.Response:
        """Call `operatie`: path ids from `pad` (else fresh UUIDs), required query values filled in, and
        the documented example as body unless `body` is given."""
        url = operatie.pad
        for naam in operatie.pad_parameters:
            url = url.replace("{" + naam + "}", str((pad or {}).get(naam, uuid.uuid4())))
        params: dict[str, str | int] = {n: query_waarde(operatie, n) for n in operatie.verplichte_query}
        params.update(query or {})
        kop = dict(headers or {})
        if token is not None:
            kop["Authorization"] = f"Bearer {token}"
        inhoud = None
        if operatie.heeft_body:
            inhoud = copy.deepcopy(operatie.body_voorbeeld) if body is None else body
        return self.http.request(
            operatie.methode,
            (base_url or self.stack.url(operatie.dienst)) + url,
            params=params,
            json=inhoud,
            headers=kop,
        )

    @staticmethod
    def probleem(response: httpx.Response, *statussen: int) -> dict[str, Any]:
        """Assert a problem+json answer with one of `statussen`; returns the problem document."""
        verzoek = f"{response.request.method} {response.request.url.path}"
        assert response.status_code in statussen, f"{verzoek}: {response.status_code} {response.text[:300]}"
        assert response.headers["content-type"].startswith(PROBLEM_JSON), verzoek
        document: dict[str, Any] = response.json()
        assert document["status"] == response.status_code and document["title"] and document["type"], verzoek
        assert "Traceback" not in response.text and "SELECT " not in response.text, verzoek
        return document


@pytest.fixture(scope="session")
def api(stack: Stack, issuer: DevIssuer) -> Iterator[Api]:
    with httpx.Client(timeout=30.0) as http:
        documenten = {naam: http.get(f"{stack.url(naam)}/v1/openapi.json").json() for naam in DIENST_NAMEN}
        for naam, document in documenten.items():
            # A port taken by another process between choosing and binding it would put a stranger here.
            assert document["info"]["title"] == f"meldroute {naam}", f"{stack.url(naam)} is not {naam}"
        yield Api(stack=stack, issuer=issuer, http=http, documenten=documenten)


#: The root conftest's in-process harness fixture of each service.
HARNASSEN = {
    "intake-api": "intake_harness",
    "privacy-gateway": "gateway_harness",
    "reporting": "reporting_harness",
}


@pytest.fixture
def harness_van(request: pytest.FixtureRequest) -> Callable[[str], ServiceHarness]:
    """The in-process harness of a service by name, for checks that need other settings than the stack's."""

    def van(dienst: str) -> ServiceHarness:
        harness: ServiceHarness = request.getfixturevalue(HARNASSEN[dienst])
        return harness

    return van


# --- a JWKS over HTTP for production mode ---------------------------------------------------------


class JwksServer:
    """Serves one JWKS document over HTTP on a free local port (the production setting needs a URL)."""

    def __init__(self, jwks: bytes) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(jwks)))
                self.end_headers()
                self.wfile.write(jwks)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"

    def __enter__(self) -> JwksServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def jwks_server(local_dir: Path) -> Iterator[JwksServer]:
    jwks = (local_dir / "keys" / "jwks.json").read_bytes()
    json.loads(jwks)  # the development issuer wrote it; fail here rather than in a service
    with JwksServer(jwks) as server:
        yield server
