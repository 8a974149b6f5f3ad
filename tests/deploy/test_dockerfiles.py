"""The Dockerfiles: one per service, multi-stage, locked, non-root, no keys, health check and command right."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from meldroute_dev.services import DIENSTEN, Dienst


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


def _stages(path: Path) -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, rest in _instructions(path):
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, rest))
    return stages


@pytest.mark.parametrize("dienst", DIENSTEN, ids=lambda d: d.naam)
def test_dockerfile(dienst: Dienst, repo: Path) -> None:
    path = dienst.folder(repo) / "Dockerfile"
    stages = _stages(path)
    assert len(stages) >= 2, "multi-stage: build and runtime"
    build_runs = " ".join(rest for stage in stages[:-1] for kw, rest in stage if kw == "RUN")
    assert f"uv sync --frozen --no-dev --package {dienst.naam}" in build_runs

    runtime = stages[-1]
    args = {
        m.group(1): m.group(2)
        for kw, rest in _instructions(path)
        if kw == "ARG" and (m := re.match(r"(\w+)=(\S+)", rest))
    }
    base = runtime[0][1].split()[0]
    base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], base)
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", base), base

    runtime_kw = [kw for kw, _ in runtime]
    user = [rest for kw, rest in runtime if kw == "USER"]
    assert user and user[-1].split(":")[0] not in {"root", "0"}, (
        "the runtime stage must run as a non-root user"
    )
    assert runtime_kw.index("USER") < runtime_kw.index("CMD")

    assert [rest for kw, rest in runtime if kw == "EXPOSE"] == [str(dienst.port)]
    healthcheck = " ".join(rest for kw, rest in runtime if kw == "HEALTHCHECK")
    assert f"http://127.0.0.1:{dienst.port}/health/live" in healthcheck
    assert "curl" not in healthcheck and '"python"' in healthcheck

    cmd = json.loads(next(rest for kw, rest in runtime if kw == "CMD"))
    assert cmd[:3] == ["uvicorn", dienst.factory, "--factory"]
    assert cmd[cmd.index("--port") + 1] == str(dienst.port)
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"  # noqa: S104


@pytest.mark.parametrize("dienst", DIENSTEN, ids=lambda d: d.naam)
def test_dockerfile_copies_no_keys_and_only_what_exists(dienst: Dienst, repo: Path) -> None:
    path = dienst.folder(repo) / "Dockerfile"
    for keyword, rest in _instructions(path):
        if keyword not in {"COPY", "ADD"}:
            continue
        assert keyword == "COPY", "ADD fetches and unpacks; COPY only copies"
        parts = [p for p in rest.split() if not p.startswith("--")]
        if "--from=" in rest:
            continue
        for source in parts[:-1]:
            assert not re.search(r"\.local|keys|\.pem|\.key|\.env", source), f"{source} may hold secrets"
            assert (repo / source).exists(), f"COPY {source}: not in the repository"
        # Another service's sources never go into this image (their pyproject.toml only, for the workspace).
        for other in DIENSTEN:
            if other is not dienst and f"services/{other.naam}/" in rest:
                assert rest.split()[0] == f"services/{other.naam}/pyproject.toml", rest


def test_dockerignore_keeps_local_state_out(repo: Path) -> None:
    patterns = {
        line.strip()
        for line in (repo / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    for required in (".local", ".venv", "node_modules", "tests", ".git"):
        assert required in patterns or f"**/{required}" in patterns, f".dockerignore must exclude {required}"
    assert not any(p.startswith("!") for p in patterns), "no exceptions that could let secrets back in"
