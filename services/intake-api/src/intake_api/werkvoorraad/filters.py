"""The queue's filters: read from the query string, checked, and turned into SQL conditions in one place.

A new filter is a field of `Werkvoorraadfilter`, a parameter of `read_filter`, a check in `check_filter` when
its values are constrained, and a condition in `filter_voorwaarden`; the query, its paging and the router do not
change. Every condition is a plain SQL predicate on `signalen` (or an EXISTS on a lookup table), so filters
combine with AND and keep the keyset order and cursor of the unfiltered queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Query
from meldroute_common.catalogus import Catalogus, Lijst
from meldroute_common.problems import BadRequest, InvalidParam
from meldroute_common.typen import Datum, Tijdstip
from pydantic import Field

from intake_api.models import Signaal, SignaalIndicator, SignaalUitbuitingsvorm
from intake_api.signalen.schemas import Status
from intake_api.termijnen.service import TermijnFilter, open_termijnen
from intake_api.tijd import utc
from intake_api.werkvoorraad.schemas import IK, SUB_LENGTE, SUB_PATROON

#: At most this many `indicator` values in one query ("any of").
MAX_INDICATOREN = 20
_Code = Annotated[str, Field(max_length=64)]


@dataclass(frozen=True, slots=True)
class Werkvoorraadfilter:
    """What the attention officer asked the queue for; None (or empty) leaves a filter out."""

    status: str | None = None
    uitbuitingsvorm: str | None = None
    indicatoren: tuple[str, ...] = ()
    sector: str | None = None
    locatietype: str | None = None
    melder_domein: str | None = None
    waargenomen_vanaf: date | None = None
    waargenomen_tot: date | None = None
    ontvangen_vanaf: datetime | None = None
    ontvangen_tot: datetime | None = None
    #: A `sub`, or `IK` for the caller's own.
    toegewezen_aan: str | None = None
    #: True: assigned to anyone; False: assigned to nobody.
    toegewezen: bool | None = None
    #: An open deadline past its due date (`verlopen`) or not yet (`lopend`).
    termijn: TermijnFilter | None = None


def read_filter(
    status: Annotated[Status | None, Query(description="Only signals with this status.")] = None,
    uitbuitingsvorm: Annotated[
        str | None, Query(max_length=64, description="Only signals with this form of exploitation.")
    ] = None,
    indicator: Annotated[
        list[_Code] | None,
        Query(
            max_length=MAX_INDICATOREN,
            description="Only signals with this indicator (catalogue code); repeat it for any of several.",
        ),
    ] = None,
    sector: Annotated[
        str | None, Query(max_length=64, description="Only signals in this sector (catalogue code).")
    ] = None,
    locatietype: Annotated[
        str | None,
        Query(max_length=64, description="Only signals with this type of location (catalogue code)."),
    ] = None,
    melder_domein: Annotated[
        str | None,
        Query(
            alias="melderDomein",
            max_length=64,
            description="Only signals from this reporter domain (catalogue code).",
        ),
    ] = None,
    waargenomen_vanaf: Annotated[
        Datum | None, Query(alias="waargenomenVanaf", description="Observed on or after this date.")
    ] = None,
    waargenomen_tot: Annotated[
        Datum | None, Query(alias="waargenomenTot", description="Observed before this date.")
    ] = None,
    ontvangen_vanaf: Annotated[
        Tijdstip | None, Query(alias="ontvangenVanaf", description="Received at or after this moment.")
    ] = None,
    ontvangen_tot: Annotated[
        Tijdstip | None, Query(alias="ontvangenTot", description="Received before this moment.")
    ] = None,
    toegewezen_aan: Annotated[
        str | None,
        Query(
            alias="toegewezenAan",
            max_length=SUB_LENGTE,
            pattern=SUB_PATROON,
            description=f"Only signals assigned to this subject (`sub`); `{IK}` is the caller's own.",
        ),
    ] = None,
    toegewezen: Annotated[
        bool | None, Query(description="true: only assigned signals; false: only unassigned ones.")
    ] = None,
    termijn: Annotated[
        TermijnFilter | None,
        Query(
            description="Only signals with an open deadline past its due date (verlopen) or not yet (lopend)."
        ),
    ] = None,
) -> Werkvoorraadfilter:
    """The queue's query parameters as one filter (their form checked here, their meaning in `check_filter`)."""
    return Werkvoorraadfilter(
        status=status,
        uitbuitingsvorm=uitbuitingsvorm,
        indicatoren=tuple(dict.fromkeys(indicator or ())),
        sector=sector,
        locatietype=locatietype,
        melder_domein=melder_domein,
        waargenomen_vanaf=waargenomen_vanaf,
        waargenomen_tot=waargenomen_tot,
        ontvangen_vanaf=ontvangen_vanaf,
        ontvangen_tot=ontvangen_tot,
        toegewezen_aan=toegewezen_aan,
        toegewezen=toegewezen,
        termijn=termijn,
    )


#: For a router: `filter: WerkvoorraadfilterDep`.
WerkvoorraadfilterDep = Annotated[Werkvoorraadfilter, Depends(read_filter)]


def check_filter(*, filter: Werkvoorraadfilter, catalogus: Catalogus) -> None:
    """400 naming every parameter with a code the catalogue does not know, a period that ends before it
    begins, or a contradiction (`toegewezen=false` with `toegewezenAan`)."""
    fouten: list[InvalidParam] = []

    def codes(naam: str, lijst: Lijst, waarden: tuple[str, ...]) -> None:
        if catalogus.onbekende_codes(lijst, waarden):
            fouten.append(InvalidParam(name=naam, reason=f"Onbekende code voor {lijst}."))

    codes("indicator", "indicatoren", filter.indicatoren)
    enkel: tuple[tuple[str, Lijst, str | None], ...] = (
        ("sector", "sectoren", filter.sector),
        ("locatietype", "locatietypen", filter.locatietype),
        ("melderDomein", "melderdomeinen", filter.melder_domein),
    )
    for naam, lijst, waarde in enkel:
        if waarde is not None:
            codes(naam, lijst, (waarde,))
    for naam, vanaf, tot in (
        ("waargenomenTot", filter.waargenomen_vanaf, filter.waargenomen_tot),
        ("ontvangenTot", filter.ontvangen_vanaf, filter.ontvangen_tot),
    ):
        if vanaf is not None and tot is not None and _voor(tot, vanaf):
            fouten.append(InvalidParam(name=naam, reason="Ligt vóór het begin van de periode."))
    if filter.toegewezen is False and filter.toegewezen_aan is not None:
        fouten.append(
            InvalidParam(name="toegewezen", reason="toegewezen=false gaat niet samen met toegewezenAan.")
        )
    if fouten:
        raise BadRequest("De filters zijn ongeldig; zie invalidParams.", invalid_params=fouten)


def _voor(tot: date | datetime, vanaf: date | datetime) -> bool:
    if isinstance(tot, datetime) and isinstance(vanaf, datetime):
        return utc(tot) < utc(vanaf)
    return tot < vanaf


def filter_voorwaarden(filter: Werkvoorraadfilter, *, sub: str, nu: datetime) -> list[sa.ColumnElement[bool]]:
    """The SQL conditions on `signalen` for a checked filter (AND them); `sub` is the caller, for `ik`, and
    `nu` the moment a deadline is compared with."""
    voorwaarden: list[sa.ColumnElement[bool]] = []
    if filter.status is not None:
        voorwaarden.append(Signaal.status == filter.status)
    if filter.uitbuitingsvorm is not None:
        voorwaarden.append(
            sa.exists().where(
                SignaalUitbuitingsvorm.signaal_id == Signaal.id,
                SignaalUitbuitingsvorm.vorm == filter.uitbuitingsvorm,
            )
        )
    if filter.indicatoren:
        voorwaarden.append(
            sa.exists().where(
                SignaalIndicator.signaal_id == Signaal.id,
                SignaalIndicator.indicator.in_(filter.indicatoren),
            )
        )
    if filter.sector is not None:
        voorwaarden.append(Signaal.sector == filter.sector)
    if filter.locatietype is not None:
        voorwaarden.append(Signaal.locatietype == filter.locatietype)
    if filter.melder_domein is not None:
        voorwaarden.append(Signaal.melder_domein == filter.melder_domein)
    if filter.waargenomen_vanaf is not None:
        voorwaarden.append(Signaal.waargenomen_op >= filter.waargenomen_vanaf)
    if filter.waargenomen_tot is not None:
        voorwaarden.append(Signaal.waargenomen_op < filter.waargenomen_tot)
    if filter.ontvangen_vanaf is not None:
        voorwaarden.append(Signaal.ontvangen_op >= utc(filter.ontvangen_vanaf))
    if filter.ontvangen_tot is not None:
        voorwaarden.append(Signaal.ontvangen_op < utc(filter.ontvangen_tot))
    if filter.toegewezen_aan is not None:
        voorwaarden.append(
            Signaal.toegewezen_aan == (sub if filter.toegewezen_aan == IK else filter.toegewezen_aan)
        )
    if filter.toegewezen is True:
        voorwaarden.append(Signaal.toegewezen_aan.is_not(None))
    elif filter.toegewezen is False:
        voorwaarden.append(Signaal.toegewezen_aan.is_(None))
    if filter.termijn is not None:
        voorwaarden.append(open_termijnen(nu=nu, verlopen=filter.termijn == "verlopen"))
    return voorwaarden
