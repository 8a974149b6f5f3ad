"""Settings shared by every meldroute service.

Shared names carry the `MELDROUTE_` prefix (the same value for all three services); each service's own
settings subclass `ServiceSettings` with its prefix (`INTAKE_`, `GATEWAY_`, `REPORTING_`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Literal, NoReturn, TypeVar

from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from meldroute_common.db import POOL_MAX_OVERFLOW, POOL_SIZE

#: Folder for development keys and SQLite files; ignored by git, created at run time.
LOCAL_DIR = Path(".local")
#: The development issuer's `iss` (meldroute_common.devissuer); never accepted in production.
DEV_ISSUER = "https://meldroute.localhost/dev-issuer"

ClientAuth = Literal["client_secret_basic", "client_secret_post", "private_key_jwt"]


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
        default=DEV_ISSUER,
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
    client_assertion_audience: str | None = Field(
        default=None,
        validation_alias=shared("CLIENT_ASSERTION_AUDIENCE"),
        description="`aud` of the client assertion with private_key_jwt; default the token URL "
        "(some providers want their issuer).",
    )
    max_token_seconds: int = Field(
        default=3600,
        ge=60,
        validation_alias=shared("MAX_TOKEN_SECONDS"),
        description="Longest token lifetime accepted (`exp - iat`, seconds); longer tokens are refused.",
    )
    scope_claim: str = Field(
        default="scope",
        min_length=1,
        validation_alias=shared("SCOPE_CLAIM"),
        description="Claim(s) holding the scopes, comma-separated: `scope` (a space-separated string), `scp` "
        "and `roles` (Microsoft Entra ID; a string or a list). Several claims are joined.",
    )
    gemeente_claim: str = Field(
        default="gemeente",
        min_length=1,
        validation_alias=shared("GEMEENTE_CLAIM"),
        description="Claim holding a municipal user's CBS code.",
    )
    organisatie_claim: str = Field(
        default="organisatie",
        min_length=1,
        validation_alias=shared("ORGANISATIE_CLAIM"),
        description="Claim holding a partner user's organisation (a partner id of the gateway's policy).",
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
    database_pool_size: int = Field(
        default=POOL_SIZE,
        ge=1,
        description="PostgreSQL connections kept open. Set it to the requests the service handles at once "
        "(a smaller pool opens and closes connections under load).",
    )
    database_max_overflow: int = Field(
        default=POOL_MAX_OVERFLOW,
        ge=0,
        description="PostgreSQL connections opened beyond the pool at a peak.",
    )
    client_id: str = Field(
        default="", description="This service's OAuth2 client id (service-to-service calls)."
    )
    client_secret: SecretStr = Field(
        default=SecretStr(""), description="This service's OAuth2 client secret."
    )
    client_auth_method: ClientAuth = Field(
        default="client_secret_basic",
        description="How this service authenticates at the token endpoint: client_secret_basic, "
        "client_secret_post or private_key_jwt (RFC 7523).",
    )
    client_key_file: Path | None = Field(
        default=None,
        description="PEM private key (RSA or EC P-256) that signs the client assertion with private_key_jwt.",
    )
    client_key_id: str | None = Field(
        default=None, description="`kid` of the client assertion key as registered at the provider."
    )
    client_key_algorithm: Literal["RS256", "PS256", "ES256"] | None = Field(
        default=None,
        description="Algorithm of the client assertion; default RS256 for an RSA key, ES256 for an EC key.",
    )
    audience: str | None = Field(
        default=None,
        description="The `aud` tokens for this service must carry; default the service's name. Its callers "
        "ask for it by their setting for this service's audience.",
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
            raise ValueError("MELDROUTE_JWKS_URL ontbreekt (de sleutels van de OIDC-provider)")
        return self

    #: Key-file settings this service reads; each must be set, outside the development folder, in production.
    production_key_files: ClassVar[tuple[str, ...]] = ()
    #: Whether this service calls another with client-credentials tokens (then a token URL is required).
    calls_services: ClassVar[bool] = False

    @property
    def is_production(self) -> bool:
        return self.env is Omgeving.production

    @property
    def metrics_zonder_token(self) -> bool:
        """Whether /metrics answers without a token: the setting, else only in development."""
        if self.metrics_open is not None:
            return self.metrics_open
        return self.env is Omgeving.development

    @property
    def token_audience(self) -> str:
        """The `aud` this service's own tokens carry."""
        return self.audience or self.service_name

    def env_name(self, field: str) -> str:
        """The environment variable a field is read from."""
        alias = type(self).model_fields[field].validation_alias
        if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
            return alias.choices[0]
        return f"{self.model_config.get('env_prefix', '')}{field}".upper()

    def unsafe_in_production(self, *, database_only: bool = False) -> list[str]:
        """What makes these settings unfit for production, naming each setting (empty outside production).

        `database_only` checks just the database URL (a migration run needs nothing else).

        Read only from the environment at start (`load_settings`), so a misspelt or missing name cannot fall back
        to a development default: no database URL or a SQLite one, the development issuer, a missing JWKS URL,
        key files unset or inside the development folder, service tokens without a token URL or credentials.
        """
        if not self.is_production:
            return []
        problems = []
        fields = self.model_fields_set
        if "database_url" not in fields or not self.database_url:
            problems.append(f"{self.env_name('database_url')} ontbreekt (in productie geen SQLite-standaard)")
        elif self.database_url.startswith("sqlite"):
            problems.append(f"{self.env_name('database_url')} wijst naar SQLite (gebruik PostgreSQL)")
        if database_only:
            return problems
        if self.oidc_issuer == DEV_ISSUER:
            problems.append(
                f"{self.env_name('oidc_issuer')} is de ontwikkel-issuer (noem de issuer van de OIDC-provider)"
            )
        if not self.jwks_url:
            problems.append(f"{self.env_name('jwks_url')} ontbreekt (de sleutels van de OIDC-provider)")
        development = [self.local_dir.resolve(), LOCAL_DIR.resolve()]
        for name in (*self.production_key_files, "jwks_file", "client_key_file"):
            value = getattr(self, name)
            if value is None or (name == "jwks_file" and "jwks_file" not in fields):
                if name in self.production_key_files:
                    problems.append(
                        f"{self.env_name(name)} ontbreekt (de ontwikkelsleutel wordt in productie niet gebruikt)"
                    )
                continue
            for path in value if isinstance(value, list) else [value]:
                resolved = Path(path).resolve()
                if any(resolved.is_relative_to(folder) for folder in development):
                    problems.append(f"{self.env_name(name)} wijst naar de ontwikkelmap {path}")
                    break
        if self.calls_services:
            if not self.token_url:
                problems.append(
                    f"{self.env_name('token_url')} ontbreekt (service-tokens van de OIDC-provider)"
                )
            if self.client_auth_method == "private_key_jwt":
                if self.client_key_file is None:
                    problems.append(f"{self.env_name('client_key_file')} ontbreekt (private_key_jwt)")
            elif not self.client_secret.get_secret_value():
                problems.append(f"{self.env_name('client_secret')} ontbreekt ({self.client_auth_method})")
        return problems

    def key_path(self, configured: Path | None, development_name: str) -> Path:
        """A key file setting, or when unset the development key of that name in the local folder."""
        return configured if configured is not None else self.local_dir / "keys" / development_name


S = TypeVar("S", bound=ServiceSettings)


def load_settings(cls: type[S], *, database_only: bool = False) -> S:
    """A service's settings from the environment, or one line per wrong setting on stderr and exit code 2.

    This is how every process starts (uvicorn factory, CLI, migrations): invalid values and, in production, unsafe
    defaults stop the start without a traceback.
    """
    try:
        settings = cls()
    except ValidationError as exc:
        probe = cls.model_construct()
        lines = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["loc"] and isinstance(error["loc"][0], str) and error["loc"][0] in cls.model_fields:
                message = f"{probe.env_name(error['loc'][0])}: {message}"
            elif error["loc"] and isinstance(error["loc"][0], str):
                message = f"{error['loc'][0]}: {message}"  # already the variable's name (an alias)
            lines.append(message)
        _refuse(probe.service_name, lines)
    problems = settings.unsafe_in_production(database_only=database_only)
    if problems:
        _refuse(settings.service_name, problems)
    return settings


def require_files(settings: ServiceSettings, files: Mapping[str, Iterable[Path]]) -> None:
    """Stop the start with one line (exit code 2) when a file the service reads at start-up is missing.

    `files` maps each setting to the paths it names (or the development default). Checked when the app is built,
    before uvicorn runs the start-up, so a missing key is one line naming the setting and the path, not a
    traceback. A missing development key gets the hint how to create the development keys.
    """
    checked: dict[str, Iterable[Path]] = dict(files)
    if settings.jwks_url is None and settings.jwks_file is not None:
        checked.setdefault(settings.env_name("jwks_file"), [settings.jwks_file])
    missing = [(setting, path) for setting, paths in checked.items() for path in paths if not path.is_file()]
    if not missing:
        return
    problems = [f"{setting}: bestand {path} ontbreekt" for setting, path in missing]
    if any(path.is_relative_to(settings.local_dir) for _, path in missing):
        problems.append("maak de ontwikkelsleutels met `make run` of `.venv/bin/meldroute dev-keys`")
    _refuse(settings.service_name, problems)


def _refuse(service: str, problems: list[str]) -> NoReturn:
    print(f"{service or 'meldroute'} start niet: {'; '.join(problems)}", file=sys.stderr, flush=True)
    raise SystemExit(2)


def read_hex_key(path: Path, *, min_bytes: int) -> bytes:
    """A symmetric key stored as hex; too short a key is refused rather than used."""
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < min_bytes:
        raise ValueError(f"{path.name}: a key must be at least {min_bytes} bytes")
    return key
