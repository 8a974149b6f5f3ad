"""The queue: assignment of a signal to an attention officer, and a lookup table of indicators for filtering.

`signalen.toegewezen_aan` holds the `sub` of the attention officer a signal is assigned to (null: nobody),
indexed in queue order per municipality. `signaal_indicatoren` holds one row per indicator of a signal, as
`signaal_uitbuitingsvormen` does for the forms of exploitation, so the queue filters on an indicator with an
index on SQLite and PostgreSQL alike; existing signals get their rows from `signalen.indicatoren`.

Revision ID: 20261201_04
Revises: 20261201_03
Create Date: 2026-12-01
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_04"
down_revision: str | None = "20261201_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signalen") as tabel:
        tabel.add_column(sa.Column("toegewezen_aan", sa.String(255), nullable=True))
    op.create_index(
        "ix_signalen_gemeente_toegewezen_ontvangen",
        "signalen",
        ["gemeente_code", "toegewezen_aan", "ontvangen_op", "id"],
    )
    op.create_table(
        "signaal_indicatoren",
        sa.Column(
            "signaal_id",
            sa.Uuid(),
            sa.ForeignKey(
                "signalen.id", name="fk_signaal_indicatoren_signaal_id_signalen", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("signaal_id", "indicator", name="pk_signaal_indicatoren"),
    )
    op.create_index("ix_signaal_indicatoren_indicator", "signaal_indicatoren", ["indicator", "signaal_id"])
    _bestaande_indicatoren()


def _bestaande_indicatoren() -> None:
    """One row per indicator of every signal recorded before the table existed (each indicator once)."""
    verbinding = op.get_bind()
    signalen = sa.table("signalen", sa.column("id", sa.Uuid()), sa.column("indicatoren", sa.JSON()))
    indicatoren = sa.table(
        "signaal_indicatoren", sa.column("signaal_id", sa.Uuid()), sa.column("indicator", sa.String())
    )
    rijen = [
        {"signaal_id": uuid.UUID(str(signaal_id)), "indicator": code}
        for signaal_id, codes in verbinding.execute(sa.select(signalen.c.id, signalen.c.indicatoren)).all()
        for code in dict.fromkeys(codes or [])
    ]
    for begin in range(0, len(rijen), 1000):
        verbinding.execute(indicatoren.insert(), rijen[begin : begin + 1000])


def downgrade() -> None:
    op.drop_index("ix_signaal_indicatoren_indicator", table_name="signaal_indicatoren")
    op.drop_table("signaal_indicatoren")
    op.drop_index("ix_signalen_gemeente_toegewezen_ontvangen", table_name="signalen")
    with op.batch_alter_table("signalen") as tabel:
        tabel.drop_column("toegewezen_aan")
