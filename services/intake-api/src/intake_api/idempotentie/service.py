"""Idempotency keys, kept per scope (the token's client, `sub` and `gemeente`) for 24 hours.

The first request with a key claims it in a short transaction of its own (status `bezig`); the unique
constraint on (client, key) lets exactly one concurrent request win, on SQLite and PostgreSQL alike.
The answer is stored in the transaction that creates the signal, so key and signal commit together.
A retry with the same body gets the stored answer; another body is 422; a retry while the first is
still running is 409. A claim left behind by a crashed request lapses after `VERLOPEN_BEZIG`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.auth import Claims
from meldroute_common.problems import Conflict, UnprocessableContent
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake_api.models import Idempotentiesleutel
from intake_api.tijd import utc

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


def _beoordeel(rij: Idempotentiesleutel, *, hash_: str) -> Herhaling:
    if not hmac.compare_digest(rij.verzoek_hash, hash_):
        raise UnprocessableContent("Deze Idempotency-Key is al gebruikt voor een ander verzoek.")
    if rij.status != "klaar" or rij.antwoord is None or rij.antwoord_status is None:
        raise Conflict(
            "Een verzoek met deze Idempotency-Key wordt nog verwerkt; probeer het later opnieuw.",
            headers=_NOG_BEZIG,
        )
    return Herhaling(status=rij.antwoord_status, body=rij.antwoord, locatie=rij.locatie)


async def claim(
    *, maker: async_sessionmaker[AsyncSession], client: str, sleutel: str, hash_: str, nu: datetime
) -> UUID | Herhaling:
    """Claim `sleutel` for `client`: the id of the claim, or the stored answer to replay (409/422 raised)."""
    selectie = sa.select(Idempotentiesleutel).where(
        Idempotentiesleutel.client == client, Idempotentiesleutel.sleutel == sleutel
    )
    for _poging in range(2):
        async with maker() as session, session.begin():
            rij = await session.scalar(selectie)
            if rij is not None:
                aangemaakt = utc(rij.aangemaakt_op)
                verlopen = aangemaakt < nu - BEWAARTIJD or (
                    rij.status == "bezig" and aangemaakt < nu - VERLOPEN_BEZIG
                )
                if not verlopen:
                    return _beoordeel(rij, hash_=hash_)
                await session.execute(sa.delete(Idempotentiesleutel).where(Idempotentiesleutel.id == rij.id))
        claim_id = uuid.uuid4()
        try:
            async with maker() as session, session.begin():
                session.add(
                    Idempotentiesleutel(
                        id=claim_id, client=client, sleutel=sleutel, verzoek_hash=hash_, status="bezig",
                        aangemaakt_op=nu,
                    )
                )  # fmt: skip
        except IntegrityError:
            continue  # a concurrent request claimed it first: judge that claim
        return claim_id
    raise Conflict(
        "Een verzoek met deze Idempotency-Key wordt nog verwerkt; probeer het later opnieuw.",
        headers=_NOG_BEZIG,
    )


async def store(
    *, session: AsyncSession, claim_id: UUID, status: int, body: dict[str, Any], locatie: str | None
) -> None:
    """Store the answer with the claim, in the caller's transaction."""
    await session.execute(
        sa.update(Idempotentiesleutel)
        .where(Idempotentiesleutel.id == claim_id)
        .values(status="klaar", antwoord_status=status, antwoord=body, locatie=locatie)
    )


async def release(*, maker: async_sessionmaker[AsyncSession], claim_id: UUID) -> None:
    """Drop a claim whose request failed, so the client can retry with the same key."""
    async with maker() as session, session.begin():
        await session.execute(sa.delete(Idempotentiesleutel).where(Idempotentiesleutel.id == claim_id))


async def clean_up(*, session: AsyncSession, nu: datetime) -> int:
    """Delete keys older than 24 hours; returns how many."""
    resultaat = await session.execute(
        sa.delete(Idempotentiesleutel).where(Idempotentiesleutel.aangemaakt_op < nu - BEWAARTIJD)
    )
    return int(getattr(resultaat, "rowcount", 0) or 0)
