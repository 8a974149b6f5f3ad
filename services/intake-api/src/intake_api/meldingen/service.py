"""Subscriptions per organisation, and `meld`: the one way code enqueues a notification.

`meld` runs in the caller's transaction, so a notification exists exactly when the change it announces
was committed. The relay (`intake_api.meldingen.relay`) delivers it later, with retries.

The webhook secret is generated here, returned once, and stored encrypted (AES-GCM) under a key derived
from the link key with HKDF: intake must read it to sign, and a database dump alone does not give it away.
The CloudEvent subject is derived per organisation (HMAC of organisation and signal id under another
derived key): a receiver can group notifications about one case, but not match them with another
organisation's, and intake's signal id is never sent to a partner.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from meldroute_common.codering import encode_b64url
from meldroute_common.meldingen import Meldingsoort, check_webhook_url
from meldroute_common.problems import BadRequest, Conflict, Forbidden, InvalidParam, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.config import IntakeSettings
from intake_api.meldingen import schemas
from intake_api.models import Abonnement, Melding, Signaal
from intake_api.sleutels import Sleutels
from intake_api.tijd import utc

#: Most subscriptions one organisation may hold (each one is a delivery per event).
MAX_ABONNEMENTEN = 20
_GEHEIM_INFO = b"meldroute abonnementgeheimen v1"
_ONDERWERP_INFO = b"meldroute meldingonderwerp v1"


def _afgeleid(sleutels: Sleutels, info: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(sleutels.link_sleutel)


def encrypt_geheim(*, sleutels: Sleutels, abonnement_id: UUID, geheim: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_afgeleid(sleutels, _GEHEIM_INFO)).encrypt(nonce, geheim, abonnement_id.bytes)


def decrypt_geheim(*, sleutels: Sleutels, abonnement_id: UUID, versleuteld: bytes) -> bytes:
    return AESGCM(_afgeleid(sleutels, _GEHEIM_INFO)).decrypt(
        versleuteld[:12], versleuteld[12:], abonnement_id.bytes
    )


def onderwerp_voor(*, sleutels: Sleutels, organisatie: str, signaal_id: UUID | None, melding_id: UUID) -> str:
    """The CloudEvent subject: per organisation and case, opaque; the notification's own id without a case."""
    if signaal_id is None:
        return f"mr-{melding_id}"
    mac = hmac.new(
        _afgeleid(sleutels, _ONDERWERP_INFO), f"{organisatie}\x00{signaal_id}".encode(), hashlib.sha256
    )
    return "mr-" + encode_b64url(mac.digest()[:16])


def weergave(abonnement: Abonnement) -> schemas.AbonnementWeergave:
    return schemas.AbonnementWeergave(
        id=abonnement.id, organisatie=abonnement.organisatie,
        soorten=[Meldingsoort(s) for s in abonnement.soorten], kanaal=abonnement.kanaal,
        url=abonnement.url, email=abonnement.email, aangemaakt_op=utc(abonnement.aangemaakt_op),
    )  # fmt: skip


def eigen_organisatie(organisatie: str | None) -> str:
    if not organisatie:
        raise Forbidden("Het token noemt geen gemeente of organisatie.")
    return organisatie


def _veldfout(veld: str, reden: str) -> BadRequest:
    return BadRequest(reden, invalid_params=[InvalidParam(name=veld, reason=reden)])


async def check_kanaal(*, invoer: schemas.AbonnementInvoer, settings: IntakeSettings) -> None:
    """400 naming the field: a channel without its address, with the other's, or a URL that may not receive."""
    if invoer.kanaal == "webhook":
        if invoer.email is not None:
            raise _veldfout("email", "Alleen bij kanaal email.")
        if invoer.url is None:
            raise _veldfout("url", "Een webhook heeft een url nodig.")
        reden = await check_webhook_url(
            invoer.url,
            https_verplicht=settings.is_production,
            intern_toegestaan=settings.webhook_intern_toegestaan,
        )
        if reden is not None:
            raise _veldfout("url", reden)
    else:
        if invoer.url is not None:
            raise _veldfout("url", "Alleen bij kanaal webhook.")
        if invoer.email is None:
            raise _veldfout("email", "Een e-mailabonnement heeft een adres nodig.")
        if not settings.smtp_host:
            raise _veldfout("kanaal", "Deze installatie verstuurt geen e-mail (geen SMTP-server ingesteld).")
    if len(set(invoer.soorten)) != len(invoer.soorten):
        raise _veldfout("soorten", "Een soort staat er twee keer in.")


async def create_abonnement(
    *,
    session: AsyncSession,
    organisatie: str | None,
    invoer: schemas.AbonnementInvoer,
    door: str,
    settings: IntakeSettings,
    sleutels: Sleutels,
    nu: datetime,
) -> schemas.AbonnementAangemaakt:
    """A subscription of the caller's organisation; a webhook's secret is in the answer, and only there."""
    organisatie = eigen_organisatie(organisatie)
    await check_kanaal(invoer=invoer, settings=settings)
    aantal = await session.scalar(
        sa.select(sa.func.count()).select_from(Abonnement).where(Abonnement.organisatie == organisatie)
    )
    if (aantal or 0) >= MAX_ABONNEMENTEN:
        raise Conflict(f"Een organisatie heeft ten hoogste {MAX_ABONNEMENTEN} abonnementen.")
    abonnement_id = uuid.uuid4()
    geheim = secrets.token_bytes(32) if invoer.kanaal == "webhook" else None
    abonnement = Abonnement(
        id=abonnement_id, organisatie=organisatie, soorten=[s.value for s in invoer.soorten],
        kanaal=invoer.kanaal, url=invoer.url, email=invoer.email,
        geheim_versleuteld=(
            encrypt_geheim(sleutels=sleutels, abonnement_id=abonnement_id, geheim=geheim) if geheim else None
        ),
        aangemaakt_op=nu, aangemaakt_door=door,
    )  # fmt: skip
    session.add(abonnement)
    await session.flush()
    return schemas.AbonnementAangemaakt(
        **weergave(abonnement).model_dump(), geheim=encode_b64url(geheim) if geheim else None
    )


async def list_abonnementen(*, session: AsyncSession, organisatie: str | None) -> schemas.AbonnementenLijst:
    """The organisation's subscriptions; a token naming none has none (like every list)."""
    if not organisatie:
        return schemas.AbonnementenLijst(abonnementen=[])
    rijen = await session.scalars(
        sa.select(Abonnement)
        .where(Abonnement.organisatie == organisatie)
        .order_by(Abonnement.aangemaakt_op, Abonnement.id)
    )
    return schemas.AbonnementenLijst(abonnementen=[weergave(a) for a in rijen])


async def delete_abonnement(*, session: AsyncSession, organisatie: str | None, abonnement_id: UUID) -> None:
    """Remove the organisation's subscription and what still waits for it (404 another's or unknown)."""
    organisatie = eigen_organisatie(organisatie)
    abonnement = await session.get(Abonnement, abonnement_id)
    if abonnement is None or abonnement.organisatie != organisatie:
        raise NotFound("Abonnement niet gevonden.")
    await session.execute(sa.delete(Melding).where(Melding.abonnement_id == abonnement.id))
    await session.delete(abonnement)
    await session.flush()


async def meld(
    *,
    session: AsyncSession,
    soort: Meldingsoort,
    organisaties: Iterable[str],
    onderwerp: UUID | None,
    nu: datetime,
) -> int:
    """Enqueue `soort` about signal `onderwerp` for every subscription of `organisaties` to it, in the
    caller's transaction; the number enqueued. Holds ids only: the relay builds the payload."""
    gezocht = list(dict.fromkeys(organisaties))
    if not gezocht:
        return 0
    abonnementen = [
        a
        for a in await session.scalars(
            sa.select(Abonnement).where(Abonnement.organisatie.in_(gezocht)).order_by(Abonnement.id)
        )
        if soort.value in a.soorten
    ]
    session.add_all(
        Melding(
            id=uuid.uuid4(),
            abonnement_id=a.id,
            soort=soort.value,
            signaal_id=onderwerp,
            aangemaakt_op=nu,
            pogingen=0,
            volgende_poging_op=nu,
        )
        for a in abonnementen
    )
    await session.flush()
    return len(abonnementen)


async def schedule_melding(
    *, session: AsyncSession, invoer: schemas.MeldingInternInvoer, nu: datetime
) -> schemas.MeldingenIngepland:
    """A notification raised in the gateway (404 an unknown signal)."""
    if invoer.signaal_id is not None and await session.get(Signaal, invoer.signaal_id) is None:
        raise NotFound("Signaal niet gevonden.")
    aantal = await meld(
        session=session,
        soort=invoer.soort,
        organisaties=invoer.organisaties,
        onderwerp=invoer.signaal_id,
        nu=nu,
    )
    return schemas.MeldingenIngepland(aantal=aantal)
