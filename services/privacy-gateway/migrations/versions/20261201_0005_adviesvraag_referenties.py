"""Partner references of advice questions, mapped back to intake's question like case references.

Like every reference column, these get no planner statistics on PostgreSQL (see 0003).

Revision ID: 0005_adviesvraag_referenties
Revises: 0002_gesleutelde_keten
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_adviesvraag_referenties"
down_revision: str | None = "0002_gesleutelde_keten"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The columns whose values must never reach pg_statistic.
KOLOMMEN: dict[str, tuple[str, ...]] = {"adviesvraag_referenties": ("referentie", "adviesvraag_id")}


def upgrade() -> None:
    op.create_table(
        "adviesvraag_referenties",
        sa.Column("partner", sa.String(80), nullable=False),
        sa.Column("referentie", sa.Uuid(), nullable=False),
        sa.Column("adviesvraag_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("partner", "referentie", name="pk_adviesvraag_referenties"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for tabel, kolommen in KOLOMMEN.items():
            for kolom in kolommen:
                op.execute(f'ALTER TABLE "{tabel}" ALTER COLUMN "{kolom}" SET STATISTICS 0')


def downgrade() -> None:
    op.drop_table("adviesvraag_referenties")
