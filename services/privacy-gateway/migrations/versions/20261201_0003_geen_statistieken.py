"""No planner statistics on sealed, pseudonymous, reference or free-text columns (PostgreSQL).

ANALYZE copies sampled values of every column into `pg_statistic` (most common values, histogram
bounds), where they outlive a purge of the rows. With the statistics target at 0, ANALYZE skips the
column. Statistics gathered before this revision are removed where the migrating role may do so
(superuser); otherwise run the `DELETE` below as one. SQLite has no such statistics: a no-op there.

Indexes on these columns are on plain columns, whose statistics are the column's own; an index on an
expression would need `ALTER INDEX ... ALTER COLUMN n SET STATISTICS 0` as well.

Revision ID: 0003_partner_statistiek
Revises: 0002_partner
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_partner_statistiek"
down_revision: str | None = "0002_partner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Per table, the columns whose values must never reach pg_statistic.
KOLOMMEN: dict[str, tuple[str, ...]] = {
    "identiteitsverzoeken": (
        "id", "casus_id", "betrokkene_id", "betrokkene_log", "aanvrager", "goedgekeurd_door", "reden",
        "reden_verzegeld",
    ),
    "casus_referenties": ("referentie", "casus_id"),
    "verwerkingen": ("betrokkene", "casus_id", "request_id", "detail"),
}  # fmt: skip


def _zet(doel: int) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for tabel, kolommen in KOLOMMEN.items():
        for kolom in kolommen:
            op.execute(f'ALTER TABLE "{tabel}" ALTER COLUMN "{kolom}" SET STATISTICS {doel}')


def upgrade() -> None:
    _zet(0)
    if op.get_bind().dialect.name != "postgresql":
        return
    # Built from the constants above only, never from input.
    voorwaarden = " OR ".join(
        f"(starelid = '\"{tabel}\"'::regclass AND staattnum IN (SELECT attnum FROM pg_attribute "  # noqa: S608
        f"WHERE attrelid = '\"{tabel}\"'::regclass AND attname IN ({', '.join(repr(k) for k in kolommen)})))"
        for tabel, kolommen in KOLOMMEN.items()
    )
    op.execute(
        "DO $$ BEGIN IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN "  # noqa: S608
        f"DELETE FROM pg_statistic WHERE {voorwaarden}; END IF; END $$"
    )


def downgrade() -> None:
    _zet(-1)
