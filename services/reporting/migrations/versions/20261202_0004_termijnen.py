"""Passed deadlines: the kind of deadline of a `termijn_verstreken` event (its published tables live in
`gepubliceerde_cellen` under their own `telling`, `verstreken_termijnen`).

Revision ID: 0004_termijnen
Revises: 0003_terugkoppelingen
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_termijnen"
down_revision: str | None = "0003_terugkoppelingen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("gebeurtenissen") as batch:
        batch.add_column(sa.Column("termijn", sa.String(32), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM gebeurtenissen WHERE type = 'termijn_verstreken'")
    op.execute("DELETE FROM gepubliceerde_cellen WHERE telling = 'verstreken_termijnen'")
    with op.batch_alter_table("gebeurtenissen") as batch:
        batch.drop_column("termijn")
