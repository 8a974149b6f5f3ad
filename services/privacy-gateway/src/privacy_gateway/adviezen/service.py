"""The work behind the advice endpoints: the questions to an expert, one question, an answer.

A question is disclosed under doel `advies` as the policy allows it (a rule for the expert and `advies`):
the question and, per category, the summary intake made (kern, kenmerken, scrubbed text). Never an
identity, a betrokkene or a pseudonym, whatever a rule would allow. Each expert knows a question by its own
reference (:func:`privacy_gateway.pseudoniemen.partner_adviesvraag_referentie`), so two experts cannot join
on it. Every disclosure and every refusal is recorded through the verwerkingenlog's front door first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse
from meldroute_common.auth import Claims
from meldroute_common.beleid import Beslissing, CasusFeiten, Categorie, TrajectFeiten, decide
from meldroute_common.paginering import MAX_PAGE_SIZE, CursorCodec
from meldroute_common.problems import Forbidden, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.adviezen.schemas import AdviesantwoordUit, AdviesvraagUit, AdviesvragenPagina
from privacy_gateway.casussen.schemas import GrondslagUit, Kenmerken, Kern
from privacy_gateway.context import Gateway, organisatie
from privacy_gateway.intake.client import alle_paginas
from privacy_gateway.intake.schemas import IntakeAdviesvraag
from privacy_gateway.referenties.service import adviesvraag_for_referentie, dag, record_adviesreferenties
from privacy_gateway.verwerkingen.vastlegging import Actie, deny, grondslag_for, record

__all__ = ["ADVIES", "NIET_GEVONDEN", "answer_adviesvraag", "list_adviesvragen", "read_adviesvraag"]

ADVIES: Final = "advies"
NIET_GEVONDEN: Final = "Adviesvraag niet gevonden."

#: The categories an advice question can carry at all: the summary, never anything about a person.
_SAMENVATTING: Final = frozenset({Categorie.KERN, Categorie.KENMERKEN, Categorie.OMSCHRIJVING})

_CURSOR = CursorCodec(velden=(UUID,))


def advies_feiten(vraag: IntakeAdviesvraag) -> CasusFeiten:
    """The facts the policy decides on for a question: the signal's stage, confidentiality and minors (intake
    serves them with the question, as the signal's policy facts) and one track `advies` to the experts since the
    question was asked. The rule for `advies` names the stage `advies_gevraagd`, so once the attention officer
    has decided the experts read no more."""
    return CasusFeiten(
        fase=vraag.fase,
        vertrouwelijkheidaanduiding=vraag.vertrouwelijkheidaanduiding,
        opgeschaald_op=vraag.gesteld_op,
        trajecten=[TrajectFeiten(doel=ADVIES, ontvangers=frozenset(vraag.experts), sinds=vraag.gesteld_op)],
        minderjarige_betrokken=vraag.minderjarige_betrokken,
        toestemming=False,
    )


def _beslissing(gateway: Gateway, *, partner: str, vraag: IntakeAdviesvraag, nu: datetime) -> Beslissing:
    """The policy's decision on the question for this expert, from the facts intake served with it."""
    return decide(beleid=gateway.beleid, partner_id=partner, doel=ADVIES, casus=advies_feiten(vraag), nu=nu)


async def list_adviesvragen(
    *,
    session: AsyncSession,
    gateway: Gateway,
    request: Request,
    claims: Claims,
    page_size: int,
    cursor: str | None,
) -> AdviesvragenPagina:
    """One page of the questions to the caller's organisation that the policy lets it read now, ordered by its
    own references; each question shown is recorded as a disclosure."""
    partner = organisatie(claims)
    na = None if cursor is None else str(_CURSOR.decode(cursor)[0])
    nu = datetime.now(UTC)
    vragen = [v for v in await _alle_vragen(gateway, partner=partner) if partner in v.experts]
    referenties = {v.id: gateway.adviesvraag_referentie(partner=partner, adviesvraag_id=v.id) for v in vragen}
    beslissingen = [_beslissing(gateway, partner=partner, vraag=v, nu=nu) for v in vragen]
    toegestaan = [(v, b) for v, b in zip(vragen, beslissingen, strict=True) if b.toegestaan]
    geordend = sorted(
        (p for p in toegestaan if na is None or str(referenties[p[0].id]) > na),
        key=lambda p: str(referenties[p[0].id]),
    )
    pagina, meer = geordend[:page_size], len(geordend) > page_size
    await record_adviesreferenties(
        session=session, partner=partner, referenties={v.id: referenties[v.id] for v, _ in pagina}
    )
    resultaat = []
    for vraag, beslissing in pagina:
        await _record_verstrekking(
            session=session, gateway=gateway, request=request, claims=claims, vraag=vraag,
            referentie=referenties[vraag.id], beslissing=beslissing, nu=nu,
        )  # fmt: skip
        resultaat.append(
            _uit(vraag, referentie=referenties[vraag.id], partner=partner, beslissing=beslissing)
        )
    volgende = _CURSOR.encode(resultaat[-1].id) if meer and resultaat else None
    return AdviesvragenPagina(adviesvragen=resultaat, volgende=volgende)


async def _alle_vragen(gateway: Gateway, *, partner: str) -> list[IntakeAdviesvraag]:
    """Every question intake has put to the partner (all pages): ordering by reference needs them all."""

    async def pagina(cursor: str | None) -> tuple[list[IntakeAdviesvraag], str | None]:
        gelezen = await gateway.intake.adviesvragen(partner=partner, page_size=MAX_PAGE_SIZE, cursor=cursor)
        return gelezen.adviesvragen, gelezen.volgende

    return await alle_paginas(pagina)


async def _vraag_of_weigering(
    *,
    session: AsyncSession,
    gateway: Gateway,
    request: Request,
    claims: Claims,
    referentie: UUID,
    nu: datetime,
) -> tuple[IntakeAdviesvraag, Beslissing] | JSONResponse:
    """The question behind the expert's reference and the policy's decision, or the logged refusal."""
    partner = organisatie(claims)
    basis = {"organisatie": partner, "gebruiker": claims.sub}
    intern = await adviesvraag_for_referentie(session=session, partner=partner, referentie=referentie)
    vraag = None if intern is None else await gateway.intake.adviesvraag(intern)
    beslissing = None
    if vraag is not None and partner in vraag.experts:
        beslissing = _beslissing(gateway, partner=partner, vraag=vraag, nu=nu)
    if vraag is None or beslissing is None:
        return await deny(
            session=session, gateway=gateway, request=request, probleem=NotFound(NIET_GEVONDEN), doel=ADVIES,
            casus_id=None if vraag is None else vraag.signaal_id, referentie=referentie,
            vertrouwelijkheid="vertrouwelijk", detail={**basis, "reden": "onbekend_of_niet_gedeeld"}, nu=nu,
        )  # fmt: skip
    if not beslissing.toegestaan:
        assert beslissing.reden is not None
        return await deny(
            session=session, gateway=gateway, request=request,
            probleem=Forbidden(
                f"Het convenantbeleid staat dit niet toe: {beslissing.reden.toelichting}",
                extra={"reden": beslissing.reden.code.value},
            ),
            doel=ADVIES, beslissing=beslissing, casus_id=vraag.signaal_id, referentie=referentie,
            vertrouwelijkheid="vertrouwelijk",
            detail={**basis, "adviesvraag": str(vraag.id), "reden": beslissing.reden.code.value,
                    "regelId": beslissing.regel_id},
            nu=nu,
        )  # fmt: skip
    return vraag, beslissing


async def read_adviesvraag(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, referentie: UUID
) -> AdviesvraagUit | JSONResponse:
    """One question as the policy allows it for this expert, recorded before it is put together."""
    nu = datetime.now(UTC)
    gevonden = await _vraag_of_weigering(
        session=session, gateway=gateway, request=request, claims=claims, referentie=referentie, nu=nu
    )
    if isinstance(gevonden, JSONResponse):
        return gevonden
    vraag, beslissing = gevonden
    await _record_verstrekking(
        session=session, gateway=gateway, request=request, claims=claims, vraag=vraag, referentie=referentie,
        beslissing=beslissing, nu=nu,
    )  # fmt: skip
    return _uit(vraag, referentie=referentie, partner=organisatie(claims), beslissing=beslissing)


async def answer_adviesvraag(
    *,
    session: AsyncSession,
    gateway: Gateway,
    request: Request,
    claims: Claims,
    referentie: UUID,
    antwoord: str,
) -> AdviesantwoordUit | JSONResponse:
    """Forward an expert's answer to intake (which scrubs and stores it), recorded before it is forwarded.

    The answer's text is never in the verwerkingenlog; the row names the question, the expert and the rule.
    """
    nu = datetime.now(UTC)
    gevonden = await _vraag_of_weigering(
        session=session, gateway=gateway, request=request, claims=claims, referentie=referentie, nu=nu
    )
    if isinstance(gevonden, JSONResponse):
        return gevonden
    vraag, beslissing = gevonden
    partner = organisatie(claims)
    await record(
        session=session, gateway=gateway, request=request, actie=Actie.ADVIESANTWOORD, doel=ADVIES,
        grondslag=grondslag_for(gateway=gateway, beslissing=beslissing, doel=ADVIES), afnemer=None,
        betrokkenen=[], casus_id=vraag.signaal_id, referentie=referentie,
        vertrouwelijkheid="vertrouwelijk",
        detail={"organisatie": partner, "gebruiker": claims.sub, "adviesvraag": str(vraag.id),
                "regelId": beslissing.regel_id},
        nu=nu,
    )  # fmt: skip
    vastgelegd = await gateway.intake.record_adviesantwoord(
        adviesvraag_id=vraag.id, partner=partner, door=claims.sub, antwoord=antwoord
    )
    if vastgelegd is None:
        # Intake no longer counts the partner as an expert (changed since the read above): nothing was
        # stored, and raising rolls the row back with it.
        raise NotFound(NIET_GEVONDEN)
    return AdviesantwoordUit(adviesvraag=referentie, gegeven_op=dag(vastgelegd.gegeven_op))


async def _record_verstrekking(
    *,
    session: AsyncSession,
    gateway: Gateway,
    request: Request,
    claims: Claims,
    vraag: IntakeAdviesvraag,
    referentie: UUID,
    beslissing: Beslissing,
    nu: datetime,
) -> None:
    partner = organisatie(claims)
    await record(
        session=session, gateway=gateway, request=request, actie=Actie.VERSTREKKING, doel=ADVIES,
        grondslag=grondslag_for(gateway=gateway, beslissing=beslissing, doel=ADVIES), afnemer=partner,
        betrokkenen=[], casus_id=vraag.signaal_id, referentie=referentie,
        vertrouwelijkheid="vertrouwelijk",
        detail={"organisatie": partner, "gebruiker": claims.sub, "adviesvraag": str(vraag.id),
                "categorieen": sorted(c.value for c in _verstrekt(beslissing)), "regelId": beslissing.regel_id},
        nu=nu,
    )  # fmt: skip


def _verstrekt(beslissing: Beslissing) -> frozenset[Categorie]:
    # Four-eyes categories never travel here, nor anything beyond the summary.
    return (beslissing.categorieen - beslissing.vier_ogen) & _SAMENVATTING


def _uit(
    vraag: IntakeAdviesvraag, *, referentie: UUID, partner: str, beslissing: Beslissing
) -> AdviesvraagUit:
    assert beslissing.grondslag is not None and beslissing.regel_id is not None
    verstrekt = _verstrekt(beslissing)
    return AdviesvraagUit(
        id=referentie,
        gesteld_op=dag(vraag.gesteld_op),
        vraag=vraag.vraag,
        beantwoord=any(a.partner == partner for a in vraag.antwoorden),
        doel=ADVIES,
        grondslag=GrondslagUit(**beslissing.grondslag.model_dump()),
        regel_id=beslissing.regel_id,
        categorieen=[c.value for c in Categorie if c in verstrekt],
        kern=Kern(
            gemeente_code=vraag.kern.gemeente_code,
            melder_domein=vraag.kern.melder_domein,
            waargenomen_op=vraag.kern.waargenomen_op,
            ontvangen_op=dag(vraag.kern.ontvangen_op),
            uitbuitingsvormen=list(vraag.kern.uitbuitingsvormen),
        )
        if Categorie.KERN in verstrekt
        else None,
        kenmerken=Kenmerken(
            indicatoren=list(vraag.kenmerken.indicatoren),
            sector=vraag.kenmerken.sector,
            locatietype=vraag.kenmerken.locatietype,
        )
        if Categorie.KENMERKEN in verstrekt
        else None,
        omschrijving=vraag.omschrijving if Categorie.OMSCHRIJVING in verstrekt else None,
    )
