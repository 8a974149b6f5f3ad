"""The three services and the werkplek, named once: their app factories, ports and folders (for the CLI and
tooling)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Dienst:
    naam: str
    package: str
    port: int
    env_prefix: str
    settings_name: str
    #: Whether it has a database of its own (models, migrations, a database URL in every deployment).
    database: bool = True

    @property
    def factory(self) -> str:
        return f"{self.package}.main:create_app"

    def folder(self, root: Path) -> Path:
        return root / "services" / self.naam

    def create_app(self, settings: Any = None) -> Any:
        return importlib.import_module(f"{self.package}.main").create_app(settings)

    def settings_class(self) -> Any:
        return getattr(importlib.import_module(f"{self.package}.config"), self.settings_name)

    def metadata(self) -> Any:
        """The service's table metadata (all its models)."""
        return importlib.import_module(f"{self.package}.models").Base.metadata


DIENSTEN = (
    Dienst("intake-api", "intake_api", 8001, "INTAKE_", "IntakeSettings"),
    Dienst("privacy-gateway", "privacy_gateway", 8002, "GATEWAY_", "GatewaySettings"),
    Dienst("reporting", "reporting", 8003, "REPORTING_", "ReportingSettings"),
)
#: The web front-end: no database or API document of its own, so not among the API services above.
WERKPLEK = Dienst("werkplek", "werkplek", 8004, "WERKPLEK_", "WerkplekSettings", database=False)
#: Every process a deployment runs (an image, a port, a Deployment each): the API services and the werkplek.
ALLE_DIENSTEN = (*DIENSTEN, WERKPLEK)
