"""Tables of what is added to a signal after intake: supplements to its description and work notes.

Both are append-only: a supplement stands beside the description it adds to, a note is never edited.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake_api.db import Base, Gevoeligheid, gevoelig

_VERZEGELD = gevoelig(Gevoeligheid.VERZEGELD)
_VRIJE_TEKST = gevoelig(Gevoeligheid.VRIJE_TEKST)


class Aanvulling(Base):
    """A supplement to a signal's description: scrubbed like the description, its original sealed."""

    __tablename__ = "signaal_aanvullingen"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    signaal_id: Mapped[UUID] = mapped_column(sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"))
    #: The history entry of the addition it came with.
    historie_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("signaal_historie.id", ondelete="CASCADE")
    )
    omschrijving: Mapped[str] = mapped_column(sa.Text, info=_VRIJE_TEKST)
    omschrijving_verzegeld: Mapped[bytes | None] = mapped_column(
        sa.LargeBinary, nullable=True, info=_VERZEGELD
    )
    door: Mapped[str] = mapped_column(sa.String(200))
    vastgelegd_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (sa.Index("ix_signaal_aanvullingen_signaal", "signaal_id", "vastgelegd_op"),)


class Aantekening(Base):
    """A work note on a signal (`traject_id` null) or on one of its tracks. `partner` is null for the
    attention officer's notes and names the organisation for a partner's note (always on a track)."""

    __tablename__ = "aantekeningen"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    signaal_id: Mapped[UUID] = mapped_column(sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"))
    traject_id: Mapped[UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("trajecten.id", ondelete="CASCADE"), nullable=True
    )
    partner: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    door: Mapped[str] = mapped_column(sa.String(200))
    tekst: Mapped[str] = mapped_column(sa.Text, info=_VRIJE_TEKST)
    tekst_verzegeld: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True, info=_VERZEGELD)
    vastgelegd_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        sa.CheckConstraint("partner IS NULL OR traject_id IS NOT NULL", name="partner_op_traject"),
        sa.Index("ix_aantekeningen_signaal", "signaal_id", "vastgelegd_op", "id"),
        sa.Index("ix_aantekeningen_traject", "traject_id", "vastgelegd_op", "id"),
    )
