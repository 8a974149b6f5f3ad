"""Notifications: subscriptions per organisation and the notification outbox.

The webhook secret column gets no PostgreSQL statistics, as in 20261201_02.

Revision ID: 20261201_07
Revises: 20261201_06
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_07"
down_revision: str | None = "20261201_06"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIJD = sa.DateTime(timezone=True)

#: Table -> its sealed columns (the test compares these with the model marks).
GEVOELIGE_KOLOMMEN: dict[str, tuple[str, ...]] = {"abonnementen": ("geheim_versleuteld",)}


def upgrade() -> None:
    op.create_table(
        "abonnementen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisatie", sa.String(64), nullable=False),
        sa.Column("soorten", sa.JSON(), nullable=False),
        sa.Column("kanaal", sa.String(16), nullable=False),
        sa.Column("url", sa.String(2000), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("geheim_versleuteld", sa.LargeBinary(), nullable=True),
        sa.Column("aangemaakt_op", _TIJD, nullable=False),
        sa.Column("aangemaakt_door", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_abonnementen"),
        sa.CheckConstraint("kanaal IN ('webhook', 'email')", name="ck_abonnementen_kanaal"),
        sa.CheckConstraint(
            "(kanaal = 'webhook' AND url IS NOT NULL AND geheim_versleuteld IS NOT NULL AND email IS NULL)"
            " OR (kanaal = 'email' AND email IS NOT NULL AND url IS NULL AND geheim_versleuteld IS NULL)",
            name="ck_abonnementen_kanaalgegevens",
        ),
    )
    op.create_index("ix_abonnementen_organisatie", "abonnementen", ["organisatie"])
    op.create_table(
        "meldingen",
        sa.Column(
            "volgnummer",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "abonnement_id",
            sa.Uuid(),
            sa.ForeignKey(
                "abonnementen.id", name="fk_meldingen_abonnement_id_abonnementen", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("soort", sa.String(64), nullable=False),
        sa.Column(
            "signaal_id",
            sa.Uuid(),
            sa.ForeignKey("signalen.id", name="fk_meldingen_signaal_id_signalen", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("aangemaakt_op", _TIJD, nullable=False),
        sa.Column("pogingen", sa.Integer(), nullable=False),
        sa.Column("volgende_poging_op", _TIJD, nullable=False),
        sa.Column("geclaimd_tot", _TIJD, nullable=True),
        sa.Column("afgeleverd_op", _TIJD, nullable=True),
        sa.Column("opgegeven_op", _TIJD, nullable=True),
        sa.Column("laatste_fout", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("volgnummer", name="pk_meldingen"),
        sa.UniqueConstraint("id", name="uq_meldingen_id"),
    )
    op.create_index("ix_meldingen_abonnement_id", "meldingen", ["abonnement_id"])
    op.create_index("ix_meldingen_signaal_id", "meldingen", ["signaal_id"])
    op.create_index(
        "ix_meldingen_wachtend", "meldingen", ["afgeleverd_op", "opgegeven_op", "volgende_poging_op"]
    )
    if op.get_bind().dialect.name == "postgresql":
        for tabel, kolommen in GEVOELIGE_KOLOMMEN.items():
            for kolom in kolommen:
                op.execute(f'ALTER TABLE "{tabel}" ALTER COLUMN "{kolom}" SET STATISTICS 0')


def downgrade() -> None:
    op.drop_table("meldingen")
    op.drop_table("abonnementen")
