"""Initial structure: anonymous events and their forms of exploitation.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gebeurtenissen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("maand", sa.String(7), nullable=False),
        sa.Column("kwartaal", sa.String(7), nullable=False),
        sa.Column("jaar", sa.String(4), nullable=False),
        sa.Column("gemeente_code", sa.String(6), nullable=False),
        sa.Column("sector", sa.String(64), nullable=False),
        sa.Column("locatietype", sa.String(64), nullable=False),
        sa.Column("melder_domein", sa.String(64), nullable=False),
        sa.Column("leeftijdsklasse", sa.String(64), nullable=False),
        sa.Column("geslacht", sa.String(64), nullable=False),
        sa.Column("nationaliteitsgroep", sa.String(64), nullable=False),
        sa.Column("uitkomst", sa.String(40), nullable=True),
        sa.Column("doorlooptijd_dagen", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_gebeurtenissen"),
    )
    op.create_index("ix_gebeurtenissen_type_maand", "gebeurtenissen", ["type", "maand"])
    op.create_table(
        "gebeurtenis_uitbuitingsvormen",
        sa.Column("gebeurtenis_id", sa.Uuid(), nullable=False),
        sa.Column("uitbuitingsvorm", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["gebeurtenis_id"],
            ["gebeurtenissen.id"],
            name="fk_gebeurtenis_uitbuitingsvormen_gebeurtenis_id_gebeurtenissen",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gebeurtenis_id", "uitbuitingsvorm", name="pk_gebeurtenis_uitbuitingsvormen"),
    )


def downgrade() -> None:
    op.drop_table("gebeurtenis_uitbuitingsvormen")
    op.drop_index("ix_gebeurtenissen_type_maand", table_name="gebeurtenissen")
    op.drop_table("gebeurtenissen")
