"""/v1/intern: for the privacy gateway's own client only (scope intake:intern and `INTAKE_GATEWAY_CLIENT_ID`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from meldroute_common.auth import IntakeIntern
from meldroute_common.db import Session
from meldroute_common.paginering import DEFAULT_PAGE_SIZE, Cursor, PageSize
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

from intake_api.aantekeningen import schemas as aantekening_schemas
from intake_api.aantekeningen import service as aantekeningen
from intake_api.adviezen import schemas as advies_schemas
from intake_api.adviezen import service as adviezen
from intake_api.deps import AbonnementId, AdviesvraagId, CatalogusDep, SettingsDep, SignaalId, SleutelsDep
from intake_api.intern import schemas, service
from intake_api.meldingen import schemas as meldingen_schemas
from intake_api.meldingen import service as meldingen
from intake_api.terugkoppelingen import schemas as terugkoppeling_schemas
from intake_api.terugkoppelingen import service as terugkoppelingen
from intake_api.tijd import nu
from intake_api.toegang.service import Actie, log_toegang
from intake_api.trajecten import service as trajecten

#: Every internal operation is counted per client under `INTAKE_INTERN_RATE_LIMIT`.
router = APIRouter(
    prefix="/intern",
    tags=["intern"],
    dependencies=[rate_limited("intern", limit_setting="intern_rate_limit")],
)


@router.get(
    "/casussen",
    operation_id="internCasussenZoeken",
    summary="Opgeschaalde signalen (intern)",
    response_model=schemas.CasussenPagina,
    openapi_extra=RATE_LIMITED,
)
async def intern_casussen_zoeken(
    claims: IntakeIntern,
    session: Session,
    partner: Annotated[
        str | None, Query(max_length=64, description="Only cases escalated to this partner.")
    ] = None,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> schemas.CasussenPagina:
    """Opgeschaalde signalen, nieuwste opschaling eerst, zonder verzegelde gegevens; optioneel alleen die
    met `partner` onder de ontvangers. Alleen voor de privacy-gateway."""
    return await service.search_casussen(session=session, page_size=page_size, partner=partner, cursor=cursor)


@router.get(
    "/casussen/{signaalId}",
    operation_id="internCasusOphalen",
    summary="Eén opgeschaald signaal met verzegelde identiteit (intern)",
    response_model=schemas.Casus,
    openapi_extra=RATE_LIMITED,
)
async def intern_casus_ophalen(
    signaal_id: SignaalId, claims: IntakeIntern, session: Session
) -> schemas.Casus:
    """Eén opgeschaald signaal met per betrokkene het koppelpseudoniem en de verzegelde identiteit
    (base64; alleen de privacy-gateway kan die openen). Een niet-opgeschaald of onbekend signaal is 404.
    Na het verstrijken van de bewaartermijn zijn de verzegelde gegevens null."""
    casus = await service.get_casus(session=session, signaal_id=signaal_id)
    await log_toegang(session=session, claims=claims, signaal_id=casus.id, actie=Actie.casus_gelezen_intern)
    return casus


@router.post(
    "/pseudoniemen",
    operation_id="internPseudoniemBepalen",
    summary="Het koppelpseudoniem van een persoon (intern)",
    response_model=schemas.Pseudoniem,
    openapi_extra=RATE_LIMITED,
)
async def intern_pseudoniem_bepalen(
    verzoek: schemas.PseudoniemVerzoek, claims: IntakeIntern, sleutels: SleutelsDep, session: Session
) -> schemas.Pseudoniem:
    """Het koppelpseudoniem van een BSN, of van een naam met geboortedatum, zodat de privacy-gateway een
    inzageverzoek kan beantwoorden zonder de koppelsleutel te hebben, met alle koppelpseudoniemen die
    daaraan gekoppeld zijn: wie ooit met BSN én naam en geboortedatum is vastgelegd, wordt met beide
    gevonden. Een ongeldig BSN is 400. Er wordt niets opgeslagen of gelogd over de persoon."""
    return await service.get_pseudoniem(session=session, verzoek=verzoek, sleutel=sleutels.link_sleutel)


@router.get(
    "/signalen/{signaalId}/beleidsfeiten",
    operation_id="internBeleidsfeitenOphalen",
    summary="De feiten waarop het beleid beslist, voor een signaal in elke status (intern)",
    response_model=schemas.Beleidsfeiten,
    openapi_extra=RATE_LIMITED,
)
async def intern_beleidsfeiten_ophalen(
    signaal_id: SignaalId, claims: IntakeIntern, session: Session
) -> schemas.Beleidsfeiten:
    """Gemeente, status, vertrouwelijkheidaanduiding (standaard vertrouwelijk zolang niet opgeschaald),
    minderjarige betrokken, toestemming en trajecten: voor de proeftoets van de aandachtsfunctionaris vóór
    het opschalen. Geen inhoud van het signaal. Onbekend is 404."""
    feiten = await service.get_beleidsfeiten(session=session, signaal_id=signaal_id)
    await log_toegang(
        session=session, claims=claims, signaal_id=feiten.id, actie=Actie.beleidsfeiten_gelezen_intern
    )
    return feiten


@router.get(
    "/adviesvragen",
    operation_id="internAdviesvragenZoeken",
    summary="Adviesvragen (intern)",
    response_model=advies_schemas.AdviesvragenPagina,
    openapi_extra=RATE_LIMITED,
)
async def intern_adviesvragen_zoeken(
    claims: IntakeIntern,
    session: Session,
    partner: Annotated[str | None, Query(max_length=64, description="Only questions to this expert.")] = None,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> advies_schemas.AdviesvragenPagina:
    """Adviesvragen, nieuwste eerst, met de gepseudonimiseerde samenvatting (kern, kenmerken, geschoonde
    omschrijving en vraag); optioneel alleen die aan `partner`. Alleen voor de privacy-gateway."""
    return await adviezen.list_adviesvragen(
        session=session, partner=partner, page_size=page_size, cursor=cursor
    )


@router.get(
    "/adviesvragen/{adviesvraagId}",
    operation_id="internAdviesvraagOphalen",
    summary="Eén adviesvraag (intern)",
    response_model=advies_schemas.AdviesvraagIntern,
    openapi_extra=RATE_LIMITED,
)
async def intern_adviesvraag_ophalen(
    adviesvraag_id: AdviesvraagId, claims: IntakeIntern, session: Session
) -> advies_schemas.AdviesvraagIntern:
    """Eén adviesvraag met de samenvatting en wie al antwoordde. Onbekend is 404."""
    vraag = await adviezen.get_adviesvraag(session=session, vraag_id=adviesvraag_id)
    await log_toegang(
        session=session, claims=claims, signaal_id=vraag.signaal_id, actie=Actie.adviesvraag_gelezen_intern
    )
    return vraag


@router.post(
    "/adviesvragen/{adviesvraagId}/antwoorden",
    operation_id="internAdviesBeantwoorden",
    summary="Het antwoord van een expert vastleggen (intern)",
    status_code=201,
    response_model=advies_schemas.AntwoordVastgelegd,
    openapi_extra=RATE_LIMITED,
    responses={404: {"description": "Onbekende vraag, of de partner is er geen expert van."}},
)
async def intern_advies_beantwoorden(
    adviesvraag_id: AdviesvraagId,
    invoer: advies_schemas.AntwoordInvoer,
    claims: IntakeIntern,
    session: Session,
    sleutels: SleutelsDep,
) -> advies_schemas.AntwoordVastgelegd:
    """Legt het antwoord van een expert vast (herkenbare gegevens vervangen, het origineel verzegeld)."""
    return await adviezen.record_antwoord(
        session=session, vraag_id=adviesvraag_id, invoer=invoer, sleutels=sleutels, nu=nu()
    )


@router.post(
    "/casussen/{signaalId}/terugkoppelingen",
    operation_id="internTerugkoppelingVastleggen",
    summary="De terugkoppeling van een partner vastleggen (intern)",
    status_code=201,
    response_model=terugkoppeling_schemas.TerugkoppelingVastgelegd,
    openapi_extra=RATE_LIMITED,
    responses={
        400: {"description": "Een onbekende code, of een aanvulling die ontbreekt of niet hoort; het veld wordt genoemd."},
        404: {"description": "Onbekende casus, of de partner zit niet in een lopend traject met dit doel."},
    },
)  # fmt: skip
async def intern_terugkoppeling_vastleggen(
    signaal_id: SignaalId,
    invoer: terugkoppeling_schemas.TerugkoppelingInvoer,
    claims: IntakeIntern,
    session: Session,
    catalogus: CatalogusDep,
    sleutels: SleutelsDep,
) -> terugkoppeling_schemas.TerugkoppelingVastgelegd:
    """Legt een terugkoppeling vast op het traject van de partner met dit doel (codes uit de catalogus:
    `reden` bij geen_vervolg, `opvangvorm` bij opvang_geregeld, `maatregel` bij bestuurlijke_maatregel).
    De eerste terugkoppeling op een traject zet het op lopend."""
    return await terugkoppelingen.record_terugkoppeling(
        session=session, signaal_id=signaal_id, invoer=invoer, catalogus=catalogus, sleutels=sleutels, nu=nu()
    )


@router.post(
    "/casussen/{signaalId}/doelverzoeken",
    operation_id="internDoelverzoekIndienen",
    summary="Het verzoek van een partner om een vervolgdoel (intern)",
    status_code=201,
    response_model=schemas.DoelverzoekIngediend,
    openapi_extra=RATE_LIMITED,
    responses={
        404: {"description": "Onbekende casus, of de partner zit er niet in."},
        409: {"description": "De partner heeft al een lopend traject met dit doel."},
    },
)
async def intern_doelverzoek_indienen(
    signaal_id: SignaalId,
    invoer: schemas.DoelverzoekInvoer,
    claims: IntakeIntern,
    session: Session,
    sleutels: SleutelsDep,
) -> schemas.DoelverzoekIngediend:
    """Legt het verzoek van een partner om een vervolgdoel vast; de aandachtsfunctionaris besluit erover."""
    verzoek = await trajecten.record_doelverzoek(
        session=session, signaal_id=signaal_id, partner=invoer.partner, door=invoer.door, doel=invoer.doel,
        reden=invoer.reden, sleutels=sleutels, nu=nu(),
    )  # fmt: skip
    return schemas.DoelverzoekIngediend(id=verzoek.id, status=verzoek.status)


@router.post(
    "/casussen/{signaalId}/aantekeningen",
    operation_id="internAantekeningVastleggen",
    summary="De werkaantekening van een partner bij zijn traject vastleggen (intern)",
    status_code=201,
    response_model=aantekening_schemas.PartnerAantekeningVastgelegd,
    openapi_extra=RATE_LIMITED,
    responses={
        404: {"description": "Onbekende casus, of de partner zit niet in een lopend traject met dit doel."}
    },
)
async def intern_aantekening_vastleggen(
    signaal_id: SignaalId,
    invoer: aantekening_schemas.PartnerAantekeningInvoer,
    claims: IntakeIntern,
    session: Session,
    sleutels: SleutelsDep,
) -> aantekening_schemas.PartnerAantekeningVastgelegd:
    """Legt een werkaantekening van een partner vast bij zijn open of lopende traject met dit doel
    (herkenbare gegevens vervangen, het origineel verzegeld)."""
    return await aantekeningen.record_partner_aantekening(
        session=session, signaal_id=signaal_id, invoer=invoer, sleutels=sleutels, nu=nu()
    )


@router.get(
    "/casussen/{signaalId}/aantekeningen",
    operation_id="internAantekeningenOphalen",
    summary="De eigen werkaantekeningen van een partner bij zijn trajecten (intern)",
    response_model=aantekening_schemas.PartnerAantekeningen,
    openapi_extra=RATE_LIMITED,
    responses={404: {"description": "Onbekende casus."}},
)
async def intern_aantekeningen_ophalen(
    signaal_id: SignaalId,
    claims: IntakeIntern,
    session: Session,
    partner: Annotated[
        str,
        Query(
            max_length=64,
            pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
            examples=["riec-oost-nederland"],
            description="The partner whose own notes are read.",
        ),
    ],
    doel: Annotated[
        str,
        Query(
            max_length=64,
            pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
            examples=["casusoverleg"],
            description="The purpose of the partner's tracks.",
        ),
    ],
) -> aantekening_schemas.PartnerAantekeningen:
    """De werkaantekeningen van deze partner bij zijn trajecten met dit doel, oudste eerst; nooit die van de
    gemeente of van een andere partner."""
    return await aantekeningen.list_partner_aantekeningen(
        session=session, signaal_id=signaal_id, partner=partner, doel=doel
    )


_ORGANISATIE_QUERY = Query(
    pattern=r"^(GM[0-9]{4}|[a-z0-9][a-z0-9_-]{0,63})$",
    description="The partner whose subscriptions these are.",
)


@router.post(
    "/abonnementen",
    operation_id="internAbonnementAanmaken",
    summary="Een abonnement van een partner aanmaken (intern)",
    status_code=201,
    response_model=meldingen_schemas.AbonnementAangemaakt,
    openapi_extra=RATE_LIMITED,
    responses={
        400: {"description": "Een kanaal zonder adres, of een URL die geen meldingen mag ontvangen."},
        409: {"description": "De organisatie heeft het maximum aantal abonnementen."},
    },
)
async def intern_abonnement_aanmaken(
    invoer: meldingen_schemas.AbonnementInternInvoer,
    claims: IntakeIntern,
    session: Session,
    settings: SettingsDep,
    sleutels: SleutelsDep,
) -> meldingen_schemas.AbonnementAangemaakt:
    """Abonneert een partner (de organisatie uit diens token, door de privacy-gateway doorgegeven) op
    meldingen; het geheim van een webhook staat alleen in dit antwoord."""
    return await meldingen.create_abonnement(
        session=session, organisatie=invoer.organisatie, invoer=invoer, door=invoer.door, settings=settings,
        sleutels=sleutels, nu=nu(),
    )  # fmt: skip


@router.get(
    "/abonnementen",
    operation_id="internAbonnementenOpvragen",
    summary="De abonnementen van een partner (intern)",
    response_model=meldingen_schemas.AbonnementenLijst,
    openapi_extra=RATE_LIMITED,
)
async def intern_abonnementen_opvragen(
    claims: IntakeIntern, session: Session, organisatie: Annotated[str, _ORGANISATIE_QUERY]
) -> meldingen_schemas.AbonnementenLijst:
    """De abonnementen van de partner, zonder geheimen."""
    return await meldingen.list_abonnementen(session=session, organisatie=organisatie)


@router.delete(
    "/abonnementen/{abonnementId}",
    operation_id="internAbonnementVerwijderen",
    summary="Een abonnement van een partner opzeggen (intern)",
    status_code=204,
    openapi_extra=RATE_LIMITED,
    responses={204: {"description": "Opgezegd."}, 404: {"description": "Geen abonnement van deze partner."}},
)
async def intern_abonnement_verwijderen(
    abonnement_id: AbonnementId,
    claims: IntakeIntern,
    session: Session,
    organisatie: Annotated[str, _ORGANISATIE_QUERY],
) -> Response:
    """Zegt het abonnement van de partner op (een abonnement van een ander is 404)."""
    await meldingen.delete_abonnement(session=session, organisatie=organisatie, abonnement_id=abonnement_id)
    return Response(status_code=204)


@router.post(
    "/meldingen",
    operation_id="internMeldingInplannen",
    summary="Een melding inplannen die in de privacy-gateway ontstaat (intern)",
    status_code=201,
    response_model=meldingen_schemas.MeldingenIngepland,
    openapi_extra=RATE_LIMITED,
    responses={404: {"description": "Onbekend signaal."}},
)
async def intern_melding_inplannen(
    invoer: meldingen_schemas.MeldingInternInvoer, claims: IntakeIntern, session: Session
) -> meldingen_schemas.MeldingenIngepland:
    """Plant een melding in voor de abonnementen van de genoemde organisaties (bijvoorbeeld: een
    identiteitsverzoek wacht op goedkeuring). Alleen soort, ontvangers en het signaal; geen inhoud."""
    return await meldingen.schedule_melding(session=session, invoer=invoer, nu=nu())
