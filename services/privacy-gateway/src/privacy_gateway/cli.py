"""`meldroute-gateway`: maintenance commands of privacy-gateway."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer
from meldroute_common.db import make_engine
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.ext.asyncio import async_sessionmaker

from privacy_gateway.config import get_settings
from privacy_gateway.identiteit.retentie import Retentie, purge, verlopen_verzoeken
from privacy_gateway.main import load_logboek

app = typer.Typer(help="Beheer van de privacy-gateway.", no_args_is_help=True)
console = Console(stderr=True)


@app.callback()
def main() -> None:
    """Beheer van de privacy-gateway."""


async def _retentie(*, droog: bool) -> int:
    settings = get_settings()
    retentie = Retentie.uit(settings, logboek=load_logboek(settings))
    engine = make_engine(settings.database_url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    try:
        if droog:
            async with maker() as session:
                return len(
                    await verlopen_verzoeken(session=session, retentie=retentie, moment=datetime.now(UTC))
                )
        with Progress(
            TextColumn("[bold]bewaartermijn"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console,
        ) as voortgang:  # fmt: skip
            taak = voortgang.add_task("wissen", total=None)
            return await purge(
                maker=maker,
                retentie=retentie,
                bij_start=lambda totaal: voortgang.update(taak, total=totaal),
                na_batch=lambda aantal: voortgang.advance(taak, aantal),
            )
    finally:
        await engine.dispose()


@app.command()
def retentie(
    droog: Annotated[bool, typer.Option("--droog", help="Alleen tellen wat gewist zou worden.")] = False,
) -> None:
    """Wis identiteitsverzoeken, hun goedkeuringen en hun verzegelde redenen waarvan de bewaartermijn verstreken
    is (GATEWAY_RETENTIE_IDENTITEITSVERZOEKEN), met per ronde een regel in het verwerkingenlog (alleen aantallen)."""
    settings = get_settings()
    aantal = asyncio.run(_retentie(droog=droog))
    if droog:
        typer.echo(
            f"te wissen: {aantal} identiteitsverzoeken (bewaartermijn {settings.retentie_identiteitsverzoeken})"
        )
    else:
        typer.echo(
            f"gewist: {aantal} identiteitsverzoeken (bewaartermijn {settings.retentie_identiteitsverzoeken})"
        )
