"""Identity requests: who asked for whose identity, why, and who approved it."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from privacy_gateway.db import Base


class Identiteitsverzoek(Base):
    __tablename__ = "identiteitsverzoeken"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    casus_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    betrokkene_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    # The verwerkingenlog's pseudonym of the person, so approvals are logged against them too.
    betrokkene_log: Mapped[str | None] = mapped_column(sa.String(64))
    partner: Mapped[str] = mapped_column(sa.String(80), index=True)
    aanvrager: Mapped[str] = mapped_column(sa.String(200))
    doel: Mapped[str] = mapped_column(sa.String(80))
    # The partner's reason: sealed to the gateway's own key as typed, in the clear only scrubbed.
    reden: Mapped[str | None] = mapped_column(sa.Text)
    reden_verzegeld: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    status: Mapped[str] = mapped_column(sa.String(20))
    aangevraagd_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    goedgekeurd_door: Mapped[str | None] = mapped_column(sa.String(200))
    goedgekeurd_op: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    geldig_tot: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Until when the request waits: after it, it can no longer be approved (`verlopen`).
    verloopt_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    # A rejection: by whom and when, its reason scrubbed in the clear and sealed as typed.
    afgewezen_door: Mapped[str | None] = mapped_column(sa.String(200))
    afgewezen_op: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    afwijzing_reden: Mapped[str | None] = mapped_column(sa.Text)
    afwijzing_reden_verzegeld: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    # Withdrawn by the requester, or expired unanswered: the moment it was closed.
    ingetrokken_op: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    verlopen_op: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
