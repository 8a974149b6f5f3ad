"""Settings of reporting (environment prefix `REPORTING_`)."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from meldroute_common.settings import Omgeving, ServiceSettings, load_settings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="REPORTING_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = Field(
        default="reporting", description="The service's name, also the audience its tokens carry."
    )
    intake_client_id: str = Field(
        default="intake-api",
        min_length=1,
        description="OAuth2 client id of intake-api: the only client admitted to the event ingest (its token's "
        "client_id/azp, or sub when it names no client); user tokens are refused even with the scope.",
    )
    drempel: int = Field(
        default=10,
        ge=5,
        description="k: no published count is below k; a count below k is never shown as it is (never below 5).",
    )
    minimale_populatie: int = Field(
        default=30,
        ge=0,
        description="Smallest number of events the published grand totals of an answer's periods may add up to; "
        "below it the whole answer is suppressed.",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body accepted (413 above); a batch of 1000 events fits.",
    )
    gemeenten: list[str] | None = Field(
        default=None,
        description="CBS codes of the municipalities this installation serves (JSON list), as in intake-api; "
        "default the eight Achterhoek municipalities.",
    )
    embargo: timedelta = Field(
        default=timedelta(days=14),
        description="How long after its end a period is published (ISO 8601 duration, e.g. P14D), so late "
        "events from the outbox land first. Periods that have not closed are never published.",
    )
    publicatie_taak_aan: bool = Field(
        default=True, description="Publish closed periods daily inside the service process."
    )
    publicatie_interval_seconden: float = Field(
        default=86_400.0, gt=0, description="Seconds between two publication runs in the service."
    )
    dashboard_open: bool | None = Field(
        default=None,
        description="Serve /dashboard without a token (it shows only suppressed aggregates); default on in "
        "development, off otherwise.",
    )
    werkplek_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#\s]+$",
        description="The werkplek's origin (its WERKPLEK_PUBLIC_URL): people read the figures on its /dashboard "
        "behind its login, so a closed /dashboard here sends them there instead of asking for a token.",
    )

    @property
    def dashboard_zonder_token(self) -> bool:
        """Whether /dashboard answers without a token: the setting, else on in development only."""
        if self.dashboard_open is not None:
            return self.dashboard_open
        return self.env is Omgeving.development

    @property
    def werkplek_dashboard(self) -> str | None:
        """Where a closed dashboard sends people: the werkplek's dashboard, if the werkplek is known."""
        return (
            f"{self.werkplek_url}/dashboard"
            if self.werkplek_url and not self.dashboard_zonder_token
            else None
        )


@cache
def get_settings(*, migraties: bool = False) -> ReportingSettings:
    """The settings from the environment; refuses to start on unsafe production settings (migrations: the database)."""
    return load_settings(ReportingSettings, database_only=migraties)
