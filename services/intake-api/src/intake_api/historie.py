"""A signal's history: every change written with who, when and why, the note scrubbed and its original sealed.

`record_beoordeling` changes the status through the state machine; everything else that happens on a
signal (a track opened, advice asked, consent recorded, an outcome reported) goes through
`record_wijziging`, so each change raises the version and leaves one history entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.scrubbing import KnownIdentity, ScrubResult, scrub_text
from meldroute_common.sealing import SealContext, seal
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.models import HistorieRegel, Schoonmerk, Signaal, ToelichtingOrigineel
from intake_api.pseudonimisering.pseudoniem import schoonmerk_lookup, schoonmerk_sleutel
from intake_api.sleutels import Sleutels
from intake_api.termijnen.service import sync_status_termijnen

__all__ = [
    "lock_signaal", "record_wijziging", "scrub_signaaltekst", "scrub_toelichting", "seal_tekst",
    "seal_toelichting",
]  # fmt: skip


async def lock_signaal(*, session: AsyncSession, signaal: Signaal) -> None:
    """Take the signal's write lock before reading what a change depends on (the next track number, whether a
    partner or an outcome code is there already): a no-op update, a row lock on PostgreSQL and the write lock
    on SQLite, so two changes of one signal at once run one after the other instead of colliding."""
    await session.execute(
        sa.update(Signaal)
        .where(Signaal.id == signaal.id)
        .values(versie=Signaal.versie)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(signaal)


async def scrub_signaaltekst(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    tekst: str,
    sleutels: Sleutels,
    known: Sequence[KnownIdentity] = (),
) -> ScrubResult:
    """Free text about a signal with identifiers replaced, the signal's own betrokkenen included (through their
    scrub marks: intake cannot read their names, only recognise them) and `known` people besides (those of
    the same request, whose marks are not stored yet)."""
    merken = set(await session.scalars(sa.select(Schoonmerk.merk).where(Schoonmerk.signaal_id == signaal_id)))
    lookup = schoonmerk_lookup(sleutel=schoonmerk_sleutel(sleutels.link_sleutel), merken=merken)
    return scrub_text(tekst, known=known, lookup=lookup)


async def scrub_toelichting(
    *, session: AsyncSession, signaal_id: UUID, tekst: str, sleutels: Sleutels
) -> str:
    """The note with identifiers replaced (see `scrub_signaaltekst`)."""
    return (
        await scrub_signaaltekst(session=session, signaal_id=signaal_id, tekst=tekst, sleutels=sleutels)
    ).text


async def seal_toelichting(
    *,
    session: AsyncSession,
    signaal: Signaal,
    historie_id: UUID,
    volgnummer: int,
    tekst: str,
    sleutels: Sleutels,
) -> None:
    """Seal the note's original to the gateway, unless the signal's retention period has already purged it."""
    if signaal.gewist_op is not None or not tekst:
        return
    session.add(
        ToelichtingOrigineel(
            historie_id=historie_id,
            signaal_id=signaal.id,
            verzegeld=seal(
                plaintext=tekst.encode(),
                ontvanger=sleutels.gateway,
                context=SealContext(
                    signaal_id=signaal.id, betrokkene_id=None, veld=f"toelichting.{volgnummer}"
                ),
            ),
        )
    )


async def record_wijziging(
    *,
    session: AsyncSession,
    signaal: Signaal,
    actie: str,
    door: str,
    nu: datetime,
    sleutels: Sleutels,
    toelichting: str | None = None,
    details: dict[str, object] | None = None,
    naar_status: str | None = None,
) -> HistorieRegel:
    """One change of a signal other than a decision: raise its version (the ETag changes), move its status
    when `naar_status` is given, and write the history entry (the note scrubbed, its original sealed).

    The version is raised in the database (`versie = versie + 1`), so two changes at once each get their own
    entry, in the order the database serialised them."""
    van = signaal.status
    waarden: dict[str, object] = {"versie": Signaal.versie + 1}
    if naar_status is not None and naar_status != van:
        waarden |= {"status": naar_status, "status_gewijzigd_op": nu}
    versie = (
        await session.execute(
            sa.update(Signaal)
            .where(Signaal.id == signaal.id)
            .values(**waarden)
            .returning(Signaal.versie)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one()
    await session.refresh(signaal)
    regel = HistorieRegel(
        id=uuid.uuid4(),
        signaal_id=signaal.id,
        volgnummer=versie,
        tijdstip=nu,
        actie=actie,
        door=door,
        van_status=van if naar_status is not None else None,
        naar_status=naar_status,
        toelichting=await scrub_toelichting(
            session=session, signaal_id=signaal.id, tekst=toelichting, sleutels=sleutels
        )
        if toelichting
        else None,
        details=details or None,
    )
    session.add(regel)
    await session.flush()
    if naar_status is not None and naar_status != van:
        await sync_status_termijnen(session=session, signaal=signaal, nu=nu)
    if toelichting:
        await seal_toelichting(
            session=session, signaal=signaal, historie_id=regel.id, volgnummer=versie, tekst=toelichting,
            sleutels=sleutels,
        )  # fmt: skip
    return regel


def seal_tekst(*, signaal: Signaal, veld: str, tekst: str | None, sleutels: Sleutels) -> bytes | None:
    """The original of a free text sealed to the gateway (bound to the signal and `veld`), or None when
    there is none or the signal's retention period has already purged its sealed data."""
    if not tekst or signaal.gewist_op is not None:
        return None
    return seal(
        plaintext=tekst.encode(),
        ontvanger=sleutels.gateway,
        context=SealContext(signaal_id=signaal.id, betrokkene_id=None, veld=veld),
    )
