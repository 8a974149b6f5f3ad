"""docker-compose.yml: valid against the Compose specification, and everything it names exists in the code."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml
from meldroute_dev.services import ALLE_DIENSTEN, DIENSTEN, WERKPLEK, Dienst
from sqlalchemy.engine import make_url

DEFAULT_SCHEMA = "../shared/conformance/compose/compose-spec.json"
EnvReader = Callable[[Path], dict[str, str]]
UnknownNames = Callable[[str, Iterable[str]], set[str]]


@pytest.fixture(scope="module")
def compose(repo: Path) -> dict[str, Any]:
    loaded = yaml.safe_load((repo / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _dienst_of(service: dict[str, Any]) -> Dienst | None:
    """The meldroute service whose image `service` runs (the one Dockerfile's SERVICE), or None for outside images."""
    build = service.get("build")
    if build is None:
        return None
    assert isinstance(build, dict) and build.get("dockerfile") == "Dockerfile", build
    args = build.get("args") or {}
    matches = [d for d in ALLE_DIENSTEN if args.get("SERVICE") == d.naam]
    assert len(matches) == 1, f"build argument SERVICE={args.get('SERVICE')!r} is not in ALLE_DIENSTEN"
    assert args.get("PORT") == str(matches[0].port), f"{matches[0].naam}: PORT must be {matches[0].port}"
    return matches[0]


def _ours(compose: dict[str, Any]) -> list[tuple[str, dict[str, Any], Dienst]]:
    found = []
    for name, service in compose["services"].items():
        dienst = _dienst_of(service)
        if dienst is not None:
            found.append((name, service, dienst))
    return found


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.partition("=")[::2] for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _env_files(service: dict[str, Any]) -> list[str]:
    files = service.get("env_file") or []
    if isinstance(files, str | dict):
        files = [files]
    return [f if isinstance(f, str) else f["path"] for f in files]


def _example_of(repo: Path, env_file: str) -> Path:
    path = repo / env_file
    return path.with_name(path.name.removesuffix(".env") + ".example.env")


def _variables(repo: Path, service: dict[str, Any], read_env_file: EnvReader) -> set[str]:
    names = set(_environment(service))
    for env_file in _env_files(service):
        names |= set(read_env_file(_example_of(repo, env_file)))
    return names


def test_compose_file_is_valid_against_the_compose_specification(repo: Path, compose: dict[str, Any]) -> None:
    schema_path = Path(os.environ.get("COMPOSE_SCHEMA", DEFAULT_SCHEMA))
    if not schema_path.is_absolute():
        schema_path = repo / schema_path
    assert schema_path.is_file(), f"Compose schema not found at {schema_path} (set COMPOSE_SCHEMA)"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    # The schema names draft-07 by an https URL jsonschema does not recognise; use draft 7 explicitly.
    assert "draft-07" in schema["$schema"]
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(
        jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.absolute_path)
    )
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_every_service_has_an_image_with_its_dockerfile(repo: Path, compose: dict[str, Any]) -> None:
    ours = _ours(compose)
    assert {d.naam for _, _, d in ours} == {d.naam for d in ALLE_DIENSTEN}
    for name, service, dienst in ours:
        build = service["build"]
        assert (repo / build["context"]).resolve() == repo, (
            f"{name}: build context must be the repository root"
        )
        assert (repo / build["dockerfile"]).is_file(), f"{name}: {build['dockerfile']} does not exist"
        project = tomllib.loads((dienst.folder(repo) / "pyproject.toml").read_text(encoding="utf-8"))[
            "project"
        ]
        assert service["image"] == f"meldroute/{dienst.naam}:{project['version']}", name


def test_outside_images_are_pinned(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if "build" in service:
            continue
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name}: pin the image version ({image})"
    assert compose["services"]["postgres"]["image"].startswith("postgres:16")


def test_ports_match_the_service_registry_and_bind_to_localhost(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert isinstance(port, str) and port.startswith("127.0.0.1:"), f"{name}: {port} not on 127.0.0.1"
    published = {}
    for name, service, dienst in _ours(compose):
        command = service.get("command")
        if command is not None:  # a one-shot job: no port, no health check of its own
            assert "ports" not in service, f"{name} publishes a port"
            continue
        assert service["ports"] == [f"127.0.0.1:{dienst.port}:{dienst.port}"], name
        test = " ".join(service["healthcheck"]["test"])
        assert f"http://127.0.0.1:{dienst.port}/health/" in test, f"{name}: health check on the wrong port"
        published[dienst.naam] = dienst.port
    assert published == {d.naam: d.port for d in ALLE_DIENSTEN}


def test_service_urls_name_the_registered_ports(compose: dict[str, Any]) -> None:
    ports = {d.naam: d.port for d in ALLE_DIENSTEN}
    for name, service, _ in _ours(compose):
        for key, value in _environment(service).items():
            for host, port in re.findall(r"https?://([a-z0-9-]+):(\d+)", value):
                if host in ports:
                    assert int(port) == ports[host], f"{name}: {key} points at {host}:{port}"


def test_every_variable_is_a_settings_field_of_its_service(
    repo: Path, compose: dict[str, Any], read_env_file: EnvReader, unknown_names: UnknownNames
) -> None:
    for name, service, dienst in _ours(compose):
        names = _variables(repo, service, read_env_file)
        assert names, f"{name} is given no settings at all"
        assert not unknown_names(dienst.naam, names), (
            f"{name}: unknown settings {unknown_names(dienst.naam, names)}"
        )


def test_a_misspelt_variable_is_caught(unknown_names: UnknownNames) -> None:
    assert unknown_names("intake-api", ["INTAKE_DATABASE_URL", "MELDROUTE_JWKS_URL"]) == set()
    assert unknown_names("intake-api", ["INTAKE_DATABSE_URL"]) == {"INTAKE_DATABSE_URL"}
    # A prefix belongs to its own service: intake does not read the gateway's settings.
    assert unknown_names("intake-api", ["GATEWAY_INTAKE_URL"]) == {"GATEWAY_INTAKE_URL"}
    assert unknown_names("reporting", ["MELDROUTE_JWKS_URI"]) == {"MELDROUTE_JWKS_URI"}


def test_production_settings_name_the_oidc_provider(
    repo: Path, compose: dict[str, Any], read_env_file: EnvReader
) -> None:
    for name, service, _ in _ours(compose):
        values: dict[str, str] = {}
        for env_file in _env_files(service):
            values |= read_env_file(_example_of(repo, env_file))
        values |= _environment(service)
        assert values.get("MELDROUTE_ENV") == "production", name
        assert values.get("MELDROUTE_JWKS_URL", "").startswith(("http://", "https://")), name
        assert values.get("MELDROUTE_OIDC_ISSUER"), name


@pytest.mark.processes
def test_env_files_are_examples_committed_and_secrets_ignored(repo: Path, compose: dict[str, Any]) -> None:
    env_files = {f for service in compose["services"].values() for f in _env_files(service)}
    assert env_files
    for env_file in env_files:
        assert env_file.startswith("deploy/compose/") and env_file.endswith(".env"), env_file
        assert _example_of(repo, env_file).is_file(), f"{env_file}: no committed example"
    secret_files = [s["file"] for s in compose["secrets"].values()]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *env_files, *secret_files],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert sorted(ignored) == sorted([*env_files, *secret_files]), (
        "filled-in env and key files must be ignored"
    )


def test_keys_go_only_to_the_service_that_may_hold_them(compose: dict[str, Any]) -> None:
    holders: dict[str, set[str]] = {}
    for name, service in compose["services"].items():
        for secret in service.get("secrets", []):
            holders.setdefault(secret if isinstance(secret, str) else secret["source"], set()).add(name)
    assert holders["gateway-hpke-private"] == {"privacy-gateway"}
    assert holders["gateway-pseudonym-key"] == {"privacy-gateway"}
    assert holders["gateway-keten-key"] == {"privacy-gateway"}
    assert holders["gateway-checkpoint-key"] == {"privacy-gateway"}
    assert holders["intake-link-key"] == {"intake-api"}
    assert holders["gateway-hpke-public"] == {"intake-api"}
    assert set(holders) == set(compose["secrets"]), "a secret is declared but never used, or used undeclared"


def test_services_wait_for_their_migration(repo: Path, compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service, dienst in _ours(compose):
        if "command" in service:
            continue
        if not dienst.database:
            # No database, so no migration: nothing of the werkplek's may wait for or run alembic.
            assert not any(spec["condition"] == "service_completed_successfully"
                           for spec in service["depends_on"].values()), name  # fmt: skip
            continue
        jobs = [
            dep
            for dep, spec in service["depends_on"].items()
            if spec["condition"] == "service_completed_successfully"
        ]
        assert len(jobs) == 1, f"{name} must wait for exactly one migration"
        job = services[jobs[0]]
        assert job["image"] == service["image"] and job.get("restart") == "no"
        ini = f"services/{dienst.naam}/alembic.ini"
        assert job["command"] == ["alembic", "-c", ini, "upgrade", "head"]
        assert (repo / ini).is_file()
        assert job["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert _env_files(job) == _env_files(service), f"{jobs[0]} must use the database of {name}"


def test_database_urls_match_the_roles_the_init_script_creates(
    repo: Path, compose: dict[str, Any], read_env_file: EnvReader
) -> None:
    script = (repo / "deploy/compose/initdb/10-meldroute.sh").read_text(encoding="utf-8")
    created = dict(re.findall(r'^maak (\w+) "\$\{(\w+):-\}"$', script, flags=re.MULTILINE))
    postgres_env = compose["services"]["postgres"]
    provided = set()
    for env_file in _env_files(postgres_env):
        provided |= set(read_env_file(_example_of(repo, env_file)))
    assert set(created.values()) <= provided, "the init script reads a password postgres.env does not give"
    assert {n for n in provided if not n.startswith("POSTGRES_")} == set(created.values())
    for name, service, dienst in _ours(compose):
        values: dict[str, str] = {}
        for env_file in _env_files(service):
            values |= read_env_file(_example_of(repo, env_file))
        if not dienst.database:
            assert f"{dienst.env_prefix}DATABASE_URL" not in values | _environment(service), name
            continue
        url = make_url(values[f"{dienst.env_prefix}DATABASE_URL"])
        assert url.drivername == "postgresql+asyncpg", name
        assert url.host == "postgres" and url.port == 5432, name
        assert url.username == url.database and url.username in created, (
            f"{name}: {url.username} is not created"
        )
    assert len(created) == len(DIENSTEN)


def test_containers_are_hardened(compose: dict[str, Any]) -> None:
    for name, service, _ in _ours(compose):
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert any(t.startswith("/tmp") for t in service["tmpfs"]), name  # noqa: S108


def test_replicas_share_rate_limit_counters_in_redis(
    repo: Path, compose: dict[str, Any], read_env_file: EnvReader
) -> None:
    redis = compose["services"]["redis"]
    assert redis["image"].startswith("redis:") and "ports" not in redis, "Redis stays inside the network"
    assert redis["read_only"] is True and redis["cap_drop"] == ["ALL"]
    assert "--save" in redis["command"] and "no" in redis["command"], "counters only: nothing written to disk"
    assert "redis-cli" in " ".join(redis["healthcheck"]["test"])
    for name, service, _ in _ours(compose):
        if service.get("command") is not None:
            continue  # migrations count nothing
        values: dict[str, str] = {}
        for env_file in _env_files(service):
            values |= read_env_file(_example_of(repo, env_file))
        values |= _environment(service)
        url = make_url(values["MELDROUTE_REDIS_URL"])
        assert url.drivername == "redis" and url.host == "redis" and url.port == 6379, name
        assert service["depends_on"]["redis"]["condition"] == "service_healthy", name


def test_the_checkpoint_witness_is_a_volume_of_its_own(compose: dict[str, Any]) -> None:
    """The verwerkingenlog's witness lives outside the database: its own named volume, only on the gateway."""
    gateway = compose["services"]["privacy-gateway"]
    witness = gateway["environment"]["GATEWAY_CHECKPOINT_WITNESS"]
    mounts = dict(m.split(":", 1) for m in gateway["volumes"])
    assert mounts == {"checkpoint-getuige": witness}
    assert "checkpoint-getuige" in compose["volumes"]
    users = {
        name for name, service in compose["services"].items()
        if any(str(v).split(":")[0] == "checkpoint-getuige" for v in service.get("volumes", []))
    }  # fmt: skip
    assert users == {"privacy-gateway"}, (
        "no other container (the database least of all) may reach the witness"
    )
    postgres_volumes = {str(v).split(":")[0] for v in compose["services"]["postgres"]["volumes"]}
    assert "checkpoint-getuige" not in postgres_volumes
    assert gateway["environment"]["GATEWAY_KETEN_SLEUTEL_BESTANDEN"] == '["/run/secrets/gateway-keten-key"]'
    assert (
        gateway["environment"]["GATEWAY_CHECKPOINT_SLEUTEL_BESTANDEN"]
        == '["/run/secrets/gateway-checkpoint-key"]'
    )


def test_the_werkplek_reaches_the_services_redis_and_the_provider_and_holds_no_key(
    repo: Path, compose: dict[str, Any], read_env_file: EnvReader
) -> None:
    werkplek = compose["services"][WERKPLEK.naam]
    values: dict[str, str] = {}
    for env_file in _env_files(werkplek):
        values |= read_env_file(_example_of(repo, env_file))
    environment = _environment(werkplek)
    values |= environment
    assert {k: v for k, v in environment.items() if k.endswith("_URL")} == {
        f"WERKPLEK_{naam}_URL": f"http://{d.naam}:{d.port}"
        for naam, d in zip(("INTAKE", "GATEWAY", "REPORTING"), DIENSTEN, strict=True)
    }
    # Production: the provider's endpoints, an https origin (the session cookie is Secure), Redis for the sessions.
    for name in (
        "WERKPLEK_OIDC_AUTHORIZATION_URL",
        "WERKPLEK_OIDC_TOKEN_URL",
        "WERKPLEK_OIDC_END_SESSION_URL",
    ):
        assert values.get(name, "").startswith(("http://", "https://")), name
    assert values["WERKPLEK_PUBLIC_URL"].startswith("https://")
    assert make_url(values["MELDROUTE_REDIS_URL"]).host == "redis"
    # The client secret comes from the ignored env file, never from docker-compose.yml itself.
    assert "WERKPLEK_OIDC_CLIENT_SECRET" not in environment
    assert "WERKPLEK_OIDC_CLIENT_SECRET" in read_env_file(repo / "deploy/compose/werkplek.example.env")
    assert not werkplek.get("secrets") and not werkplek.get("volumes"), (
        "the werkplek holds no key and no data"
    )
    # reporting's closed dashboard sends people to the werkplek's, at the origin browsers use.
    reporting = read_env_file(repo / "deploy/compose/reporting.example.env")
    assert reporting["REPORTING_WERKPLEK_URL"] == values["WERKPLEK_PUBLIC_URL"]
    assert _environment(compose["services"]["reporting"])["REPORTING_DASHBOARD_OPEN"] == "false"
    assert werkplek["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "/health/ready" in " ".join(werkplek["healthcheck"]["test"]), "ready only while Redis answers"
