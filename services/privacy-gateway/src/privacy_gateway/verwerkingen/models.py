"""Tables of the verwerkingenlog: the rows, the head (one row that serialises appends) and checkpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from privacy_gateway.db import Base


class VerwerkingRij(Base):
    """One processing of personal data, hash-chained to the row before it. Rows are only ever inserted."""

    __tablename__ = "verwerkingen"

    volgnummer: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    actie: Mapped[str] = mapped_column(sa.String(40))
    verwerkingsactiviteit: Mapped[str] = mapped_column(sa.String(120))
    doel: Mapped[str] = mapped_column(sa.String(80))
    grondslag: Mapped[str] = mapped_column(sa.String(500))
    afnemer: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    betrokkene: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    vertrouwelijkheid: Mapped[str] = mapped_column(sa.String(40))
    bewaartermijn: Mapped[str] = mapped_column(sa.String(20))
    tijdstip: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    request_id: Mapped[str] = mapped_column(sa.String(64))
    casus_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    vorige_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    sleutel_id: Mapped[str | None] = mapped_column(sa.String(16))
    """Id of the chain key the hash was computed under; NULL for rows from before the keyed chain."""


class VerwerkingenKop(Base):
    """The head of the log: always exactly one row (id 1). Appenders lock it, so the chain stays linear."""

    __tablename__ = "verwerkingen_kop"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    volgnummer: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str] = mapped_column(sa.String(64))


class VerwerkingenCheckpoint(Base):
    """The head as it was at a row, signed (Ed25519) and recorded periodically; also sent to the witness."""

    __tablename__ = "verwerkingen_checkpoints"

    volgnummer: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(sa.String(64))
    tijdstip: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    sleutel_id: Mapped[str | None] = mapped_column(sa.String(8))
    """Id of the signing key (C2SP key hash, hex); NULL for checkpoints from before signing."""
    handtekening: Mapped[str | None] = mapped_column(sa.String(88))
    """Ed25519 signature over the checkpoint text, base64."""
