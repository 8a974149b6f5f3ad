"""Identity requests that end unapproved: rejected with a reason, withdrawn, or expired.

`verloopt_op` is the moment a request stops waiting (the lifetime `GATEWAY_IDENTITEIT_VERZOEK_LOOPTIJD_UREN`
from the request); requests from before this revision get the default lifetime of fourteen days. A rejection
keeps who rejected and when, its reason scrubbed (`afwijzing_reden`) and sealed as typed
(`afwijzing_reden_verzegeld`); a withdrawal and an expiry keep their moment. Like every sealed, free-text and
person column, the rejecter and both reasons get no planner statistics on PostgreSQL (see 0003).

Revision ID: 0006_identiteit_afhandeling
Revises: 0002_gesleutelde_keten
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0006_identiteit_afhandeling"
down_revision: str | None = "0005_adviesvraag_referenties"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The columns whose values must never reach pg_statistic.
KOLOMMEN: dict[str, tuple[str, ...]] = {
    "identiteitsverzoeken": ("afgewezen_door", "afwijzing_reden", "afwijzing_reden_verzegeld"),
}

#: The default lifetime of a request, given to those recorded before there was one.
LOOPTIJD = timedelta(days=14)


def upgrade() -> None:
    with op.batch_alter_table("identiteitsverzoeken") as tabel:
        tabel.add_column(sa.Column("verloopt_op", sa.DateTime(timezone=True), nullable=True))
        tabel.add_column(sa.Column("afgewezen_door", sa.String(200), nullable=True))
        tabel.add_column(sa.Column("afgewezen_op", sa.DateTime(timezone=True), nullable=True))
        tabel.add_column(sa.Column("afwijzing_reden", sa.Text(), nullable=True))
        tabel.add_column(sa.Column("afwijzing_reden_verzegeld", sa.LargeBinary(), nullable=True))
        tabel.add_column(sa.Column("ingetrokken_op", sa.DateTime(timezone=True), nullable=True))
        tabel.add_column(sa.Column("verlopen_op", sa.DateTime(timezone=True), nullable=True))
    verzoeken = sa.table(
        "identiteitsverzoeken",
        sa.column("id", sa.Uuid()),
        sa.column("aangevraagd_op", sa.DateTime(timezone=True)),
        sa.column("verloopt_op", sa.DateTime(timezone=True)),
    )
    verbinding = op.get_bind()
    for verzoek_id, aangevraagd_op in verbinding.execute(
        sa.select(verzoeken.c.id, verzoeken.c.aangevraagd_op)
    ):
        verbinding.execute(
            sa.update(verzoeken)
            .where(verzoeken.c.id == verzoek_id)
            .values(verloopt_op=aangevraagd_op + LOOPTIJD)
        )
    with op.batch_alter_table("identiteitsverzoeken") as tabel:
        tabel.alter_column("verloopt_op", existing_type=sa.DateTime(timezone=True), nullable=False)
    if verbinding.dialect.name == "postgresql":
        for naam, kolommen in KOLOMMEN.items():
            for kolom in kolommen:
                op.execute(f'ALTER TABLE "{naam}" ALTER COLUMN "{kolom}" SET STATISTICS 0')


def downgrade() -> None:
    # Before this revision a request that ended unapproved cannot be told from one that waits, and would be
    # approvable again: such requests are removed (the verwerkingenlog keeps how they ended).
    op.execute("DELETE FROM identiteitsverzoeken WHERE status IN ('afgewezen', 'ingetrokken', 'verlopen')")
    with op.batch_alter_table("identiteitsverzoeken") as tabel:
        for kolom in (
            "verlopen_op", "ingetrokken_op", "afwijzing_reden_verzegeld", "afwijzing_reden", "afgewezen_op",
            "afgewezen_door", "verloopt_op",
        ):  # fmt: skip
            tabel.drop_column(kolom)
