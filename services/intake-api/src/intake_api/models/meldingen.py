"""Tables of notifications: what an organisation subscribed to, and the notification outbox.

A notification row is one subscription × one event; its id is the CloudEvent id, stable across retries.
It refers to its signal (and goes when the signal goes) but holds nothing of it.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake_api.db import Base, Gevoeligheid, gevoelig

KANALEN = ("webhook", "email")
_VOLGNUMMER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Abonnement(Base):
    """An organisation's subscription: which kinds, over which channel (a webhook URL or an address)."""

    __tablename__ = "abonnementen"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    #: A municipality code (GM1509) or a partner id (riec-oost-nederland).
    organisatie: Mapped[str] = mapped_column(sa.String(64), index=True)
    soorten: Mapped[list[str]] = mapped_column(sa.JSON)
    kanaal: Mapped[str] = mapped_column(sa.String(16))
    url: Mapped[str | None] = mapped_column(sa.String(2000), nullable=True)
    email: Mapped[str | None] = mapped_column(sa.String(320), nullable=True)
    #: The signing secret, AES-GCM encrypted under a key derived from the link key (nonce ‖ ciphertext).
    geheim_versleuteld: Mapped[bytes | None] = mapped_column(
        sa.LargeBinary, nullable=True, info=gevoelig(Gevoeligheid.VERZEGELD)
    )
    aangemaakt_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    aangemaakt_door: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.CheckConstraint("kanaal IN ('webhook', 'email')", name="kanaal"),
        sa.CheckConstraint(
            "(kanaal = 'webhook' AND url IS NOT NULL AND geheim_versleuteld IS NOT NULL AND email IS NULL)"
            " OR (kanaal = 'email' AND email IS NOT NULL AND url IS NULL AND geheim_versleuteld IS NULL)",
            name="kanaalgegevens",
        ),
    )


class Melding(Base):
    """One notification to deliver (or delivered, or given up after the last attempt)."""

    __tablename__ = "meldingen"

    volgnummer: Mapped[int] = mapped_column(_VOLGNUMMER, primary_key=True, autoincrement=True)
    id: Mapped[UUID] = mapped_column(sa.Uuid, unique=True)
    abonnement_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("abonnementen.id", ondelete="CASCADE"), index=True
    )
    soort: Mapped[str] = mapped_column(sa.String(64))
    signaal_id: Mapped[UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"), nullable=True, index=True
    )
    aangemaakt_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    pogingen: Mapped[int] = mapped_column(sa.Integer, default=0)
    volgende_poging_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    #: A relay that claimed the row holds it until then; afterwards another relay may take it.
    geclaimd_tot: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    afgeleverd_op: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    opgegeven_op: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    #: Why the last attempt failed: an exception name or a status, never a body.
    laatste_fout: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)

    __table_args__ = (
        sa.Index("ix_meldingen_wachtend", "afgeleverd_op", "opgegeven_op", "volgende_poging_op"),
    )
