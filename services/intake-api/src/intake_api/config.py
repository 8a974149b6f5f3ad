"""Settings of intake-api (environment prefix `INTAKE_`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import ClassVar

from meldroute_common.duur import parse_duur
from meldroute_common.settings import ServiceSettings, load_settings
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

#: The example covenant policy in the repository, which the privacy gateway enforces by default too.
VOORBEELDBELEID = (
    Path(__file__).resolve().parents[3] / "privacy-gateway" / "policies" / "riec-oost-nederland.yaml"
)


#: The deadline policy shipped with intake.
STANDAARD_TERMIJNEN = Path(__file__).resolve().parent / "termijnen" / "termijnen.yaml"


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
    gateway_client_id: str = Field(
        default="privacy-gateway",
        min_length=1,
        description="OAuth2 client id of the privacy gateway: the only client admitted to /v1/intern (its "
        "token's client_id/azp, or sub when it names no client); user tokens are refused even with the scope.",
    )
    intern_rate_limit: str = Field(
        default="6000/minute",
        description="Rate limit on /v1/intern per client, in the `limits` notation; the gateway calls it once "
        "or twice per partner request.",
    )
    reporting_audience: str = Field(
        default="reporting",
        description="The `aud` reporting's tokens carry (its REPORTING_AUDIENCE); the outbox relay asks for it.",
    )
    reporting_token_scope: str = Field(
        default="rapportage:invoeren",
        description="`scope` of the token request for reporting (space-separated; e.g. api://…/.default "
        "for Microsoft Entra ID).",
    )
    reporting_token_resource: str | None = Field(
        default=None, description="`resource` (RFC 8707) of the token request for reporting, an absolute URI."
    )
    reporting_token_audience: str | None = Field(
        default=None,
        description="`audience` parameter of the token request for reporting, for providers that want one.",
    )
    policy_file: Path = Field(
        default=VOORBEELDBELEID,
        description="The covenant policy (YAML) escalations, tracks and advice are checked against before "
        "anything is stored; the same file as the privacy gateway's GATEWAY_POLICY_FILE.",
    )
    termijnen_file: Path = Field(
        default=STANDAARD_TERMIJNEN,
        description="The deadline policy (YAML): which deadlines run in which status or after which outcome, and "
        "how long (working days skip weekends and Dutch public holidays); checked at start-up.",
    )
    termijnen_taak_aan: bool = Field(
        default=True, description="Run the round that marks passed deadlines inside the service process."
    )
    termijnen_interval_seconden: float = Field(
        default=3_600.0, gt=0, description="Seconds between two rounds that mark passed deadlines."
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

    bewaartermijn_niet_opgeschaald: str = Field(
        default="P6M",
        description="Retention of the sealed identity and sealed original text of a signal that was not "
        "escalated, counted from its last status change (ISO 8601 duration). To be confirmed by the FG.",
    )
    bewaartermijn_opgeschaald: str = Field(
        default="P5Y",
        description="Retention of the sealed identity and sealed original text of an escalated signal, "
        "counted from the escalation (ISO 8601 duration). To be confirmed by the FG.",
    )
    retentie_taak_aan: bool = Field(
        default=True, description="Run the retention purge daily inside the service process."
    )
    retentie_interval_seconden: float = Field(
        default=86_400.0, gt=0, description="Seconds between two runs of the retention purge in the service."
    )
    outbox_relay_aan: bool = Field(
        default=True,
        description="Run the outbox relay (anonymous events to reporting) in the service process.",
    )
    outbox_interval_seconden: float = Field(
        default=2.0, gt=0, description="Seconds between two polls of the outbox when it is empty."
    )
    outbox_batchgrootte: int = Field(
        default=100, ge=1, le=1000, description="Most events the relay posts to reporting in one batch."
    )
    outbox_claim_seconden: float = Field(
        default=60.0,
        gt=0,
        description="How long a relay holds a claimed batch before another relay may take it over.",
    )
    outbox_max_wachttijd_seconden: float = Field(
        default=60.0, gt=0, description="Longest wait between attempts while reporting cannot be reached."
    )

    meldingen_relay_aan: bool = Field(
        default=True, description="Deliver notifications (webhooks and mail) from the service process."
    )
    meldingen_interval_seconden: float = Field(
        default=2.0,
        gt=0,
        description="Seconds between two polls of the notification outbox when nothing is due.",
    )
    meldingen_batchgrootte: int = Field(
        default=50, ge=1, le=500, description="Most notifications the relay claims in one round."
    )
    meldingen_claim_seconden: float = Field(
        default=60.0,
        gt=0,
        description="How long a relay holds claimed notifications before another may take them.",
    )
    meldingen_max_pogingen: int = Field(
        default=12,
        ge=1,
        le=100,
        description="Attempts per notification; after the last it is given up (dead).",
    )
    meldingen_eerste_wachttijd_seconden: float = Field(
        default=10.0,
        gt=0,
        description="Wait after the first failed attempt; it doubles with each further one.",
    )
    meldingen_max_wachttijd_seconden: float = Field(
        default=3600.0, gt=0, description="Longest wait between two attempts of one notification."
    )
    meldingen_timeout_seconden: float = Field(
        default=10.0, gt=0, le=60, description="Timeout of one webhook POST or SMTP conversation."
    )
    meldingen_bron: str = Field(
        default="urn:meldroute:intake-api",
        min_length=1,
        description="The CloudEvent `source` of notifications.",
    )
    webhook_intern_toegestaan: bool = Field(
        default=False,
        description="Allow webhook URLs on loopback, private or link-local addresses (tests, an internal "
        "receiver); off, such URLs are refused at subscription and at delivery (SSRF).",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for mail notifications; unset, mail subscriptions are refused."
    )
    smtp_poort: int = Field(default=587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_starttls: bool = Field(default=True, description="Use STARTTLS with the SMTP server.")
    smtp_gebruiker: str | None = Field(default=None, description="SMTP user name, when the server wants one.")
    smtp_wachtwoord: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_afzender: str = Field(
        default="meldroute@localhost", min_length=3, description="`From` address of notification mail."
    )

    @field_validator("bewaartermijn_niet_opgeschaald", "bewaartermijn_opgeschaald")
    @classmethod
    def _iso_duur(cls, waarde: str) -> str:
        parse_duur(waarde)  # raises ValueError on anything that is not a positive ISO 8601 duration
        return waarde

    production_key_files: ClassVar[tuple[str, ...]] = ("link_key_file", "gateway_public_key_file")
    calls_services: ClassVar[bool] = True


@cache
def get_settings(*, migraties: bool = False) -> IntakeSettings:
    """The settings from the environment; refuses to start on unsafe production settings (migrations: the database)."""
    return load_settings(IntakeSettings, database_only=migraties)
