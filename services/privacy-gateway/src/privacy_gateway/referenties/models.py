"""The mapping from a partner's case reference to intake's case, written when the partner first sees it."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from privacy_gateway.db import Base


class CasusReferentie(Base):
    """One case as one partner knows it. The reference is an HMAC (see ``pseudoniemen``), so a row
    can always be rewritten identically; the table only saves looking it up at intake."""

    __tablename__ = "casus_referenties"

    partner: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    referentie: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    casus_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)


class AdviesvraagReferentie(Base):
    """One advice question as one expert partner knows it (an HMAC of its own domain, like a case's)."""

    __tablename__ = "adviesvraag_referenties"

    partner: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    referentie: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    adviesvraag_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
