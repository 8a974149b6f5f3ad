"""Partners' outcomes: the outcome code and first-outcome flag of an event, and published lead times per municipality.

Revision ID: 0003_terugkoppelingen
Revises: 0002_publicatie
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_terugkoppelingen"
down_revision: str | None = "0002_publicatie"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("gebeurtenissen") as batch:
        batch.add_column(sa.Column("terugkoppeling", sa.String(40), nullable=True))
        batch.add_column(sa.Column("eerste_terugkoppeling", sa.Boolean(), nullable=True))
    # `eerste_terugkoppelingen` is longer than the 16 characters the first two counts needed.
    with op.batch_alter_table("gepubliceerde_cellen") as batch:
        batch.alter_column(
            "telling", existing_type=sa.String(16), type_=sa.String(32), existing_nullable=False
        )
    op.create_table(
        "gepubliceerde_doorlooptijden",
        sa.Column("periode", sa.String(7), nullable=False),
        sa.Column("maat", sa.String(32), nullable=False),
        sa.Column("gemeente", sa.String(6), nullable=False),
        sa.Column("mediaan_dagen", sa.Integer(), nullable=True),
        sa.Column("p90_dagen", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["periode"],
            ["publicaties.periode"],
            name="fk_gepubliceerde_doorlooptijden_periode_publicaties",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("periode", "maat", "gemeente", name="pk_gepubliceerde_doorlooptijden"),
    )


def downgrade() -> None:
    op.drop_table("gepubliceerde_doorlooptijden")
    with op.batch_alter_table("gepubliceerde_cellen") as batch:
        batch.alter_column(
            "telling", existing_type=sa.String(32), type_=sa.String(16), existing_nullable=False
        )
    with op.batch_alter_table("gebeurtenissen") as batch:
        batch.drop_column("eerste_terugkoppeling")
        batch.drop_column("terugkoppeling")
