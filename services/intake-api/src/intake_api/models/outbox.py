"""The outbox table."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake_api.db import Base

_VOLGNUMMER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class OutboxGebeurtenis(Base):
    """An anonymous event waiting for (or done with) delivery to reporting."""

    __tablename__ = "outbox"

    volgnummer: Mapped[int] = mapped_column(_VOLGNUMMER, primary_key=True, autoincrement=True)
    id: Mapped[UUID] = mapped_column(sa.Uuid, unique=True)
    gebeurtenis: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    aangemaakt_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    #: A relay that claimed the event holds it until then; afterwards another relay may take it.
    geclaimd_tot: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    afgeleverd_op: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    pogingen: Mapped[int] = mapped_column(sa.Integer, default=0)

    __table_args__ = (sa.Index("ix_outbox_afgeleverd_op", "afgeleverd_op", "volgnummer"),)
