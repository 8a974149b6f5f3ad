"""The stored publication: one protected set of figures per closed period, computed once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from reporting.db import Base


class Publicatie(Base):
    """One published period (`2026-03`, `2026-K1` or `2026`): when, which version, and its lead times.

    The lead times (median and 90th percentile of days to a final decision) are computed at publication and
    stored with the period, like its counts; null when the period has fewer decisions than the threshold.
    """

    __tablename__ = "publicaties"

    periode: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    soort: Mapped[str] = mapped_column(sa.String(8))
    versie: Mapped[int] = mapped_column(sa.Integer)
    gepubliceerd_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    drempel: Mapped[int] = mapped_column(sa.Integer)
    mediaan_dagen: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    p90_dagen: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


class GepubliceerdeCel(Base):
    """One protected cell of a published period. Cells that are not stored are 0.

    `telling` is what a count counts (`signalen`, `beoordelingen`, `terugkoppelingen` or
    `eerste_terugkoppelingen`), `per_vorm` whether a signal counts once
    per form of exploitation; `groepering` the grouping dimensions in canonical order, comma-separated (empty for
    the period's grand total); `waarden` their codes, `|`-separated. `aantal` is the perturbed count, null when
    the cell is suppressed.
    """

    __tablename__ = "gepubliceerde_cellen"

    periode: Mapped[str] = mapped_column(
        sa.String(7), sa.ForeignKey("publicaties.periode", ondelete="CASCADE"), primary_key=True
    )
    telling: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    per_vorm: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True)
    groepering: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    waarden: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    aantal: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)

    __table_args__ = (
        sa.Index("ix_gepubliceerde_cellen_groepering", "telling", "per_vorm", "groepering", "periode"),
    )


class GepubliceerdeDoorlooptijd(Base):
    """A lead time of a published period, for the whole region (`gemeente` empty) or one municipality.

    `maat` names what is timed: `eerste_terugkoppeling` is the days from a case's escalation to its first
    outcome, over the first outcomes recorded in the period. The median and 90th percentile are null when the
    published count of those outcomes is below the threshold plus the largest perturbation (so whether a lead
    time is shown follows from a published figure alone, and it always rests on at least the threshold).
    """

    __tablename__ = "gepubliceerde_doorlooptijden"

    periode: Mapped[str] = mapped_column(
        sa.String(7), sa.ForeignKey("publicaties.periode", ondelete="CASCADE"), primary_key=True
    )
    maat: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    gemeente: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    mediaan_dagen: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    p90_dagen: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
