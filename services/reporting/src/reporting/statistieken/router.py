"""Anonymous statistics with disclosure control."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from meldroute_common.auth import StatistiekenLezen
from meldroute_common.db import Session
from meldroute_common.problems import BadRequest, InvalidParam
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited
from meldroute_common.schemas import Uitvoer
from pydantic import Field

from reporting.config import ReportingSettings
from reporting.perioden import PERIODES, Periode, hele_perioden, maand_plus, maanden_tussen
from reporting.statistieken import service
from reporting.statistieken.csv_uitvoer import CSV_MEDIA_TYPE, evaluatie_csv, signalen_csv, wil_csv
from reporting.statistieken.schemas import Evaluatie, Intervisie, Signalen

router = APIRouter(tags=["statistieken"])

DIMENSIES = tuple(service.DIMENSIES)
#: The longest range one query may cover.
MAX_MAANDEN = 120
_MAAND = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"

PeriodeQuery = Annotated[Periode, Query(description="Periodegrens: maand, kwartaal of jaar.")]
VanQuery = Annotated[
    str | None,
    Query(
        pattern=_MAAND,
        description="Eerste maand (`JJJJ-MM`), verruimd tot het begin van zijn periode; standaard 23 maanden "
        "voor `tot`.",
        examples=["2026-01"],
    ),
]
TotQuery = Annotated[
    str | None,
    Query(
        pattern=_MAAND,
        description="Laatste maand (`JJJJ-MM`), verruimd tot het eind van zijn periode; standaard deze maand.",
        examples=["2026-12"],
    ),
]


def _csv_antwoord(voorbeeld: str) -> dict[int | str, dict[str, object]]:
    return {
        200: {
            "description": "De onderdrukte cijfers: JSON, of CSV met `Accept: text/csv` (Nederlandse kolomnamen; "
            "de laatste regel, beginnend met `#`, zegt welke rijen onderdrukt zijn).",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": voorbeeld}},
        }
    }


_SIGNALEN_CSV = (
    "soort,periode,gemeente,aantal,onderdrukt,reden\r\n"
    "cel,2026-K1,GM0222,14,nee,\r\ncel,2026-K1,GM1509,,ja,primair\r\n"
    "# Onderdrukt: rij 2 primair (klein aantal, onder 10 na verstoring). Rijen tellen vanaf 1 onder de kop.\r\n"
)
_EVALUATIE_CSV = (
    "onderdeel,periode,groep,maat,waarde,onderdrukt,reden\r\n"
    "melderdomeinen,2026-K1,melderDomein=toezicht,aantal,22,nee,\r\n"
    "doorlooptijden,2026-K1,,mediaan_dagen,10,nee,\r\n"
    "terugkoppelingen,2026-K1,gemeente=GM0222|terugkoppeling=opgepakt,aantal,12,nee,\r\n"
    "terugkoppeling_aandelen,2026-K1,terugkoppeling=opgepakt,aandeel_van_opschalingen,0.4615,nee,\r\n"
    "doorlooptijden_terugkoppeling,2026-K1,,mediaan_dagen,9,nee,\r\n"
    "# Niets onderdrukt. Aantallen zijn verstoord met hoogstens 4; geen gepubliceerd aantal ligt onder 10.\r\n"
)


class Dimensies(Uitvoer):
    dimensies: list[str] = Field(description="Waarop gegroepeerd kan worden.")
    periodes: list[str] = Field(description="De vaste periodegrenzen.")
    drempel: int = Field(description="Aantallen van 1 tot deze drempel worden onderdrukt.")


#: The months the parameters can name (their pattern): a default or a widening never goes outside them.
EERSTE_MAAND, LAATSTE_MAAND = "2000-01", "2099-12"


def bereik_van(*, periode: Periode, van: str | None, tot: str | None) -> service.Bereik:
    """The whole periods a query covers; 400 naming the parameter when the range is not usable.

    Every `van`/`tot` the pattern accepts gives 200 or 400: a default `van` 23 months before an early `tot` is
    clamped to the first month that can be named.
    """
    nu = datetime.now(UTC)
    tot = tot or f"{nu.year:04d}-{nu.month:02d}"
    van = van or max(EERSTE_MAAND, maand_plus(tot, -23))
    if maanden_tussen(van, tot) < 1:
        raise BadRequest(
            "`van` ligt na `tot`.", invalid_params=[InvalidParam(name="van", reason="Ligt na tot.")]
        )
    begin, eind = hele_perioden(van, tot, periode)
    if maanden_tussen(begin, eind) > MAX_MAANDEN:
        raise BadRequest(
            f"Een vraag beslaat hoogstens {MAX_MAANDEN} maanden.",
            invalid_params=[InvalidParam(name="tot", reason=f"Meer dan {MAX_MAANDEN} maanden na van.")],
        )
    return service.Bereik(periode=periode, van=begin, tot=eind)


def intervisie_bereik_van(*, periode: Periode, van: str | None, tot: str | None) -> service.Bereik:
    """The whole periods an intervisie covers. Every `van`/`tot` the pattern accepts is an answer (200): `van`
    after `tot` is an empty range, a range of more than `MAX_MAANDEN` months keeps its last ones, and a range in
    the future simply has nothing published yet.
    """
    nu = datetime.now(UTC)
    deze_maand = f"{nu.year:04d}-{nu.month:02d}"
    tot = tot or max(deze_maand, van or deze_maand)
    van = van or max(EERSTE_MAAND, maand_plus(tot, -23))
    if maanden_tussen(van, tot) < 1:
        return service.Bereik(periode=periode, van=van, tot=tot)  # covers no month
    begin, eind = hele_perioden(van, tot, periode)
    if maanden_tussen(begin, eind) > MAX_MAANDEN:
        # A multiple of every period's length, so the first month kept still begins a period.
        begin = maand_plus(eind, -(MAX_MAANDEN - 1))
    return service.Bereik(periode=periode, van=begin, tot=eind)


def dimensies_van(groeperen_op: str | None) -> list[str]:
    """The grouping dimensions of a comma-separated list; 400 naming `groeperenOp` when one is unknown."""
    namen = [d.strip() for d in (groeperen_op or "").split(",") if d.strip()]
    fouten = []
    if len(set(namen)) != len(namen):
        fouten.append("Een dimensie staat er twee keer in.")
    if any(naam not in service.DIMENSIES for naam in namen):
        fouten.append(f"Onbekende dimensie; kies uit {', '.join(DIMENSIES)}.")
    if len(namen) > service.MAX_DIMENSIES:
        fouten.append(f"Hoogstens {service.MAX_DIMENSIES} dimensies.")
    if fouten:
        raise BadRequest(
            "groeperenOp is ongeldig.",
            invalid_params=[InvalidParam(name="groeperenOp", reason=f) for f in fouten],
        )
    return namen


@router.get(
    "/statistieken/dimensies",
    operation_id="dimensiesOphalen",
    summary="Beschikbare dimensies",
    dependencies=[rate_limited("statistieken")],
    openapi_extra=RATE_LIMITED,
)
async def dimensies_ophalen(request: Request, claims: StatistiekenLezen) -> Dimensies:
    """Welke dimensies en periodes de statistieken kennen, en de onderdrukkingsdrempel."""
    return Dimensies(
        dimensies=list(DIMENSIES), periodes=list(PERIODES), drempel=request.app.state.settings.drempel
    )


@router.get(
    "/statistieken/signalen",
    operation_id="signalenTellen",
    summary="Signalen geteld per periode en dimensie",
    response_model=Signalen,
    dependencies=[rate_limited("statistieken")],
    openapi_extra=RATE_LIMITED,
    responses=_csv_antwoord(_SIGNALEN_CSV),
)
async def signalen_tellen(
    request: Request,
    claims: StatistiekenLezen,
    session: Session,
    groeperenOp: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Komma-gescheiden dimensies (hoogstens drie): "
            + ", ".join(DIMENSIES)
            + ". Met `uitkomst` worden beoordelingen geteld in plaats van signalen.",
            examples=["gemeente,uitbuitingsvorm"],
        ),
    ] = None,
    periode: PeriodeQuery = "kwartaal",
    van: VanQuery = None,
    tot: TotQuery = None,
) -> Signalen | Response:
    """Tel signalen per periode en per waarde van de gekozen dimensies, uit de vastgelegde publicatie.

    Alleen afgesloten perioden (na afloop plus de embargotermijn) hebben cijfers; ze zijn eenmalig berekend
    en veranderen daarna niet. Aantallen van 1 tot de drempel zijn onderdrukt; elk ander aantal (behalve 0)
    is met de celsleutelmethode met hoogstens 4 verstoord, voor dezelfde cel in elke tabel gelijk. Totalen
    zijn cellen op zichzelf (ook verstoord), geen sommen. Tellen de gepubliceerde perioden minder
    gebeurtenissen dan de minimale populatie, dan is het hele antwoord onderdrukt. Een signaal met meer
    uitbuitingsvormen telt per vorm.
    """
    settings: ReportingSettings = request.app.state.settings
    antwoord = await service.signalen(
        session=session,
        bereik=bereik_van(periode=periode, van=van, tot=tot),
        dimensies=dimensies_van(groeperenOp),
        drempel=settings.drempel,
        minimale_populatie=settings.minimale_populatie,
    )
    if wil_csv(request.headers.get("accept")):
        return Response(signalen_csv(antwoord), media_type=CSV_MEDIA_TYPE)
    return antwoord


@router.get(
    "/statistieken/evaluatie",
    operation_id="evaluatieOphalen",
    summary="Evaluatie-indicatoren",
    response_model=Evaluatie,
    dependencies=[rate_limited("statistieken")],
    openapi_extra=RATE_LIMITED,
    responses=_csv_antwoord(_EVALUATIE_CSV),
)
async def evaluatie_ophalen(
    request: Request,
    claims: StatistiekenLezen,
    session: Session,
    periode: PeriodeQuery = "kwartaal",
    van: VanQuery = None,
    tot: TotQuery = None,
) -> Evaluatie | Response:
    """De evaluatievragen van het beleidsplan als cijfers, uit dezelfde vastgelegde publicatie als de statistieken.

    Doelbereiking: signalen per melderdomein (wie signaleert) en per gemeente. Doelmatigheid: het aandeel
    opgeschaald, afgesloten en doorverwezen onder de afgeronde beoordelingen, en de mediaan en het 90e
    percentiel van de dagen van signaal tot beoordeling (alleen over groepen van minstens de drempel).
    Intervisie: uitbuitingsvormen en sectoren per gemeente. Effectiviteit: de terugkoppelingen van partners
    per gemeente en soort (een soort telt eenmaal per casus), de casussen met een eerste terugkoppeling, het
    aandeel daarvan in de opschalingen van dezelfde periode (alleen uit gepubliceerde aantallen) en de mediaan
    en het 90e percentiel van de dagen van opschaling tot eerste terugkoppeling, voor de regio en per gemeente
    (alleen als het gepubliceerde aantal eerste terugkoppelingen minstens de drempel plus 4 is). En de laatste
    periode tegen de vorige.
    """
    settings: ReportingSettings = request.app.state.settings
    antwoord = await service.evaluatie(
        session=session,
        bereik=bereik_van(periode=periode, van=van, tot=tot),
        drempel=settings.drempel,
        minimale_populatie=settings.minimale_populatie,
    )
    if wil_csv(request.headers.get("accept")):
        return Response(evaluatie_csv(antwoord), media_type=CSV_MEDIA_TYPE)
    return antwoord


@router.get(
    "/statistieken/intervisie",
    operation_id="intervisieOphalen",
    summary="Eigen gemeente naast de regio",
    response_model=Intervisie,
    dependencies=[rate_limited("statistieken")],
    openapi_extra=RATE_LIMITED,
    responses={
        403: {"description": "Een aandachtsfunctionaris vraagt naar een andere gemeente dan de eigen."}
    },
)
async def intervisie_ophalen(
    request: Request,
    claims: StatistiekenLezen,
    session: Session,
    gemeente: Annotated[
        str | None,
        Query(
            pattern=r"^GM[0-9]{4}$",
            description="De gemeente (CBS-code). Een aandachtsfunctionaris krijgt altijd de eigen gemeente uit het "
            "token en mag geen andere vragen (403); zonder gemeente alleen de regio.",
            examples=["GM1509"],
        ),
    ] = None,
    periode: PeriodeQuery = "kwartaal",
    van: VanQuery = None,
    tot: TotQuery = None,
) -> Intervisie:
    """De gepubliceerde cijfers van de eigen gemeente naast die van de regio, voor de intervisie.

    Per gepubliceerde periode: alle signalen, en per uitbuitingsvorm, sector, locatietype, melderdomein en
    uitkomst. Elk cijfer is een vastgelegde cel van dezelfde publicatie als de statistieken, ongewijzigd: het
    cijfer van de regio is het vastgelegde totaal van die waarde (geen som van gemeenten), dat van de gemeente
    de cel van de tabel per gemeente en die dimensie; een cel die daar niet getoond wordt, is hier onderdrukt.
    Er wordt niets nieuws berekend. `van` na `tot` is een leeg bereik; een bereik van meer dan 120 maanden houdt
    de laatste 120; perioden die nog niet gepubliceerd zijn, hebben geen cijfers.
    """
    settings: ReportingSettings = request.app.state.settings
    return await service.intervisie(
        session=session,
        bereik=intervisie_bereik_van(periode=periode, van=van, tot=tot),
        gemeente=service.intervisie_gemeente(claims=claims, gevraagd=gemeente),
        drempel=settings.drempel,
        minimale_populatie=settings.minimale_populatie,
    )
