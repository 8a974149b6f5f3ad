"""Request and response models of a partner's subscriptions (the same shape as intake's)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from meldroute_common.meldingen import Meldingsoort
from meldroute_common.schemas import Invoer, Uitvoer
from pydantic import ConfigDict, Field

Soort = Annotated[Meldingsoort, Field(strict=False)]
Kanaal = Literal["webhook", "email"]

_VOORBEELD_IN: dict[str, Any] = {
    "soorten": ["traject.geopend", "advies.gevraagd", "goedkeuring.wacht"],
    "kanaal": "webhook",
    "url": "https://meldingen.riec.example/meldroute",
}
_VOORBEELD_UIT: dict[str, Any] = {
    "id": "6f1c2a0e-3b7d-4c55-9a51-1f0e8d2b7c44",
    "organisatie": "riec-oost-nederland",
    **_VOORBEELD_IN,
    "email": None,
    "aangemaaktOp": "2026-12-01T09:30:00Z",
}


class AbonnementIn(Invoer):
    """A subscription: which kinds of notification, over a webhook (`url`) or by mail (`email`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_VOORBEELD_IN]})

    soorten: list[Soort] = Field(min_length=1, max_length=len(Meldingsoort), description="The kinds.")
    kanaal: Kanaal = Field(description="`webhook` (CloudEvents 1.0, HMAC-signed) or `email`.")
    url: str | None = Field(
        default=None, min_length=8, max_length=2000,
        description="Webhook URL (https; no internal or private address). Only with `kanaal: webhook`.",
    )  # fmt: skip
    email: str | None = Field(
        default=None, min_length=3, max_length=320,
        pattern=r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$",
        description="Address for mail (a functional mailbox). Only with `kanaal: email`.",
    )  # fmt: skip


class AbonnementUit(Uitvoer):
    """A subscription of the caller's organisation (its secret is never shown again)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_VOORBEELD_UIT]})

    id: UUID
    organisatie: str
    soorten: list[Meldingsoort]
    kanaal: Kanaal
    url: str | None
    email: str | None
    aangemaakt_op: datetime


class AbonnementAangemaaktUit(AbonnementUit):
    """A new subscription with, once, the webhook's signing secret."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{**_VOORBEELD_UIT, "geheim": "q3J0c2VjcmV0LWV4YW1wbGUtMzItYnl0ZXMtYmFzZTY0dXJs"}]
        },
    )

    geheim: str | None = Field(
        description="HMAC-SHA256 key of the signatures (base64url), shown only now; null for mail."
    )


class AbonnementenUit(Uitvoer):
    """The organisation's subscriptions."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"abonnementen": [_VOORBEELD_UIT]}]}
    )

    abonnementen: list[AbonnementUit]
