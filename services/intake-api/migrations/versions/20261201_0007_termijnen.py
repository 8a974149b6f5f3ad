"""Deadlines of signals and tracks (no free text, no sealed data: nothing to keep out of the statistics).

Signals already in a status with a deadline get it at their next change, not here: the due dates depend on the
deadline policy the service loads.

Revision ID: 20261201_05
Revises: 20261201_04
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_05"
down_revision: str | None = "20261201_04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIJD = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "termijnen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "signaal_id",
            sa.Uuid(),
            sa.ForeignKey("signalen.id", name="fk_termijnen_signaal_id_signalen", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "traject_id",
            sa.Uuid(),
            sa.ForeignKey("trajecten.id", name="fk_termijnen_traject_id_trajecten", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("soort", sa.String(32), nullable=False),
        sa.Column("gestart_op", _TIJD, nullable=False),
        sa.Column("vervalt_op", sa.Date(), nullable=False),
        sa.Column("verlopen_vanaf", _TIJD, nullable=False),
        sa.Column("gesloten_op", _TIJD, nullable=True),
        sa.Column("verstreken", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_termijnen"),
    )
    op.create_index("ix_termijnen_signaal", "termijnen", ["signaal_id", "gesloten_op"])
    op.create_index("ix_termijnen_verstreken", "termijnen", ["verstreken", "verlopen_vanaf"])


def downgrade() -> None:
    op.drop_index("ix_termijnen_verstreken", table_name="termijnen")
    op.drop_index("ix_termijnen_signaal", table_name="termijnen")
    op.drop_table("termijnen")
