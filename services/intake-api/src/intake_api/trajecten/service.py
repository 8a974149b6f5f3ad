"""Tracks of an escalated case, and requests for a follow-on purpose.

A track is a purpose with recipient partners and its own status (`open` → `lopend` at the first outcome →
`afgerond`). The case stays open for work while its signal is `opgeschaald`: the attention officer may open
a track, add a partner to one, or close one; every partner and purpose goes through the covenant check
first. `casus_partners` and the signal's `partners` stay the union over the tracks (the internal list
filters on it); the signal's `doel` stays the purpose of the first track.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.beleid import Beleid
from meldroute_common.meldingen import Meldingsoort
from meldroute_common.problems import BadRequest, Conflict, InvalidParam, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.beleidstoets import OpschalingsVraag, check_opschaling
from intake_api.historie import lock_signaal, record_wijziging, scrub_toelichting, seal_tekst
from intake_api.meldingen.service import meld
from intake_api.models import CasusPartner, Doelverzoek, Signaal, Traject, TrajectPartner
from intake_api.signalen import schemas as signaal_schemas
from intake_api.signalen.onderdelen import doelverzoek_weergave, read_traject_weergave
from intake_api.signalen.service import get_signaal
from intake_api.sleutels import Sleutels
from intake_api.termijnen.service import sluit_traject_termijnen
from intake_api.trajecten import schemas

STANDAARD_VERTROUWELIJKHEID = "vertrouwelijk"
ACTIEF = ("open", "lopend")


async def _add_partners(
    *, session: AsyncSession, signaal: Signaal, traject: Traject, partners: Sequence[str], nu: datetime
) -> None:
    eerder = await session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(TrajectPartner.volgnummer), 0)).where(
            TrajectPartner.traject_id == traject.id
        )
    )
    session.add_all(
        TrajectPartner(
            traject_id=traject.id,
            partner=p,
            signaal_id=signaal.id,
            volgnummer=(eerder or 0) + i,
            toegevoegd_op=nu,
        )
        for i, p in enumerate(partners, start=1)
    )
    bekend = set(
        await session.scalars(sa.select(CasusPartner.partner).where(CasusPartner.signaal_id == signaal.id))
    )
    nieuw = [p for p in partners if p not in bekend]
    session.add_all(CasusPartner(signaal_id=signaal.id, partner=p) for p in nieuw)
    # Every partner that joins a track hears of it (at the escalation, a new track, an added partner).
    await meld(
        session=session,
        soort=Meldingsoort.traject_geopend,
        organisaties=partners,
        onderwerp=signaal.id,
        nu=nu,
    )
    vereniging = list(dict.fromkeys([*(signaal.partners or []), *partners]))
    if vereniging != list(signaal.partners or []):
        await session.execute(
            sa.update(Signaal)
            .where(Signaal.id == signaal.id)
            .values(partners=vereniging)
            .execution_options(synchronize_session=False)
        )
    await session.flush()
    await session.refresh(signaal)


async def add_traject(
    *, session: AsyncSession, signaal: Signaal, doel: str, partners: Sequence[str], door: str, nu: datetime
) -> Traject:
    """Store a track with its partners (no checks and no history: the caller did both)."""
    volgnummer = (
        await session.scalar(
            sa.select(sa.func.coalesce(sa.func.max(Traject.volgnummer), 0)).where(
                Traject.signaal_id == signaal.id
            )
        )
        or 0
    ) + 1
    traject = Traject(
        id=uuid.uuid4(), signaal_id=signaal.id, volgnummer=volgnummer, doel=doel, status="open",
        geopend_op=nu, geopend_door=door, afgerond_op=None,
    )  # fmt: skip
    session.add(traject)
    await session.flush()
    await _add_partners(session=session, signaal=signaal, traject=traject, partners=partners, nu=nu)
    return traject


async def get_casus_signaal(*, session: AsyncSession, signaal_id: UUID, gemeente: str | None) -> Signaal:
    """The municipality's signal (404 otherwise), which must be an escalated case (409 otherwise), locked for
    the change the caller is about to make."""
    signaal = await get_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    await lock_signaal(session=session, signaal=signaal)
    if signaal.status != "opgeschaald":
        raise Conflict(
            "Alleen een opgeschaald signaal heeft trajecten; schaal het eerst op.",
            extra={"huidigeStatus": signaal.status},
        )
    return signaal


async def get_traject(*, session: AsyncSession, signaal: Signaal, traject_id: UUID) -> Traject:
    traject = await session.get(Traject, traject_id)
    if traject is None or traject.signaal_id != signaal.id:
        raise NotFound("Traject niet gevonden.")
    return traject


async def find_actief_traject(*, session: AsyncSession, signaal_id: UUID, doel: str) -> Traject | None:
    """The case's open or running track for `doel`, if any (at most one: a purpose runs on one track)."""
    return await session.scalar(
        sa.select(Traject)
        .where(Traject.signaal_id == signaal_id, Traject.doel == doel, Traject.status.in_(ACTIEF))
        .order_by(Traject.volgnummer)
        .limit(1)
    )


async def read_partners(*, session: AsyncSession, traject_id: UUID) -> list[str]:
    return list(
        await session.scalars(
            sa.select(TrajectPartner.partner).where(TrajectPartner.traject_id == traject_id)
        )
    )


def _toets(*, beleid: Beleid, signaal: Signaal, vragen: list[OpschalingsVraag], nu: datetime) -> None:
    check_opschaling(
        beleid=beleid,
        vragen=vragen,
        vertrouwelijkheidaanduiding=signaal.vertrouwelijkheidaanduiding or STANDAARD_VERTROUWELIJKHEID,
        nu=nu,
    )


async def open_traject(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    gemeente: str | None,
    invoer: schemas.TrajectOpenen,
    door: str,
    beleid: Beleid,
    sleutels: Sleutels,
    nu: datetime,
) -> signaal_schemas.TrajectWeergave:
    """A new track on an escalated case (404 another municipality's, 409 not escalated or a track for the
    purpose runs already, 400 a partner or purpose the policy refuses: nothing stored)."""
    signaal = await get_casus_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    if len(set(invoer.partners)) != len(invoer.partners):
        raise BadRequest(
            "Een partner staat er twee keer in.",
            invalid_params=[InvalidParam(name="partners", reason="Een partner staat er twee keer in.")],
        )
    _toets(
        beleid=beleid,
        signaal=signaal,
        vragen=[
            OpschalingsVraag(partner=p, doel=invoer.doel, partner_veld=f"partners[{i}]", doel_veld="doel")
            for i, p in enumerate(invoer.partners)
        ],
        nu=nu,
    )
    if (await find_actief_traject(session=session, signaal_id=signaal.id, doel=invoer.doel)) is not None:
        raise Conflict("Er loopt al een traject met dit doel; voeg de partner daaraan toe.")
    traject = await add_traject(
        session=session, signaal=signaal, doel=invoer.doel, partners=invoer.partners, door=door, nu=nu
    )
    await record_wijziging(
        session=session, signaal=signaal, actie="traject_geopend", door=door, nu=nu, sleutels=sleutels,
        toelichting=invoer.toelichting,
        details={"trajectId": str(traject.id), "doel": traject.doel, "partners": list(invoer.partners)},
    )  # fmt: skip
    return await read_traject_weergave(session=session, traject=traject)


async def add_partner(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    traject_id: UUID,
    gemeente: str | None,
    invoer: schemas.PartnerToevoegen,
    door: str,
    beleid: Beleid,
    sleutels: Sleutels,
    nu: datetime,
) -> signaal_schemas.TrajectWeergave:
    """A partner added to a track (409 the track is closed or has the partner already; 400 the policy refuses)."""
    signaal = await get_casus_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    traject = await get_traject(session=session, signaal=signaal, traject_id=traject_id)
    if traject.status == "afgerond":
        raise Conflict("Dit traject is afgerond.", extra={"huidigeStatus": traject.status})
    _toets(
        beleid=beleid,
        signaal=signaal,
        vragen=[
            OpschalingsVraag(
                partner=invoer.partner, doel=traject.doel, partner_veld="partner", doel_veld="partner"
            )
        ],
        nu=nu,
    )
    if invoer.partner in await read_partners(session=session, traject_id=traject.id):
        raise Conflict("Deze partner zit al in dit traject.")
    await _add_partners(session=session, signaal=signaal, traject=traject, partners=[invoer.partner], nu=nu)
    await record_wijziging(
        session=session, signaal=signaal, actie="partner_toegevoegd", door=door, nu=nu, sleutels=sleutels,
        toelichting=invoer.toelichting,
        details={"trajectId": str(traject.id), "doel": traject.doel, "partner": invoer.partner},
    )  # fmt: skip
    return await read_traject_weergave(session=session, traject=traject)


async def close_traject(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    traject_id: UUID,
    gemeente: str | None,
    invoer: schemas.TrajectAfronden,
    door: str,
    sleutels: Sleutels,
    nu: datetime,
) -> signaal_schemas.TrajectWeergave:
    """Close a track (409 when it is closed already)."""
    signaal = await get_casus_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    traject = await get_traject(session=session, signaal=signaal, traject_id=traject_id)
    resultaat = await session.execute(
        sa.update(Traject)
        .where(Traject.id == traject.id, Traject.status.in_(ACTIEF))
        .values(status="afgerond", afgerond_op=nu)
        .execution_options(synchronize_session=False)
    )
    if getattr(resultaat, "rowcount", 0) != 1:
        raise Conflict("Dit traject is al afgerond.", extra={"huidigeStatus": "afgerond"})
    await session.refresh(traject)
    await sluit_traject_termijnen(session=session, traject_id=traject.id, nu=nu)
    await record_wijziging(
        session=session, signaal=signaal, actie="traject_afgerond", door=door, nu=nu, sleutels=sleutels,
        toelichting=invoer.toelichting, details={"trajectId": str(traject.id), "doel": traject.doel},
    )  # fmt: skip
    return await read_traject_weergave(session=session, traject=traject)


# --- requests for a follow-on purpose ------------------------------------------------------------


async def record_doelverzoek(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    partner: str,
    door: str,
    doel: str,
    reden: str,
    sleutels: Sleutels,
    nu: datetime,
) -> Doelverzoek:
    """A partner's request (through the gateway) for a follow-on purpose: 404 unknown case or the partner
    is on none of its tracks, 409 the partner has an active track with that purpose already."""
    signaal = await session.get(Signaal, signaal_id)
    if signaal is None or signaal.status != "opgeschaald":
        raise NotFound("Casus niet gevonden.")
    await lock_signaal(session=session, signaal=signaal)
    op_casus = await session.scalar(
        sa.select(sa.func.count()).where(
            TrajectPartner.signaal_id == signaal.id, TrajectPartner.partner == partner
        )
    )
    if not op_casus:
        raise NotFound("Casus niet gevonden.")
    actief = await find_actief_traject(session=session, signaal_id=signaal.id, doel=doel)
    if actief is not None and partner in await read_partners(session=session, traject_id=actief.id):
        raise Conflict("De partner heeft al een lopend traject met dit doel.")
    verzoek_id = uuid.uuid4()
    verzoek = Doelverzoek(
        id=verzoek_id, signaal_id=signaal.id, partner=partner, door=door, doel=doel,
        reden=await scrub_toelichting(session=session, signaal_id=signaal.id, tekst=reden, sleutels=sleutels),
        reden_verzegeld=seal_tekst(signaal=signaal, veld=f"doelverzoek.{verzoek_id}", tekst=reden, sleutels=sleutels),
        status="gevraagd", ingediend_op=nu,
    )  # fmt: skip
    session.add(verzoek)
    await session.flush()
    await record_wijziging(
        session=session, signaal=signaal, actie="doelverzoek_ingediend", door=door, nu=nu, sleutels=sleutels,
        details={"verzoekId": str(verzoek.id), "partner": partner, "doel": doel},
    )  # fmt: skip
    return verzoek


async def decide_doelverzoek(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    verzoek_id: UUID,
    gemeente: str | None,
    invoer: schemas.DoelverzoekBesluit,
    door: str,
    beleid: Beleid,
    sleutels: Sleutels,
    nu: datetime,
) -> signaal_schemas.DoelverzoekWeergave:
    """Grant or refuse a request (409 decided already). Granted: the partner joins the open track with that
    purpose, or a new track is opened for it; the policy is checked first (400, nothing stored)."""
    signaal = await get_casus_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    verzoek = await session.get(Doelverzoek, verzoek_id)
    if verzoek is None or verzoek.signaal_id != signaal.id:
        raise NotFound("Doelverzoek niet gevonden.")
    if verzoek.status != "gevraagd":
        raise Conflict("Over dit verzoek is al besloten.", extra={"huidigeStatus": verzoek.status})
    traject: Traject | None = None
    if invoer.toegekend:
        _toets(
            beleid=beleid,
            signaal=signaal,
            vragen=[
                OpschalingsVraag(
                    partner=verzoek.partner,
                    doel=verzoek.doel,
                    partner_veld="toegekend",
                    doel_veld="toegekend",
                )
            ],
            nu=nu,
        )
        traject = await find_actief_traject(session=session, signaal_id=signaal.id, doel=verzoek.doel)
        if traject is None:
            traject = await add_traject(
                session=session,
                signaal=signaal,
                doel=verzoek.doel,
                partners=[verzoek.partner],
                door=door,
                nu=nu,
            )
        elif verzoek.partner not in await read_partners(session=session, traject_id=traject.id):
            await _add_partners(
                session=session, signaal=signaal, traject=traject, partners=[verzoek.partner], nu=nu
            )
    resultaat = await session.execute(
        sa.update(Doelverzoek)
        .where(Doelverzoek.id == verzoek.id, Doelverzoek.status == "gevraagd")
        .values(
            status="toegekend" if invoer.toegekend else "afgewezen",
            besloten_op=nu,
            besloten_door=door,
            traject_id=traject.id if traject is not None else None,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(resultaat, "rowcount", 0) != 1:
        raise Conflict("Over dit verzoek is al besloten.")
    await session.refresh(verzoek)
    await record_wijziging(
        session=session, signaal=signaal, actie="doelverzoek_besloten", door=door, nu=nu, sleutels=sleutels,
        toelichting=invoer.toelichting,
        details={
            "verzoekId": str(verzoek.id), "partner": verzoek.partner, "doel": verzoek.doel,
            "toegekend": invoer.toegekend, "trajectId": str(traject.id) if traject is not None else None,
        },
    )  # fmt: skip
    return doelverzoek_weergave(verzoek)


async def find_partner_traject(
    *, session: AsyncSession, signaal_id: UUID, partner: str, doel: str
) -> Traject | None:
    """The partner's open or running track with this purpose on the case, if it has one."""
    return await session.scalar(
        sa.select(Traject)
        .join(TrajectPartner, TrajectPartner.traject_id == Traject.id)
        .where(
            Traject.signaal_id == signaal_id,
            Traject.doel == doel,
            Traject.status.in_(("open", "lopend")),
            TrajectPartner.partner == partner,
        )
        .order_by(Traject.volgnummer)
        .limit(1)
    )
