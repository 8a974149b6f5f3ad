"""The one Dockerfile: per SERVICE (the three services and the werkplek) multi-stage, locked, non-root, no keys, health check and command right."""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import pytest
from meldroute_dev.services import ALLE_DIENSTEN, WERKPLEK, Dienst

WITNESS = "/var/lib/meldroute/getuige"


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    assert not pending, f"{path}: dangling line continuation"
    pairs = []
    for line in lines:
        keyword, _, rest = line.partition(" ")
        pairs.append((keyword.upper(), rest.strip()))
    return pairs


def _expand(text: str, variables: dict[str, str]) -> str:
    """Dockerfile variable expansion as far as this Dockerfile uses it: `${NAME}`, `$NAME`, `${NAME//a/b}`."""

    def one(match: re.Match[str]) -> str:
        name, pattern, replacement = match.group(1) or match.group(4), match.group(2), match.group(3)
        assert name in variables, f"${name} is not set"
        value = variables[name]
        return value.replace(pattern, replacement) if pattern is not None else value

    return re.sub(r"\$\{(\w+)(?://([^/}]*)/([^}]*))?\}|\$(\w+)", one, text)


def _stages(repo: Path, dienst: Dienst) -> list[list[tuple[str, str]]]:
    """The stages of the image of `dienst`: every ARG, ENV and build argument expanded as docker does."""
    build_args = {"SERVICE": dienst.naam, "PORT": str(dienst.port)}
    globals_: dict[str, str] = {}
    stages: list[list[tuple[str, str]]] = []
    variables: dict[str, str] = {}
    for keyword, rest in _instructions(repo / "Dockerfile"):
        if keyword == "FROM":
            stages.append([])
            variables = {"PATH": "/usr/local/bin:/usr/bin:/bin"}
            rest = _expand(rest, globals_)
        elif keyword == "ARG":
            name, _, default = rest.partition("=")
            value = build_args.get(name, default)
            (variables if stages else globals_)[name] = value
        elif keyword == "ENV":
            for name, value in re.findall(r"(\w+)=(\S+)", rest):
                variables[name] = _expand(value, variables)
            rest = " ".join(f"{n}={variables[n]}" for n, _ in re.findall(r"(\w+)=(\S+)", rest))
        elif keyword in {"COPY", "EXPOSE", "WORKDIR", "USER"}:
            rest = _expand(rest, variables)
        elif keyword == "RUN":
            rest = _expand(rest, variables)  # the shell would expand them alike
        if stages:
            stages[-1].append((keyword, rest))
    return stages


def _env(stage: list[tuple[str, str]]) -> dict[str, str]:
    return {n: v for kw, rest in stage if kw == "ENV" for n, v in re.findall(r"(\w+)=(\S+)", rest)}


def test_there_is_one_dockerfile(repo: Path) -> None:
    assert (repo / "Dockerfile").is_file()
    for dienst in ALLE_DIENSTEN:
        assert not (dienst.folder(repo) / "Dockerfile").exists(), f"{dienst.naam}: use the root Dockerfile"


def test_the_build_accepts_exactly_the_services_and_their_ports(repo: Path) -> None:
    runs = [rest for kw, rest in _instructions(repo / "Dockerfile") if kw == "RUN" and "case" in rest]
    assert len(runs) == 1, runs
    match = re.search(r'case "\$\{SERVICE\}:\$\{PORT\}" in ([^)]+)\)', runs[0])
    assert match, runs[0]
    assert set(match.group(1).replace(" ", "").split("|")) == {f"{d.naam}:{d.port}" for d in ALLE_DIENSTEN}


@pytest.mark.parametrize("dienst", ALLE_DIENSTEN, ids=lambda d: d.naam)
def test_dockerfile(dienst: Dienst, repo: Path) -> None:
    stages = _stages(repo, dienst)
    assert len(stages) >= 2, "multi-stage: build and runtime"
    build_runs = " ".join(rest for stage in stages[:-1] for kw, rest in stage if kw == "RUN")
    assert f"uv sync --frozen --no-dev --package {dienst.naam} " in build_runs + " "
    assert f"compileall -q libs/meldroute-common/src services/{dienst.naam}/src" in build_runs

    runtime = stages[-1]
    base = runtime[0][1].split()[0]
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", base), base

    runtime_kw = [kw for kw, _ in runtime]
    user = [rest for kw, rest in runtime if kw == "USER"]
    assert user and user[-1].split(":")[0] not in {"root", "0"}, (
        "the runtime stage must run as a non-root user"
    )
    assert runtime_kw.index("USER") < runtime_kw.index("CMD")

    assert [rest for kw, rest in runtime if kw == "EXPOSE"] == [str(dienst.port)]
    env = _env(runtime)
    assert env["MELDROUTE_ENV"] == "production"
    assert env["UVICORN_APP"] == dienst.factory
    assert env["UVICORN_PORT"] == str(dienst.port)
    assert env["UVICORN_HOST"] == "0.0.0.0"  # noqa: S104
    healthcheck = " ".join(rest for kw, rest in runtime if kw == "HEALTHCHECK")
    assert "http://127.0.0.1:{os.environ['UVICORN_PORT']}/health/live" in healthcheck
    assert "curl" not in healthcheck and '"python"' in healthcheck

    cmd = json.loads(next(rest for kw, rest in runtime if kw == "CMD"))
    assert cmd[:2] == ["uvicorn", "--factory"]
    assert "--no-access-log" in cmd
    assert not {"--host", "--port"} & set(cmd), "host and port come from UVICORN_HOST and UVICORN_PORT"


@pytest.mark.parametrize("dienst", ALLE_DIENSTEN, ids=lambda d: d.naam)
def test_only_the_gateway_has_the_witness_mount_point(dienst: Dienst, repo: Path) -> None:
    runtime = _stages(repo, dienst)[-1]
    (run,) = [rest for kw, rest in runtime if kw == "RUN" and WITNESS in rest]
    match = re.fullmatch(r'if \[ "([\w-]+)" = "([\w-]+)" \]; then (.*); fi', " ".join(run.split()))
    assert match, run
    geldt, _, opdracht = match.groups()
    assert match.group(2) == "privacy-gateway"
    assert f"mkdir -p {WITNESS}" in opdracht and f"chown 10001:10001 {WITNESS}" in opdracht
    assert (geldt == "privacy-gateway") == (dienst.naam == "privacy-gateway")


@pytest.mark.parametrize("dienst", ALLE_DIENSTEN, ids=lambda d: d.naam)
def test_dockerfile_copies_no_keys_and_only_what_exists(dienst: Dienst, repo: Path) -> None:
    for stage in _stages(repo, dienst):
        for keyword, rest in stage:
            if keyword not in {"COPY", "ADD"}:
                continue
            assert keyword == "COPY", "ADD fetches and unpacks; COPY only copies"
            parts = [p for p in rest.split() if not p.startswith("--")]
            if "--from=" in rest:
                continue
            for source in parts[:-1]:
                assert not re.search(r"\.local|keys|\.pem|\.key|\.env", source), f"{source} may hold secrets"
                assert (repo / source).exists(), f"COPY {source}: not in the repository"
            # Another service's sources never go into this image (their pyproject.toml only, for the workspace);
            # the covenant policy is data every image carries: intake checks escalations against the same file.
            for other in ALLE_DIENSTEN:
                if other is not dienst and f"services/{other.naam}/" in rest:
                    assert rest.split()[0] in {
                        f"services/{other.naam}/pyproject.toml",
                        "services/privacy-gateway/policies/",
                    }, rest


def test_dockerignore_keeps_local_state_out(repo: Path) -> None:
    patterns = {
        line.strip()
        for line in (repo / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    for required in (".local", ".venv", "node_modules", "tests", ".git"):
        assert required in patterns or f"**/{required}" in patterns, f".dockerignore must exclude {required}"
    assert not any(p.startswith("!") for p in patterns), "no exceptions that could let secrets back in"


def _ignored(patterns: set[str], path: str) -> bool:
    """Whether a .dockerignore pattern excludes `path` or a folder above it (`**/` matches any depth)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatchcase(prefix, pattern) or fnmatch.fnmatchcase(prefix, pattern.removeprefix("**/"))
        for pattern in patterns
        for prefix in prefixes
    )


def test_the_werkplek_image_carries_its_templates_and_style_sheet(repo: Path) -> None:
    """The werkplek renders from files in its package: none may be left out of the build context."""
    patterns = {
        line.strip()
        for line in (repo / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert _ignored(patterns, "services/werkplek/tests/test_login.py")  # the helper sees what docker drops
    assert _ignored(patterns, "deploy/compose/werkplek.env")
    package = repo / "services/werkplek/src/werkplek"
    files = [p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert {p.suffix for p in files} >= {".py", ".html", ".css", ".svg"}
    for path in files:
        relative = str(path.relative_to(repo))
        assert not _ignored(patterns, relative), f"{relative} would be missing from the image"
    runtime = _stages(repo, WERKPLEK)[-1]
    assert ("COPY", "--from=build /app /app") in runtime
    build = _stages(repo, WERKPLEK)[-2]
    assert ("COPY", "services/werkplek/ services/werkplek/") in build
