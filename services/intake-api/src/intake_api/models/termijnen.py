"""Deadlines of a signal or one of its tracks: due date, when closed, and whether they passed."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake_api.db import Base


class Termijn(Base):
    """One running or closed deadline. `verstreken` is set once, by the round that reports it to reporting;
    a deadline closed after its due date keeps `gesloten_op` later than `vervalt_op`."""

    __tablename__ = "termijnen"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    signaal_id: Mapped[UUID] = mapped_column(sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"))
    traject_id: Mapped[UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("trajecten.id", ondelete="CASCADE"), nullable=True
    )
    soort: Mapped[str] = mapped_column(sa.String(32))
    gestart_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    #: The last day (Dutch calendar date) on which the deadline is met.
    vervalt_op: Mapped[date] = mapped_column(sa.Date)
    #: The moment it is overdue: the start of the day after `vervalt_op` in the Netherlands (UTC in the database).
    verlopen_vanaf: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    gesloten_op: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    verstreken: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    __table_args__ = (
        sa.Index("ix_termijnen_signaal", "signaal_id", "gesloten_op"),
        # The round that marks passed deadlines: not yet marked, by the moment they are overdue.
        sa.Index("ix_termijnen_verstreken", "verstreken", "verlopen_vanaf"),
    )
