"""The three services against a real OIDC provider (node `oidc-provider`), nothing of ours issuing tokens.

Service tokens come by client credentials with `resource` (RFC 8707) and `scope`; user tokens of every role are
the provider's JWTs too. One run signs RS256 with client_secret_basic / client_secret_post, one signs PS256 with
private_key_jwt and a renamed reporting audience. A provider that refuses the service's token request makes the
service not ready and puts the provider's error in its log.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from meldroute_common.devissuer import DevIssuer
from meldroute_common.migrations import upgrade
from meldroute_common.roles import ROLLEN
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import Stack, TestDatabases
from sqlalchemy.ext.asyncio import create_async_engine

from tests.builders import signaal
from tests.idp.conftest import (
    RESOURCE,
    Provider,
    StartProvider,
    client_key,
    header,
    payload,
    role_clients,
    service_client,
)

ROOT = Path(__file__).resolve().parents[2]
GEMEENTE = "GM0197"  # Aalten
PARTNER = "riec-oost-nederland"
AANTAL = 5


def _signaal() -> dict[str, Any]:
    return signaal(gemeenteCode=GEMEENTE, omschrijving="Arbeiders slapen in een schuur.")


def _databases(test_databases: TestDatabases, label: str) -> dict[str, str]:
    urls = {}
    for dienst in DIENSTEN:
        urls[dienst.naam] = test_databases.create(f"idp-{label}-{dienst.naam}")
        upgrade(service_dir=dienst.folder(ROOT), database_url=urls[dienst.naam])
    return urls


def _provider_env(provider: Provider) -> dict[str, str]:
    return {
        "MELDROUTE_OIDC_ISSUER": provider.issuer,
        "MELDROUTE_JWKS_URL": provider.jwks_url,
        "MELDROUTE_TOKEN_URL": provider.token_url,
        "INTAKE_REPORTING_TOKEN_RESOURCE": RESOURCE["reporting"],
        "GATEWAY_INTAKE_TOKEN_RESOURCE": RESOURCE["intake-api"],
        "INTAKE_OUTBOX_INTERVAL_SECONDEN": "0.2",
        # The backlog is read from /metrics here; its own token rule is tested in tests/security.
        "MELDROUTE_METRICS_OPEN": "true",
        "REPORTING_DREMPEL": "5",
        "REPORTING_MINIMALE_POPULATIE": "5",
    }


RUNS = {
    "rs256-client-secret": {"alg": "RS256", "auth": "client_secret", "reporting_audience": None},
    "ps256-private-key-jwt": {
        "alg": "PS256",
        "auth": "private_key_jwt",
        "reporting_audience": "meldroute-rapportage",
    },
}


@pytest.fixture(params=list(RUNS))
def provider_stack(
    request: pytest.FixtureRequest,
    start_provider: StartProvider,
    test_databases: TestDatabases,
    local_dir: Path,
    tmp_path: Path,
) -> Iterator[tuple[Provider, Stack, dict[str, Any]]]:
    run = RUNS[request.param]
    env: dict[str, str] = {}
    if run["auth"] == "private_key_jwt":
        intake_pem, intake_jwk = client_key(tmp_path, "intake-api")
        gateway_pem, gateway_jwk = client_key(tmp_path, "privacy-gateway")
        clients = [
            service_client(
                "intake-api", token_endpoint_auth_method="private_key_jwt", jwks={"keys": [intake_jwk]}
            ),
            service_client(
                "privacy-gateway", token_endpoint_auth_method="private_key_jwt", jwks={"keys": [gateway_jwk]}
            ),
        ]
        env |= {
            "INTAKE_CLIENT_AUTH_METHOD": "private_key_jwt", "INTAKE_CLIENT_KEY_FILE": str(intake_pem),
            "INTAKE_CLIENT_KEY_ID": intake_jwk["kid"], "INTAKE_CLIENT_KEY_ALGORITHM": "PS256",
            "GATEWAY_CLIENT_AUTH_METHOD": "private_key_jwt", "GATEWAY_CLIENT_KEY_FILE": str(gateway_pem),
            "GATEWAY_CLIENT_KEY_ID": gateway_jwk["kid"],
        }  # fmt: skip
    else:
        clients = [
            service_client("intake-api", token_endpoint_auth_method="client_secret_post"),
            service_client("privacy-gateway"),
        ]
    audiences = {"reporting": run["reporting_audience"]} if run["reporting_audience"] else {}
    provider = start_provider(
        alg=run["alg"], clients=[*clients, *role_clients(GEMEENTE, PARTNER)], audiences=audiences
    )
    env |= _provider_env(provider)
    if run["auth"] == "client_secret":
        env |= {
            "INTAKE_CLIENT_AUTH_METHOD": "client_secret_post", "INTAKE_CLIENT_SECRET": provider.secrets["intake-api"],
            "GATEWAY_CLIENT_SECRET": provider.secrets["privacy-gateway"],
        }  # fmt: skip
    if run["reporting_audience"]:
        # The audience is reporting's configured name; intake asks for whatever it is told reporting is called.
        env |= {
            "REPORTING_AUDIENCE": run["reporting_audience"],
            "INTAKE_REPORTING_AUDIENCE": run["reporting_audience"],
        }
    stack = Stack(
        local_dir=local_dir,
        database_urls=_databases(test_databases, request.param),
        log_dir=tmp_path,
        env=env,
    )
    try:
        stack.start()
        yield provider, stack, run
    finally:
        stack.stop()


def _ontvangen(database_url: str, gemeente: str) -> int:
    """Signals of the municipality that reached reporting's event store."""

    async def tel() -> int:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as verbinding:
                aantal = await verbinding.scalar(
                    sa.text(
                        "SELECT count(*) FROM gebeurtenissen WHERE type = 'signaal_ontvangen' AND gemeente_code = :g"
                    ),
                    {"g": gemeente},
                )
                return int(aantal or 0)
        finally:
            await engine.dispose()

    return asyncio.run(tel())


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_route_works_with_provider_tokens_only(
    provider_stack: tuple[Provider, Stack, dict[str, Any]], issuer: DevIssuer
) -> None:
    provider, stack, run = provider_stack
    intake, gateway, reporting = (stack.url(n) for n in ("intake-api", "privacy-gateway", "reporting"))
    audience = {"reporting": run["reporting_audience"] or "reporting"}

    def user(rol: str) -> dict[str, str]:
        role = ROLLEN[rol]
        token = provider.token(
            f"gebruiker-{rol}", resource=RESOURCE[role.audience], scope=" ".join(s.value for s in role.scopes)
        )
        assert header(token)["alg"] == run["alg"] and header(token)["typ"] == "at+jwt"
        claims = payload(token)
        assert claims["iss"] == provider.issuer and claims["aud"] == audience.get(
            role.audience, role.audience
        )
        return _bearer(token)

    with httpx.Client(timeout=20) as http:
        # Readiness says which service tokens it holds: obtained from the provider with resource + scope.
        assert http.get(f"{gateway}/health/ready").json()["servicetokens"] == {"intake-api": "ok"}
        assert http.get(f"{intake}/health/ready").json()["servicetokens"] == {audience["reporting"]: "ok"}
        # Only the provider is trusted: a development-issuer token is refused.
        dev = issuer.mint(rol="melder", gemeente=GEMEENTE)
        assert http.get(f"{intake}/v1/signalen", headers=_bearer(dev)).status_code == 401

        melder, af = user("melder"), user("aandachtsfunctionaris")
        ids = []
        for _ in range(AANTAL):
            response = http.post(
                f"{intake}/v1/signalen",
                json=_signaal(),
                headers={**melder, "Idempotency-Key": str(uuid.uuid4())},
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        signaal = ids[0]
        assert signaal in http.get(f"{intake}/v1/signalen", headers=af).text
        for besluit in (
            {"status": "in_behandeling", "toelichting": "Oppakken."},
            {
                "status": "opgeschaald", "toelichting": "Meerdere indicatoren van arbeidsuitbuiting.",
                "partners": [PARTNER], "doel": "casusoverleg",
            },
        ):  # fmt: skip
            etag = http.get(f"{intake}/v1/signalen/{signaal}", headers=af).headers["etag"]
            response = http.post(
                f"{intake}/v1/signalen/{signaal}/beoordelingen",
                json=besluit,
                headers={**af, "If-Match": etag},
            )
            assert response.status_code in (200, 201), response.text

        # A partner reads the case through the gateway, which calls intake with its own provider token.
        partner = user("partner")
        lijst = http.get(f"{gateway}/v1/casussen", headers=partner)
        assert lijst.status_code == 200, lijst.text
        # The partner knows the case only by its own reference, never by intake's id.
        assert signaal not in lijst.text
        (referentie,) = [c["id"] for c in lijst.json()["casussen"]]
        casus = http.get(
            f"{gateway}/v1/casussen/{referentie}", params={"doel": "casusoverleg"}, headers=partner
        )
        assert casus.status_code == 200, casus.text
        assert http.get(f"{gateway}/v1/beleid", headers=user("goedkeurder")).status_code == 200

        # The outbox delivers to reporting with intake's provider token: every signal arrives. (Reporting publishes
        # only closed periods, so this month's events are counted in its database, not in its statistics.)
        reporting_db = stack.services["reporting"].env["REPORTING_DATABASE_URL"]
        deadline, aantal = time.monotonic() + 30, 0
        while (aantal := _ontvangen(reporting_db, GEMEENTE)) < AANTAL and time.monotonic() < deadline:
            time.sleep(0.3)
        assert aantal == AANTAL
        stats = http.get(
            f"{reporting}/v1/statistieken/signalen", params={"groeperenOp": "gemeente"},
            headers=user("beleidsmedewerker"),
        )  # fmt: skip
        assert stats.status_code == 200, stats.text
        # The backlog gauges follow the relay's rounds: empty (and age 0) once everything is delivered.
        deadline = time.monotonic() + 10
        while "meldroute_outbox_backlog_events 0.0" not in (metrics := http.get(f"{intake}/metrics").text):
            assert time.monotonic() < deadline, "the backlog metric never came back to 0"
            time.sleep(0.3)
        assert "meldroute_outbox_backlog_age_seconds 0.0" in metrics

        verificatie = http.get(f"{gateway}/v1/verwerkingen/verificatie", headers=user("fg"))
        assert verificatie.status_code == 200 and verificatie.json()["ok"] is True


def test_a_refused_token_request_makes_the_service_not_ready_and_is_logged(
    start_provider: StartProvider, test_databases: TestDatabases, local_dir: Path, tmp_path: Path
) -> None:
    provider = start_provider(
        alg="RS256",
        clients=[
            service_client("intake-api"),
            service_client("privacy-gateway"),
            *role_clients(GEMEENTE, PARTNER),
        ],
    )
    env = _provider_env(provider) | {
        # intake presents a wrong secret; the gateway asks for a resource the provider does not know.
        "INTAKE_CLIENT_SECRET": "niet-het-geheim-van-intake",
        "GATEWAY_CLIENT_SECRET": provider.secrets["privacy-gateway"],
        "GATEWAY_INTAKE_TOKEN_RESOURCE": "urn:meldroute:bestaat-niet",
    }
    stack = Stack(
        local_dir=local_dir, database_urls=_databases(test_databases, "weigering"), log_dir=tmp_path, env=env
    )
    try:
        stack.services["reporting"].start()
        stack.services["intake-api"].start(ready=False)
        stack.services["privacy-gateway"].start(ready=False)
        with httpx.Client(timeout=20) as http:
            for naam, doel in (("privacy-gateway", "intake-api"), ("intake-api", "reporting")):
                ready = http.get(f"{stack.url(naam)}/health/ready")
                assert ready.status_code == 503, (naam, ready.text)
                assert doel in ready.json()["detail"], ready.text
                assert "niet-het-geheim" not in ready.text
            partner = provider.token(
                "gebruiker-partner",
                resource=RESOURCE["privacy-gateway"],
                scope="casussen:lezen identiteit:verzoeken",
            )
            assert (
                http.get(f"{stack.url('privacy-gateway')}/v1/casussen", headers=_bearer(partner)).status_code
                == 503
            )
            # The outbox waits, visibly: an event is queued and the backlog metric counts it.
            melder = provider.token(
                "gebruiker-melder", resource=RESOURCE["intake-api"], scope="signalen:aanmaken"
            )
            response = http.post(
                f"{stack.url('intake-api')}/v1/signalen", json=_signaal(),
                headers={**_bearer(melder), "Idempotency-Key": str(uuid.uuid4())},
            )  # fmt: skip
            assert response.status_code == 201, response.text
            deadline = time.monotonic() + 15
            while (
                "meldroute_outbox_backlog_events 1.0"
                not in http.get(f"{stack.url('intake-api')}/metrics").text
            ):
                assert time.monotonic() < deadline, "the backlog metric never counted the waiting event"
                time.sleep(0.3)
    finally:
        stack.stop()
    gateway_log = (tmp_path / "privacy-gateway.log").read_text()
    intake_log = (tmp_path / "intake-api.log").read_text()
    assert "invalid_target" in gateway_log and "intake-api" in gateway_log
    assert "invalid_client" in intake_log and "reporting" in intake_log
    for secret in (provider.secrets["privacy-gateway"], "niet-het-geheim-van-intake"):
        assert secret not in gateway_log and secret not in intake_log
