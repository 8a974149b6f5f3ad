"""Advice before escalation: the attention officer asks expert partners (the policy must allow each the
purpose `advies`); the gateway shows them the pseudonymised summary and forwards their answers.

Asking moves the signal `in_behandeling → advies_gevraagd`; a decision (`in_behandeling`) moves it back.
The question and the answers are scrubbed of identifiers (the signal's own betrokkenen included) and
their originals sealed to the gateway.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.beleid import Beleid
from meldroute_common.meldingen import Meldingsoort
from meldroute_common.problems import BadRequest, Conflict, InvalidParam, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.adviezen import schemas
from intake_api.beleidstoets import OpschalingsVraag, check_opschaling
from intake_api.historie import record_wijziging, scrub_toelichting, seal_tekst
from intake_api.meldingen.service import meld
from intake_api.models import Adviesantwoord, Adviesvraag, AdviesvraagExpert, Signaal
from intake_api.paginering import CURSOR, make_cursor
from intake_api.signalen import schemas as signaal_schemas
from intake_api.signalen.onderdelen import adviesvraag_weergave, minderjarig_per_signaal, read_antwoorden
from intake_api.signalen.service import get_signaal
from intake_api.sleutels import Sleutels
from intake_api.tijd import utc

ADVIES = "advies"
STANDAARD_VERTROUWELIJKHEID = "vertrouwelijk"
#: The statuses in which advice may be asked.
VRAAGBAAR = ("in_behandeling", "advies_gevraagd")


async def ask_advies(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    gemeente: str | None,
    invoer: schemas.AdviesvraagInvoer,
    door: str,
    beleid: Beleid,
    sleutels: Sleutels,
    nu: datetime,
) -> signaal_schemas.AdviesvraagWeergave:
    """Put a question to experts: 404 another municipality's signal, 409 not in_behandeling or
    advies_gevraagd, 400 an expert the policy does not allow `advies` (nothing stored)."""
    signaal = await get_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    if len(set(invoer.experts)) != len(invoer.experts):
        raise BadRequest(
            "Een expert staat er twee keer in.",
            invalid_params=[InvalidParam(name="experts", reason="Een expert staat er twee keer in.")],
        )
    if signaal.status not in VRAAGBAAR:
        raise Conflict(
            f"Advies vragen kan alleen in {' of '.join(VRAAGBAAR)}.",
            extra={"huidigeStatus": signaal.status},
        )
    check_opschaling(
        beleid=beleid,
        vragen=[
            OpschalingsVraag(partner=p, doel=ADVIES, partner_veld=f"experts[{i}]", doel_veld=f"experts[{i}]")
            for i, p in enumerate(invoer.experts)
        ],
        vertrouwelijkheidaanduiding=signaal.vertrouwelijkheidaanduiding or STANDAARD_VERTROUWELIJKHEID,
        nu=nu,
    )
    vraag_id = uuid.uuid4()
    vraag = Adviesvraag(
        id=vraag_id, signaal_id=signaal.id, gesteld_op=nu, gesteld_door=door,
        vraag=await scrub_toelichting(session=session, signaal_id=signaal.id, tekst=invoer.vraag, sleutels=sleutels),
        vraag_verzegeld=seal_tekst(signaal=signaal, veld=f"adviesvraag.{vraag_id}", tekst=invoer.vraag, sleutels=sleutels),
        experts=list(invoer.experts), status="open",
    )  # fmt: skip
    session.add(vraag)
    await session.flush()
    session.add_all(
        AdviesvraagExpert(adviesvraag_id=vraag.id, partner=p, signaal_id=signaal.id) for p in invoer.experts
    )
    await record_wijziging(
        session=session, signaal=signaal, actie="advies_gevraagd", door=door, nu=nu, sleutels=sleutels,
        details={"adviesvraagId": str(vraag.id), "experts": list(invoer.experts)},
        naar_status="advies_gevraagd",
    )  # fmt: skip
    await meld(
        session=session,
        soort=Meldingsoort.advies_gevraagd,
        organisaties=invoer.experts,
        onderwerp=signaal.id,
        nu=nu,
    )
    return adviesvraag_weergave(vraag, [])


def _intern(
    vraag: Adviesvraag, signaal: Signaal, antwoorden: list[Adviesantwoord], *, minderjarig: bool
) -> schemas.AdviesvraagIntern:
    return schemas.AdviesvraagIntern(
        id=vraag.id,
        signaal_id=signaal.id,
        gemeente_code=signaal.gemeente_code,
        gesteld_op=utc(vraag.gesteld_op),
        vraag=vraag.vraag,
        experts=list(vraag.experts),
        status=vraag.status,
        fase=signaal.status,
        vertrouwelijkheidaanduiding=signaal.vertrouwelijkheidaanduiding or STANDAARD_VERTROUWELIJKHEID,
        minderjarige_betrokken=minderjarig,
        kern=signaal_schemas.Kern(
            gemeente_code=signaal.gemeente_code,
            melder_domein=signaal.melder_domein,
            waargenomen_op=signaal.waargenomen_op,
            ontvangen_op=utc(signaal.ontvangen_op),
            uitbuitingsvormen=list(signaal.uitbuitingsvormen),
        ),
        kenmerken=signaal_schemas.Kenmerken(
            indicatoren=list(signaal.indicatoren), sector=signaal.sector, locatietype=signaal.locatietype
        ),
        omschrijving=signaal.omschrijving,
        antwoorden=[
            schemas.AntwoordSamenvatting(partner=a.partner, gegeven_op=utc(a.gegeven_op)) for a in antwoorden
        ],
    )


async def list_adviesvragen(
    *, session: AsyncSession, partner: str | None, page_size: int, cursor: str | None
) -> schemas.AdviesvragenPagina:
    """Advice questions (to `partner` when given), newest first, keyset on (gesteldOp, id)."""
    query = sa.select(Adviesvraag)
    if partner is not None:
        query = query.where(
            sa.exists().where(
                AdviesvraagExpert.adviesvraag_id == Adviesvraag.id, AdviesvraagExpert.partner == partner
            )
        )
    if cursor is not None:
        na_moment, na_id = CURSOR.decode(cursor)
        positie = sa.tuple_(
            sa.literal(na_moment, Adviesvraag.gesteld_op.type), sa.literal(na_id, Adviesvraag.id.type)
        )
        query = query.where(sa.tuple_(Adviesvraag.gesteld_op, Adviesvraag.id) < positie)
    query = query.order_by(Adviesvraag.gesteld_op.desc(), Adviesvraag.id.desc()).limit(page_size + 1)
    vragen = list(await session.scalars(query))
    volgende = None
    if len(vragen) > page_size:
        vragen = vragen[:page_size]
        volgende = make_cursor(moment=vragen[-1].gesteld_op, id=vragen[-1].id)
    signalen = {
        s.id: s
        for s in await session.scalars(
            sa.select(Signaal).where(Signaal.id.in_({v.signaal_id for v in vragen}))
        )
    }
    antwoorden = await read_antwoorden(session=session, vraag_ids=[v.id for v in vragen])
    minderjarig = await minderjarig_per_signaal(session=session, signalen=list(signalen.values()))
    return schemas.AdviesvragenPagina(
        adviesvragen=[
            _intern(v, signalen[v.signaal_id], antwoorden[v.id], minderjarig=minderjarig[v.signaal_id])
            for v in vragen
        ],
        volgende=volgende,
    )


async def get_adviesvraag(*, session: AsyncSession, vraag_id: UUID) -> schemas.AdviesvraagIntern:
    vraag = await session.get(Adviesvraag, vraag_id)
    if vraag is None:
        raise NotFound("Adviesvraag niet gevonden.")
    signaal = await session.get(Signaal, vraag.signaal_id)
    assert signaal is not None
    antwoorden = await read_antwoorden(session=session, vraag_ids=[vraag.id])
    minderjarig = await minderjarig_per_signaal(session=session, signalen=[signaal])
    return _intern(vraag, signaal, antwoorden[vraag.id], minderjarig=minderjarig[signaal.id])


async def record_antwoord(
    *, session: AsyncSession, vraag_id: UUID, invoer: schemas.AntwoordInvoer, sleutels: Sleutels, nu: datetime
) -> schemas.AntwoordVastgelegd:
    """An expert's answer (404 unknown question or the partner is not one of its experts)."""
    vraag = await session.get(Adviesvraag, vraag_id)
    if vraag is None or invoer.partner not in vraag.experts:
        raise NotFound("Adviesvraag niet gevonden.")
    signaal = await session.get(Signaal, vraag.signaal_id)
    assert signaal is not None
    antwoord_id = uuid.uuid4()
    antwoord = Adviesantwoord(
        id=antwoord_id, adviesvraag_id=vraag.id, signaal_id=signaal.id, partner=invoer.partner, door=invoer.door,
        gegeven_op=nu,
        antwoord=await scrub_toelichting(session=session, signaal_id=signaal.id, tekst=invoer.antwoord, sleutels=sleutels),
        antwoord_verzegeld=seal_tekst(
            signaal=signaal, veld=f"adviesantwoord.{antwoord_id}", tekst=invoer.antwoord, sleutels=sleutels
        ),
    )  # fmt: skip
    session.add(antwoord)
    await session.execute(
        sa.update(Adviesvraag)
        .where(Adviesvraag.id == vraag.id)
        .values(status="beantwoord")
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    await record_wijziging(
        session=session, signaal=signaal, actie="advies_beantwoord", door=invoer.door, nu=nu, sleutels=sleutels,
        details={"adviesvraagId": str(vraag.id), "partner": invoer.partner},
    )  # fmt: skip
    return schemas.AntwoordVastgelegd(id=antwoord.id, gegeven_op=utc(nu))
