"""Where an imported signal came from: the source id per municipality, and what the line said (keyed hash)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake_api.db import Base, Gevoeligheid, gevoelig


class ImportBron(Base):
    """One imported line: its source id is unique within the municipality, so a re-run creates nothing."""

    __tablename__ = "importbronnen"

    gemeente_code: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    bron_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    signaal_id: Mapped[UUID] = mapped_column(sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"))
    #: HMAC of the validated line under the link key: tells a repeat from a changed line, reveals nothing.
    inhoud_hash: Mapped[str] = mapped_column(sa.String(64), info=gevoelig(Gevoeligheid.PSEUDONIEM))
    geimporteerd_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (sa.Index("ix_importbronnen_signaal", "signaal_id"),)
