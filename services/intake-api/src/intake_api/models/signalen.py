"""Tables of a signal: the signal, its betrokkenen, its history, and lookup tables for filters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake_api.db import Base, Gevoeligheid, gevoelig

_VERZEGELD = gevoelig(Gevoeligheid.VERZEGELD)
_PSEUDONIEM = gevoelig(Gevoeligheid.PSEUDONIEM)
_VRIJE_TEKST = gevoelig(Gevoeligheid.VRIJE_TEKST)

#: Every status a signal can have; the transitions live in `beoordelingen.service`.
STATUSSEN = (
    "ontvangen",
    "in_behandeling",
    "advies_gevraagd",
    "afgesloten_geen_mensenhandel",
    "doorverwezen_ander_domein",
    "opgeschaald",
)
_STATUS_CHECK = "status IN (" + ", ".join(f"'{s}'" for s in STATUSSEN) + ")"


class Signaal(Base):
    """A signal as intake keeps it: codes, scrubbed text and sealed blobs, never a readable identity."""

    __tablename__ = "signalen"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    gemeente_code: Mapped[str] = mapped_column(sa.String(6))
    melder_domein: Mapped[str] = mapped_column(sa.String(64))
    waargenomen_op: Mapped[date] = mapped_column(sa.Date)
    ontvangen_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    uitbuitingsvormen: Mapped[list[str]] = mapped_column(sa.JSON)
    indicatoren: Mapped[list[str]] = mapped_column(sa.JSON)
    sector: Mapped[str] = mapped_column(sa.String(64))
    locatietype: Mapped[str] = mapped_column(sa.String(64))
    omschrijving: Mapped[str] = mapped_column(sa.Text, info=_VRIJE_TEKST)
    omschrijving_verzegeld: Mapped[bytes | None] = mapped_column(
        sa.LargeBinary, nullable=True, info=_VERZEGELD
    )
    toestemming: Mapped[bool] = mapped_column(sa.Boolean)
    status: Mapped[str] = mapped_column(sa.String(40))
    versie: Mapped[int] = mapped_column(sa.Integer)
    status_gewijzigd_op: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    aangemaakt_door: Mapped[str] = mapped_column(sa.String(200))
    doorverwezen_naar: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    opgeschaald_op: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    partners: Mapped[list[str] | None] = mapped_column(sa.JSON, nullable=True)
    doel: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    vertrouwelijkheidaanduiding: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    gewist_op: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    #: The `sub` of the attention officer the signal is assigned to (`werkvoorraad`), or None.
    toegewezen_aan: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)

    __table_args__ = (
        sa.CheckConstraint(_STATUS_CHECK, name="status"),
        # The queue: own municipality, newest first, keyset on (ontvangen_op, id).
        sa.Index("ix_signalen_gemeente_ontvangen", "gemeente_code", "ontvangen_op", "id"),
        sa.Index("ix_signalen_gemeente_status_ontvangen", "gemeente_code", "status", "ontvangen_op", "id"),
        sa.Index("ix_signalen_opgeschaald", "opgeschaald_op", "id"),
        sa.Index("ix_signalen_status_gewijzigd", "status", "status_gewijzigd_op"),
        # The queue filtered on whom a signal is assigned to, in queue order.
        sa.Index(
            "ix_signalen_gemeente_toegewezen_ontvangen",
            "gemeente_code",
            "toegewezen_aan",
            "ontvangen_op",
            "id",
        ),
    )


class Betrokkene(Base):
    """A person involved: link pseudonym, sealed identity and coarse attributes only."""

    __tablename__ = "betrokkenen"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    signaal_id: Mapped[UUID] = mapped_column(sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"))
    volgnummer: Mapped[int] = mapped_column(sa.Integer)
    rol: Mapped[str] = mapped_column(sa.String(32))
    #: The BSN's link pseudonym when a BSN was given, else that of name + birth date; every pseudonym of
    #: the betrokkene is in `betrokkene_pseudoniemen`.
    link_pseudoniem: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, info=_PSEUDONIEM)
    leeftijdsklasse: Mapped[str] = mapped_column(sa.String(16))
    geslacht: Mapped[str] = mapped_column(sa.String(16))
    nationaliteitsgroep: Mapped[str] = mapped_column(sa.String(16))
    identiteit_verzegeld: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True, info=_VERZEGELD)
    #: The gateway key the identity was sealed to: finds the blobs that still need an old key.
    sleutel_id: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)

    __table_args__ = (
        sa.Index("ix_betrokkenen_signaal", "signaal_id", "volgnummer"),
        sa.Index("ix_betrokkenen_link_pseudoniem", "link_pseudoniem", "signaal_id"),
    )


class SignaalUitbuitingsvorm(Base):
    """One form of exploitation of a signal, so the queue can filter on it with an index on both databases."""

    __tablename__ = "signaal_uitbuitingsvormen"

    signaal_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"), primary_key=True
    )
    vorm: Mapped[str] = mapped_column(sa.String(64), primary_key=True)

    __table_args__ = (sa.Index("ix_signaal_uitbuitingsvormen_vorm", "vorm", "signaal_id"),)


class SignaalIndicator(Base):
    """One indicator of a signal, so the queue can filter on it with an index on both databases."""

    __tablename__ = "signaal_indicatoren"

    signaal_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"), primary_key=True
    )
    indicator: Mapped[str] = mapped_column(sa.String(64), primary_key=True)

    __table_args__ = (sa.Index("ix_signaal_indicatoren_indicator", "indicator", "signaal_id"),)


class CasusPartner(Base):
    """A partner an escalated signal was escalated to (filter of the internal case list)."""

    __tablename__ = "casus_partners"

    signaal_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"), primary_key=True
    )
    partner: Mapped[str] = mapped_column(sa.String(64), primary_key=True)

    __table_args__ = (sa.Index("ix_casus_partners_partner", "partner", "signaal_id"),)


class HistorieRegel(Base):
    """One entry of a signal's history (append-only): who did what, when and why."""

    __tablename__ = "signaal_historie"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True)
    signaal_id: Mapped[UUID] = mapped_column(sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"))
    volgnummer: Mapped[int] = mapped_column(sa.Integer)
    tijdstip: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    actie: Mapped[str] = mapped_column(sa.String(40))
    door: Mapped[str] = mapped_column(sa.String(200))
    van_status: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    naar_status: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    #: Scrubbed; the original is sealed in `toelichting_originelen`.
    toelichting: Mapped[str | None] = mapped_column(sa.Text, nullable=True, info=_VRIJE_TEKST)
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)

    __table_args__ = (sa.UniqueConstraint("signaal_id", "volgnummer", name="uq_signaal_historie_volgorde"),)


class BetrokkenePseudoniem(Base):
    """One link pseudonym of a betrokkene: of the BSN and of name + birth date when both were given, so
    a person is found, and linked across signals, by either."""

    __tablename__ = "betrokkene_pseudoniemen"

    betrokkene_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("betrokkenen.id", ondelete="CASCADE"), primary_key=True
    )
    link_pseudoniem: Mapped[str] = mapped_column(sa.String(64), primary_key=True, info=_PSEUDONIEM)
    #: "bsn" or "naam": two different BSNs are two people, whatever their names say.
    soort: Mapped[str] = mapped_column(sa.String(8))
    signaal_id: Mapped[UUID] = mapped_column(sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"))

    __table_args__ = (
        sa.Index("ix_betrokkene_pseudoniemen_pseudoniem", "link_pseudoniem", "signaal_id"),
        sa.Index("ix_betrokkene_pseudoniemen_signaal", "signaal_id"),
    )


class ToelichtingOrigineel(Base):
    """The sealed original of a history entry's `toelichting` (the history row itself is append-only)."""

    __tablename__ = "toelichting_originelen"

    historie_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("signaal_historie.id", ondelete="CASCADE"), primary_key=True
    )
    signaal_id: Mapped[UUID] = mapped_column(sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"))
    verzegeld: Mapped[bytes] = mapped_column(sa.LargeBinary, info=_VERZEGELD)

    __table_args__ = (sa.Index("ix_toelichting_originelen_signaal", "signaal_id"),)


class Schoonmerk(Base):
    """A keyed hash of one word or date that identifies a betrokkene of the signal (a name part, an address
    word, the birth date), so later free text about the signal can be scrubbed of it without intake
    keeping the values readable. Purged with the sealed identity."""

    __tablename__ = "signaal_schoonmerken"

    signaal_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("signalen.id", ondelete="CASCADE"), primary_key=True
    )
    merk: Mapped[str] = mapped_column(sa.String(64), primary_key=True, info=_PSEUDONIEM)
