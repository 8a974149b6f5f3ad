"""Consent per victim: given or refused, the day, how it was recorded and by whom; withdrawable, never edited.

A victim's valid consent is its latest record, if given and not withdrawn. A victim under 16 cannot give it
alone: the guardian's consent must be recorded (`doorVoogd`), and under 16 is only possible for an age band
`<18` or `onbekend`. A withdrawal stops every disclosure that needs consent from then on (the gateway reads
the consent with every case).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.problems import BadRequest, Conflict, InvalidParam, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.historie import record_wijziging
from intake_api.models import Betrokkene, Signaal, Toestemming
from intake_api.signalen import schemas as signaal_schemas
from intake_api.signalen.onderdelen import geldige_toestemming, toestemming_weergave
from intake_api.signalen.service import get_signaal, vandaag
from intake_api.sleutels import Sleutels
from intake_api.toestemmingen import schemas

ONDER16_KLASSEN = ("<18", "onbekend")


async def _betrokkene(*, session: AsyncSession, signaal: Signaal, betrokkene_id: UUID) -> Betrokkene:
    betrokkene = await session.get(Betrokkene, betrokkene_id)
    if betrokkene is None or betrokkene.signaal_id != signaal.id:
        raise NotFound("Betrokkene niet gevonden.")
    return betrokkene


async def _alle(*, session: AsyncSession, betrokkene_id: UUID) -> list[Toestemming]:
    return list(
        await session.scalars(sa.select(Toestemming).where(Toestemming.betrokkene_id == betrokkene_id))
    )


async def record_toestemming(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    betrokkene_id: UUID,
    gemeente: str | None,
    invoer: schemas.ToestemmingInvoer,
    door: str,
    sleutels: Sleutels,
    nu: datetime,
) -> signaal_schemas.ToestemmingWeergave:
    """Record a victim's consent or refusal (404 unknown signal or betrokkene, 400 not a victim, a date in
    the future, under 16 with an adult age band, or under 16 without the guardian)."""
    signaal = await get_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    betrokkene = await _betrokkene(session=session, signaal=signaal, betrokkene_id=betrokkene_id)
    fouten: list[InvalidParam] = []
    if betrokkene.rol != "slachtoffer":
        fouten.append(
            InvalidParam(name="betrokkeneId", reason="Toestemming geldt alleen voor een slachtoffer.")
        )
    if invoer.datum > vandaag(nu=nu):
        fouten.append(InvalidParam(name="datum", reason="Ligt in de toekomst."))
    if invoer.onder16 and betrokkene.leeftijdsklasse not in ONDER16_KLASSEN:
        fouten.append(
            InvalidParam(
                name="onder16",
                reason=f"De leeftijdsklasse van de betrokkene is {betrokkene.leeftijdsklasse}, niet <18 of onbekend.",
            )
        )
    elif invoer.onder16 and not invoer.door_voogd:
        fouten.append(
            InvalidParam(name="doorVoogd", reason="Onder de 16 telt alleen de toestemming van de voogd.")
        )
    if fouten:
        raise BadRequest("De toestemming is ongeldig; zie invalidParams.", invalid_params=fouten)
    rij = Toestemming(
        id=uuid.uuid4(), signaal_id=signaal.id, betrokkene_id=betrokkene.id, gegeven=invoer.gegeven,
        datum=invoer.datum, vastlegging=invoer.vastlegging, onder16=invoer.onder16, door_voogd=invoer.door_voogd,
        vastgelegd_door=door, vastgelegd_op=nu, ingetrokken_op=None, ingetrokken_door=None,
    )  # fmt: skip
    session.add(rij)
    await session.flush()
    await record_wijziging(
        session=session, signaal=signaal, actie="toestemming_vastgelegd", door=door, nu=nu, sleutels=sleutels,
        details={
            "betrokkeneId": str(betrokkene.id), "toestemmingId": str(rij.id), "gegeven": invoer.gegeven,
            "vastlegging": invoer.vastlegging, "onder16": invoer.onder16, "doorVoogd": invoer.door_voogd,
        },
    )  # fmt: skip
    geldig = geldige_toestemming(await _alle(session=session, betrokkene_id=betrokkene.id))
    return toestemming_weergave(rij, geldig=geldig is not None and geldig.id == rij.id)


async def withdraw_toestemming(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    betrokkene_id: UUID,
    toestemming_id: UUID,
    gemeente: str | None,
    invoer: schemas.IntrekkingInvoer,
    door: str,
    sleutels: Sleutels,
    nu: datetime,
) -> signaal_schemas.ToestemmingWeergave:
    """Withdraw a consent (409 already withdrawn or a refusal; 400 a date in the future or before it was given)."""
    signaal = await get_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    betrokkene = await _betrokkene(session=session, signaal=signaal, betrokkene_id=betrokkene_id)
    rij = await session.get(Toestemming, toestemming_id)
    if rij is None or rij.betrokkene_id != betrokkene.id:
        raise NotFound("Toestemming niet gevonden.")
    if not rij.gegeven:
        raise Conflict("Een weigering kan niet worden ingetrokken.")
    if rij.ingetrokken_op is not None:
        raise Conflict("Deze toestemming is al ingetrokken.")
    if invoer.datum > vandaag(nu=nu):
        raise BadRequest(
            "De intrekking is ongeldig.",
            invalid_params=[InvalidParam(name="datum", reason="Ligt in de toekomst.")],
        )
    if invoer.datum < rij.datum:
        raise BadRequest(
            "De intrekking is ongeldig.",
            invalid_params=[InvalidParam(name="datum", reason="Ligt vóór de datum van de toestemming.")],
        )
    resultaat = await session.execute(
        sa.update(Toestemming)
        .where(Toestemming.id == rij.id, Toestemming.ingetrokken_op.is_(None))
        .values(ingetrokken_op=invoer.datum, ingetrokken_door=door)
        .execution_options(synchronize_session=False)
    )
    if getattr(resultaat, "rowcount", 0) != 1:
        raise Conflict("Deze toestemming is al ingetrokken.")
    await session.refresh(rij)
    await record_wijziging(
        session=session, signaal=signaal, actie="toestemming_ingetrokken", door=door, nu=nu, sleutels=sleutels,
        toelichting=invoer.toelichting,
        details={"betrokkeneId": str(betrokkene.id), "toestemmingId": str(rij.id), "datum": invoer.datum.isoformat()},
    )  # fmt: skip
    return toestemming_weergave(rij, geldig=False)
