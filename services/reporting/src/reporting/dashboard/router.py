"""The dashboard: a Dutch HTML page with charts of the suppressed figures, served without external assets.

`/dashboard` is the page (it holds no figures itself), `/dashboard/static/…` its own script and style
sheet, and `/dashboard/gegevens` the evaluation figures without a token, only when the dashboard is open.
With a token the page asks `/v1/statistieken/evaluatie` instead. Closed with `REPORTING_WERKPLEK_URL` set
(production), the page only sends people to the werkplek's own dashboard, behind its login. None of these are in the OpenAPI document.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from meldroute_common.catalogus import Catalogus
from meldroute_common.db import Session
from meldroute_common.problems import NotFound
from meldroute_common.ratelimit import RateLimiter

from reporting.config import ReportingSettings
from reporting.perioden import Periode
from reporting.statistieken import service
from reporting.statistieken.celsleutel import MAX_VERSTORING
from reporting.statistieken.router import bereik_van

_MAP = Path(__file__).parent
#: Only 'self': no inline script or style, no other origin. The page draws its charts with its own script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
_STATISCH = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}

router = APIRouter(include_in_schema=False)


@cache
def _omgeving() -> Environment:
    return Environment(
        loader=FileSystemLoader(_MAP / "templates"), autoescape=select_autoescape(["html"]), auto_reload=False
    )


def _labels(catalogus: Catalogus) -> dict[str, dict[str, str]]:
    lijsten = {
        "gemeente": "gemeenten",
        "uitbuitingsvorm": "uitbuitingsvormen",
        "melderDomein": "melderdomeinen",
        "uitkomst": "uitkomsten",
        "sector": "sectoren",
        "terugkoppeling": "terugkoppelingen",
    }
    return {
        dimensie: {item.code: item.label for item in getattr(catalogus, lijst)}
        for dimensie, lijst in lijsten.items()
    }


@router.get("/dashboard")
async def dashboard(request: Request) -> HTMLResponse:
    settings: ReportingSettings = request.app.state.settings
    if verwijzing := settings.werkplek_dashboard:
        # Closed, and the werkplek is known: people read the figures there behind their login; nobody is
        # asked to paste a token into a page (the API stays for programs with their own token).
        html = _omgeving().get_template("naar_werkplek.html").render(werkplek_dashboard=verwijzing)
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP})
    html = (
        _omgeving()
        .get_template("dashboard.html")
        .render(
            open=settings.dashboard_zonder_token,
            drempel=settings.drempel,
            # A lead time to a first outcome is shown from a published count of the threshold plus this.
            drempel_tijden=settings.drempel + MAX_VERSTORING,
            labels=json.dumps(_labels(request.app.state.catalogus), ensure_ascii=False),
        )
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP})


@router.get("/dashboard/static/{naam}")
async def statisch(naam: str) -> Response:
    if naam not in _STATISCH:  # a fixed list: no path from the request ever reaches the file system
        raise NotFound("Bestand niet gevonden.")
    return Response(_lees(naam), media_type=_STATISCH[naam], headers={"Content-Security-Policy": CSP})


@cache
def _lees(naam: str) -> bytes:
    # Small files from a fixed list: read once, so requests do no file I/O in the event loop.
    return (_MAP / "static" / naam).read_bytes()


@router.get("/dashboard/gegevens")
async def gegevens(
    request: Request,
    session: Session,
    periode: Annotated[Periode, Query()] = "kwartaal",
    van: Annotated[str | None, Query(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")] = None,
    tot: Annotated[str | None, Query(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")] = None,
) -> JSONResponse:
    settings: ReportingSettings = request.app.state.settings
    if not settings.dashboard_zonder_token:
        raise NotFound("Het dashboard is niet open; gebruik een token en /v1/statistieken/evaluatie.")
    # Without a token there is no subject: the limit then counts per client address.
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.hit(
        bucket="dashboard", client=f"open:{request.client.host if request.client else 'onbekend'}"
    )
    antwoord = await service.evaluatie(
        session=session,
        bereik=bereik_van(periode=periode, van=van, tot=tot),
        drempel=settings.drempel,
        minimale_populatie=settings.minimale_populatie,
    )
    return JSONResponse(antwoord.model_dump(mode="json"), headers={"Content-Security-Policy": CSP})
