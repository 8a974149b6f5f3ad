"""The stored publication: a cell key per event, published periods and their protected cells.

Revision ID: 0002_publicatie
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_publicatie"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Events stored before this revision get their random key here, once; new events get one at ingest.
    with op.batch_alter_table("gebeurtenissen") as batch:
        batch.add_column(sa.Column("celsleutel", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE gebeurtenissen SET celsleutel = floor(random() * 4294967296)::bigint")
    else:
        op.execute("UPDATE gebeurtenissen SET celsleutel = abs(random()) % 4294967296")
    with op.batch_alter_table("gebeurtenissen") as batch:
        batch.alter_column("celsleutel", existing_type=sa.BigInteger(), nullable=False)

    op.create_table(
        "publicaties",
        sa.Column("periode", sa.String(7), nullable=False),
        sa.Column("soort", sa.String(8), nullable=False),
        sa.Column("versie", sa.Integer(), nullable=False),
        sa.Column("gepubliceerd_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drempel", sa.Integer(), nullable=False),
        sa.Column("mediaan_dagen", sa.Integer(), nullable=True),
        sa.Column("p90_dagen", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("periode", name="pk_publicaties"),
    )
    op.create_table(
        "gepubliceerde_cellen",
        sa.Column("periode", sa.String(7), nullable=False),
        sa.Column("telling", sa.String(16), nullable=False),
        sa.Column("per_vorm", sa.Boolean(), nullable=False),
        sa.Column("groepering", sa.String(120), nullable=False),
        sa.Column("waarden", sa.String(400), nullable=False),
        sa.Column("aantal", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["periode"],
            ["publicaties.periode"],
            name="fk_gepubliceerde_cellen_periode_publicaties",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "periode", "telling", "per_vorm", "groepering", "waarden", name="pk_gepubliceerde_cellen"
        ),
    )
    op.create_index(
        "ix_gepubliceerde_cellen_groepering",
        "gepubliceerde_cellen",
        ["telling", "per_vorm", "groepering", "periode"],
    )


def downgrade() -> None:
    op.drop_index("ix_gepubliceerde_cellen_groepering", table_name="gepubliceerde_cellen")
    op.drop_table("gepubliceerde_cellen")
    op.drop_table("publicaties")
    with op.batch_alter_table("gebeurtenissen") as batch:
        batch.drop_column("celsleutel")
