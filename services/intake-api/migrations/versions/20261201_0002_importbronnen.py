"""Historical import: the source id of an imported signal, unique per municipality.

Revision ID: 0002_importbronnen
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_importbronnen"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "importbronnen",
        sa.Column("gemeente_code", sa.String(6), nullable=False),
        sa.Column("bron_id", sa.String(100), nullable=False),
        sa.Column(
            "signaal_id",
            sa.Uuid(),
            sa.ForeignKey("signalen.id", ondelete="CASCADE", name="fk_importbronnen_signaal_id_signalen"),
            nullable=False,
        ),
        sa.Column("inhoud_hash", sa.String(64), nullable=False),
        sa.Column("geimporteerd_op", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gemeente_code", "bron_id", name="pk_importbronnen"),
    )
    op.create_index("ix_importbronnen_signaal", "importbronnen", ["signaal_id"])


def downgrade() -> None:
    op.drop_index("ix_importbronnen_signaal", table_name="importbronnen")
    op.drop_table("importbronnen")
