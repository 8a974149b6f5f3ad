"""Cases with tracks: tracks and their partners, advice questions and answers, consent per victim,
outcomes from partners and requests for a follow-on purpose; the status `advies_gevraagd`.

Existing escalated signals get one track each (their purpose and partners, opened at the escalation).
The free-text and sealed columns of the new tables get no PostgreSQL statistics, as in 20261201_02.

Revision ID: 20261201_03
Revises: 20261201_02
Create Date: 2026-12-01
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_03"
down_revision: str | None = "20261201_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIJD = sa.DateTime(timezone=True)
_OUDE_STATUSSEN = (
    "ontvangen", "in_behandeling", "afgesloten_geen_mensenhandel", "doorverwezen_ander_domein", "opgeschaald",
)  # fmt: skip
_STATUSSEN = ("ontvangen", "in_behandeling", "advies_gevraagd", *_OUDE_STATUSSEN[2:])

#: Table -> its sealed and free-text columns (the test compares these with the model marks).
GEVOELIGE_KOLOMMEN: dict[str, tuple[str, ...]] = {
    "adviesvragen": ("vraag", "vraag_verzegeld"),
    "adviesantwoorden": ("antwoord", "antwoord_verzegeld"),
    "terugkoppelingen": ("toelichting", "toelichting_verzegeld"),
    "doelverzoeken": ("reden", "reden_verzegeld"),
}


def _in(kolom: str, waarden: Sequence[str]) -> str:
    return f"{kolom} IN (" + ", ".join(f"'{w}'" for w in waarden) + ")"


def _fk(tabel: str, kolom: str, doel: str, ondelete: str = "CASCADE") -> sa.ForeignKey:
    return sa.ForeignKey(f"{doel}.id", name=f"fk_{tabel}_{kolom}_{doel}", ondelete=ondelete)


def _signaal(tabel: str) -> sa.Column[uuid.UUID]:
    return sa.Column("signaal_id", sa.Uuid(), _fk(tabel, "signaal_id", "signalen"), nullable=False)


def _status_check(statussen: Sequence[str]) -> None:
    """Replace the status check. The initial migration's name went through the naming convention once more
    (`ck_signalen_ck_signalen_status`): whatever the check on `status` is called, it is dropped. On SQLite this
    rebuilds the table; foreign keys are not enforced during migrations, so rows referring to signals stay."""
    oud = [
        ck["name"]
        for ck in sa.inspect(op.get_bind()).get_check_constraints("signalen")
        if ck["name"] and "status" in ck["sqltext"]
    ]
    with op.batch_alter_table("signalen") as tabel:
        for naam in oud:
            tabel.drop_constraint(op.f(naam), type_="check")
        tabel.create_check_constraint(op.f("ck_signalen_status"), _in("status", statussen))


def upgrade() -> None:
    _status_check(_STATUSSEN)
    op.create_table(
        "trajecten",
        sa.Column("id", sa.Uuid(), nullable=False),
        _signaal("trajecten"),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("doel", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("geopend_op", _TIJD, nullable=False),
        sa.Column("geopend_door", sa.String(200), nullable=False),
        sa.Column("afgerond_op", _TIJD, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_trajecten"),
        sa.CheckConstraint(_in("status", ("open", "lopend", "afgerond")), name="ck_trajecten_status"),
        sa.UniqueConstraint("signaal_id", "volgnummer", name="uq_trajecten_volgorde"),
    )
    op.create_table(
        "traject_partners",
        sa.Column(
            "traject_id", sa.Uuid(), _fk("traject_partners", "traject_id", "trajecten"), nullable=False
        ),
        sa.Column("partner", sa.String(64), nullable=False),
        _signaal("traject_partners"),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("toegevoegd_op", _TIJD, nullable=False),
        sa.PrimaryKeyConstraint("traject_id", "partner", name="pk_traject_partners"),
    )
    op.create_index("ix_traject_partners_partner", "traject_partners", ["partner", "signaal_id"])
    op.create_index("ix_traject_partners_signaal", "traject_partners", ["signaal_id"])

    op.create_table(
        "adviesvragen",
        sa.Column("id", sa.Uuid(), nullable=False),
        _signaal("adviesvragen"),
        sa.Column("gesteld_op", _TIJD, nullable=False),
        sa.Column("gesteld_door", sa.String(200), nullable=False),
        sa.Column("vraag", sa.Text(), nullable=False),
        sa.Column("vraag_verzegeld", sa.LargeBinary(), nullable=True),
        sa.Column("experts", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_adviesvragen"),
        sa.CheckConstraint(_in("status", ("open", "beantwoord")), name="ck_adviesvragen_status"),
    )
    op.create_index("ix_adviesvragen_signaal", "adviesvragen", ["signaal_id", "gesteld_op"])
    op.create_index("ix_adviesvragen_gesteld", "adviesvragen", ["gesteld_op", "id"])
    op.create_table(
        "adviesvraag_experts",
        sa.Column(
            "adviesvraag_id", sa.Uuid(), _fk("adviesvraag_experts", "adviesvraag_id", "adviesvragen"),
            nullable=False,
        ),
        sa.Column("partner", sa.String(64), nullable=False),
        _signaal("adviesvraag_experts"),
        sa.PrimaryKeyConstraint("adviesvraag_id", "partner", name="pk_adviesvraag_experts"),
    )  # fmt: skip
    op.create_index("ix_adviesvraag_experts_partner", "adviesvraag_experts", ["partner", "adviesvraag_id"])
    op.create_table(
        "adviesantwoorden",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "adviesvraag_id", sa.Uuid(), _fk("adviesantwoorden", "adviesvraag_id", "adviesvragen"),
            nullable=False,
        ),
        _signaal("adviesantwoorden"),
        sa.Column("partner", sa.String(64), nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("gegeven_op", _TIJD, nullable=False),
        sa.Column("antwoord", sa.Text(), nullable=False),
        sa.Column("antwoord_verzegeld", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_adviesantwoorden"),
    )  # fmt: skip
    op.create_index("ix_adviesantwoorden_vraag", "adviesantwoorden", ["adviesvraag_id", "gegeven_op"])

    op.create_table(
        "toestemmingen",
        sa.Column("id", sa.Uuid(), nullable=False),
        _signaal("toestemmingen"),
        sa.Column(
            "betrokkene_id", sa.Uuid(), _fk("toestemmingen", "betrokkene_id", "betrokkenen"), nullable=False
        ),
        sa.Column("gegeven", sa.Boolean(), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("vastlegging", sa.String(32), nullable=False),
        sa.Column("onder16", sa.Boolean(), nullable=False),
        sa.Column("door_voogd", sa.Boolean(), nullable=False),
        sa.Column("vastgelegd_door", sa.String(200), nullable=False),
        sa.Column("vastgelegd_op", _TIJD, nullable=False),
        sa.Column("ingetrokken_op", sa.Date(), nullable=True),
        sa.Column("ingetrokken_door", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_toestemmingen"),
    )
    op.create_index("ix_toestemmingen_betrokkene", "toestemmingen", ["betrokkene_id", "vastgelegd_op"])

    op.create_table(
        "terugkoppelingen",
        sa.Column("id", sa.Uuid(), nullable=False),
        _signaal("terugkoppelingen"),
        sa.Column(
            "traject_id", sa.Uuid(), _fk("terugkoppelingen", "traject_id", "trajecten"), nullable=False
        ),
        sa.Column("partner", sa.String(64), nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("doel", sa.String(64), nullable=False),
        sa.Column("terugkoppeling", sa.String(64), nullable=False),
        sa.Column("reden", sa.String(64), nullable=True),
        sa.Column("opvangvorm", sa.String(64), nullable=True),
        sa.Column("maatregel", sa.String(64), nullable=True),
        sa.Column("toelichting", sa.Text(), nullable=True),
        sa.Column("toelichting_verzegeld", sa.LargeBinary(), nullable=True),
        sa.Column("vastgelegd_op", _TIJD, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_terugkoppelingen"),
    )
    op.create_index("ix_terugkoppelingen_signaal", "terugkoppelingen", ["signaal_id", "terugkoppeling"])
    op.create_index("ix_terugkoppelingen_traject", "terugkoppelingen", ["traject_id", "vastgelegd_op"])

    op.create_table(
        "doelverzoeken",
        sa.Column("id", sa.Uuid(), nullable=False),
        _signaal("doelverzoeken"),
        sa.Column("partner", sa.String(64), nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("doel", sa.String(64), nullable=False),
        sa.Column("reden", sa.Text(), nullable=False),
        sa.Column("reden_verzegeld", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("ingediend_op", _TIJD, nullable=False),
        sa.Column("besloten_op", _TIJD, nullable=True),
        sa.Column("besloten_door", sa.String(200), nullable=True),
        sa.Column(
            "traject_id",
            sa.Uuid(),
            _fk("doelverzoeken", "traject_id", "trajecten", "SET NULL"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_doelverzoeken"),
        sa.CheckConstraint(
            _in("status", ("gevraagd", "toegekend", "afgewezen")), name="ck_doelverzoeken_status"
        ),
    )
    op.create_index("ix_doelverzoeken_signaal", "doelverzoeken", ["signaal_id", "ingediend_op"])

    _bestaande_casussen()
    if op.get_bind().dialect.name == "postgresql":
        for tabel, kolommen in GEVOELIGE_KOLOMMEN.items():
            for kolom in kolommen:
                op.execute(f'ALTER TABLE "{tabel}" ALTER COLUMN "{kolom}" SET STATISTICS 0')


def _bestaande_casussen() -> None:
    """One track per signal escalated before tracks existed: its purpose and partners, from its escalation."""
    verbinding = op.get_bind()
    signalen = sa.table(
        "signalen", sa.column("id", sa.Uuid()), sa.column("status", sa.String()), sa.column("doel", sa.String()),
        sa.column("opgeschaald_op", _TIJD), sa.column("partners", sa.JSON()),
    )  # fmt: skip
    historie = sa.table(
        "signaal_historie", sa.column("signaal_id", sa.Uuid()), sa.column("naar_status", sa.String()),
        sa.column("door", sa.String()),
    )  # fmt: skip
    trajecten = sa.table(
        "trajecten", sa.column("id", sa.Uuid()), sa.column("signaal_id", sa.Uuid()),
        sa.column("volgnummer", sa.Integer()), sa.column("doel", sa.String()), sa.column("status", sa.String()),
        sa.column("geopend_op", _TIJD), sa.column("geopend_door", sa.String()),
    )  # fmt: skip
    partners = sa.table(
        "traject_partners", sa.column("traject_id", sa.Uuid()), sa.column("partner", sa.String()),
        sa.column("signaal_id", sa.Uuid()), sa.column("volgnummer", sa.Integer()), sa.column("toegevoegd_op", _TIJD),
    )  # fmt: skip
    rijen = verbinding.execute(
        sa.select(signalen.c.id, signalen.c.doel, signalen.c.opgeschaald_op, signalen.c.partners).where(
            signalen.c.status == "opgeschaald", signalen.c.doel.is_not(None)
        )
    ).all()
    for signaal_id, doel, opgeschaald_op, ontvangers in rijen:
        door = verbinding.execute(
            sa.select(historie.c.door)
            .where(historie.c.signaal_id == signaal_id, historie.c.naar_status == "opgeschaald")
            .limit(1)
        ).scalar()
        traject_id = uuid.uuid4()
        verbinding.execute(
            trajecten.insert().values(
                id=traject_id, signaal_id=signaal_id, volgnummer=1, doel=doel, status="open",
                geopend_op=opgeschaald_op, geopend_door=door or "migratie",
            )
        )  # fmt: skip
        for volgnummer, partner in enumerate(ontvangers or [], start=1):
            verbinding.execute(
                partners.insert().values(
                    traject_id=traject_id,
                    partner=partner,
                    signaal_id=signaal_id,
                    volgnummer=volgnummer,
                    toegevoegd_op=opgeschaald_op,
                )
            )


def downgrade() -> None:
    for tabel in (
        "doelverzoeken", "terugkoppelingen", "toestemmingen", "adviesantwoorden", "adviesvraag_experts",
        "adviesvragen", "traject_partners", "trajecten",
    ):  # fmt: skip
        op.drop_table(tabel)
    op.execute("UPDATE signalen SET status = 'in_behandeling' WHERE status = 'advies_gevraagd'")
    _status_check(_OUDE_STATUSSEN)
