"""The retention purge: sealed identity, sealed original texts and scrub marks go when a signal's period ends.

A signal that was not escalated keeps them `bewaartermijn_niet_opgeschaald` (default P6M) after its
last status change; an escalated one `bewaartermijn_opgeschaald` (default P5Y) after the escalation.
Both periods are to be confirmed by the FG. The purge nulls the blobs, deletes the sealed originals of
the triage notes and the signal's scrub marks, nulls the sealed originals of the case's other free texts
(advice questions and answers, partners' outcome notes, requests for a purpose, supplements to the
description), deletes the work notes (working material, not part of the record), stamps `gewist_op`, raises
the version and writes the purge to the history, one signal per short transaction; the pseudonymised
remainder (codes, scrubbed text, link pseudonym) stays.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from fastapi import FastAPI
from meldroute_common.duur import Duur, parse_duur
from meldroute_common.taken import start_periodic
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake_api.config import IntakeSettings
from intake_api.idempotentie.service import clean_up
from intake_api.models import (
    Aantekening,
    Aanvulling,
    Adviesantwoord,
    Adviesvraag,
    Betrokkene,
    Doelverzoek,
    HistorieRegel,
    Schoonmerk,
    Signaal,
    Terugkoppeling,
    ToelichtingOrigineel,
)
from intake_api.tijd import nu

log = logging.getLogger("intake_api.retentie")

#: Who the history names for a purge.
RETENTIE = "retentie"


@dataclass(frozen=True, slots=True)
class Termijnen:
    niet_opgeschaald: str
    opgeschaald: str

    @classmethod
    def from_settings(cls, settings: IntakeSettings) -> Termijnen:
        return cls(settings.bewaartermijn_niet_opgeschaald, settings.bewaartermijn_opgeschaald)

    @property
    def kort(self) -> Duur:
        return parse_duur(self.niet_opgeschaald)

    @property
    def lang(self) -> Duur:
        return parse_duur(self.opgeschaald)


async def find_verlopen_signalen(
    *, session: AsyncSession, termijnen: Termijnen, moment: datetime
) -> list[UUID]:
    """Ids of signals whose period has ended and whose sealed data is still there, oldest first."""
    grens_kort, grens_lang = termijnen.kort.terug(moment), termijnen.lang.terug(moment)
    rijen = await session.scalars(
        sa.select(Signaal.id)
        .where(
            Signaal.gewist_op.is_(None),
            sa.or_(
                sa.and_(Signaal.status != "opgeschaald", Signaal.status_gewijzigd_op <= grens_kort),
                sa.and_(Signaal.status == "opgeschaald", Signaal.opgeschaald_op <= grens_lang),
            ),
        )
        .order_by(Signaal.status_gewijzigd_op, Signaal.id)
    )
    return list(rijen)


async def erase_signaal(
    *, session: AsyncSession, signaal_id: UUID, termijnen: Termijnen, moment: datetime
) -> bool:
    """Purge one signal's sealed data (if its period still has ended); True when it was purged."""
    signaal = await session.get(Signaal, signaal_id)
    if signaal is None or signaal.gewist_op is not None:
        return False
    opgeschaald = signaal.status == "opgeschaald"
    termijn = termijnen.opgeschaald if opgeschaald else termijnen.niet_opgeschaald
    versie = signaal.versie
    resultaat = await session.execute(
        sa.update(Signaal)
        .where(Signaal.id == signaal_id, Signaal.versie == versie, Signaal.gewist_op.is_(None))
        .values(omschrijving_verzegeld=None, gewist_op=moment, versie=versie + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(resultaat, "rowcount", 0) != 1:
        return False  # changed meanwhile: the next run looks again
    gewist = await session.execute(
        sa.update(Betrokkene)
        .where(Betrokkene.signaal_id == signaal_id)
        .values(identiteit_verzegeld=None, sleutel_id=None)
        .execution_options(synchronize_session=False)
    )
    toelichtingen = await session.execute(
        sa.delete(ToelichtingOrigineel)
        .where(ToelichtingOrigineel.signaal_id == signaal_id)
        .execution_options(synchronize_session=False)
    )
    aantekeningen = await session.execute(
        sa.delete(Aantekening)
        .where(Aantekening.signaal_id == signaal_id)
        .execution_options(synchronize_session=False)
    )
    # The sealed originals of the case's free texts (advice, answers, outcomes, requests, supplements); the
    # scrubbed texts stay.
    for kolom in (
        Adviesvraag.vraag_verzegeld,
        Adviesantwoord.antwoord_verzegeld,
        Terugkoppeling.toelichting_verzegeld,
        Doelverzoek.reden_verzegeld,
        Aanvulling.omschrijving_verzegeld,
    ):
        tabel = kolom.class_
        await session.execute(
            sa.update(tabel)
            .where(tabel.signaal_id == signaal_id, kolom.is_not(None))
            .values({kolom.key: None})
            .execution_options(synchronize_session=False)
        )
    await session.execute(
        sa.delete(Schoonmerk)
        .where(Schoonmerk.signaal_id == signaal_id)
        .execution_options(synchronize_session=False)
    )
    session.add(
        HistorieRegel(
            id=uuid.uuid4(),
            signaal_id=signaal_id,
            volgnummer=versie + 1,
            tijdstip=moment,
            actie="identiteit_gewist",
            door=RETENTIE,
            van_status=signaal.status,
            naar_status=signaal.status,
            toelichting=None,
            details={
                "bewaartermijn": termijn,
                "gewist": [
                    "identiteit",
                    "omschrijving",
                    "toelichtingen",
                    "schoonmerken",
                    "casusteksten",
                    "aantekeningen",
                ],
                "betrokkenen": int(getattr(gewist, "rowcount", 0) or 0),
                "toelichtingen": int(getattr(toelichtingen, "rowcount", 0) or 0),
                "aantekeningen": int(getattr(aantekeningen, "rowcount", 0) or 0),
            },
        )
    )
    await session.flush()
    return True


async def purge(
    *,
    maker: async_sessionmaker[AsyncSession],
    termijnen: Termijnen,
    moment: datetime | None = None,
    bij_start: Callable[[int], None] | None = None,
    na_elk: Callable[[], None] | None = None,
) -> int:
    """Purge every signal whose period has ended, each in its own transaction; the number purged."""
    moment = moment or nu()
    async with maker() as session, session.begin():
        ids = await find_verlopen_signalen(session=session, termijnen=termijnen, moment=moment)
        await clean_up(session=session, nu=moment)
    if bij_start:
        bij_start(len(ids))
    gewist = 0
    for signaal_id in ids:
        async with maker() as session, session.begin():
            gewist += await erase_signaal(
                session=session, signaal_id=signaal_id, termijnen=termijnen, moment=moment
            )
        if na_elk:
            na_elk()
    if gewist:
        log.info("bewaartermijn verstreken: verzegelde gegevens gewist", extra={"signalen": gewist})
    return gewist


async def start_retentietaak(app: FastAPI) -> Callable[[], Awaitable[None]] | None:
    """Start-up hook: the purge once at start and then every `retentie_interval_seconden` (daily)."""
    settings: IntakeSettings = app.state.settings
    if not settings.retentie_taak_aan:
        return None
    termijnen = Termijnen.from_settings(settings)

    return start_periodic(
        name="retentie",
        round=lambda: purge(maker=app.state.sessionmaker, termijnen=termijnen),
        interval_seconds=settings.retentie_interval_seconden,
        log=log,
        failure="retentie mislukt; volgende poging bij de volgende ronde",
    )
