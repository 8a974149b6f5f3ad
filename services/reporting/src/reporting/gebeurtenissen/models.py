"""Stored anonymous events, shaped for aggregation: one row per event, one child row per form."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from reporting.db import Base


class GebeurtenisRij(Base):
    """One anonymous event. The period columns are derived from `maand` once, so grouping is a plain GROUP BY.

    No arrival time is stored: the moment an event arrives is close to the moment of the signal itself,
    and events carry only a month on purpose.
    """

    __tablename__ = "gebeurtenissen"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(32))
    maand: Mapped[str] = mapped_column(sa.String(7))
    kwartaal: Mapped[str] = mapped_column(sa.String(7))
    jaar: Mapped[str] = mapped_column(sa.String(4))
    gemeente_code: Mapped[str] = mapped_column(sa.String(6))
    sector: Mapped[str] = mapped_column(sa.String(64))
    locatietype: Mapped[str] = mapped_column(sa.String(64))
    melder_domein: Mapped[str] = mapped_column(sa.String(64))
    leeftijdsklasse: Mapped[str] = mapped_column(sa.String(64))
    geslacht: Mapped[str] = mapped_column(sa.String(64))
    nationaliteitsgroep: Mapped[str] = mapped_column(sa.String(64))
    uitkomst: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    doorlooptijd_dagen: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    #: The outcome code and whether it is the case's first outcome (`terugkoppeling_vastgelegd` only).
    terugkoppeling: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    eerste_terugkoppeling: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    #: The kind of deadline that passed (`termijn_verstreken` only; its coded attributes are stored as `onbekend`).
    termijn: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    #: A fixed random key in 0..2^32-1, drawn once at ingest: the cell key of a published cell is the sum of
    #: the keys of its events, so the same cell gets the same perturbation in every table (cell-key method).
    celsleutel: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (sa.Index("ix_gebeurtenissen_type_maand", "type", "maand"),)


class GebeurtenisVorm(Base):
    """One form of exploitation of an event: grouping by form is a join, not a scan of a list."""

    __tablename__ = "gebeurtenis_uitbuitingsvormen"

    gebeurtenis_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("gebeurtenissen.id", ondelete="CASCADE"), primary_key=True
    )
    uitbuitingsvorm: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
