"""Shared helpers of the deployment tests: the repository root and the settings names each service reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from meldroute_common.settings import ServiceSettings
from meldroute_dev.services import ALLE_DIENSTEN, Dienst
from pydantic import AliasChoices

REPO = Path(__file__).resolve().parents[2]


def settings_class(dienst: Dienst) -> type[ServiceSettings]:
    cls: type[ServiceSettings] = dienst.settings_class()
    return cls


def env_names(cls: type[ServiceSettings]) -> frozenset[str]:
    """Every environment variable `cls` reads: the alias of a field that has one, else prefix + NAME."""
    prefix = str(cls.model_config.get("env_prefix", ""))
    names: set[str] = set()
    for name, field in cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(f"{prefix}{name}".upper())
    return frozenset(names)


@pytest.fixture(scope="session")
def settings_names() -> dict[str, frozenset[str]]:
    """Per service name (`intake-api`, …, `werkplek`) the environment variables its settings read."""
    names: dict[str, frozenset[str]] = {}
    for dienst in ALLE_DIENSTEN:
        cls = settings_class(dienst)
        assert cls.model_config.get("env_prefix") == dienst.env_prefix, dienst.naam
        names[dienst.naam] = env_names(cls)
    return names


@pytest.fixture(scope="session")
def unknown_names(settings_names: dict[str, frozenset[str]]) -> Callable[[str, Iterable[str]], set[str]]:
    """`unknown_names(service, names)`: the names that no settings field of that service reads."""

    def check(service: str, names: Iterable[str]) -> set[str]:
        return set(names) - settings_names[service]

    return check


def _read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not a KEY=value line: {line!r}"
        values[key.strip()] = value.strip()
    return values


@pytest.fixture(scope="session")
def read_env_file() -> Callable[[Path], dict[str, str]]:
    """`read_env_file(path)`: the KEY=value lines of an env file, comments and blank lines skipped."""
    return _read_env_file


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO
