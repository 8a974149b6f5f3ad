"""Partner references of cases, and identity-request reasons sealed instead of stored as typed.

`casus_referenties` maps each partner's own reference of a case back to intake's case. The reason of
an identity request is now sealed (`reden_verzegeld`); `reden` holds only a scrubbed text, or nothing.
Reasons stored in the clear before this revision cannot be sealed here (a migration has no keys), so
they are removed.

Revision ID: 0002_partner
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_partner"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "casus_referenties",
        sa.Column("partner", sa.String(80), nullable=False),
        sa.Column("referentie", sa.Uuid(), nullable=False),
        sa.Column("casus_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("partner", "referentie", name="pk_casus_referenties"),
    )
    with op.batch_alter_table("identiteitsverzoeken") as tabel:
        tabel.add_column(sa.Column("reden_verzegeld", sa.LargeBinary(), nullable=True))
        tabel.alter_column("reden", existing_type=sa.Text(), nullable=True)
    op.execute("UPDATE identiteitsverzoeken SET reden = NULL")


def downgrade() -> None:
    op.execute("UPDATE identiteitsverzoeken SET reden = '[verwijderd]' WHERE reden IS NULL")
    with op.batch_alter_table("identiteitsverzoeken") as tabel:
        tabel.alter_column("reden", existing_type=sa.Text(), nullable=False)
        tabel.drop_column("reden_verzegeld")
    op.drop_table("casus_referenties")
