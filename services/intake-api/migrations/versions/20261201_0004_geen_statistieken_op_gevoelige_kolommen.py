"""No PostgreSQL statistics on sealed, pseudonym and free-text columns.

ANALYZE samples column values into `pg_statistic` (most common values, histogram bounds), where they
outlive the retention purge of the rows they came from: sealed blobs, pseudonyms and texts copied
there were readable to anyone with `pg_stats`. `SET STATISTICS 0` makes ANALYZE skip a column; for
expression indexes on these tables the same is set per index column. Statistics gathered before stay
in `pg_statistic` until deleted: when the migrating role may, this migration deletes them (a superuser);
otherwise it says so, and docs/deploy.md tells the operator what to run. A no-op on SQLite, which keeps
no column values in its statistics.

Every column marked `gevoelig(...)` in the models must be listed here or in a later migration; a test
compares the two.

Revision ID: 20261201_02
Revises: 20261201_01
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261201_02"
down_revision: str | None = "20261201_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Table -> its sealed, pseudonym and free-text columns.
GEVOELIGE_KOLOMMEN: dict[str, tuple[str, ...]] = {
    "signalen": ("omschrijving", "omschrijving_verzegeld"),
    "betrokkenen": ("link_pseudoniem", "identiteit_verzegeld"),
    "betrokkene_pseudoniemen": ("link_pseudoniem",),
    "signaal_historie": ("toelichting",),
    "toelichting_originelen": ("verzegeld",),
    "signaal_schoonmerken": ("merk",),
    "idempotentiesleutels": ("verzoek_hash", "antwoord"),
    "importbronnen": ("inhoud_hash",),
}


def _statistieken(doel: int) -> None:
    for tabel, kolommen in GEVOELIGE_KOLOMMEN.items():
        for kolom in kolommen:
            # -1 is the default target (default_statistics_target).
            op.execute(f'ALTER TABLE "{tabel}" ALTER COLUMN "{kolom}" SET STATISTICS {doel}')
    tabellen = ", ".join(f"'{t}'" for t in GEVOELIGE_KOLOMMEN)
    # Expression indexes have statistics of their own, per expression column of the index.
    op.execute(
        f"""
        DO $$
        DECLARE r record;
        BEGIN
          FOR r IN
            SELECT i.indexrelid::regclass AS indexnaam, a.attnum
            FROM pg_index i
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
            JOIN pg_attribute a ON a.attrelid = i.indexrelid AND a.attnum > 0
            WHERE t.relname IN ({tabellen}) AND i.indkey[a.attnum - 1] = 0
          LOOP
            EXECUTE format('ALTER INDEX %s ALTER COLUMN %s SET STATISTICS {doel}', r.indexnaam, r.attnum);
          END LOOP;
        END $$
        """  # noqa: S608 - built from this module's constants only
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _statistieken(0)
    voorwaarden = " OR ".join(
        f"(s.starelid = '\"{tabel}\"'::regclass AND a.attname IN ({', '.join(repr(k) for k in kolommen)}))"
        for tabel, kolommen in GEVOELIGE_KOLOMMEN.items()
    )
    op.execute(
        f"""
        DO $$
        BEGIN
          DELETE FROM pg_statistic s USING pg_attribute a
          WHERE a.attrelid = s.starelid AND a.attnum = s.staattnum AND ({voorwaarden});
        EXCEPTION WHEN insufficient_privilege THEN
          RAISE NOTICE 'eerder verzamelde statistieken van gevoelige kolommen blijven staan tot een superuser ze wist';
        END $$
        """  # noqa: S608 - built from this module's constants only
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _statistieken(-1)
