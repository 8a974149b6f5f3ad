"""Tables of the work on a signal after triage: tracks and their partners, advice, consent, outcomes and
requests for a follow-on purpose. Every row belongs to one signal and goes when the signal goes."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake_api.db import Base, Gevoeligheid, gevoelig

_VERZEGELD = gevoelig(Gevoeligheid.VERZEGELD)
_VRIJE_TEKST = gevoelig(Gevoeligheid.VRIJE_TEKST)

TRAJECTSTATUSSEN = ("open", "lopend", "afgerond")
ADVIESSTATUSSEN = ("open", "beantwoord")
DOELVERZOEKSTATUSSEN = ("gevraagd", "toegekend", "afgewezen")


def _in(kolom: str, waarden: tuple[str, ...]) -> str:
    return f"{kolom} IN (" + ", ".join(f"'{w}'" for w in waarden) + ")"


def _signaal() -> Mapped[UUID]:
    return mapped_column(sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"))


class Traject(Base):
    """One track of a case: a purpose, its recipient partners (`traject_partners`) and its own status."""

    __tablename__ = "trajecten"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    signaal_id: Mapped[UUID] = _signaal()
    volgnummer: Mapped[int] = mapped_column(sa.Integer)
    doel: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16))
    geopend_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    geopend_door: Mapped[str] = mapped_column(sa.String(200))
    afgerond_op: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)

    __table_args__ = (
        sa.CheckConstraint(_in("status", TRAJECTSTATUSSEN), name="status"),
        sa.UniqueConstraint("signaal_id", "volgnummer", name="uq_trajecten_volgorde"),
    )


class TrajectPartner(Base):
    """A recipient partner of a track (`casus_partners` stays the union over a case's tracks)."""

    __tablename__ = "traject_partners"

    traject_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("trajecten.id", ondelete="CASCADE"), primary_key=True
    )
    partner: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    signaal_id: Mapped[UUID] = _signaal()
    #: The order in which partners joined the track.
    volgnummer: Mapped[int] = mapped_column(sa.Integer)
    toegevoegd_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        sa.Index("ix_traject_partners_partner", "partner", "signaal_id"),
        sa.Index("ix_traject_partners_signaal", "signaal_id"),
    )


class Adviesvraag(Base):
    """A question to expert partners before escalation; the question scrubbed, its original sealed."""

    __tablename__ = "adviesvragen"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    signaal_id: Mapped[UUID] = _signaal()
    gesteld_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    gesteld_door: Mapped[str] = mapped_column(sa.String(200))
    vraag: Mapped[str] = mapped_column(sa.Text, info=_VRIJE_TEKST)
    vraag_verzegeld: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True, info=_VERZEGELD)
    experts: Mapped[list[str]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16))

    __table_args__ = (
        sa.CheckConstraint(_in("status", ADVIESSTATUSSEN), name="status"),
        sa.Index("ix_adviesvragen_signaal", "signaal_id", "gesteld_op"),
        sa.Index("ix_adviesvragen_gesteld", "gesteld_op", "id"),
    )


class AdviesvraagExpert(Base):
    """An expert partner a question was put to (filter of the internal list)."""

    __tablename__ = "adviesvraag_experts"

    adviesvraag_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("adviesvragen.id", ondelete="CASCADE"), primary_key=True
    )
    partner: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    signaal_id: Mapped[UUID] = _signaal()

    __table_args__ = (sa.Index("ix_adviesvraag_experts_partner", "partner", "adviesvraag_id"),)


class Adviesantwoord(Base):
    """An expert's answer to a question; the answer scrubbed, its original sealed."""

    __tablename__ = "adviesantwoorden"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    adviesvraag_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("adviesvragen.id", ondelete="CASCADE")
    )
    signaal_id: Mapped[UUID] = _signaal()
    partner: Mapped[str] = mapped_column(sa.String(64))
    door: Mapped[str] = mapped_column(sa.String(200))
    gegeven_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    antwoord: Mapped[str] = mapped_column(sa.Text, info=_VRIJE_TEKST)
    antwoord_verzegeld: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True, info=_VERZEGELD)

    __table_args__ = (sa.Index("ix_adviesantwoorden_vraag", "adviesvraag_id", "gegeven_op"),)


class Toestemming(Base):
    """A victim's consent (or refusal) as recorded: when, how, by whom; withdrawable, never edited."""

    __tablename__ = "toestemmingen"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    signaal_id: Mapped[UUID] = _signaal()
    betrokkene_id: Mapped[UUID] = mapped_column(sa.Uuid, sa.ForeignKey("betrokkenen.id", ondelete="CASCADE"))
    gegeven: Mapped[bool] = mapped_column(sa.Boolean)
    datum: Mapped[date] = mapped_column(sa.Date)
    vastlegging: Mapped[str] = mapped_column(sa.String(32))
    onder16: Mapped[bool] = mapped_column(sa.Boolean)
    door_voogd: Mapped[bool] = mapped_column(sa.Boolean)
    vastgelegd_door: Mapped[str] = mapped_column(sa.String(200))
    vastgelegd_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    ingetrokken_op: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    ingetrokken_door: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)

    __table_args__ = (sa.Index("ix_toestemmingen_betrokkene", "betrokkene_id", "vastgelegd_op"),)


class Terugkoppeling(Base):
    """An outcome a partner recorded on a track (codes from the catalogue; the note scrubbed, original sealed)."""

    __tablename__ = "terugkoppelingen"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    signaal_id: Mapped[UUID] = _signaal()
    traject_id: Mapped[UUID] = mapped_column(sa.Uuid, sa.ForeignKey("trajecten.id", ondelete="CASCADE"))
    partner: Mapped[str] = mapped_column(sa.String(64))
    door: Mapped[str] = mapped_column(sa.String(200))
    doel: Mapped[str] = mapped_column(sa.String(64))
    terugkoppeling: Mapped[str] = mapped_column(sa.String(64))
    reden: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    opvangvorm: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    maatregel: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    toelichting: Mapped[str | None] = mapped_column(sa.Text, nullable=True, info=_VRIJE_TEKST)
    toelichting_verzegeld: Mapped[bytes | None] = mapped_column(
        sa.LargeBinary, nullable=True, info=_VERZEGELD
    )
    vastgelegd_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        sa.Index("ix_terugkoppelingen_signaal", "signaal_id", "terugkoppeling"),
        sa.Index("ix_terugkoppelingen_traject", "traject_id", "vastgelegd_op"),
    )


class Doelverzoek(Base):
    """A partner's request for a follow-on purpose on a case, and the attention officer's decision."""

    __tablename__ = "doelverzoeken"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    signaal_id: Mapped[UUID] = _signaal()
    partner: Mapped[str] = mapped_column(sa.String(64))
    door: Mapped[str] = mapped_column(sa.String(200))
    doel: Mapped[str] = mapped_column(sa.String(64))
    reden: Mapped[str] = mapped_column(sa.Text, info=_VRIJE_TEKST)
    reden_verzegeld: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True, info=_VERZEGELD)
    status: Mapped[str] = mapped_column(sa.String(16))
    ingediend_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    besloten_op: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    besloten_door: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    traject_id: Mapped[UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("trajecten.id", ondelete="SET NULL"), nullable=True
    )

    __table_args__ = (
        sa.CheckConstraint(_in("status", DOELVERZOEKSTATUSSEN), name="status"),
        sa.Index("ix_doelverzoeken_signaal", "signaal_id", "ingediend_op"),
    )
