"""The work behind the partner endpoints: the cases shared with a partner, one case, an evaluation.

Every decision about a case is recorded through the verwerkingenlog's front door
(:mod:`privacy_gateway.verwerkingen.vastlegging`) before its answer is produced; a logged denial is
returned (see the deny-and-log rule there), a denial that is not logged is raised.

Reading a case waits for intake and for the log at the same time: while intake answers, the log's
head is read ahead in the request's transaction, so after intake's answer the append is one moving
of the head and one insert. The answer still waits for the row: it is put together after the append,
and sent only after the commit (a failure there is 503 with nothing disclosed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse
from meldroute_common.auth import Claims
from meldroute_common.beleid import Beslissing, Categorie, decide
from meldroute_common.paginering import MAX_PAGE_SIZE, CursorCodec
from meldroute_common.problems import Forbidden, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.casussen.schemas import (
    BetrokkeneUit,
    CasusSamenvatting,
    CasussenPagina,
    CasusVerstrekking,
    Evaluatie,
    EvaluatieVerzoek,
    GrondslagUit,
    Kenmerken,
    Kern,
)
from privacy_gateway.context import Gateway, actieve_doelen, feiten, organisatie
from privacy_gateway.intake.client import alle_paginas
from privacy_gateway.intake.schemas import IntakeCasus, IntakeCasusSamenvatting
from privacy_gateway.pseudoniemen import partner_pseudoniem
from privacy_gateway.referenties.service import casus_for_referentie, dag, dag_of_none, record_referenties
from privacy_gateway.verwerkingen.vastlegging import (
    Actie,
    Kopstand,
    deny,
    grondslag_for,
    read_head_ahead,
    record,
)

__all__ = [
    "NIET_GEVONDEN",
    "evaluate",
    "list_casussen",
    "log_pseudoniemen",
    "policy_denial",
    "read_casus",
    "shared_casus",
    "vereist_toestemming",
]

NIET_GEVONDEN = "Casus niet gevonden."


async def list_casussen(
    *, session: AsyncSession, gateway: Gateway, claims: Claims, page_size: int, cursor: str | None
) -> CasussenPagina:
    """One page of the cases escalated to the caller's organisation, ordered by its own references."""
    partner = organisatie(claims)
    na = None if cursor is None else str(_CURSOR.decode(cursor)[0])
    casussen = [c for c in await _alle_casussen(gateway, partner=partner) if partner in c.partners]
    referenties = {c.id: gateway.casus_referentie(partner=partner, casus_id=c.id) for c in casussen}
    # Ordered by the partner's own reference, never by intake's order or time.
    geordend = sorted(
        (c for c in casussen if na is None or str(referenties[c.id]) > na),
        key=lambda c: str(referenties[c.id]),
    )
    pagina, meer = geordend[:page_size], len(geordend) > page_size
    # Only what this page shows becomes a reference the partner can use.
    await record_referenties(
        session=session, partner=partner, referenties={c.id: referenties[c.id] for c in pagina}
    )
    nu = datetime.now(UTC)
    resultaat: list[CasusSamenvatting] = []
    for casus in pagina:
        doelen = actieve_doelen(casus, partner=partner)
        doel = doelen[0] if doelen else casus.doel
        beslissing = decide(beleid=gateway.beleid, partner_id=partner, doel=doel, casus=feiten(casus), nu=nu)
        resultaat.append(
            CasusSamenvatting(
                id=referenties[casus.id],
                opgeschaald_op=dag(casus.opgeschaald_op),
                doel=doel,
                doelen=doelen,
                vertrouwelijkheidaanduiding=casus.vertrouwelijkheidaanduiding,
                toegang=beslissing.toegestaan,
                venster_tot=dag_of_none(beslissing.venster_tot),
            )
        )
    volgende = _CURSOR.encode(resultaat[-1].id) if meer and resultaat else None
    return CasussenPagina(casussen=resultaat, volgende=volgende)


async def _alle_casussen(gateway: Gateway, *, partner: str) -> list[IntakeCasusSamenvatting]:
    """Every case intake has escalated to the partner (all pages): ordering by reference needs them all."""

    async def pagina(cursor: str | None) -> tuple[list[IntakeCasusSamenvatting], str | None]:
        gelezen = await gateway.intake.casussen(partner=partner, page_size=MAX_PAGE_SIZE, cursor=cursor)
        return gelezen.casussen, gelezen.volgende

    return await alle_paginas(pagina)


#: Pages of the list follow the partner's own reference.
_CURSOR = CursorCodec(velden=(UUID,))


async def shared_casus(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, referentie: UUID, doel: str
) -> IntakeCasus | JSONResponse:
    """The case behind the partner's reference when it is shared with the partner, else the logged 404."""
    casus, _ = await _gedeelde_casus(
        session=session, gateway=gateway, request=request, claims=claims, referentie=referentie, doel=doel,
        kop_vooruit=False,
    )  # fmt: skip
    return casus


async def _gedeelde_casus(
    *,
    session: AsyncSession,
    gateway: Gateway,
    request: Request,
    claims: Claims,
    referentie: UUID,
    doel: str,
    kop_vooruit: bool,
) -> tuple[IntakeCasus | JSONResponse, Kopstand | None]:
    """:func:`shared_casus`, with the log's head read while intake answers when ``kop_vooruit``."""
    partner = organisatie(claims)
    intern = await casus_for_referentie(
        session=session, partner=partner, referentie=referentie, geheugen=gateway.referenties
    )
    casus: IntakeCasus | None = None
    kop: Kopstand | None = None
    if intern is not None and kop_vooruit:
        casus, kop = await _samen(gateway.intake.casus(intern), read_head_ahead(session=session))
    elif intern is not None:
        casus = await gateway.intake.casus(intern)
    if casus is None or partner not in casus.partners:
        # Logged too: a partner probing for cases it was not given is what an auditor wants to see.
        return await deny(
            session=session, gateway=gateway, request=request, probleem=NotFound(NIET_GEVONDEN),
            doel=doel, casus_id=intern, referentie=referentie, vertrouwelijkheid="vertrouwelijk",
            detail={"organisatie": partner, "gebruiker": claims.sub, "reden": "onbekend_of_niet_gedeeld"},
            kop=kop,
        ), None  # fmt: skip
    return casus, kop


async def _samen(
    intake: Coroutine[Any, Any, IntakeCasus | None], kop: Coroutine[Any, Any, Kopstand | None]
) -> tuple[IntakeCasus | None, Kopstand | None]:
    """Both at once; both always run to their end (the session is never left mid-statement), then the
    first failure is raised: intake's (it says why nothing came), else the log's (503)."""
    gelezen, vooruit = await asyncio.gather(intake, kop, return_exceptions=True)
    for uitkomst in (gelezen, vooruit):
        if isinstance(uitkomst, BaseException):
            raise uitkomst
    assert not isinstance(gelezen, BaseException) and not isinstance(vooruit, BaseException)
    return gelezen, vooruit


def policy_denial(beslissing: Beslissing) -> Forbidden:
    """The 403 of a refusal by the policy: its explanation, and `reden` with the code."""
    assert beslissing.reden is not None
    return Forbidden(
        f"Het convenantbeleid staat dit niet toe: {beslissing.reden.toelichting}",
        extra={"reden": beslissing.reden.code.value},
    )


async def read_casus(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, referentie: UUID, doel: str
) -> CasusVerstrekking | JSONResponse:
    """One case as the policy allows it for this partner and purpose, recorded before it is put together.

    An unknown or unshared case and a denial by the policy are logged and returned as problem responses.
    """
    partner = organisatie(claims)
    basis = {"organisatie": partner, "gebruiker": claims.sub}
    casus, kop = await _gedeelde_casus(
        session=session, gateway=gateway, request=request, claims=claims, referentie=referentie, doel=doel,
        kop_vooruit=True,
    )  # fmt: skip
    if isinstance(casus, JSONResponse):
        return casus
    nu = datetime.now(UTC)
    beslissing = decide(beleid=gateway.beleid, partner_id=partner, doel=doel, casus=feiten(casus), nu=nu)
    if not beslissing.toegestaan:
        assert beslissing.reden is not None
        return await deny(
            session=session, gateway=gateway, request=request,
            probleem=Forbidden(
                f"Het convenantbeleid staat dit niet toe: {beslissing.reden.toelichting}",
                extra={"reden": beslissing.reden.code.value},
            ),
            doel=doel, beslissing=beslissing, casus_id=casus.id, referentie=referentie,
            vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
            detail={**basis, "reden": beslissing.reden.code.value, "regelId": beslissing.regel_id}, nu=nu,
            kop=kop,
        )  # fmt: skip
    # Categories needing four eyes never travel in this answer, whatever the rule allows.
    verstrekt = beslissing.categorieen - beslissing.vier_ogen
    if vereist_toestemming(gateway, partner=partner, doel=doel, fase=casus.fase):
        # A rule resting on consent discloses only the people whose consent is valid now.
        casus = casus.model_copy(update={"betrokkenen": [b for b in casus.betrokkenen if b.toestemming]})
    await record(
        session=session, gateway=gateway, request=request,
        actie=Actie.VERSTREKKING, doel=doel, grondslag=grondslag_for(gateway=gateway, beslissing=beslissing, doel=doel), afnemer=partner,
        betrokkenen=log_pseudoniemen(gateway=gateway, casus=casus), casus_id=casus.id, referentie=referentie,
        vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
        detail={**basis, "categorieen": sorted(c.value for c in verstrekt), "regelId": beslissing.regel_id}, nu=nu,
        kop=kop,
    )  # fmt: skip
    # Only now, with the log row flushed in this transaction, is the answer put together.
    return _verstrekking(
        gateway,
        casus=casus,
        referentie=referentie,
        partner=partner,
        beslissing=beslissing,
        verstrekt=verstrekt,
    )


def vereist_toestemming(gateway: Gateway, *, partner: str, doel: str, fase: str) -> bool:
    """Whether the rule deciding for this partner, purpose and stage rests on the victim's consent."""
    regel = gateway.beleid.index.regels.get((partner, doel), {}).get(fase)
    return regel is not None and regel.vereist_toestemming


def _verstrekking(
    gateway: Gateway,
    *,
    casus: IntakeCasus,
    referentie: UUID,
    partner: str,
    beslissing: Beslissing,
    verstrekt: frozenset[Categorie],
) -> CasusVerstrekking:
    assert beslissing.grondslag is not None and beslissing.regel_id is not None
    assert beslissing.venster_tot is not None
    kenmerken = Categorie.KENMERKEN in verstrekt
    betrokkenen = []
    for b in casus.betrokkenen:
        b_referentie = gateway.betrokkene_referentie(partner=partner, betrokkene_id=b.id)
        pseudoniem = None
        if Categorie.PSEUDONIEM in verstrekt and b.link_pseudoniem is not None:
            pseudoniem = partner_pseudoniem(
                sleutel=gateway.pseudoniemsleutel, partner_id=partner, link_pseudoniem=b.link_pseudoniem
            )
        betrokkenen.append(
            BetrokkeneUit(
                referentie=b_referentie,
                rol=b.rol,
                leeftijdsklasse=b.leeftijdsklasse if kenmerken else None,
                geslacht=b.geslacht if kenmerken else None,
                nationaliteitsgroep=b.nationaliteitsgroep if kenmerken else None,
                pseudoniem=pseudoniem,
                gekoppelde_signalen=b.gekoppelde_signalen
                if Categorie.GEKOPPELDE_SIGNALEN in verstrekt
                else None,
            )
        )
    kern = None
    if Categorie.KERN in verstrekt:
        kern = Kern(
            gemeente_code=casus.kern.gemeente_code,
            melder_domein=casus.kern.melder_domein,
            waargenomen_op=casus.kern.waargenomen_op,
            ontvangen_op=dag(casus.kern.ontvangen_op),
            uitbuitingsvormen=list(casus.kern.uitbuitingsvormen),
        )
    # Ordered by this partner's references: intake's order would be the same for every partner.
    betrokkenen.sort(key=lambda b: b.referentie)
    return CasusVerstrekking(
        id=referentie,
        doel=beslissing.doel,
        grondslag=GrondslagUit(**beslissing.grondslag.model_dump()),
        regel_id=beslissing.regel_id,
        categorieen=[c.value for c in Categorie if c in verstrekt],
        vier_ogen=[c.value for c in Categorie if c in beslissing.vier_ogen],
        venster_tot=dag(beslissing.venster_tot),
        opgeschaald_op=dag(casus.opgeschaald_op),
        vertrouwelijkheidaanduiding=casus.vertrouwelijkheidaanduiding,
        kern=kern,
        kenmerken=Kenmerken(
            indicatoren=list(casus.kenmerken.indicatoren),
            sector=casus.kenmerken.sector,
            locatietype=casus.kenmerken.locatietype,
        )
        if kenmerken
        else None,
        # The scrubbed text only; the sealed original is never opened for a partner.
        omschrijving=casus.omschrijving if Categorie.OMSCHRIJVING in verstrekt else None,
        betrokkenen=betrokkenen,
    )


async def evaluate(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, verzoek: EvaluatieVerzoek
) -> Evaluatie:
    """Would the policy allow this disclosure, and why; recorded, but discloses nothing of the case."""
    partner = organisatie(claims)
    intern = await casus_for_referentie(
        session=session, partner=partner, referentie=verzoek.casus_id, geheugen=gateway.referenties
    )
    casus = None if intern is None else await gateway.intake.casus(intern)
    if casus is None or partner not in casus.partners:
        raise NotFound(NIET_GEVONDEN)
    nu = datetime.now(UTC)
    beslissing = decide(
        beleid=gateway.beleid, partner_id=partner, doel=verzoek.doel, casus=feiten(casus), nu=nu
    )
    await record(
        session=session, gateway=gateway, request=request,
        actie=Actie.EVALUATIE, doel=verzoek.doel, grondslag=grondslag_for(gateway=gateway, beslissing=beslissing, doel=verzoek.doel),
        afnemer=None, betrokkenen=[], casus_id=casus.id, referentie=verzoek.casus_id,
        vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
        detail={
            "organisatie": partner, "gebruiker": claims.sub, "toegestaan": beslissing.toegestaan,
            "reden": None if beslissing.reden is None else beslissing.reden.code.value,
            "regelId": beslissing.regel_id,
        },
        nu=nu,
    )  # fmt: skip
    return Evaluatie.model_validate(
        {**beslissing.als_dict(), "vensterTot": dag_of_none(beslissing.venster_tot)}
    )


def log_pseudoniemen(*, gateway: Gateway, casus: IntakeCasus) -> list[str | None]:
    """The log's pseudonym of every betrokkene of the case (None for one without a link pseudonym)."""
    return [
        None if b.link_pseudoniem is None else gateway.log_pseudoniem(b.link_pseudoniem)
        for b in casus.betrokkenen
    ]
