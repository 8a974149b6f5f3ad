"""Shared steps of the partner endpoints: case facts, partner references, log rows and denials."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Final
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse
from meldroute_common.auth import Claims
from meldroute_common.problems import Forbidden, Problem, problem_response
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.beleid import Beslissing, CasusFeiten
from privacy_gateway.context import Gateway, request_id
from privacy_gateway.intake.schemas import IntakeCasus, IntakeCasusSamenvatting
from privacy_gateway.referenties import service as referenties
from privacy_gateway.verwerkingen.keten import Verwerking
from privacy_gateway.verwerkingen.service import schrijf_verwerkingen
from privacy_gateway.verwerkingen.weigeringen import Telling

__all__ = [
    "VERWERKINGSACTIVITEITEN",
    "Actie",
    "betrokkene_referentie",
    "casus_referentie",
    "casus_van",
    "feiten",
    "grondslag_van",
    "log",
    "organisatie",
    "weigering",
]


class Actie:
    """Values of ``actie`` in the verwerkingenlog."""

    VERSTREKKING: Final = "verstrekking"
    WEIGERING: Final = "weigering"
    EVALUATIE: Final = "evaluatie"
    IDENTITEITSVERZOEK: Final = "identiteitsverzoek"
    GOEDKEURING: Final = "goedkeuring"
    ONTZEGELING: Final = "ontzegeling"
    INZAGE: Final = "inzage"
    RETENTIE: Final = "retentie"
    WEIGERINGEN_GETELD: Final = "weigeringen_geteld"


VERWERKINGSACTIVITEITEN: Final[Mapping[str, str]] = {
    Actie.VERSTREKKING: "Verstrekken van casusgegevens aan een convenantpartner",
    Actie.WEIGERING: "Beoordelen van een verzoek om casusgegevens (geweigerd)",
    Actie.EVALUATIE: "Toetsen van een verzoek aan het convenantbeleid",
    Actie.IDENTITEITSVERZOEK: "Vastleggen van een verzoek om de identiteit van een betrokkene",
    Actie.GOEDKEURING: "Goedkeuren van een identiteitsverzoek (vier ogen)",
    Actie.ONTZEGELING: "Ontzegelen en verstrekken van de identiteit van een betrokkene",
    Actie.INZAGE: "Beantwoorden van een inzageverzoek van een betrokkene (art. 15 AVG)",
    Actie.RETENTIE: "Wissen van identiteitsverzoeken en goedkeuringen na de bewaartermijn",
    Actie.WEIGERINGEN_GETELD: "Tellen van geweigerde verzoeken boven het logbudget van een aanroeper",
}

#: `doel` of a row with counted denials: they may have named several purposes, or none that exists.
DOEL_GETELD: Final = "weigeringen_geteld"

GEEN_GRONDSLAG: Final = "geen: niets verstrekt"


def organisatie(claims: Claims) -> str:
    """The caller's partner id; a token without one may not read cases at all."""
    if not claims.organisatie:
        raise Forbidden("Het token noemt geen organisatie (partner).")
    return claims.organisatie


def feiten(casus: IntakeCasus | IntakeCasusSamenvatting) -> CasusFeiten:
    """The facts the policy decides on, from intake's answer (never from the caller)."""
    return CasusFeiten(
        fase=casus.fase,
        vertrouwelijkheidaanduiding=casus.vertrouwelijkheidaanduiding,
        opgeschaald_op=casus.opgeschaald_op,
        ontvangers=casus.partners,
        doel=casus.doel,
        minderjarige_betrokken=casus.minderjarige_betrokken,
        toestemming=casus.toestemming,
    )


def betrokkene_referentie(gateway: Gateway, *, partner: str, betrokkene_id: UUID) -> str:
    """This partner's reference to one betrokkene of one case: unrelated to other partners' references."""
    return referenties.betrokkene_referentie(
        sleutel=gateway.pseudoniemsleutel, partner=partner, betrokkene_id=betrokkene_id
    )


def casus_referentie(gateway: Gateway, *, partner: str, casus_id: UUID) -> UUID:
    """This partner's reference to one of intake's cases: unrelated to other partners' references."""
    return referenties.casus_referentie(sleutel=gateway.pseudoniemsleutel, partner=partner, casus_id=casus_id)


async def casus_van(session: AsyncSession, *, partner: str, referentie: UUID) -> UUID | None:
    """Intake's id of the case behind a partner's reference; None when it was never shown to this partner."""
    return await referenties.casus_van_referentie(session, partner=partner, referentie=referentie)


def grondslag_van(gateway: Gateway, beslissing: Beslissing | None, doel: str) -> str:
    if beslissing is not None and beslissing.grondslag is not None:
        return beslissing.grondslag.referentie
    bekend = gateway.beleid.doel(doel)
    return bekend.grondslag.referentie if bekend is not None else GEEN_GRONDSLAG


async def log(
    session: AsyncSession,
    gateway: Gateway,
    request: Request,
    *,
    actie: str,
    doel: str,
    grondslag: str,
    afnemer: str | None,
    betrokkenen: Sequence[str | None],
    casus_id: object | None,
    vertrouwelijkheid: str,
    detail: Mapping[str, object],
    referentie: UUID | None = None,
    nu: datetime | None = None,
) -> None:
    """Append one row per betrokkene (one row without betrokkene when there are none); 503 if impossible.

    ``casus_id`` is intake's id (for the FG); ``referentie`` the partner's reference the case was asked
    for or disclosed under, recorded in the detail as ``casusReferentie``.

    A denial naming no betrokkene first spends from the caller's log budget: past it, it is only counted
    (and later written as one `weigeringen_geteld` row per window).
    """
    if actie == Actie.WEIGERING and not any(betrokkenen):
        claims = getattr(request.state, "claims", None)
        if isinstance(claims, Claims) and not gateway.weigeringen.individueel(
            organisatie=claims.organisatie, gebruiker=claims.sub
        ):
            return
    tijdstip = nu or datetime.now(UTC)
    if referentie is not None:
        detail = {**detail, "casusReferentie": str(referentie)}
    rijen = [
        Verwerking(
            actie=actie,
            verwerkingsactiviteit=VERWERKINGSACTIVITEITEN[actie],
            doel=doel,
            grondslag=grondslag,
            afnemer=afnemer,
            betrokkene=betrokkene,
            vertrouwelijkheid=vertrouwelijkheid,
            bewaartermijn=gateway.settings.verwerkingen_bewaartermijn,
            tijdstip=tijdstip,
            request_id=request_id(request),
            casus_id=None if casus_id is None else str(casus_id),
            detail=detail,
        )
        for betrokkene in (betrokkenen or [None])
    ]
    await schrijf_verwerkingen(session, verwerkingen=rijen, logboek=gateway.logboek)


async def log_tellingen(session: AsyncSession, gateway: Gateway, *, tellingen: Sequence[Telling]) -> None:
    """One row per counted window: who, how many denials without a row of their own, from when to when."""
    rijen = [
        Verwerking(
            actie=Actie.WEIGERINGEN_GETELD,
            verwerkingsactiviteit=VERWERKINGSACTIVITEITEN[Actie.WEIGERINGEN_GETELD],
            doel=DOEL_GETELD,
            grondslag=GEEN_GRONDSLAG,
            afnemer=None,
            betrokkene=None,
            vertrouwelijkheid="vertrouwelijk",
            bewaartermijn=gateway.settings.verwerkingen_bewaartermijn,
            tijdstip=telling.tot,
            request_id="geteld",
            casus_id=None,
            detail={
                "organisatie": telling.organisatie,
                "gebruiker": telling.gebruiker,
                "aantal": telling.aantal,
                "van": telling.van,
                "tot": telling.tot,
                "reden": "boven_logbudget",
            },
        )
        for telling in tellingen
    ]
    await schrijf_verwerkingen(session, verwerkingen=rijen, logboek=gateway.logboek)


def log_pseudoniemen(gateway: Gateway, casus: IntakeCasus) -> list[str | None]:
    """The log's pseudonym of every betrokkene of the case (None for one without a link pseudonym)."""
    return [
        None if b.link_pseudoniem is None else gateway.log_pseudoniem(b.link_pseudoniem)
        for b in casus.betrokkenen
    ]


def weigering(request: Request, probleem: Problem) -> JSONResponse:
    """A denial answered without raising, so the transaction with its log row is committed."""
    return problem_response(probleem, request_id=request_id(request))
