"""Settings shared by every meldroute service.

Shared names carry the `MELDROUTE_` prefix (the same value for all three services); each service's own
settings subclass `ServiceSettings` with its prefix (`INTAKE_`, `GATEWAY_`, `REPORTING_`).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Folder for development keys and SQLite files; ignored by git, created at run time.
LOCAL_DIR = Path(".local")


class Omgeving(StrEnum):
    development = "development"
    test = "test"
    production = "production"


def shared(name: str) -> AliasChoices:
    """Read a shared setting from its `MELDROUTE_` name whatever the service prefix."""
    return AliasChoices(f"MELDROUTE_{name}")


class ServiceSettings(BaseSettings):
    """Base of each service's settings; subclasses set `env_prefix` and add their own fields."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    #: The service's own name: the `aud` its tokens must carry. Set by each subclass.
    service_name: str = Field(
        default="", description="The service's name, also the audience its tokens carry."
    )

    env: Omgeving = Field(
        default=Omgeving.development,
        validation_alias=shared("ENV"),
        description="development, test or production; production refuses the development issuer and hides /docs.",
    )
    oidc_issuer: str = Field(
        default="https://meldroute.localhost/dev-issuer",
        validation_alias=shared("OIDC_ISSUER"),
        description="The `iss` every token must carry.",
    )
    jwks_url: str | None = Field(
        default=None,
        validation_alias=shared("JWKS_URL"),
        description="JWKS URL of the OIDC provider (production). Takes precedence over the JWKS file.",
    )
    jwks_file: Path | None = Field(
        default=None,
        validation_alias=shared("JWKS_FILE"),
        description="JWKS file with the verification keys (local development); default keys/jwks.json in the local folder.",
    )
    jwks_cache_seconds: int = Field(
        default=300,
        ge=0,
        validation_alias=shared("JWKS_CACHE_SECONDS"),
        description="How long fetched keys are kept.",
    )
    token_url: str | None = Field(
        default=None,
        validation_alias=shared("TOKEN_URL"),
        description="OAuth2 token endpoint for service-to-service tokens (client credentials); "
        "unset means the development issuer signs them (refused in production).",
    )
    local_dir: Path = Field(
        default=LOCAL_DIR,
        validation_alias=shared("LOCAL_DIR"),
        description="Folder for development keys and SQLite databases.",
    )
    log_level: str = Field(default="INFO", validation_alias=shared("LOG_LEVEL"), description="Logging level.")
    cors_origins: list[str] = Field(
        default_factory=list,
        validation_alias=shared("CORS_ORIGINS"),
        description="Browser origins allowed to call the API (JSON list); empty allows none.",
    )

    database_url: str = Field(
        default="", description="SQLAlchemy URL; default a SQLite file under the local folder."
    )
    client_id: str = Field(
        default="", description="This service's OAuth2 client id (service-to-service calls)."
    )
    client_secret: SecretStr = Field(
        default=SecretStr(""), description="This service's OAuth2 client secret."
    )
    max_body_bytes: int = Field(
        default=256 * 1024, ge=1024, description="Largest request body accepted (413 above)."
    )
    rate_limit: str = Field(
        default="600/minute",
        description="Rate limit per client (token `sub`) on rate-limited operations, in the `limits` notation "
        "(e.g. 600/minute).",
    )
    rate_limit_organisatie: str = Field(
        default="3000/minute",
        description="Rate limit per organisation (the token's `organisatie`, else its `gemeente`) on the same "
        "operations, shared by all its users.",
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=shared("REDIS_URL"),
        description="Redis for the rate-limit counters shared by all replicas (redis:// or rediss://); unset "
        "keeps them in memory, per process (development).",
    )
    redis_prefix: str = Field(
        default="meldroute",
        min_length=1,
        max_length=64,
        validation_alias=shared("REDIS_PREFIX"),
        description="Prefix of every key in Redis, so installations sharing one Redis do not mix.",
    )
    metrics_open: bool | None = Field(
        default=None,
        validation_alias=shared("METRICS_OPEN"),
        description="Serve /metrics without a token; default on in development only. Otherwise /metrics needs "
        "a token with scope metrics:lezen.",
    )

    @model_validator(mode="after")
    def _defaults(self) -> ServiceSettings:
        # Frozen model: fill derived defaults through object.__setattr__ once, at validation.
        if not self.database_url:
            db = self.local_dir / f"{self.service_name}.sqlite3"
            object.__setattr__(self, "database_url", f"sqlite+aiosqlite:///{db}")
        if self.jwks_file is None:
            object.__setattr__(self, "jwks_file", self.local_dir / "keys" / "jwks.json")
        if not self.client_id:
            object.__setattr__(self, "client_id", self.service_name)
        if self.env is Omgeving.production and not self.jwks_url:
            raise ValueError("MELDROUTE_JWKS_URL is required in production (the OIDC provider's keys)")
        return self

    @property
    def is_production(self) -> bool:
        return self.env is Omgeving.production

    @property
    def metrics_zonder_token(self) -> bool:
        """Whether /metrics answers without a token: the setting, else only in development."""
        if self.metrics_open is not None:
            return self.metrics_open
        return self.env is Omgeving.development

    def key_path(self, configured: Path | None, development_name: str) -> Path:
        """A key file setting, or when unset the development key of that name in the local folder."""
        return configured if configured is not None else self.local_dir / "keys" / development_name


def read_hex_key(path: Path, *, min_bytes: int) -> bytes:
    """A symmetric key stored as hex; too short a key is refused rather than used."""
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < min_bytes:
        raise ValueError(f"{path.name}: a key must be at least {min_bytes} bytes")
    return key
