"""The retention command of a service's maintenance CLI: count what is due (`--droog`) or wipe it with a progress
bar, on an engine of its own, and say what happened in one line.

A service passes its own counting and wiping; this module only owns the database engine, the progress bar and
the message, so `meldroute-intake retentie` and `meldroute-gateway retentie` behave alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from meldroute_common.db import make_engine

__all__ = ["Count", "Purge", "report_retention", "run_retention"]

#: How many rows are due now, read in one session.
Count = Callable[[AsyncSession], Awaitable[int]]
#: Wipe what is due; call `on_start(total)` once the total is known and `on_progress(n)` after each n wiped.
Purge = Callable[
    [async_sessionmaker[AsyncSession], Callable[[int], None], Callable[[int], None]], Awaitable[int]
]


async def run_retention(
    *, database_url: str, dry_run: bool, count: Count, purge: Purge, console: Console
) -> int:
    """Count what is due (`dry_run`) or wipe it with a progress bar on `console`; the number counted or wiped."""
    engine = make_engine(database_url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    try:
        if dry_run:
            async with maker() as session:
                return await count(session)
        with Progress(
            TextColumn("[bold]bewaartermijn"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console,
        ) as voortgang:  # fmt: skip
            taak = voortgang.add_task("wissen", total=None)
            return await purge(
                maker,
                lambda totaal: voortgang.update(taak, total=totaal),
                lambda aantal: voortgang.advance(taak, aantal),
            )
    finally:
        await engine.dispose()


def report_retention(aantal: int, *, dry_run: bool, what: str) -> None:
    """The command's one line: `te wissen: 3 signalen (…)` for a dry run, `gewist: 3 signalen (…)` otherwise."""
    typer.echo(f"{'te wissen' if dry_run else 'gewist'}: {aantal} {what}")
