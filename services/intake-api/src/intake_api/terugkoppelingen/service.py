"""Outcomes partners report on their tracks (forwarded by the gateway, which logs them).

Codes come from the catalogue; `reden` belongs to geen_vervolg, `opvangvorm` to opvang_geregeld and
`maatregel` to bestuurlijke_maatregel, each required there and refused elsewhere. The first outcome on a
track moves it `open → lopend`. The first time a code is recorded on a case, an anonymous
`terugkoppeling_vastgelegd` event goes to the outbox (a second partner reporting the same code does not
count again), with whether it is the case's first outcome and the whole days since the escalation.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.catalogus import Catalogus, Lijst
from meldroute_common.meldingen import Meldingsoort
from meldroute_common.problems import BadRequest, InvalidParam, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.historie import lock_signaal, record_wijziging, scrub_toelichting, seal_tekst
from intake_api.meldingen.service import meld
from intake_api.models import Signaal, Terugkoppeling, Traject
from intake_api.outbox.service import record_gebeurtenis
from intake_api.signalen.service import get_betrokkenen
from intake_api.sleutels import Sleutels
from intake_api.termijnen.service import open_traject_termijnen
from intake_api.terugkoppelingen import schemas
from intake_api.tijd import utc
from intake_api.trajecten.service import find_partner_traject

#: Outcome code -> (the field it needs, the catalogue list of that field's codes).
AANVULLING: dict[str, tuple[str, str, Lijst]] = {
    "geen_vervolg": ("reden", "reden", "geen_vervolg_redenen"),
    "opvang_geregeld": ("opvangvorm", "opvangvorm", "opvangvormen"),
    "bestuurlijke_maatregel": ("maatregel", "maatregel", "bestuurlijke_maatregelen"),
}


def check_terugkoppeling(invoer: schemas.TerugkoppelingInvoer, catalogus: Catalogus) -> None:
    """400 naming each field with an unknown code, a missing required one or one that does not belong."""
    fouten: list[InvalidParam] = []
    if catalogus.onbekende_codes("terugkoppelingen", [invoer.terugkoppeling]):
        fouten.append(InvalidParam(name="terugkoppeling", reason="Onbekende code voor terugkoppelingen."))
    for code, (attribuut, veld, lijst) in AANVULLING.items():
        waarde = getattr(invoer, attribuut)
        if invoer.terugkoppeling == code:
            if waarde is None:
                fouten.append(InvalidParam(name=veld, reason=f"Verplicht bij {code}."))
            elif catalogus.onbekende_codes(lijst, [waarde]):
                fouten.append(InvalidParam(name=veld, reason=f"Onbekende code voor {lijst}."))
        elif waarde is not None:
            fouten.append(InvalidParam(name=veld, reason=f"Alleen bij {code}."))
    if fouten:
        raise BadRequest("De terugkoppeling is ongeldig; zie invalidParams.", invalid_params=fouten)


async def record_terugkoppeling(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    invoer: schemas.TerugkoppelingInvoer,
    catalogus: Catalogus,
    sleutels: Sleutels,
    nu: datetime,
) -> schemas.TerugkoppelingVastgelegd:
    """Record an outcome: 400 invalid codes, 404 unknown case or the partner is on no open or running track
    with that purpose."""
    check_terugkoppeling(invoer, catalogus)
    signaal = await session.get(Signaal, signaal_id)
    if signaal is None or signaal.status != "opgeschaald" or signaal.opgeschaald_op is None:
        raise NotFound("Casus niet gevonden.")
    # Whether a code is new on the case decides the event: two partners reporting at once must not both count.
    await lock_signaal(session=session, signaal=signaal)
    traject = await find_partner_traject(
        session=session, signaal_id=signaal.id, partner=invoer.partner, doel=invoer.doel
    )
    if traject is None:
        raise NotFound("Casus niet gevonden.")
    eerder = set(
        await session.scalars(
            sa.select(Terugkoppeling.terugkoppeling).where(Terugkoppeling.signaal_id == signaal.id).distinct()
        )
    )
    rij_id = uuid.uuid4()
    rij = Terugkoppeling(
        id=rij_id, signaal_id=signaal.id, traject_id=traject.id, partner=invoer.partner, door=invoer.door,
        doel=invoer.doel, terugkoppeling=invoer.terugkoppeling, reden=invoer.reden, opvangvorm=invoer.opvangvorm,
        maatregel=invoer.maatregel,
        toelichting=await scrub_toelichting(
            session=session, signaal_id=signaal.id, tekst=invoer.toelichting, sleutels=sleutels
        ) if invoer.toelichting else None,
        toelichting_verzegeld=seal_tekst(
            signaal=signaal, veld=f"terugkoppeling.{rij_id}", tekst=invoer.toelichting, sleutels=sleutels
        ),
        vastgelegd_op=nu,
    )  # fmt: skip
    session.add(rij)
    if traject.status == "open":
        await session.execute(
            sa.update(Traject)
            .where(Traject.id == traject.id, Traject.status == "open")
            .values(status="lopend")
            .execution_options(synchronize_session=False)
        )
    await session.flush()
    await open_traject_termijnen(
        session=session, signaal=signaal, traject_id=traject.id, terugkoppeling=invoer.terugkoppeling, nu=nu
    )
    await record_wijziging(
        session=session, signaal=signaal, actie="terugkoppeling_vastgelegd", door=invoer.door, nu=nu,
        sleutels=sleutels,
        details={
            "terugkoppelingId": str(rij.id), "trajectId": str(traject.id), "partner": invoer.partner,
            "doel": invoer.doel, "terugkoppeling": invoer.terugkoppeling,
        },
    )  # fmt: skip
    if invoer.terugkoppeling not in eerder:
        await record_gebeurtenis(
            session=session,
            catalogus=catalogus,
            type="terugkoppeling_vastgelegd",
            signaal=signaal,
            betrokkenen=await get_betrokkenen(session=session, signaal_id=signaal.id),
            nu=nu,
            terugkoppeling=invoer.terugkoppeling,
            eerste_terugkoppeling=not eerder,
            doorlooptijd_dagen=max(0, (nu - utc(signaal.opgeschaald_op)).days),
        )
    await meld(
        session=session, soort=Meldingsoort.terugkoppeling_vastgelegd, organisaties=[signaal.gemeente_code],
        onderwerp=signaal.id, nu=nu,
    )  # fmt: skip
    return schemas.TerugkoppelingVastgelegd(id=rij.id, vastgelegd_op=utc(nu))
