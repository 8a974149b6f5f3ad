"""`meldroute-gateway`: maintenance commands of privacy-gateway."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

import typer
from meldroute_common.beheer import report_retention, run_retention
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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

    async def count(session: AsyncSession) -> int:
        return len(await verlopen_verzoeken(session=session, retentie=retentie, moment=datetime.now(UTC)))

    async def wipe(
        maker: async_sessionmaker[AsyncSession],
        on_start: Callable[[int], None],
        on_progress: Callable[[int], None],
    ) -> int:
        return await purge(maker=maker, retentie=retentie, bij_start=on_start, na_batch=on_progress)

    return await run_retention(
        database_url=settings.database_url, dry_run=droog, count=count, purge=wipe, console=console
    )


@app.command()
def retentie(
    droog: Annotated[bool, typer.Option("--droog", help="Alleen tellen wat gewist zou worden.")] = False,
) -> None:
    """Wis identiteitsverzoeken, hun goedkeuringen en hun verzegelde redenen waarvan de bewaartermijn verstreken
    is (GATEWAY_RETENTIE_IDENTITEITSVERZOEKEN), met per ronde een regel in het verwerkingenlog (alleen aantallen)."""
    settings = get_settings()
    aantal = asyncio.run(_retentie(droog=droog))
    report_retention(
        aantal,
        dry_run=droog,
        what=f"identiteitsverzoeken (bewaartermijn {settings.retentie_identiteitsverzoeken})",
    )
