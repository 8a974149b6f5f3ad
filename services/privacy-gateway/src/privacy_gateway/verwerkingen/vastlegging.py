"""The front door of the verwerkingenlog: every domain records its processing here, and only here.

``record`` appends the rows of one request (one row per betrokkene, one row without betrokkene when
there are none); ``record_rows`` appends rows no request answers (the retention purge, the counted
denials); ``deny`` records a denial and returns its problem response. Behind the door sit the denial
log budget (:mod:`.weigeringen`) and the keyed chain with its checkpoints (:mod:`.service`).

The deny-and-log rule
---------------------
A denial that must be logged is **returned**, never raised: ``deny`` writes its row in the handler's
transaction and hands back the problem response, so the handler returns normally, the transaction
commits and the row stays. A raised problem rolls the transaction back and leaves no row, so only
denials that are not logged are raised: bad input, a request or betrokkene not found within what the
caller may already see, a conflict of state, the evaluation of a case not shared (it discloses
nothing and writes no row). Which denials an endpoint logs is stated with the endpoint; how they are
logged is this module's.

Rows are written before the caller produces its answer: when a row cannot be written the request
ends in 503 (raised, so nothing is disclosed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Final
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse
from meldroute_common.auth import Claims
from meldroute_common.beleid import Beslissing
from meldroute_common.problems import Problem, problem_response
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.context import Gateway, request_id
from privacy_gateway.verwerkingen.keten import KetenRij, Verwerking
from privacy_gateway.verwerkingen.service import Kopstand, Logboek, read_head_ahead, write_verwerkingen
from privacy_gateway.verwerkingen.weigeringen import Telling

__all__ = [
    "DOEL_GETELD",
    "GEEN_GRONDSLAG",
    "VERWERKINGSACTIVITEITEN",
    "Actie",
    "Kopstand",
    "deny",
    "grondslag_for",
    "read_head_ahead",
    "record",
    "record_rows",
    "record_tellingen",
    "verwerking",
]


class Actie:
    """Values of ``actie`` in the verwerkingenlog."""

    VERSTREKKING: Final = "verstrekking"
    WEIGERING: Final = "weigering"
    EVALUATIE: Final = "evaluatie"
    IDENTITEITSVERZOEK: Final = "identiteitsverzoek"
    GOEDKEURING: Final = "goedkeuring"
    AFWIJZING: Final = "afwijzing"
    INTREKKING: Final = "intrekking"
    VERLOOP: Final = "verloop"
    ONTZEGELING: Final = "ontzegeling"
    INZAGE: Final = "inzage"
    RETENTIE: Final = "retentie"
    WEIGERINGEN_GETELD: Final = "weigeringen_geteld"
    ADVIESANTWOORD: Final = "adviesantwoord"
    TERUGKOPPELING: Final = "terugkoppeling"
    DOELVERZOEK: Final = "doelverzoek"
    AANTEKENING: Final = "aantekening"
    AANTEKENINGEN_TERUGGEGEVEN: Final = "aantekeningen_teruggegeven"


VERWERKINGSACTIVITEITEN: Final[Mapping[str, str]] = {
    Actie.VERSTREKKING: "Verstrekken van casusgegevens aan een convenantpartner",
    Actie.WEIGERING: "Beoordelen van een verzoek om casusgegevens (geweigerd)",
    Actie.EVALUATIE: "Toetsen van een verzoek aan het convenantbeleid",
    Actie.IDENTITEITSVERZOEK: "Vastleggen van een verzoek om de identiteit van een betrokkene",
    Actie.GOEDKEURING: "Goedkeuren van een identiteitsverzoek (vier ogen)",
    Actie.AFWIJZING: "Afwijzen van een identiteitsverzoek (vier ogen), met een reden",
    Actie.INTREKKING: "Intrekken van een identiteitsverzoek door de aanvrager",
    Actie.VERLOOP: "Verlopen van een identiteitsverzoek dat niet op tijd is goedgekeurd",
    Actie.ONTZEGELING: "Ontzegelen en verstrekken van de identiteit van een betrokkene",
    Actie.INZAGE: "Beantwoorden van een inzageverzoek van een betrokkene (art. 15 AVG)",
    Actie.RETENTIE: "Wissen van identiteitsverzoeken en goedkeuringen na de bewaartermijn",
    Actie.WEIGERINGEN_GETELD: "Tellen van geweigerde verzoeken boven het logbudget van een aanroeper",
    Actie.ADVIESANTWOORD: "Doorgeven van het antwoord van een expert op een adviesvraag aan intake",
    Actie.TERUGKOPPELING: "Doorgeven van een terugkoppeling van een convenantpartner over een traject",
    Actie.DOELVERZOEK: "Doorgeven van het verzoek van een convenantpartner om een vervolgdoel",
    Actie.AANTEKENING: "Doorgeven van een werkaantekening van een convenantpartner bij een traject",
    Actie.AANTEKENINGEN_TERUGGEGEVEN: "Teruggeven van de eigen werkaantekeningen van een convenantpartner",
}

#: `doel` of a row with counted denials: they may have named several purposes, or none that exists.
DOEL_GETELD: Final = "weigeringen_geteld"

GEEN_GRONDSLAG: Final = "geen: niets verstrekt"


def grondslag_for(*, gateway: Gateway, beslissing: Beslissing | None, doel: str) -> str:
    """The legal basis a row records: the decision's, else the purpose's in the policy, else none."""
    if beslissing is not None and beslissing.grondslag is not None:
        return beslissing.grondslag.referentie
    bekend = gateway.beleid.doel(doel)
    return bekend.grondslag.referentie if bekend is not None else GEEN_GRONDSLAG


def verwerking(
    *,
    actie: str,
    doel: str,
    grondslag: str,
    afnemer: str | None,
    betrokkene: str | None,
    vertrouwelijkheid: str,
    bewaartermijn: str,
    tijdstip: datetime,
    request_id: str,
    casus_id: str | None,
    detail: Mapping[str, object],
) -> Verwerking:
    """One row to append, its processing activity taken from :data:`VERWERKINGSACTIVITEITEN`."""
    return Verwerking(
        actie=actie,
        verwerkingsactiviteit=VERWERKINGSACTIVITEITEN[actie],
        doel=doel,
        grondslag=grondslag,
        afnemer=afnemer,
        betrokkene=betrokkene,
        vertrouwelijkheid=vertrouwelijkheid,
        bewaartermijn=bewaartermijn,
        tijdstip=tijdstip,
        request_id=request_id,
        casus_id=casus_id,
        detail=detail,
    )


async def record(
    *,
    session: AsyncSession,
    gateway: Gateway,
    request: Request,
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
    kop: Kopstand | None = None,
) -> None:
    """Append one row per betrokkene (one row without betrokkene when there are none); 503 if impossible.

    ``casus_id`` is intake's id (for the FG); ``referentie`` the partner's reference the case was asked
    for or disclosed under, recorded in the detail as ``casusReferentie``. ``kop`` is the log's head
    read ahead, if the caller did (see :func:`~privacy_gateway.verwerkingen.service.read_head_ahead`).

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
        verwerking(
            actie=actie,
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
    await write_verwerkingen(session=session, verwerkingen=rijen, logboek=gateway.logboek, kop=kop)


async def deny(
    *,
    session: AsyncSession,
    gateway: Gateway,
    request: Request,
    probleem: Problem,
    doel: str,
    casus_id: object | None,
    vertrouwelijkheid: str,
    detail: Mapping[str, object],
    referentie: UUID | None = None,
    beslissing: Beslissing | None = None,
    betrokkene: str | None = None,
    nu: datetime | None = None,
    kop: Kopstand | None = None,
) -> JSONResponse:
    """Record a denial and return its problem response: returned, so the transaction with its row commits."""
    await record(
        session=session,
        gateway=gateway,
        request=request,
        actie=Actie.WEIGERING,
        doel=doel,
        grondslag=grondslag_for(gateway=gateway, beslissing=beslissing, doel=doel),
        afnemer=None,
        betrokkenen=[betrokkene],
        casus_id=casus_id,
        referentie=referentie,
        vertrouwelijkheid=vertrouwelijkheid,
        detail=detail,
        nu=nu,
        kop=kop,
    )
    return problem_response(probleem, request_id=request_id(request))


async def record_rows(
    *, session: AsyncSession, logboek: Logboek, verwerkingen: Sequence[Verwerking]
) -> list[KetenRij]:
    """Append rows that answer no request (built with :func:`verwerking`); 503 if impossible."""
    return await write_verwerkingen(session=session, verwerkingen=verwerkingen, logboek=logboek)


async def record_tellingen(*, session: AsyncSession, gateway: Gateway, tellingen: Sequence[Telling]) -> None:
    """One row per counted window: who, how many denials without a row of their own, from when to when."""
    rijen = [
        verwerking(
            actie=Actie.WEIGERINGEN_GETELD,
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
    await record_rows(session=session, logboek=gateway.logboek, verwerkingen=rijen)
