"""Writing the rows of a new signal, with its idempotency key when the request has one.

Which way is chosen in one place, `_in_een_statement`: PostgreSQL writes the key and every row of the signal
with ONE statement (data-modifying CTEs, the rows of each table as column arrays through `unnest`), so a
signal costs one round trip where one INSERT per table cost about ten; SQLite has no data-modifying CTEs and
claims the key, then writes one INSERT per table (all rows of a table in one statement).

Either way the key comes before the rows: on PostgreSQL every row's INSERT selects its values only when the
claiming upsert returned a row, so a request whose key is taken (or is being claimed by a concurrent request,
which it waits for on the unique constraint) writes nothing and replays the stored answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from intake_api.db import Base
from intake_api.idempotentie import service as idempotentie

#: The rows of one table: the table, the column values of each row, and whether it takes any number of rows
#: (then every column of the table is given) or exactly one (then the columns its values name).
Rijen = tuple[sa.Table, list[dict[str, Any]], bool]


def _in_een_statement(connection: AsyncConnection) -> bool:
    """The one dialect choice of this path: PostgreSQL has data-modifying CTEs, SQLite does not."""
    return connection.dialect.name == "postgresql"


async def schrijf(
    *,
    session: AsyncSession,
    tabellen: Sequence[Rijen],
    claim: idempotentie.Claim | None = None,
    claim_waarden: dict[str, Any] | None = None,
) -> idempotentie.Herhaling | None:
    """Write the rows, parents first, in the caller's transaction; with a `claim` (and its `claim_waarden`,
    `idempotentie.claim_waarden`) the key first. None when written; the stored answer when the key was taken
    (nothing written)."""
    connection = await session.connection()
    if _in_een_statement(connection):
        vorm = tuple(
            (tabel.name, tuple(tabel.columns.keys()) if meer else tuple(rijen[0]), meer)
            for tabel, rijen, meer in tabellen
        )
        waarden: dict[str, Any] = dict(claim_waarden or {}) if claim is not None else {}
        for index, ((_, rijen, meer), (_, kolommen, _)) in enumerate(zip(tabellen, vorm, strict=True)):
            for kolom in kolommen:
                waarden[f"t{index}_{kolom}"] = [r[kolom] for r in rijen] if meer else rijen[0][kolom]
        geschreven = (await connection.execute(_statement(vorm, claim is not None), waarden)).scalar_one()
        if geschreven:
            return None
        assert claim is not None
        return await idempotentie.opgeslagen(session=session, claim=claim)
    if claim is not None:
        assert claim_waarden is not None
        herhaling = await idempotentie.claim_met_waarden(session=session, claim=claim, waarden=claim_waarden)
        if herhaling is not None:
            return herhaling
    for tabel, rijen, _ in tabellen:
        if rijen:
            # A list of rows: one statement for all of them (SQLAlchemy's "insertmanyvalues"), compiled once
            # and cached, where `.values([...])` would be compiled anew for every number of rows.
            await connection.execute(sa.insert(tabel), rijen)
    return None


@cache
def _statement(vorm: tuple[tuple[str, tuple[str, ...], bool], ...], met_claim: bool) -> sa.Select[Any]:
    """The one statement for rows of this shape (per table: its name, the columns given, several rows or one),
    built and compiled once per shape: the values travel as parameters, a table of several rows as one array
    per column (`t<i>_<column>`), so the number of rows does not change the statement. Returns whether it
    wrote (always, without a claim)."""
    claim = idempotentie.claim_cte() if met_claim else None
    geclaimd = sa.exists(sa.select(claim.c.id)) if claim is not None else None
    ctes = []
    for index, (naam, kolommen, meer) in enumerate(vorm):
        tabel = Base.metadata.tables[naam]
        if meer:
            bron = (
                sa.func.unnest(
                    *(
                        sa.bindparam(f"t{index}_{k}", type_=postgresql.ARRAY(tabel.c[k].type))
                        for k in kolommen
                    )
                )
                .table_valued(*kolommen)
                .render_derived(name=f"r{index}")
            )
            select = sa.select(*(bron.c[k] for k in kolommen))
        else:
            select = sa.select(*(sa.bindparam(f"t{index}_{k}", type_=tabel.c[k].type) for k in kolommen))
        if geclaimd is not None:
            select = select.where(geclaimd)
        ctes.append(sa.insert(tabel).from_select(list(kolommen), select).cte(f"t{index}"))
    uitkomst = geclaimd if geclaimd is not None else sa.true()
    return sa.select(uitkomst.label("geschreven")).add_cte(*ctes)
