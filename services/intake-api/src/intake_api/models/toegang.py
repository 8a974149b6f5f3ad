"""The access log table (append-only: rows are only ever inserted)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake_api.db import Base

#: SQLite only numbers an INTEGER primary key by itself.
_VOLGNUMMER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Toegang(Base):
    """One read of a signal: who, which signal, when, and which action."""

    __tablename__ = "toegangslog"

    volgnummer: Mapped[int] = mapped_column(_VOLGNUMMER, primary_key=True, autoincrement=True)
    tijdstip: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    door: Mapped[str] = mapped_column(sa.String(200))
    gemeente_code: Mapped[str | None] = mapped_column(sa.String(6), nullable=True)
    # No foreign key: the log outlives whatever happens to the signal.
    signaal_id: Mapped[UUID] = mapped_column(sa.Uuid)
    actie: Mapped[str] = mapped_column(sa.String(40))

    __table_args__ = (sa.Index("ix_toegangslog_signaal", "signaal_id", "tijdstip"),)
