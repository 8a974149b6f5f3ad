"""Sealed originals of triage notes, scrub marks per signal, and every link pseudonym of a betrokkene.

- `toelichting_originelen`: the sealed original of a history entry's `toelichting` (the history itself
  stays append-only), purged with the signal's other sealed data.
- `signaal_schoonmerken`: keyed hashes of the words and dates that identify a signal's betrokkenen, so
  later free text can be scrubbed of them; purged with the sealed identity.
- `betrokkene_pseudoniemen`: the BSN's and the name + birth date's link pseudonym of each betrokkene.
  Existing betrokkenen get the one pseudonym they have (the other cannot be derived afterwards).

Revision ID: 20261201_01
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_01"
down_revision: str | None = "0002_importbronnen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(kolom: str, naam: str) -> sa.ForeignKey:
    return sa.ForeignKey(kolom, name=naam, ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "betrokkene_pseudoniemen",
        sa.Column(
            "betrokkene_id",
            sa.Uuid(),
            _fk("betrokkenen.id", "fk_betrokkene_pseudoniemen_betrokkene_id_betrokkenen"),
            nullable=False,
        ),
        sa.Column("link_pseudoniem", sa.String(64), nullable=False),
        sa.Column("soort", sa.String(8), nullable=False),
        sa.Column(
            "signaal_id",
            sa.Uuid(),
            _fk("signalen.id", "fk_betrokkene_pseudoniemen_signaal_id_signalen"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("betrokkene_id", "link_pseudoniem", name="pk_betrokkene_pseudoniemen"),
    )
    op.create_index(
        "ix_betrokkene_pseudoniemen_pseudoniem", "betrokkene_pseudoniemen", ["link_pseudoniem", "signaal_id"]
    )
    op.create_index("ix_betrokkene_pseudoniemen_signaal", "betrokkene_pseudoniemen", ["signaal_id"])
    op.execute(
        # Which input an existing pseudonym came from is not recorded; counted as a BSN's, the stricter kind.
        "INSERT INTO betrokkene_pseudoniemen (betrokkene_id, link_pseudoniem, soort, signaal_id) "
        "SELECT id, link_pseudoniem, 'bsn', signaal_id FROM betrokkenen WHERE link_pseudoniem IS NOT NULL"
    )

    op.create_table(
        "toelichting_originelen",
        sa.Column(
            "historie_id",
            sa.Uuid(),
            _fk("signaal_historie.id", "fk_toelichting_originelen_historie_id_signaal_historie"),
            nullable=False,
        ),
        sa.Column(
            "signaal_id",
            sa.Uuid(),
            _fk("signalen.id", "fk_toelichting_originelen_signaal_id_signalen"),
            nullable=False,
        ),
        sa.Column("verzegeld", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("historie_id", name="pk_toelichting_originelen"),
    )
    op.create_index("ix_toelichting_originelen_signaal", "toelichting_originelen", ["signaal_id"])

    op.create_table(
        "signaal_schoonmerken",
        sa.Column(
            "signaal_id",
            sa.Uuid(),
            _fk("signalen.id", "fk_signaal_schoonmerken_signaal_id_signalen"),
            nullable=False,
        ),
        sa.Column("merk", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("signaal_id", "merk", name="pk_signaal_schoonmerken"),
    )


def downgrade() -> None:
    op.drop_table("signaal_schoonmerken")
    op.drop_index("ix_toelichting_originelen_signaal", table_name="toelichting_originelen")
    op.drop_table("toelichting_originelen")
    op.drop_index("ix_betrokkene_pseudoniemen_signaal", table_name="betrokkene_pseudoniemen")
    op.drop_index("ix_betrokkene_pseudoniemen_pseudoniem", table_name="betrokkene_pseudoniemen")
    op.drop_table("betrokkene_pseudoniemen")
