"""Settings of intake-api (environment prefix `INTAKE_`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from meldroute_common.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="INTAKE_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = Field(
        default="intake-api", description="The service's name, also the audience its tokens carry."
    )
    reporting_url: str = Field(
        default="http://127.0.0.1:8003",
        description="Base URL of the reporting service (the outbox relay posts there).",
    )
    gemeenten: list[str] | None = Field(
        default=None,
        description="CBS codes of the municipalities this installation serves (JSON list); default the eight "
        "Achterhoek municipalities.",
    )
    link_key_file: Path | None = Field(
        default=None,
        description="File with the link-pseudonym HMAC key (hex); default keys/intake-link.key locally.",
    )
    gateway_public_key_file: Path | None = Field(
        default=None,
        description="PEM files of the gateway's HPKE public key; default keys/gateway-hpke-public.pem locally.",
    )


@cache
def get_settings() -> IntakeSettings:
    return IntakeSettings()
