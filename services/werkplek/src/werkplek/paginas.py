"""Rendering: Jinja2 templates (autoescaped), the NL Design System style sheet and the werkplek's CSP."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

_MAP = Path(__file__).parent
#: Nothing but the werkplek's own style sheets and icons: no script at all, forms only to itself.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: The static files, a fixed list: no path from a request reaches the file system.
STATISCH = {
    "nlds.css": "text/css; charset=utf-8",
    "werkplek.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
STATUSSEN = {
    "ontvangen": "Ontvangen",
    "in_behandeling": "In behandeling",
    "advies_gevraagd": "Advies gevraagd",
    "afgesloten_geen_mensenhandel": "Afgesloten: geen mensenhandel",
    "doorverwezen_ander_domein": "Doorverwezen naar een ander domein",
    "opgeschaald": "Opgeschaald",
    "afgehandeld": "Afgehandeld",
}
_MAANDEN = ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.")
_NL = ZoneInfo("Europe/Amsterdam")


@cache
def _omgeving() -> Environment:
    return Environment(
        loader=FileSystemLoader(_MAP / "templates"),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )


def pagina(template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("sessie", None)
    context.setdefault("fouten", {})
    html = _omgeving().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers={"Content-Security-Policy": CSP})


@cache
def statisch_bestand(naam: str) -> bytes:
    return (_MAP / "static" / naam).read_bytes()


def datum(tekst: str | None) -> str:
    """`2026-10-02` → `2 okt. 2026`."""
    if not tekst:
        return ""
    d = date.fromisoformat(tekst[:10])
    return f"{d.day} {_MAANDEN[d.month - 1]} {d.year}"


def tijdstip(tekst: str | None) -> str:
    """An ISO time → Dutch local date and time."""
    if not tekst:
        return ""
    t = datetime.fromisoformat(tekst.replace("Z", "+00:00")).astimezone(_NL)
    return f"{t.day} {_MAANDEN[t.month - 1]} {t.year} {t:%H:%M}"
