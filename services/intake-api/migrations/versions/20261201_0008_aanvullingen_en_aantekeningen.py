"""Additions to a signal after intake and work notes: supplements to the description (scrubbed, original
sealed) and notes on a signal or a track, by the attention officer or by a partner through the gateway.

The free-text and sealed columns of the new tables get no PostgreSQL statistics, as in 20261201_02.

Revision ID: 20261201_06
Revises: 20261201_05
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_06"
down_revision: str | None = "20261201_05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIJD = sa.DateTime(timezone=True)

#: Table -> its sealed and free-text columns (the test compares these with the model marks).
GEVOELIGE_KOLOMMEN: dict[str, tuple[str, ...]] = {
    "signaal_aanvullingen": ("omschrijving", "omschrijving_verzegeld"),
    "aantekeningen": ("tekst", "tekst_verzegeld"),
}


def _fk(tabel: str, kolom: str, doel: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{doel}.id", name=f"fk_{tabel}_{kolom}_{doel}", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "signaal_aanvullingen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "signaal_id", sa.Uuid(), _fk("signaal_aanvullingen", "signaal_id", "signalen"), nullable=False
        ),
        sa.Column(
            "historie_id",
            sa.Uuid(),
            _fk("signaal_aanvullingen", "historie_id", "signaal_historie"),
            nullable=False,
        ),
        sa.Column("omschrijving", sa.Text(), nullable=False),
        sa.Column("omschrijving_verzegeld", sa.LargeBinary(), nullable=True),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("vastgelegd_op", _TIJD, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_signaal_aanvullingen"),
    )
    op.create_index(
        "ix_signaal_aanvullingen_signaal", "signaal_aanvullingen", ["signaal_id", "vastgelegd_op"]
    )
    op.create_table(
        "aantekeningen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("signaal_id", sa.Uuid(), _fk("aantekeningen", "signaal_id", "signalen"), nullable=False),
        sa.Column("traject_id", sa.Uuid(), _fk("aantekeningen", "traject_id", "trajecten"), nullable=True),
        sa.Column("partner", sa.String(64), nullable=True),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("tekst", sa.Text(), nullable=False),
        sa.Column("tekst_verzegeld", sa.LargeBinary(), nullable=True),
        sa.Column("vastgelegd_op", _TIJD, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_aantekeningen"),
        sa.CheckConstraint(
            "partner IS NULL OR traject_id IS NOT NULL", name="ck_aantekeningen_partner_op_traject"
        ),
    )
    op.create_index("ix_aantekeningen_signaal", "aantekeningen", ["signaal_id", "vastgelegd_op", "id"])
    op.create_index("ix_aantekeningen_traject", "aantekeningen", ["traject_id", "vastgelegd_op", "id"])
    if op.get_bind().dialect.name == "postgresql":
        for tabel, kolommen in GEVOELIGE_KOLOMMEN.items():
            for kolom in kolommen:
                op.execute(f'ALTER TABLE "{tabel}" ALTER COLUMN "{kolom}" SET STATISTICS 0')


def downgrade() -> None:
    op.drop_index("ix_aantekeningen_traject", table_name="aantekeningen")
    op.drop_index("ix_aantekeningen_signaal", table_name="aantekeningen")
    op.drop_table("aantekeningen")
    op.drop_index("ix_signaal_aanvullingen_signaal", table_name="signaal_aanvullingen")
    op.drop_table("signaal_aanvullingen")
