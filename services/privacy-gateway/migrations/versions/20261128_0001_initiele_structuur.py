"""Initial structure: the verwerkingenlog (rows, head, checkpoints) and identity requests.

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

_TIJD = sa.DateTime(timezone=True)
_GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "verwerkingen",
        sa.Column("volgnummer", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("actie", sa.String(40), nullable=False),
        sa.Column("verwerkingsactiviteit", sa.String(120), nullable=False),
        sa.Column("doel", sa.String(80), nullable=False),
        sa.Column("grondslag", sa.String(500), nullable=False),
        sa.Column("afnemer", sa.String(80), nullable=True),
        sa.Column("betrokkene", sa.String(64), nullable=True),
        sa.Column("vertrouwelijkheid", sa.String(40), nullable=False),
        sa.Column("bewaartermijn", sa.String(20), nullable=False),
        sa.Column("tijdstip", _TIJD, nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("casus_id", sa.String(36), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("vorige_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("volgnummer", name="pk_verwerkingen"),
        sa.UniqueConstraint("hash", name="uq_verwerkingen_hash"),
    )
    op.create_index("ix_verwerkingen_afnemer", "verwerkingen", ["afnemer"])
    op.create_index("ix_verwerkingen_betrokkene", "verwerkingen", ["betrokkene"])
    op.create_index("ix_verwerkingen_casus_id", "verwerkingen", ["casus_id"])
    op.create_index("ix_verwerkingen_tijdstip", "verwerkingen", ["tijdstip"])
    kop = op.create_table(
        "verwerkingen_kop",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("volgnummer", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_verwerkingen_kop"),
    )
    op.bulk_insert(kop, [{"id": 1, "volgnummer": 0, "hash": _GENESIS}])
    op.create_table(
        "verwerkingen_checkpoints",
        sa.Column("volgnummer", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("tijdstip", _TIJD, nullable=False),
        sa.PrimaryKeyConstraint("volgnummer", name="pk_verwerkingen_checkpoints"),
    )
    op.create_table(
        "identiteitsverzoeken",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("casus_id", sa.Uuid(), nullable=False),
        sa.Column("betrokkene_id", sa.Uuid(), nullable=False),
        sa.Column("betrokkene_log", sa.String(64), nullable=True),
        sa.Column("partner", sa.String(80), nullable=False),
        sa.Column("aanvrager", sa.String(200), nullable=False),
        sa.Column("doel", sa.String(80), nullable=False),
        sa.Column("reden", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("aangevraagd_op", _TIJD, nullable=False),
        sa.Column("goedgekeurd_door", sa.String(200), nullable=True),
        sa.Column("goedgekeurd_op", _TIJD, nullable=True),
        sa.Column("geldig_tot", _TIJD, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_identiteitsverzoeken"),
    )
    op.create_index("ix_identiteitsverzoeken_casus_id", "identiteitsverzoeken", ["casus_id"])
    op.create_index("ix_identiteitsverzoeken_partner", "identiteitsverzoeken", ["partner"])


def downgrade() -> None:
    op.drop_table("identiteitsverzoeken")
    op.drop_table("verwerkingen_checkpoints")
    op.drop_table("verwerkingen_kop")
    op.drop_table("verwerkingen")
