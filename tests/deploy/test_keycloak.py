"""The example Keycloak realm matches the code: our scopes, roles, audiences and claims, no secrets."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from meldroute_common.auth import Scope
from meldroute_common.roles import ROLLEN, Rol
from meldroute_dev.services import DIENSTEN, WERKPLEK
from werkplek.config import WerkplekSettings

from .conftest import settings_class

Realm = dict[str, Any]


@pytest.fixture(scope="module")
def realm(repo: Path) -> Realm:
    loaded = json.loads((repo / "deploy/keycloak/meldroute-realm.json").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _role(rol: Rol) -> str:
    return f"dienst:{rol.naam}" if rol.is_service else rol.naam


def _scopes(realm: Realm) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in realm["clientScopes"]}


def _clients(realm: Realm) -> dict[str, dict[str, Any]]:
    return {c["clientId"]: c for c in realm["clients"]}


def _documented_scopes(repo: Path) -> dict[str, str]:
    """scope -> the service whose committed OpenAPI document requires it somewhere."""
    owners: dict[str, str] = {}
    for dienst in DIENSTEN:
        document = json.loads((repo / "openapi" / f"{dienst.naam}.json").read_text(encoding="utf-8"))
        for operations in document["paths"].values():
            for operation in operations.values():
                for requirement in operation.get("security", []) if isinstance(operation, dict) else []:
                    for scopes in requirement.values():
                        owners.update(dict.fromkeys(scopes, dienst.naam))
    return owners


def test_a_client_scope_per_scope_with_the_right_audience(realm: Realm, repo: Path) -> None:
    scopes = _scopes(realm)
    services = {d.naam for d in DIENSTEN}
    documented = _documented_scopes(repo)
    for scope in Scope:
        client_scope = scopes[scope.value]
        assert client_scope["attributes"]["include.in.token.scope"] == "true", scope
        audiences = [
            m["config"]["included.client.audience"]
            for m in client_scope["protocolMappers"]
            if m["protocolMapper"] == "oidc-audience-mapper"
        ]
        if scope is Scope.metrics_lezen:
            # Prometheus reads /metrics of all three with one token: the only scope for every audience.
            assert sorted(audiences) == sorted(services), scope
            continue
        if scope is Scope.abonnementen_beheren:
            # Municipalities manage their subscriptions at intake, partners theirs at the gateway.
            assert sorted(audiences) == ["intake-api", "privacy-gateway"], scope
            continue
        assert len(audiences) == 1 and audiences[0] in services, scope
        if scope.value in documented:
            assert audiences[0] == documented[scope.value], f"{scope}: the token would not reach its service"


def test_scopes_are_granted_by_the_roles_of_the_code(realm: Realm) -> None:
    granted: dict[str, set[str]] = {}
    for mapping in realm["scopeMappings"]:
        for role in mapping["roles"]:
            granted.setdefault(role, set()).add(mapping["clientScope"])
    assert {r["name"] for r in realm["roles"]["realm"]} == {_role(r) for r in ROLLEN.values()}
    for rol in ROLLEN.values():
        assert granted.get(_role(rol), set()) == {s.value for s in rol.scopes}, rol.naam
    # Every scope is role-gated, so a client cannot hand out a scope to a user without the role.
    assert {m["clientScope"] for m in realm["scopeMappings"]} == {s.value for s in Scope}


def test_service_clients_use_client_credentials_with_their_own_scope(realm: Realm) -> None:
    clients = _clients(realm)
    assert {d.naam for d in DIENSTEN} <= set(clients)
    accounts = {u["serviceAccountClientId"]: set(u["realmRoles"]) for u in realm["users"]}
    for rol in (r for r in ROLLEN.values() if r.is_service):
        client = clients[rol.naam]
        assert client["serviceAccountsEnabled"] is True and client["publicClient"] is False
        assert not client["standardFlowEnabled"] and not client["directAccessGrantsEnabled"]
        ours = {s for s in client["defaultClientScopes"] if s in {x.value for x in Scope}}
        assert ours == {s.value for s in rol.scopes}, rol.naam
        assert accounts[rol.naam] == {_role(rol)}


def test_front_ends_are_public_clients_with_pkce(realm: Realm) -> None:
    front_ends = [c for c in realm["clients"] if c["publicClient"]]
    assert len(front_ends) >= 3
    for client in front_ends:
        assert client["attributes"]["pkce.code.challenge.method"] == "S256", client["clientId"]
        assert client["directAccessGrantsEnabled"] is False and client["implicitFlowEnabled"] is False
        assert not client["serviceAccountsEnabled"]
        assert not any(
            s == Scope.intake_intern or s == Scope.rapportage_invoeren for s in client["defaultClientScopes"]
        )


def test_gemeente_and_organisatie_claims_are_mapped(realm: Realm) -> None:
    scopes = _scopes(realm)
    for claim in ("gemeente", "organisatie"):
        (mapper,) = scopes[claim]["protocolMappers"]
        assert mapper["protocolMapper"] == "oidc-usermodel-attribute-mapper"
        assert mapper["config"]["user.attribute"] == claim == mapper["config"]["claim.name"]
        assert mapper["config"]["access.token.claim"] == "true"
    clients = _clients(realm)
    assert "gemeente" in clients["meldroute-meldpunt"]["defaultClientScopes"]
    assert "organisatie" in clients["meldroute-partners"]["defaultClientScopes"]


def test_no_secret_in_the_realm(
    realm: Realm, repo: Path, read_env_file: Callable[[Path], dict[str, str]]
) -> None:
    example = read_env_file(repo / "deploy/compose/keycloak.example.env")
    for client in realm["clients"]:
        if "secret" in client:
            match = re.fullmatch(r"\$\{(\w+)\}", client["secret"])
            assert match, f"{client['clientId']}: a literal secret"
            assert match.group(1) in example, f"{match.group(1)} is not in keycloak.example.env"


def test_the_werkplek_is_a_confidential_client_with_pkce_and_its_own_uris(
    realm: Realm, repo: Path, read_env_file: Callable[[Path], dict[str, str]]
) -> None:
    """The werkplek keeps its tokens on the server: a confidential client, code + PKCE, exact URIs."""
    client = _clients(realm)[WERKPLEK.naam]
    assert client["publicClient"] is False and client["clientAuthenticatorType"] == "client-secret"
    assert (
        client["standardFlowEnabled"] is True and client["attributes"]["pkce.code.challenge.method"] == "S256"
    )
    assert not client["implicitFlowEnabled"] and not client["directAccessGrantsEnabled"]
    assert not client["serviceAccountsEnabled"] and client["fullScopeAllowed"] is False
    assert client["webOrigins"] == [], "the browser never calls the provider's API for the werkplek"
    # The URIs the werkplek builds from the origin in the compose example, registered exactly (no wildcard).
    origin = read_env_file(repo / "deploy/compose/werkplek.example.env")["WERKPLEK_PUBLIC_URL"]
    settings = WerkplekSettings(public_url=origin)
    assert client["redirectUris"] == [settings.redirect_uri]
    assert client["attributes"]["post.logout.redirect.uris"] == settings.post_logout_redirect_uri
    scopes = set(client["defaultClientScopes"])
    assert "gemeente" in scopes and {"signalen:aanmaken", "signalen:lezen"} <= scopes
    assert not scopes & {Scope.intake_intern.value, Scope.rapportage_invoeren.value}
    # The municipality reaches the werkplek in the ID token too (the session's gemeente comes from it).
    (mapper,) = _scopes(realm)["gemeente"]["protocolMappers"]
    assert mapper["config"]["id.token.claim"] == "true"
    keycloak = read_env_file(repo / "deploy/compose/keycloak.example.env")
    assert client["secret"] == "${MELDROUTE_WERKPLEK_CLIENT_SECRET}"
    assert "MELDROUTE_WERKPLEK_CLIENT_SECRET" in keycloak


def test_the_werkplek_reaches_every_service_of_a_role_by_the_tokens_audience_or_an_exchange(
    realm: Realm, repo: Path, read_env_file: Callable[[Path], dict[str, str]]
) -> None:
    """What the werkplek is configured with (the ConfigMap, the compose example) the realm gives it: the
    audiences of the role's scopes in the login token, and the exchange (RFC 8693) for a missing one."""
    configmap = yaml.safe_load((repo / "deploy/k8s/werkplek/configmap.yaml").read_text(encoding="utf-8"))
    compose = read_env_file(repo / "deploy/compose/werkplek.example.env")
    velden = {"intake-api": "INTAKE", "privacy-gateway": "GATEWAY", "reporting": "REPORTING"}
    assert set(velden) == set(WerkplekSettings().diensten) == {d.naam for d in DIENSTEN}
    for dienst, veld in velden.items():
        naam = f"WERKPLEK_{veld}_AUDIENCE"
        # The audience each service accepts (no <PREFIX>_AUDIENCE is deployed: the service's own name), and
        # the werkplek's own default, in both deployments.
        waarde = settings_class(next(d for d in DIENSTEN if d.naam == dienst))().token_audience
        assert configmap["data"][naam] == compose[naam] == WerkplekSettings().diensten[dienst] == waarde, naam
    audiences = set(velden)
    clients = _clients(realm)
    assert audiences <= set(clients), "an exchange asks for an audience that is a client of the realm"
    werkplek = clients[WERKPLEK.naam]
    scopes = _scopes(realm)
    eigen = set(werkplek["defaultClientScopes"])

    def bereikt(scope: str) -> set[str]:
        return {
            m["config"]["included.client.audience"]
            for m in scopes[scope]["protocolMappers"]
            if m["protocolMapper"] == "oidc-audience-mapper" and m["config"]["access.token.claim"] == "true"
        }

    # Every person's role signs in at the werkplek with all its scopes, so its token carries the audience of
    # every service its screens call (the mappers of those scopes); no exchange is needed for them.
    for rol in ROLLEN.values():
        if rol.is_service or Scope.metrics_lezen in rol.scopes:
            continue
        assert {s.value for s in rol.scopes} <= eigen, rol.naam
    assert "organisatie" in eigen, "the partner's and approver's organisation reaches the gateway"
    # Keycloak's standard token exchange (V2): enabled for the client, the requested audience one its client
    # scopes can give, and the subject token addressed to the requesting client (so `werkplek` is in its aud).
    assert werkplek["attributes"]["standard.token.exchange.enabled"] == "true"
    assert audiences <= set().union(*(bereikt(s) for s in eigen if s in scopes))
    (eigen_mapper,) = [
        m for m in werkplek["protocolMappers"] if m["protocolMapper"] == "oidc-audience-mapper"
    ]
    assert eigen_mapper["config"]["included.client.audience"] == WERKPLEK.naam
    assert eigen_mapper["config"]["access.token.claim"] == "true"
