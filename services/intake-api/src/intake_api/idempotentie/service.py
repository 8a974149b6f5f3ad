"""Idempotency keys, kept per scope (the token's client, `sub` and `gemeente`) for 24 hours.

The first request with a key claims it, with its answer, in the transaction that records the signal,
before the signal's rows: key and signal commit together or not at all. The unique constraint on
(client, key) lets exactly one concurrent request win, on SQLite and PostgreSQL alike; the others wait
for it and then get its answer. A retry with the same body gets the stored answer; another body is 422;
a key still `bezig` (written by an earlier version, which claimed keys in a transaction of their own) is
409 until it lapses after `VERLOPEN_BEZIG`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

import sqlalchemy as sa
from meldroute_common.auth import Claims
from meldroute_common.problems import Conflict, UnprocessableContent
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from intake_api.models import Idempotentiesleutel

BEWAARTIJD = timedelta(hours=24)
VERLOPEN_BEZIG = timedelta(seconds=60)
#: Sent with a 409 for a key still in progress: how long a client should wait before retrying.
_NOG_BEZIG = {"Retry-After": "2"}


@dataclass(frozen=True, slots=True)
class Herhaling:
    """The stored answer of the first request with this key."""

    status: int
    body: dict[str, Any]
    locatie: str | None


def verzoek_hash(*, sleutel: bytes, body: bytes) -> str:
    """HMAC of the canonical request body under the link key: equal bodies give equal values."""
    return hmac.new(sleutel, b"idempotentie\x00" + body, hashlib.sha256).hexdigest()


def bereik(*, sleutel: bytes, claims: Claims) -> str:
    """The scope a key is claimed in: client, user and municipality of the token, as one keyed digest.

    Stored in the `client` column; keyed so the column does not reveal who asked, and of fixed length
    whatever the length of `sub`.
    """
    delen = json.dumps([claims.client_id, claims.sub, claims.gemeente], separators=(",", ":")).encode()
    return hmac.new(sleutel, b"idempotentie-bereik\x00" + delen, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Claim:
    """What a request with an Idempotency-Key claims: the key within its scope, and the request's hash."""

    client: str
    sleutel: str
    hash_: str


def _beoordeel(rij: Any, *, hash_: str) -> Herhaling:
    if not hmac.compare_digest(rij.verzoek_hash, hash_):
        raise UnprocessableContent("Deze Idempotency-Key is al gebruikt voor een ander verzoek.")
    if rij.status != "klaar" or rij.antwoord is None or rij.antwoord_status is None:
        raise Conflict(
            "Een verzoek met deze Idempotency-Key wordt nog verwerkt; probeer het later opnieuw.",
            headers=_NOG_BEZIG,
        )
    return Herhaling(status=rij.antwoord_status, body=rij.antwoord, locatie=rij.locatie)


_TABEL = cast(sa.Table, Idempotentiesleutel.__table__)


_KOLOMMEN = ("id", "verzoek_hash", "status", "antwoord_status", "antwoord", "locatie", "aangemaakt_op")


@cache
def _claim_statement(dialect: str) -> ReturningInsert[Any]:
    """The claiming upsert, built once per dialect: its values (and the moments before which a row has
    lapsed, `bewaard_tot` and `bezig_tot`) travel as parameters named `k_...` (see `claim_waarden`), so
    SQLAlchemy compiles it once, and it can stand as a CTE in a larger statement without its parameters
    clashing with those of other tables (`claim_cte`)."""
    insert = postgresql.insert(_TABEL) if dialect == "postgresql" else sqlite.insert(_TABEL)
    insert = insert.values(
        {k: sa.bindparam(f"k_{k}", type_=_TABEL.c[k].type) for k in ("client", "sleutel", *_KOLOMMEN)}
    )
    verlopen = sa.or_(
        _TABEL.c.aangemaakt_op < sa.bindparam("k_bewaard_tot", type_=_TABEL.c.aangemaakt_op.type),
        sa.and_(
            _TABEL.c.status == "bezig",
            _TABEL.c.aangemaakt_op < sa.bindparam("k_bezig_tot", type_=_TABEL.c.aangemaakt_op.type),
        ),
    )
    return insert.on_conflict_do_update(
        index_elements=[_TABEL.c.client, _TABEL.c.sleutel],
        set_={k: insert.excluded[k] for k in _KOLOMMEN},
        where=verlopen,
    ).returning(_TABEL.c.id)


@cache
def claim_cte() -> sa.CTE:
    """The claiming upsert as a data-modifying CTE (PostgreSQL), for a statement that writes a request's rows
    only when it returns a row (the key is this request's); its parameters are `claim_waarden`."""
    return _claim_statement("postgresql").cte("claim")


def claim_waarden(
    *, claim: Claim, nu: datetime, status: int, body: dict[str, Any], locatie: str | None
) -> dict[str, Any]:
    """The parameters of the claiming upsert: the key with this request's answer."""
    return {
        "k_id": uuid.uuid4(), "k_client": claim.client, "k_sleutel": claim.sleutel, "k_verzoek_hash": claim.hash_,
        "k_status": "klaar", "k_antwoord_status": status, "k_antwoord": body, "k_locatie": locatie,
        "k_aangemaakt_op": nu, "k_bewaard_tot": nu - BEWAARTIJD, "k_bezig_tot": nu - VERLOPEN_BEZIG,
    }  # fmt: skip


_OPGESLAGEN = sa.select(
    _TABEL.c.verzoek_hash, _TABEL.c.status, _TABEL.c.antwoord_status, _TABEL.c.antwoord, _TABEL.c.locatie
).where(_TABEL.c.client == sa.bindparam("c"), _TABEL.c.sleutel == sa.bindparam("s"))


async def opgeslagen(*, session: AsyncSession, claim: Claim) -> Herhaling:
    """The stored answer for a key this request could not claim (another body 422, a request still running
    409)."""
    connection = await session.connection()
    rij = (await connection.execute(_OPGESLAGEN, {"c": claim.client, "s": claim.sleutel})).one()
    return _beoordeel(rij, hash_=claim.hash_)


async def claim(
    *,
    session: AsyncSession,
    claim: Claim,
    nu: datetime,
    status: int,
    body: dict[str, Any],
    locatie: str | None,
) -> Herhaling | None:
    """Claim the key with this request's answer, in the caller's transaction, before anything else is written:
    None when the key is this request's now (key and answer commit with what the request writes after it),
    else the stored answer to replay (another body 422, a request still running 409).

    One statement: insert, or take over a lapsed row (older than 24 hours, or `bezig` past `VERLOPEN_BEZIG`).
    A concurrent request with the same key waits on the unique constraint until the first commits or rolls back.
    """
    waarden = claim_waarden(claim=claim, nu=nu, status=status, body=body, locatie=locatie)
    return await claim_met_waarden(session=session, claim=claim, waarden=waarden)


async def claim_met_waarden(
    *, session: AsyncSession, claim: Claim, waarden: dict[str, Any]
) -> Herhaling | None:
    """`claim`, with its parameters made already (`claim_waarden`)."""
    upsert = _claim_statement(session.get_bind().dialect.name)
    connection = await session.connection()
    if (await connection.execute(upsert, waarden)).first() is not None:
        return None
    return await opgeslagen(session=session, claim=claim)


async def clean_up(*, session: AsyncSession, nu: datetime) -> int:
    """Delete keys older than 24 hours; returns how many."""
    resultaat = await session.execute(
        sa.delete(Idempotentiesleutel).where(Idempotentiesleutel.aangemaakt_op < nu - BEWAARTIJD)
    )
    return int(getattr(resultaat, "rowcount", 0) or 0)
