"""`meldroute-intake`: maintenance commands of intake-api."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from meldroute_common.db import make_engine
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.ext.asyncio import async_sessionmaker

from intake_api.config import get_settings
from intake_api.retentie.service import Termijnen, purge, verlopen_signalen
from intake_api.tijd import nu

app = typer.Typer(help="Beheer van intake-api.", no_args_is_help=True)
console = Console(stderr=True)


@app.callback()
def main() -> None:
    """Beheer van intake-api."""


async def _retentie(*, droog: bool) -> int:
    settings = get_settings()
    termijnen = Termijnen.uit(settings)
    engine = make_engine(settings.database_url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    try:
        if droog:
            async with maker() as session:
                return len(await verlopen_signalen(session=session, termijnen=termijnen, moment=nu()))
        with Progress(
            TextColumn("[bold]bewaartermijn"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console,
        ) as voortgang:  # fmt: skip
            taak = voortgang.add_task("wissen", total=None)
            return await purge(
                maker=maker,
                termijnen=termijnen,
                bij_start=lambda totaal: voortgang.update(taak, total=totaal),
                na_elk=lambda: voortgang.advance(taak),
            )
    finally:
        await engine.dispose()


@app.command()
def retentie(
    droog: Annotated[bool, typer.Option("--droog", help="Alleen tellen wat gewist zou worden.")] = False,
) -> None:
    """Wis verzegelde identiteit en verzegelde oorspronkelijke tekst van signalen waarvan de bewaartermijn
    verstreken is (INTAKE_BEWAARTERMIJN_NIET_OPGESCHAALD, INTAKE_BEWAARTERMIJN_OPGESCHAALD) en leg dat vast
    in hun historie."""
    settings = get_settings()
    aantal = asyncio.run(_retentie(droog=droog))
    termijnen = f"{settings.bewaartermijn_niet_opgeschaald} / {settings.bewaartermijn_opgeschaald}"
    if droog:
        typer.echo(f"te wissen: {aantal} signalen (bewaartermijnen {termijnen})")
    else:
        typer.echo(f"gewist: {aantal} signalen (bewaartermijnen {termijnen})")
