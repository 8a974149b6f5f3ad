"""Settings of the werkplek (environment prefix `WERKPLEK_`)."""

from __future__ import annotations

from functools import cache

from meldroute_common.settings import DEV_ISSUER, ServiceSettings, load_settings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

#: Paths of the login; the callback is registered at the provider as `<public_url>/inloggen/terug`.
CALLBACK_PAD = "/inloggen/terug"
#: Where the provider sends the browser after logout; registered there as `<public_url>/?uitgelogd=1`.
NA_UITLOGGEN_PAD = "/?uitgelogd=1"


class WerkplekSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="WERKPLEK_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = Field(
        default="werkplek",
        description="The service's name, also its OAuth2 client id and the ID token's audience.",
    )
    public_url: str = Field(
        default="http://localhost:8004",
        pattern=r"^https?://[^/?#]+$",
        description="The werkplek's own origin as the browser sees it (scheme, host and port, no path): the "
        "redirect URI is built from it and every POST must come from it.",
    )
    oidc_authorization_url: str | None = Field(
        default=None,
        description="Authorization endpoint of the OIDC provider; unset uses the development login of this "
        "process (refused in production).",
    )
    oidc_token_url: str | None = Field(
        default=None,
        description="Token endpoint of the OIDC provider for the authorization code; unset: the development login.",
    )
    oidc_end_session_url: str | None = Field(
        default=None,
        description="The provider's end_session_endpoint (OIDC RP-Initiated Logout): logout sends the browser "
        "there with id_token_hint and post_logout_redirect_uri; unset ends only the werkplek's session (with the "
        "development login: its own end-session endpoint).",
    )
    oidc_scope: str = Field(
        default="openid", description="Scopes asked at login (space-separated), `openid` among them."
    )
    oidc_client_secret: SecretStr = Field(
        default=SecretStr(""),
        description="The werkplek's client secret at the provider (client_secret_basic).",
    )
    intake_url: str = Field(default="http://127.0.0.1:8001", description="Base URL of intake-api.")
    gateway_url: str = Field(
        default="http://127.0.0.1:8002",
        description="Base URL of the privacy gateway, called with the user's token for the gateway's audience "
        "(the partner's, approver's and FG's own; the attention officer's exchanged for it).",
    )
    reporting_url: str = Field(
        default="http://127.0.0.1:8003",
        description="Base URL of reporting, called with the user's token for reporting's audience (the policy "
        "officer's own; the attention officer's exchanged for it).",
    )
    database_url: str = Field(
        default="sqlite+aiosqlite:///:memory:",
        description="The werkplek keeps nothing in a database; the shared readiness check pings this "
        "in-memory one, so nothing is written to disk.",
    )
    intake_audience: str = Field(
        default="intake-api",
        description="The `aud` intake-api accepts (its INTAKE_AUDIENCE): a user's access token carrying it is "
        "kept for the calls to intake.",
    )
    gateway_audience: str = Field(
        default="privacy-gateway",
        description="The `aud` the privacy gateway accepts (its GATEWAY_AUDIENCE): a user's access token "
        "carrying it is kept for the calls to the gateway.",
    )
    reporting_audience: str = Field(
        default="reporting",
        description="The `aud` reporting accepts (its REPORTING_AUDIENCE): a user's access token carrying it is "
        "kept for the calls to reporting's statistics.",
    )
    sessie_seconden: int = Field(
        default=30 * 60,
        ge=60,
        le=12 * 3600,
        description="Idle lifetime of a session (seconds): each request renews it; never past the token's expiry.",
    )
    login_seconden: int = Field(
        default=600,
        ge=60,
        le=3600,
        description="How long a started login may take at the provider (seconds).",
    )

    #: The werkplek calls the services with the user's token, not with service tokens of its own.
    calls_services = False

    @property
    def diensten(self) -> dict[str, str]:
        """The services the werkplek calls with the user's token: name → the audience they accept."""
        return {
            "intake-api": self.intake_audience,
            "privacy-gateway": self.gateway_audience,
            "reporting": self.reporting_audience,
        }

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url}{CALLBACK_PAD}"

    @property
    def post_logout_redirect_uri(self) -> str:
        return f"{self.public_url}{NA_UITLOGGEN_PAD}"

    @property
    def ontwikkel_login(self) -> bool:
        """Whether this process serves the development login (no provider endpoints configured)."""
        return self.oidc_authorization_url is None and self.oidc_token_url is None

    def unsafe_in_production(self, *, database_only: bool = False) -> list[str]:
        """Production needs the provider's endpoints, Redis for the sessions and HTTPS; no database of its own."""
        if not self.is_production:
            return []
        problems = []
        if self.oidc_issuer == DEV_ISSUER:
            problems.append(
                f"{self.env_name('oidc_issuer')} is de ontwikkel-issuer (noem de issuer van de OIDC-provider)"
            )
        if not self.jwks_url:
            problems.append(f"{self.env_name('jwks_url')} ontbreekt (de sleutels van de OIDC-provider)")
        for name in ("oidc_authorization_url", "oidc_token_url"):
            if not getattr(self, name):
                problems.append(
                    f"{self.env_name(name)} ontbreekt (de ontwikkel-login draait niet in productie)"
                )
        if not self.redis_url:
            problems.append(
                f"{self.env_name('redis_url')} ontbreekt (de sessies staan in productie in Redis)"
            )
        if not self.public_url.startswith("https://"):
            problems.append(f"{self.env_name('public_url')} moet https:// zijn (de sessiecookie is Secure)")
        return problems


@cache
def get_settings() -> WerkplekSettings:
    """The settings from the environment; refuses to start on unsafe production settings."""
    return load_settings(WerkplekSettings)
