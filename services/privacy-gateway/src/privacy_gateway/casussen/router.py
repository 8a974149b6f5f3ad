"""Partner endpoints: the cases shared with a partner, one case as the policy allows, and evaluations."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from meldroute_common.auth import CasussenLezen
from meldroute_common.paginering import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Cursor, PageSize
from meldroute_common.problems import BadGateway, BadRequest, Forbidden, InvalidParam, NotFound
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from privacy_gateway.beleid import Beslissing, Categorie, beslis
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
    ProblemPolicyDenial,
)
from privacy_gateway.casussen.service import (
    Actie,
    betrokkene_referentie,
    casus_referentie,
    casus_van,
    feiten,
    grondslag_van,
    log,
    log_pseudoniemen,
    organisatie,
    weigering,
)
from privacy_gateway.context import Gateway, GatewayState, LogSession
from privacy_gateway.intake.schemas import IntakeCasus, IntakeCasusSamenvatting
from privacy_gateway.pseudoniemen import partner_pseudoniem
from privacy_gateway.referenties.service import dag, dag_of_none, referenties_vastleggen

#: Partner operations share one budget per user and per organisation.
router = APIRouter(tags=["casussen"], dependencies=[rate_limited("casussen")])
evaluatie_router = APIRouter(tags=["beleid"], dependencies=[rate_limited("casussen")])

_ERRORS: dict[int | str, dict[str, Any]] = {
    502: {"description": "intake-api antwoordde met een fout of onbruikbaar; er is niets verstrekt."},
    503: {"description": "intake-api of het verwerkingenlog is niet beschikbaar; er is niets verstrekt."},
    504: {"description": "intake-api antwoordde niet op tijd; er is niets verstrekt."},
}
NIET_GEVONDEN = "Casus niet gevonden."
#: OpenAPI links: from the list to a case, from a case to an identity request (stateful testing follows them).
_NAAR_CASUS = {
    "CasusOpvragen": {
        "operationId": "casusOpvragen",
        "parameters": {"casusId": "$response.body#/casussen/0/id", "doel": "$response.body#/casussen/0/doel"},
    }
}
_NAAR_IDENTITEITSVERZOEK = {
    "IdentiteitsverzoekIndienen": {
        "operationId": "identiteitsverzoekIndienen",
        "parameters": {"casusId": "$request.path.casusId"},
        "requestBody": {
            "betrokkene": "$response.body#/betrokkenen/0/referentie",
            "doel": "$response.body#/doel",
        },
    }
}
_WEIGERING = "Het token mist de benodigde scope, of het convenantbeleid staat dit niet toe (`reden`)."

#: A case in a path: the caller's own reference, never intake's id.
CasusReferentiePad = Annotated[
    UUID, Path(description="De eigen referentie van de organisatie voor de casus (`id` uit de lijst).")
]


@router.get(
    "/casussen",
    operation_id="casussenOpvragen",
    openapi_extra=RATE_LIMITED,
    summary="Casussen die met de eigen organisatie zijn gedeeld",
    responses={
        **_ERRORS,
        200: {"description": "Een pagina casussen.", "links": _NAAR_CASUS},
        400: {"description": "De cursor is ongeldig."},
    },
)
async def casussen_opvragen(
    session: LogSession,
    gateway: GatewayState,
    claims: CasussenLezen,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> CasussenPagina:
    """De casussen die naar de organisatie van de aanroeper zijn opgeschaald, zonder gegevens over betrokkenen,
    geordend op de eigen referentie van de organisatie (`id`). Die referentie geldt alleen voor deze organisatie:
    een andere partner kent dezelfde casus onder een andere. Data zijn afgerond op de dag. Per casus staat of het
    beleid nu toegang geeft voor het doel van de opschaling."""
    partner = organisatie(claims)
    na = None if cursor is None else _lees_cursor(cursor)
    casussen = [c for c in await _alle_casussen(gateway, partner=partner) if partner in c.partners]
    referenties = {c.id: casus_referentie(gateway, partner=partner, casus_id=c.id) for c in casussen}
    # Ordered by the partner's own reference, never by intake's order or time.
    geordend = sorted(
        (c for c in casussen if na is None or str(referenties[c.id]) > na),
        key=lambda c: str(referenties[c.id]),
    )
    pagina, meer = geordend[:page_size], len(geordend) > page_size
    # Only what this page shows becomes a reference the partner can use.
    await referenties_vastleggen(
        session, partner=partner, referenties={c.id: referenties[c.id] for c in pagina}
    )
    nu = datetime.now(UTC)
    resultaat: list[CasusSamenvatting] = []
    for casus in pagina:
        beslissing = beslis(
            beleid=gateway.beleid,
            partner_id=partner,
            doel=casus.doel,
            casus=feiten(casus),
            nu=nu,
        )
        resultaat.append(
            CasusSamenvatting(
                id=referenties[casus.id],
                opgeschaaldOp=dag(casus.opgeschaald_op),
                doel=casus.doel,
                vertrouwelijkheidaanduiding=casus.vertrouwelijkheidaanduiding,
                toegang=beslissing.toegestaan,
                vensterTot=dag_of_none(beslissing.venster_tot),
            )
        )
    volgende = _maak_cursor(str(resultaat[-1].id)) if meer and resultaat else None
    return CasussenPagina(casussen=resultaat, volgende=volgende)


async def _alle_casussen(gateway: Gateway, *, partner: str) -> list[IntakeCasusSamenvatting]:
    """Every case intake has escalated to the partner (all pages): ordering by reference needs them all."""
    casussen: list[IntakeCasusSamenvatting] = []
    cursor: str | None = None
    gezien: set[str] = set()
    while True:
        pagina = await gateway.intake.casussen(partner=partner, page_size=MAX_PAGE_SIZE, cursor=cursor)
        casussen.extend(pagina.casussen)
        if pagina.volgende is None or not pagina.casussen:
            return casussen
        if pagina.volgende in gezien:  # a cursor going round in circles would never end
            raise BadGateway("intake-api gaf een onbruikbaar antwoord; er is niets verstrekt.")
        gezien.add(pagina.volgende)
        cursor = pagina.volgende


def _maak_cursor(referentie: str) -> str:
    return base64.urlsafe_b64encode(f"r1:{referentie}".encode()).decode().rstrip("=")


def _lees_cursor(cursor: str) -> str:
    try:
        tekst = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        soort, _, referentie = tekst.partition(":")
        if soort != "r1":
            raise ValueError(cursor)
        return str(UUID(referentie))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest(
            "De cursor is ongeldig.",
            invalid_params=[InvalidParam(name="cursor", reason="Geen cursor uit een eerdere pagina.")],
        ) from None


@router.get(
    "/casussen/{casusId}",
    operation_id="casusOpvragen",
    openapi_extra=RATE_LIMITED,
    summary="Eén casus, alleen de categorieën die het beleid toestaat",
    response_model=CasusVerstrekking,
    responses={
        **_ERRORS,
        200: {
            "description": "De casus, met alleen de toegestane categorieën.",
            "links": _NAAR_IDENTITEITSVERZOEK,
        },
        403: {"description": _WEIGERING, "model": ProblemPolicyDenial},
    },
)
async def casus_opvragen(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: CasussenLezen,
    casusId: CasusReferentiePad,
    doel: Annotated[
        str,
        Query(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]*$", description="Doel uit het beleid."),
    ],
) -> Any:
    """Zoekt de casus achter de eigen referentie van de organisatie (`id` uit de lijst), leest die bij intake, toetst het convenantbeleid voor deze partner, dit doel en deze fase, en geeft
    alleen de toegestane categorieën terug. Linkpseudoniemen worden vervangen door pseudoniemen die alleen voor
    deze partner gelden; de vrije tekst alleen met vervangen identificatoren; de identiteit nooit (daarvoor is een
    identiteitsverzoek met goedkeuring nodig). Elke verstrekking en elke weigering staat in het verwerkingenlog,
    vastgelegd voordat het antwoord wordt gemaakt. Een casus die niet met de organisatie is gedeeld, is 404;
    de referentie van een andere partner ook; een weigering door het beleid is 403 met de reden. Betrokkenen staan
    in de volgorde van hun referentie, data zijn afgerond op de dag."""
    partner = organisatie(claims)
    basis = {"organisatie": partner, "gebruiker": claims.sub}
    intern = await casus_van(session, partner=partner, referentie=casusId)
    casus = None if intern is None else await gateway.intake.casus(intern)
    if casus is None or partner not in casus.partners:
        # Logged too: a partner probing for cases it was not given is what an auditor wants to see.
        await log(
            session, gateway, request,
            actie=Actie.WEIGERING, doel=doel, grondslag=grondslag_van(gateway, None, doel), afnemer=None,
            betrokkenen=[], casus_id=intern, referentie=casusId, vertrouwelijkheid="vertrouwelijk",
            detail={**basis, "reden": "onbekend_of_niet_gedeeld"},
        )  # fmt: skip
        return weigering(request, NotFound(NIET_GEVONDEN))
    nu = datetime.now(UTC)
    beslissing = beslis(beleid=gateway.beleid, partner_id=partner, doel=doel, casus=feiten(casus), nu=nu)
    if not beslissing.toegestaan:
        assert beslissing.reden is not None
        await log(
            session, gateway, request,
            actie=Actie.WEIGERING, doel=doel, grondslag=grondslag_van(gateway, beslissing, doel), afnemer=None,
            betrokkenen=[], casus_id=casus.id, referentie=casusId, vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
            detail={**basis, "reden": beslissing.reden.code.value, "regelId": beslissing.regel_id}, nu=nu,
        )  # fmt: skip
        return weigering(
            request,
            Forbidden(
                f"Het convenantbeleid staat dit niet toe: {beslissing.reden.toelichting}",
                extra={"reden": beslissing.reden.code.value},
            ),
        )
    # Categories needing four eyes never travel in this answer, whatever the rule allows.
    verstrekt = beslissing.categorieen - beslissing.vier_ogen
    await log(
        session, gateway, request,
        actie=Actie.VERSTREKKING, doel=doel, grondslag=grondslag_van(gateway, beslissing, doel), afnemer=partner,
        betrokkenen=log_pseudoniemen(gateway, casus), casus_id=casus.id, referentie=casusId,
        vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
        detail={**basis, "categorieen": sorted(c.value for c in verstrekt), "regelId": beslissing.regel_id}, nu=nu,
    )  # fmt: skip
    # Only now, with the log row flushed in this transaction, is the answer put together.
    return _verstrekking(
        gateway, casus=casus, referentie=casusId, partner=partner, beslissing=beslissing, verstrekt=verstrekt
    )


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
        b_referentie = betrokkene_referentie(gateway, partner=partner, betrokkene_id=b.id)
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
                gekoppeldeSignalen=b.gekoppelde_signalen
                if Categorie.GEKOPPELDE_SIGNALEN in verstrekt
                else None,
            )
        )
    kern = None
    if Categorie.KERN in verstrekt:
        kern = Kern(
            gemeenteCode=casus.kern.gemeente_code,
            melderDomein=casus.kern.melder_domein,
            waargenomenOp=casus.kern.waargenomen_op,
            ontvangenOp=dag(casus.kern.ontvangen_op),
            uitbuitingsvormen=list(casus.kern.uitbuitingsvormen),
        )
    # Ordered by this partner's references: intake's order would be the same for every partner.
    betrokkenen.sort(key=lambda b: b.referentie)
    return CasusVerstrekking(
        id=referentie,
        doel=beslissing.doel,
        grondslag=GrondslagUit(**beslissing.grondslag.model_dump()),
        regelId=beslissing.regel_id,
        categorieen=[c.value for c in Categorie if c in verstrekt],
        vierOgen=[c.value for c in Categorie if c in beslissing.vier_ogen],
        vensterTot=dag(beslissing.venster_tot),
        opgeschaaldOp=dag(casus.opgeschaald_op),
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


@evaluatie_router.post(
    "/beleid/evaluaties",
    operation_id="beleidEvalueren",
    openapi_extra=RATE_LIMITED,
    summary="Zou het beleid deze verstrekking toestaan, en waarom",
    responses=_ERRORS,
)
async def beleid_evalueren(
    request: Request,
    session: LogSession,
    gateway: GatewayState,
    claims: CasussenLezen,
    verzoek: EvaluatieVerzoek,
) -> Evaluatie:
    """Toetst of de organisatie van de aanroeper deze casus voor dit doel zou mogen ontvangen, met de regel, de
    grondslag en per geweigerde categorie de reden. Verstrekt geen gegevens van de casus. Een casus die niet met
    de organisatie is gedeeld, is 404 (zoals bij het opvragen)."""
    partner = organisatie(claims)
    intern = await casus_van(session, partner=partner, referentie=verzoek.casusId)
    casus = None if intern is None else await gateway.intake.casus(intern)
    if casus is None or partner not in casus.partners:
        raise NotFound(NIET_GEVONDEN)
    nu = datetime.now(UTC)
    beslissing = beslis(
        beleid=gateway.beleid, partner_id=partner, doel=verzoek.doel, casus=feiten(casus), nu=nu
    )
    await log(
        session, gateway, request,
        actie=Actie.EVALUATIE, doel=verzoek.doel, grondslag=grondslag_van(gateway, beslissing, verzoek.doel),
        afnemer=None, betrokkenen=[], casus_id=casus.id, referentie=verzoek.casusId,
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
