"""Settings of privacy-gateway (environment prefix `GATEWAY_`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import ClassVar

from meldroute_common.duur import parse_duur
from meldroute_common.settings import ServiceSettings, load_settings
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from privacy_gateway.verwerkingen.checkpoints import HERKOMST_PATROON

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="GATEWAY_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = Field(
        default="privacy-gateway", description="The service's name, also the audience its tokens carry."
    )
    intake_url: str = Field(default="http://127.0.0.1:8001", description="Base URL of intake-api.")
    intake_audience: str = Field(
        default="intake-api",
        description="The `aud` intake-api's tokens carry (its INTAKE_AUDIENCE); the gateway asks for it.",
    )
    intake_token_scope: str = Field(
        default="intake:intern",
        description="`scope` of the token request for intake-api (space-separated; e.g. api://…/.default "
        "for Microsoft Entra ID).",
    )
    intake_token_resource: str | None = Field(
        default=None,
        description="`resource` (RFC 8707) of the token request for intake-api, an absolute URI.",
    )
    intake_token_audience: str | None = Field(
        default=None,
        description="`audience` parameter of the token request for intake-api, for providers that want one.",
    )
    intake_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Timeout for each call to intake-api."
    )
    intake_max_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=64 * 1024,
        description="Largest answer read from intake-api (bytes); beyond it the gateway stops reading and "
        "answers 502.",
    )
    policy_file: Path = Field(
        default=POLICIES_DIR / "riec-oost-nederland.yaml",
        description="The covenant policy (YAML) to enforce.",
    )
    hpke_private_key_files: list[Path] | None = Field(
        default=None,
        description="PEM files of the HPKE private keys (current and older, for rotation; JSON list); default "
        "keys/gateway-hpke-private.pem locally.",
    )
    pseudonym_key_file: Path | None = Field(
        default=None,
        description="File with the key for partner-specific pseudonyms (hex); default keys/gateway-pseudonym.key locally.",
    )
    verwerkingen_bewaartermijn: str = Field(
        default="P20Y",
        pattern=r"^P(\d+Y)?(\d+M)?(\d+D)?$",
        description="Retention of verwerkingenlog rows (ISO 8601 duration), recorded in every row.",
    )
    verwerkingen_checkpoint_interval: int = Field(
        default=100,
        ge=1,
        description="Record the head of the verwerkingenlog as a signed checkpoint every this many rows.",
    )
    verwerkingen_checkpoint_seconden: int = Field(
        default=3600,
        ge=0,
        description="Also sign the head at an append when the last checkpoint is older than this many seconds (and "
        "at the first append), so a quiet log gets checkpoints too; 0 turns this off.",
    )
    keten_sleutel_bestanden: list[Path] | None = Field(
        default=None,
        description="Files with the keys of the verwerkingenlog's keyed hash chain (hex, at least 32 bytes; JSON "
        "list, current first, older ones after it so rows written under them still verify); default "
        "keys/gateway-keten.key locally. Keep them outside the database.",
    )
    checkpoint_sleutel_bestanden: list[Path] | None = Field(
        default=None,
        description="PEM files of the Ed25519 private keys that sign checkpoints (JSON list; the first signs, the "
        "others only verify); default keys/gateway-checkpoint.pem locally.",
    )
    checkpoint_publieke_sleutel_bestanden: list[Path] = Field(
        default_factory=list,
        description="PEM files of retired Ed25519 public keys whose checkpoints must still verify (JSON list).",
    )
    checkpoint_herkomst: str = Field(
        default="meldroute.localhost/privacy-gateway/verwerkingenlog",
        pattern=HERKOMST_PATROON,
        description="Name of the log in every signed checkpoint (C2SP key name; no spaces or '+'). Changing it "
        "invalidates the signatures of earlier checkpoints.",
    )
    checkpoint_witness: Path | None = Field(
        default=None,
        description="Witness of the checkpoints outside the database, on its own volume: an existing directory "
        "(one file per checkpoint, safe for several replicas) or else a JSON Lines file (one writer). Unset: no "
        "witness.",
    )
    verwerkingen_herketenen: bool = Field(
        default=False,
        description="Once, when upgrading a log from before the keyed chain: re-chain its rows under the chain key "
        "at start-up (only if the old chain verifies and no keyed row, signed checkpoint or witness entry exists). "
        "Switch off again afterwards.",
    )
    inzage_rate_limit: str = Field(
        default="60/minute",
        description="Rate limit per user on access requests (each looks up a person's pseudonym at intake), "
        "in the `limits` notation.",
    )
    weigeringen_logbudget: str = Field(
        default="20/minute",
        pattern=r"^\d+\s*/\s*\d*\s*(second|minute|hour|day)s?$",
        description="Denials per user and organisation that get a verwerkingenlog row of their own per window "
        "(`limits` notation); the ones past it are counted and written as one row per window.",
    )
    identiteit_geldigheid_uren: int = Field(
        default=72,
        ge=1,
        le=24 * 30,
        description="Hours an approved identity request may be used to unseal (and never past the policy's window).",
    )
    identiteit_verzoek_looptijd_uren: int = Field(
        default=14 * 24,
        ge=1,
        le=24 * 90,
        description="Hours an identity request waits for approval; after that it has expired (`verlopen`) and can "
        "no longer be approved or rejected.",
    )
    verloop_interval_seconden: float = Field(
        default=900.0,
        gt=0,
        description="Seconds between two rounds that record the identity requests that have expired (each in the "
        "verwerkingenlog); runs with the retention task (`retentie_taak_aan`).",
    )

    production_key_files: ClassVar[tuple[str, ...]] = ("hpke_private_key_files", "pseudonym_key_file")
    calls_services: ClassVar[bool] = True

    retentie_identiteitsverzoeken: str = Field(
        default="P1Y",
        description="Retention of identity requests with their approvals and sealed reasons, counted from the end "
        "of the approval (from the request when it was never approved); ISO 8601 duration. The verwerkingenlog "
        "keeps its own rows of each request and approval. To be confirmed by the FG.",
    )
    retentie_taak_aan: bool = Field(
        default=True,
        description="Run the retention purge of identity requests daily inside the service process.",
    )
    retentie_interval_seconden: float = Field(
        default=86_400.0, gt=0, description="Seconds between two runs of the retention purge in the service."
    )

    @field_validator("retentie_identiteitsverzoeken")
    @classmethod
    def _iso_duur(cls, waarde: str) -> str:
        parse_duur(waarde)  # raises ValueError on anything that is not a positive ISO 8601 duration
        return waarde


@cache
def get_settings(*, migraties: bool = False) -> GatewaySettings:
    """The settings from the environment; refuses to start on unsafe production settings (migrations: the database)."""
    return load_settings(GatewaySettings, database_only=migraties)
