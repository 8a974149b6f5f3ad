"""Settings of reporting (environment prefix `REPORTING_`)."""

from __future__ import annotations

from functools import cache

from meldroute_common.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="REPORTING_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = Field(
        default="reporting", description="The service's name, also the audience its tokens carry."
    )
    drempel: int = Field(
        default=10, ge=5, description="k: counts from 1 to k-1 are suppressed (never below 5)."
    )
    dashboard_open: bool | None = Field(
        default=None,
        description="Serve /dashboard without a token (it shows only suppressed aggregates); default on in "
        "development, off otherwise.",
    )


@cache
def get_settings() -> ReportingSettings:
    return ReportingSettings()
