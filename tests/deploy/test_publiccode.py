"""publiccode.yml: parses, carries the keys of the standard (v0.4) and agrees with the project."""

from __future__ import annotations

import datetime
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

REQUIRED = (
    "publiccodeYmlVersion",
    "name",
    "url",
    "platforms",
    "categories",
    "developmentStatus",
    "softwareType",
    "description",
    "legal",
    "maintenance",
    "localisation",
)
DEVELOPMENT_STATUS = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
}


@pytest.fixture(scope="module")
def publiccode(repo: Path) -> dict[str, Any]:
    loaded = yaml.safe_load((repo / "publiccode.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_required_keys_and_values(publiccode: dict[str, Any], repo: Path) -> None:
    missing = [key for key in REQUIRED if key not in publiccode]
    assert not missing, missing
    assert publiccode["publiccodeYmlVersion"] == "0.4"
    assert re.fullmatch(r"https://\S+", publiccode["url"])
    assert "web" in publiccode["platforms"]
    assert publiccode["categories"] and all(re.fullmatch(r"[a-z-]+", c) for c in publiccode["categories"])
    assert publiccode["developmentStatus"] in DEVELOPMENT_STATUS
    assert publiccode["softwareType"] in SOFTWARE_TYPES
    assert publiccode["legal"]["license"] == "EUPL-1.2"
    assert publiccode["maintenance"]["type"] in {"internal", "contract", "community", "none"}
    if publiccode["maintenance"]["type"] in {"internal", "contract"}:
        assert publiccode["maintenance"]["contacts"]
    assert isinstance(publiccode["localisation"]["localisationReady"], bool)
    assert publiccode["localisation"]["availableLanguages"]
    datetime.date.fromisoformat(publiccode["releaseDate"])
    version = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert publiccode["softwareVersion"] == version


@pytest.mark.parametrize("language", ["nl", "en"])
def test_description(publiccode: dict[str, Any], language: str) -> None:
    description = publiccode["description"][language]
    assert 0 < len(description["shortDescription"]) <= 150
    assert 150 <= len(description["longDescription"]) <= 10_000
    assert description["features"] and all(0 < len(f) <= 100 for f in description["features"])


def test_depends_on_postgresql(publiccode: dict[str, Any]) -> None:
    names = {d["name"]: d for d in publiccode["dependsOn"]["open"]}
    assert int(names["PostgreSQL"]["versionMin"]) >= 16
