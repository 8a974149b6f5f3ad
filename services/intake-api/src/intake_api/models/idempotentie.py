"""The idempotency key table: one row per (client, key), kept 24 hours."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake_api.db import Base, Gevoeligheid, gevoelig


class Idempotentiesleutel(Base):
    """A claimed key; `status` is `bezig` while the first request runs and `klaar` with its answer."""

    __tablename__ = "idempotentiesleutels"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    client: Mapped[str] = mapped_column(sa.String(200))
    sleutel: Mapped[str] = mapped_column(sa.String(255))
    #: HMAC of the request body under the link key (a plain hash of a body with a BSN could be guessed).
    verzoek_hash: Mapped[str] = mapped_column(sa.String(64), info=gevoelig(Gevoeligheid.PSEUDONIEM))
    status: Mapped[str] = mapped_column(sa.String(16))
    antwoord_status: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    #: The first answer, replayed; it holds the scrubbed description.
    antwoord: Mapped[dict[str, Any] | None] = mapped_column(
        sa.JSON, nullable=True, info=gevoelig(Gevoeligheid.VRIJE_TEKST)
    )
    locatie: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    aangemaakt_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        # Makes two concurrent first requests with one key safe: exactly one insert wins.
        sa.UniqueConstraint("client", "sleutel", name="uq_idempotentiesleutels_client_sleutel"),
        sa.Index("ix_idempotentiesleutels_aangemaakt_op", "aangemaakt_op"),
    )
