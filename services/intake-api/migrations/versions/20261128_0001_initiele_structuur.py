"""Initial structure: signals, betrokkenen, history, access log, idempotency keys, outbox.

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

_VOLGNUMMER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIJD = sa.DateTime(timezone=True)
_STATUSSEN = (
    "ontvangen",
    "in_behandeling",
    "afgesloten_geen_mensenhandel",
    "doorverwezen_ander_domein",
    "opgeschaald",
)
#: Tables whose rows are never changed once written.
_ALLEEN_TOEVOEGEN = ("signaal_historie", "toegangslog")


def _signaal_fk() -> sa.ForeignKey:
    return sa.ForeignKey("signalen.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "signalen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("gemeente_code", sa.String(6), nullable=False),
        sa.Column("melder_domein", sa.String(64), nullable=False),
        sa.Column("waargenomen_op", sa.Date(), nullable=False),
        sa.Column("ontvangen_op", _TIJD, nullable=False),
        sa.Column("uitbuitingsvormen", sa.JSON(), nullable=False),
        sa.Column("indicatoren", sa.JSON(), nullable=False),
        sa.Column("sector", sa.String(64), nullable=False),
        sa.Column("locatietype", sa.String(64), nullable=False),
        sa.Column("omschrijving", sa.Text(), nullable=False),
        sa.Column("omschrijving_verzegeld", sa.LargeBinary(), nullable=True),
        sa.Column("toestemming", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("versie", sa.Integer(), nullable=False),
        sa.Column("status_gewijzigd_op", _TIJD, nullable=False),
        sa.Column("aangemaakt_door", sa.String(200), nullable=False),
        sa.Column("doorverwezen_naar", sa.String(64), nullable=True),
        sa.Column("opgeschaald_op", _TIJD, nullable=True),
        sa.Column("partners", sa.JSON(), nullable=True),
        sa.Column("doel", sa.String(64), nullable=True),
        sa.Column("vertrouwelijkheidaanduiding", sa.String(32), nullable=True),
        sa.Column("gewist_op", _TIJD, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_signalen"),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in _STATUSSEN) + ")", name="ck_signalen_status"
        ),
    )
    op.create_index("ix_signalen_gemeente_ontvangen", "signalen", ["gemeente_code", "ontvangen_op", "id"])
    op.create_index(
        "ix_signalen_gemeente_status_ontvangen", "signalen", ["gemeente_code", "status", "ontvangen_op", "id"]
    )
    op.create_index("ix_signalen_opgeschaald", "signalen", ["opgeschaald_op", "id"])
    op.create_index("ix_signalen_status_gewijzigd", "signalen", ["status", "status_gewijzigd_op"])

    op.create_table(
        "betrokkenen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("signaal_id", sa.Uuid(), _signaal_fk(), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("rol", sa.String(32), nullable=False),
        sa.Column("link_pseudoniem", sa.String(64), nullable=True),
        sa.Column("leeftijdsklasse", sa.String(16), nullable=False),
        sa.Column("geslacht", sa.String(16), nullable=False),
        sa.Column("nationaliteitsgroep", sa.String(16), nullable=False),
        sa.Column("identiteit_verzegeld", sa.LargeBinary(), nullable=True),
        sa.Column("sleutel_id", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_betrokkenen"),
    )
    op.create_index("ix_betrokkenen_signaal", "betrokkenen", ["signaal_id", "volgnummer"])
    op.create_index("ix_betrokkenen_link_pseudoniem", "betrokkenen", ["link_pseudoniem", "signaal_id"])

    op.create_table(
        "signaal_uitbuitingsvormen",
        sa.Column("signaal_id", sa.Uuid(), _signaal_fk(), nullable=False),
        sa.Column("vorm", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("signaal_id", "vorm", name="pk_signaal_uitbuitingsvormen"),
    )
    op.create_index("ix_signaal_uitbuitingsvormen_vorm", "signaal_uitbuitingsvormen", ["vorm", "signaal_id"])

    op.create_table(
        "casus_partners",
        sa.Column("signaal_id", sa.Uuid(), _signaal_fk(), nullable=False),
        sa.Column("partner", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("signaal_id", "partner", name="pk_casus_partners"),
    )
    op.create_index("ix_casus_partners_partner", "casus_partners", ["partner", "signaal_id"])

    op.create_table(
        "signaal_historie",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("signaal_id", sa.Uuid(), _signaal_fk(), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("tijdstip", _TIJD, nullable=False),
        sa.Column("actie", sa.String(40), nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("van_status", sa.String(40), nullable=True),
        sa.Column("naar_status", sa.String(40), nullable=True),
        sa.Column("toelichting", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_signaal_historie"),
        sa.UniqueConstraint("signaal_id", "volgnummer", name="uq_signaal_historie_volgorde"),
    )

    op.create_table(
        "toegangslog",
        sa.Column("volgnummer", _VOLGNUMMER, autoincrement=True, nullable=False),
        sa.Column("tijdstip", _TIJD, nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("gemeente_code", sa.String(6), nullable=True),
        sa.Column("signaal_id", sa.Uuid(), nullable=False),
        sa.Column("actie", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("volgnummer", name="pk_toegangslog"),
    )
    op.create_index("ix_toegangslog_signaal", "toegangslog", ["signaal_id", "tijdstip"])

    op.create_table(
        "idempotentiesleutels",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client", sa.String(200), nullable=False),
        sa.Column("sleutel", sa.String(255), nullable=False),
        sa.Column("verzoek_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("antwoord_status", sa.Integer(), nullable=True),
        sa.Column("antwoord", sa.JSON(), nullable=True),
        sa.Column("locatie", sa.String(300), nullable=True),
        sa.Column("aangemaakt_op", _TIJD, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_idempotentiesleutels"),
        sa.UniqueConstraint("client", "sleutel", name="uq_idempotentiesleutels_client_sleutel"),
    )
    op.create_index("ix_idempotentiesleutels_aangemaakt_op", "idempotentiesleutels", ["aangemaakt_op"])

    op.create_table(
        "outbox",
        sa.Column("volgnummer", _VOLGNUMMER, autoincrement=True, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("gebeurtenis", sa.JSON(), nullable=False),
        sa.Column("aangemaakt_op", _TIJD, nullable=False),
        sa.Column("geclaimd_tot", _TIJD, nullable=True),
        sa.Column("afgeleverd_op", _TIJD, nullable=True),
        sa.Column("pogingen", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("volgnummer", name="pk_outbox"),
        sa.UniqueConstraint("id", name="uq_outbox_id"),
    )
    op.create_index("ix_outbox_afgeleverd_op", "outbox", ["afgeleverd_op", "volgnummer"])

    _append_only_triggers()


def _append_only_triggers() -> None:
    # Rows of the history and the access log are never changed, whatever the application does.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION meldroute_alleen_toevoegen() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'tabel % is alleen-toevoegen', TG_TABLE_NAME; END $$"
        )
        for tabel in _ALLEEN_TOEVOEGEN:
            op.execute(
                f"CREATE TRIGGER {tabel}_alleen_toevoegen BEFORE UPDATE ON {tabel} "
                "FOR EACH ROW EXECUTE FUNCTION meldroute_alleen_toevoegen()"
            )
    else:
        for tabel in _ALLEEN_TOEVOEGEN:
            op.execute(
                f"CREATE TRIGGER {tabel}_alleen_toevoegen BEFORE UPDATE ON {tabel} "
                f"BEGIN SELECT RAISE(ABORT, 'tabel {tabel} is alleen-toevoegen'); END"
            )


def downgrade() -> None:
    for tabel in _ALLEEN_TOEVOEGEN:
        op.execute(
            f"DROP TRIGGER IF EXISTS {tabel}_alleen_toevoegen"
            + (f" ON {tabel}" if op.get_bind().dialect.name == "postgresql" else "")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS meldroute_alleen_toevoegen()")
    for tabel in (
        "outbox",
        "idempotentiesleutels",
        "toegangslog",
        "signaal_historie",
        "casus_partners",
        "signaal_uitbuitingsvormen",
        "betrokkenen",
        "signalen",
    ):
        op.drop_table(tabel)
