"""Request and response models of subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from meldroute_common.meldingen import Meldingsoort
from meldroute_common.schemas import Invoer, Uitvoer
from pydantic import ConfigDict, Field

Kanaal = Literal["webhook", "email"]
#: JSON carries the kind as text; strict mode would want the enum object.
Soort = Annotated[Meldingsoort, Field(strict=False)]

_VOORBEELD_WEBHOOK: dict[str, Any] = {
    "soorten": ["traject.geopend", "terugkoppeling.vastgelegd"],
    "kanaal": "webhook",
    "url": "https://meldingen.gemeente.example/meldroute",
}
_VOORBEELD_UIT: dict[str, Any] = {
    "id": "6f1c2a0e-3b7d-4c55-9a51-1f0e8d2b7c44",
    "organisatie": "GM1509",
    **_VOORBEELD_WEBHOOK,
    "email": None,
    "aangemaaktOp": "2026-12-01T09:30:00Z",
}


class AbonnementInvoer(Invoer):
    """A subscription: which kinds of notification, over a webhook (`url`) or by mail (`email`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _VOORBEELD_WEBHOOK,
                {"soorten": ["advies.gevraagd"], "kanaal": "email", "email": "meldingen@gemeente.example"},
            ]
        }
    )

    soorten: list[Soort] = Field(min_length=1, max_length=len(Meldingsoort), description="The kinds.")
    kanaal: Kanaal = Field(description="`webhook` (CloudEvents 1.0, HMAC-signed) or `email`.")
    url: str | None = Field(
        default=None,
        min_length=8,
        max_length=2000,
        description="Webhook URL (https; no internal or private address). Only with `kanaal: webhook`.",
    )
    email: str | None = Field(
        default=None,
        min_length=3,
        max_length=320,
        pattern=r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$",
        description="Address for mail (a functional mailbox). Only with `kanaal: email`.",
    )


class AbonnementWeergave(Uitvoer):
    """A subscription (its secret is never shown again)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_VOORBEELD_UIT]})

    id: UUID
    organisatie: str = Field(description="Municipality code or partner id the subscription belongs to.")
    soorten: list[Meldingsoort]
    kanaal: Kanaal
    url: str | None
    email: str | None
    aangemaakt_op: datetime


class AbonnementAangemaakt(AbonnementWeergave):
    """A new subscription with, once, the webhook's signing secret."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**_VOORBEELD_UIT, "geheim": "q3J0c2VjcmV0LWV4YW1wbGUtMzItYnl0ZXMtYmFzZTY0dXJs"}]
        }
    )

    geheim: str | None = Field(
        description="HMAC-SHA256 key of the signatures (base64url), shown only now; null for mail."
    )


class AbonnementenLijst(Uitvoer):
    """The organisation's subscriptions."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"abonnementen": [_VOORBEELD_UIT]}]})

    abonnementen: list[AbonnementWeergave]


_ORGANISATIE = r"^(GM[0-9]{4}|[a-z0-9][a-z0-9_-]{0,63})$"


class AbonnementInternInvoer(AbonnementInvoer):
    """A partner's subscription, forwarded by the gateway with the partner's organisation from its token."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**_VOORBEELD_WEBHOOK, "organisatie": "riec-oost-nederland", "door": "riec-1"}]
        }
    )

    organisatie: str = Field(pattern=_ORGANISATIE, description="The partner the subscription is for.")
    door: str = Field(min_length=1, max_length=200, description="Subject of the partner's user.")


class MeldingInternInvoer(Invoer):
    """A notification the gateway raises (an identity request waits for approval): kind, recipients, case."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "soort": "goedkeuring.wacht",
                    "organisaties": ["riec-oost-nederland"],
                    "signaalId": "0b9d4c1e-8a3f-4e2b-9c7d-5f6a1b2c3d4e",
                }
            ]
        }
    )

    soort: Soort = Field(description="The kind.")
    organisaties: list[Annotated[str, Field(pattern=_ORGANISATIE)]] = Field(
        min_length=1, max_length=20, description="Who is told."
    )
    signaal_id: UUID | None = Field(default=None, strict=False, description="The case it is about.")


class MeldingenIngepland(Uitvoer):
    """How many notifications were enqueued (one per matching subscription)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"aantal": 1}]})

    aantal: int
