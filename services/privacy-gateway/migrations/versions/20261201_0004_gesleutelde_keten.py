"""Keyed verwerkingenlog: the chain key id of every row, and the signing key and signature of checkpoints.

Rows and checkpoints from before this revision keep NULL: they were hashed with plain SHA-256 and never
signed. The gateway re-chains such a log once at start-up, under the chain key and with a signed
checkpoint, but only while no signed checkpoint exists yet (see privacy_gateway.verwerkingen.service).

Revision ID: 0002_gesleutelde_keten
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_gesleutelde_keten"
down_revision: str | None = "0003_partner_statistiek"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("verwerkingen") as tabel:
        tabel.add_column(sa.Column("sleutel_id", sa.String(16), nullable=True))
    with op.batch_alter_table("verwerkingen_checkpoints") as tabel:
        tabel.add_column(sa.Column("sleutel_id", sa.String(8), nullable=True))
        tabel.add_column(sa.Column("handtekening", sa.String(88), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("verwerkingen_checkpoints") as tabel:
        tabel.drop_column("handtekening")
        tabel.drop_column("sleutel_id")
    with op.batch_alter_table("verwerkingen") as tabel:
        tabel.drop_column("sleutel_id")
