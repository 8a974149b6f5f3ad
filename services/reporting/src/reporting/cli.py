"""`meldroute-reporting`: maintenance commands of reporting."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer
from meldroute_common.db import make_engine
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.ext.asyncio import async_sessionmaker

from reporting.config import get_settings
from reporting.perioden import ontleed_maand
from reporting.statistieken.publicatie import (
    alle_groeperingen,
    gesloten,
    publish_closed,
    publish_period,
)

app = typer.Typer(help="Beheer van reporting.", no_args_is_help=True)
console = Console(stderr=True)


@app.callback()
def main() -> None:
    """Beheer van reporting."""


def _voortgang() -> Progress:
    return Progress(
        TextColumn("[bold]publiceren"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _periode_geldig(periode: str) -> str:
    try:
        if len(periode) == 4 and periode.isdigit():
            return periode
        if "-K" in periode:
            jaar, kwartaal = periode.split("-K")
            if jaar.isdigit() and len(jaar) == 4 and kwartaal in {"1", "2", "3", "4"}:
                return periode
            raise ValueError(periode)
        ontleed_maand(periode)
        return periode
    except ValueError:
        raise typer.BadParameter("een periode is JJJJ-MM, JJJJ-K1..K4 of JJJJ") from None


async def _publiceren(*, periode: str | None, opnieuw: bool, reden: str | None) -> list[str]:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    nu = datetime.now(UTC)
    try:
        with _voortgang() as voortgang:
            taak = voortgang.add_task("tabellen", total=None)
            if periode is None:
                return await publish_closed(
                    maker=maker, drempel=settings.drempel, embargo=settings.embargo, nu=nu,
                    bij_start=lambda totaal: voortgang.update(taak, total=totaal),
                    na_tabel=lambda: voortgang.advance(taak),
                )  # fmt: skip
            voortgang.update(taak, total=len(alle_groeperingen()))
            async with maker() as session, session.begin():
                gedaan = await publish_period(
                    session=session, periode=periode, drempel=settings.drempel, nu=nu, opnieuw=opnieuw,
                    reden=reden, na_tabel=lambda: voortgang.advance(taak),
                )  # fmt: skip
            return [periode] if gedaan else []
    finally:
        await engine.dispose()


@app.command()
def publiceren(
    periode: Annotated[
        str | None,
        typer.Option(
            "--periode",
            help="Eén periode (2026-11, 2026-K4 of 2026); zonder: elke afgesloten periode die nog niet "
            "gepubliceerd is.",
        ),
    ] = None,
    opnieuw: Annotated[
        bool,
        typer.Option(
            "--opnieuw",
            help="Een al gepubliceerde periode vervangen door een nieuwe versie (correctie; wordt gelogd). "
            "Vraagt --periode en --reden.",
        ),
    ] = False,
    reden: Annotated[
        str | None, typer.Option("--reden", help="Waarom opnieuw gepubliceerd wordt (komt in het logboek).")
    ] = None,
) -> None:
    """Publiceer afgesloten perioden: tel elke tabel één keer, bescherm en leg vast (idempotent).

    Een periode is afgesloten als ze voorbij is plus de embargotermijn (REPORTING_EMBARGO). Een gepubliceerde
    periode verandert daarna niet; alleen --opnieuw met een reden vervangt haar door een nieuwe versie."""
    settings = get_settings()
    if periode is not None:
        periode = _periode_geldig(periode)
        if not gesloten(periode, nu=datetime.now(UTC), embargo=settings.embargo):
            raise typer.BadParameter(
                f"{periode} is nog niet afgesloten (plus embargo {settings.embargo}); live cijfers worden niet "
                "gepubliceerd",
                param_hint="--periode",
            )
    if opnieuw and (periode is None or not reden):
        raise typer.BadParameter("--opnieuw vraagt --periode en --reden", param_hint="--opnieuw")
    gedaan = asyncio.run(_publiceren(periode=periode, opnieuw=opnieuw, reden=reden))
    if gedaan:
        typer.echo(f"gepubliceerd: {', '.join(gedaan)}")
    else:
        typer.echo("niets te publiceren: alles wat afgesloten is, is al gepubliceerd")
