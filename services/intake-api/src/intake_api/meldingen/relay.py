"""The notification relay: delivers the notification outbox, each row once when all goes well, safe with
several replicas.

Each round claims due rows in a short transaction (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so
two relays never claim the same rows; SQLite has one writer), stamps them with a claim that lapses after
`claim_seconden`, and commits. It then delivers each row on its own channel and records the outcome: on
success `afgeleverd_op`; on failure one more attempt, the next one after an exponentially growing wait,
and after `max_pogingen` the row is given up (`opgegeven_op`). The CloudEvent id is the row's id, so a
receiver that gets one twice (a relay died between sending and recording) can tell.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from meldroute_common.meldingen import (
    AfleverFout,
    Meldingsoort,
    SmtpInstellingen,
    build_cloudevent,
    build_mail,
    check_webhook_url,
    post_webhook,
    send_mail,
)
from meldroute_common.taken import Stopsein, start_background
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake_api.config import IntakeSettings
from intake_api.meldingen.service import decrypt_geheim, onderwerp_voor
from intake_api.models import Abonnement, Melding, Signaal
from intake_api.sleutels import Sleutels
from intake_api.tijd import nu

log = logging.getLogger("intake_api.meldingen")


@dataclass(frozen=True, slots=True)
class _Taak:
    melding_id: UUID
    soort: Meldingsoort
    signaal_id: UUID | None
    gemeente: str | None
    pogingen: int
    abonnement: Abonnement


@dataclass
class MeldingenRelay:
    maker: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    sleutels: Sleutels
    settings: IntakeSettings
    afgeleverd: int = field(default=0, init=False)

    def _wachttijd(self, pogingen: int) -> timedelta:
        s = self.settings
        return timedelta(
            seconds=min(
                s.meldingen_eerste_wachttijd_seconden * 2 ** (pogingen - 1),
                s.meldingen_max_wachttijd_seconden,
            )
        )

    async def _claim(self) -> list[_Taak]:
        moment = nu()
        async with self.maker() as session, session.begin():
            rijen = (
                await session.execute(
                    sa.select(Melding.volgnummer, Melding.id, Melding.soort, Melding.signaal_id, Melding.pogingen,
                              Melding.abonnement_id)
                    .where(
                        Melding.afgeleverd_op.is_(None),
                        Melding.opgegeven_op.is_(None),
                        Melding.volgende_poging_op <= moment,
                        sa.or_(Melding.geclaimd_tot.is_(None), Melding.geclaimd_tot < moment),
                    )
                    .order_by(Melding.volgnummer)
                    .limit(self.settings.meldingen_batchgrootte)
                    .with_for_update(skip_locked=True)
                )
            ).all()  # fmt: skip
            if not rijen:
                return []
            await session.execute(
                sa.update(Melding)
                .where(Melding.volgnummer.in_([r.volgnummer for r in rijen]))
                .values(geclaimd_tot=moment + timedelta(seconds=self.settings.meldingen_claim_seconden))
            )
            abonnementen = {
                a.id: a
                for a in await session.scalars(
                    sa.select(Abonnement).where(Abonnement.id.in_({r.abonnement_id for r in rijen}))
                )
            }
            signaal_ids = {r.signaal_id for r in rijen if r.signaal_id is not None}
            gemeente_van = sa.select(Signaal.id, Signaal.gemeente_code).where(Signaal.id.in_(signaal_ids))
            gemeenten: dict[UUID, str] = {
                rij.id: rij.gemeente_code for rij in (await session.execute(gemeente_van)).all()
            }
            session.expunge_all()
        return [
            _Taak(
                melding_id=r.id,
                soort=Meldingsoort(r.soort),
                signaal_id=r.signaal_id,
                gemeente=gemeenten.get(r.signaal_id),
                pogingen=r.pogingen,
                abonnement=abonnementen[r.abonnement_id],
            )
            for r in rijen
        ]

    async def _lever(self, taak: _Taak) -> None:
        a = taak.abonnement
        onderwerp = onderwerp_voor(
            sleutels=self.sleutels,
            organisatie=a.organisatie,
            signaal_id=taak.signaal_id,
            melding_id=taak.melding_id,
        )
        if a.kanaal == "email":
            s = self.settings
            if not s.smtp_host or a.email is None:
                raise AfleverFout("geen SMTP-server ingesteld")
            await send_mail(
                smtp=SmtpInstellingen(
                    host=s.smtp_host, poort=s.smtp_poort, afzender=s.smtp_afzender, starttls=s.smtp_starttls,
                    gebruiker=s.smtp_gebruiker,
                    wachtwoord=s.smtp_wachtwoord.get_secret_value() if s.smtp_wachtwoord else None,
                    timeout=s.meldingen_timeout_seconden,
                ),
                bericht=build_mail(
                    afzender=s.smtp_afzender, aan=a.email, soort=taak.soort, kenmerk=onderwerp,
                    bericht_id=str(taak.melding_id),
                ),
            )  # fmt: skip
            return
        assert a.url is not None and a.geheim_versleuteld is not None
        # Checked again at delivery: the name may resolve elsewhere now than when it was subscribed.
        reden = await check_webhook_url(
            a.url, https_verplicht=self.settings.is_production,
            intern_toegestaan=self.settings.webhook_intern_toegestaan,
        )  # fmt: skip
        if reden is not None:
            raise AfleverFout("url geweigerd")
        data = {"organisatie": a.organisatie}
        if taak.signaal_id is not None and taak.gemeente == a.organisatie:
            data["signaalId"] = str(taak.signaal_id)  # the municipality's own id; never a partner's
        moment = nu()
        event = build_cloudevent(
            id=str(taak.melding_id), soort=taak.soort, bron=self.settings.meldingen_bron, onderwerp=onderwerp,
            tijd=moment, data=data,
        )  # fmt: skip
        geheim = decrypt_geheim(sleutels=self.sleutels, abonnement_id=a.id, versleuteld=a.geheim_versleuteld)
        await post_webhook(
            http=self.http, url=a.url, geheim=geheim, event=event, tijdstip=int(moment.timestamp())
        )

    async def _vastleggen(self, taak: _Taak, *, fout: str | None, moment: datetime) -> None:
        waarden: dict[str, object] = {"geclaimd_tot": None, "pogingen": taak.pogingen + 1}
        if fout is None:
            waarden |= {"afgeleverd_op": moment, "laatste_fout": None}
        else:
            waarden["laatste_fout"] = fout[:100]
            if taak.pogingen + 1 >= self.settings.meldingen_max_pogingen:
                waarden["opgegeven_op"] = moment
            else:
                waarden["volgende_poging_op"] = moment + self._wachttijd(taak.pogingen + 1)
        async with self.maker() as session, session.begin():
            await session.execute(sa.update(Melding).where(Melding.id == taak.melding_id).values(**waarden))

    async def _een(self, taak: _Taak) -> bool:
        try:
            await self._lever(taak)
        except AfleverFout as exc:
            await asyncio.shield(self._vastleggen(taak, fout=str(exc), moment=nu()))
            log.warning("melding niet afgeleverd (poging %d): %s", taak.pogingen + 1, exc)
            return False
        await asyncio.shield(self._vastleggen(taak, fout=None, moment=nu()))
        self.afgeleverd += 1
        return True

    async def run_round(self) -> int:
        """Claim the due notifications and deliver each; the number delivered."""
        taken = await self._claim()
        if not taken:
            return 0
        resultaten = await asyncio.gather(*(self._een(t) for t in taken))
        return sum(resultaten)

    async def run(self, stop: Stopsein | None = None) -> None:
        """Run until `stop` is given (between rounds) or the task is cancelled."""
        stop = stop or Stopsein()
        while not stop.gezet:
            try:
                await self.run_round()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database away for a moment: the next round tries again
                log.warning("meldingenronde mislukt: %s", type(exc).__name__)
            await stop.slaap(self.settings.meldingen_interval_seconden)


def build_meldingen_relay(app: FastAPI) -> MeldingenRelay:
    settings: IntakeSettings = app.state.settings
    return MeldingenRelay(
        maker=app.state.sessionmaker,
        http=httpx.AsyncClient(timeout=settings.meldingen_timeout_seconden, follow_redirects=False),
        sleutels=app.state.sleutels,
        settings=settings,
    )


async def start_meldingen_relay(app: FastAPI) -> Callable[[], Awaitable[None]] | None:
    """Start-up hook: the relay as a background task of the service (unless switched off)."""
    settings: IntakeSettings = app.state.settings
    if not settings.meldingen_relay_aan:
        return None
    relay = build_meldingen_relay(app)
    app.state.meldingen_relay = relay
    stop_relay = start_background(name="meldingen-relay", loop=relay.run)

    async def stop() -> None:
        await stop_relay()
        await relay.http.aclose()

    return stop
