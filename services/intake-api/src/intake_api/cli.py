"""`meldroute-intake`: maintenance commands of intake-api."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from meldroute_common.beheer import report_retention, run_retention
from meldroute_common.beleid import load_policy
from meldroute_common.catalogus import standaard_catalogus
from meldroute_common.db import make_engine
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake_api.config import get_settings
from intake_api.importeren.service import Regelresultaat, Samenvatting, Uitkomst, import_regels, read_regels
from intake_api.retentie.service import Termijnen, find_verlopen_signalen, purge
from intake_api.sleutels import load_sleutels
from intake_api.tijd import nu

app = typer.Typer(help="Beheer van intake-api.", no_args_is_help=True)
console = Console(stderr=True)


@app.callback()
def main() -> None:
    """Beheer van intake-api."""


async def _retentie(*, droog: bool) -> int:
    settings = get_settings()
    termijnen = Termijnen.from_settings(settings)

    async def count(session: AsyncSession) -> int:
        return len(await find_verlopen_signalen(session=session, termijnen=termijnen, moment=nu()))

    async def wipe(
        maker: async_sessionmaker[AsyncSession],
        on_start: Callable[[int], None],
        on_progress: Callable[[int], None],
    ) -> int:
        return await purge(
            maker=maker, termijnen=termijnen, bij_start=on_start, na_elk=lambda: on_progress(1)
        )

    return await run_retention(
        database_url=settings.database_url, dry_run=droog, count=count, purge=wipe, console=console
    )


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
    report_retention(aantal, dry_run=droog, what=f"signalen (bewaartermijnen {termijnen})")


async def _import_bestand(
    *, bestand: Path, door: str, gemeente: str | None, stop_bij_fout: bool
) -> Samenvatting:
    settings = get_settings()
    catalogus = standaard_catalogus(gemeenten=settings.gemeenten)
    sleutels = load_sleutels(settings)
    beleid = load_policy(settings.policy_file)
    # One log line per signal would run through the progress bar; the summary says what happened.
    logging.getLogger("intake_api").setLevel(max(logging.WARNING, logging.getLogger("intake_api").level))
    with bestand.open("rb") as ruw:
        totaal = sum(1 for regel in ruw if regel.strip())
    engine = make_engine(settings.database_url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    try:
        with (
            bestand.open("rb") as f,
            Progress(
                TextColumn("[bold]import"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.fields[stand]}"), console=console,
            ) as voortgang,
        ):  # fmt: skip
            taak = voortgang.add_task("regels", total=totaal, stand="")
            telling = dict.fromkeys(Uitkomst, 0)

            def na_elk(resultaat: Regelresultaat) -> None:
                telling[resultaat.uitkomst] += 1
                stand = ", ".join(f"{u.value} {n}" for u, n in telling.items() if n)
                voortgang.update(taak, advance=1, stand=stand)

            return await import_regels(
                maker=maker, regels=read_regels(regels=f), catalogus=catalogus, sleutels=sleutels, beleid=beleid, door=door,
                nu=nu,
                gemeente=gemeente, stop_bij_fout=stop_bij_fout, na_elk=na_elk,
            )  # fmt: skip
    finally:
        await engine.dispose()


def _toon(samenvatting: Samenvatting, *, bestand: Path) -> None:
    uit = Console()
    tabel = Table(title=f"import van {bestand.name}", show_header=True)
    tabel.add_column("uitkomst")
    tabel.add_column("regels", justify="right")
    for uitkomst in Uitkomst:
        tabel.add_row(uitkomst.value, str(samenvatting.telling[uitkomst]))
    uit.print(tabel)
    if samenvatting.fouten:
        fouten = Table(title="niet geïmporteerd", show_header=True)
        fouten.add_column("regel", justify="right")
        fouten.add_column("bronId")
        fouten.add_column("uitkomst")
        fouten.add_column("probleem")
        for resultaat in samenvatting.fouten:
            fouten.add_row(
                str(resultaat.regel), resultaat.bron_id or "-", resultaat.uitkomst.value,
                "\n".join(resultaat.problemen),
            )  # fmt: skip
        uit.print(fouten)
    if samenvatting.gestopt_na is not None:
        uit.print(
            f"gestopt na regel {samenvatting.gestopt_na} (--stop-bij-fout); de regels erna zijn niet gelezen"
        )
    if samenvatting.totaal and samenvatting.telling[Uitkomst.nieuw] == 0 and not samenvatting.fouten:
        uit.print(f"niets nieuws: alle {samenvatting.totaal} regels waren al geïmporteerd")


@app.command("import")
def importeren(
    bestand: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="JSON-lines-bestand, één signaal per regel."
        ),
    ],
    stop_bij_fout: Annotated[
        bool, typer.Option("--stop-bij-fout", help="Stop bij de eerste afgewezen of conflicterende regel.")
    ] = False,
    gemeente: Annotated[
        str | None,
        typer.Option(help="Alleen signalen van deze gemeente (CBS-code); andere regels worden afgewezen."),
    ] = None,
    door: Annotated[
        str, typer.Option(help="Wie de import uitvoert, zoals het in de historie komt.")
    ] = "import",
) -> None:
    """Importeer historische signalen met hun oorspronkelijke datums (bijvoorbeeld uit een spreadsheet).

    Elke regel is een JSON-object met `bronId` (uniek per gemeente), `ontvangenOp` (datum of tijdstip),
    `signaal` (precies zoals POST /v1/signalen het aanneemt) en eventueel `beoordelingen` (zoals POST
    /v1/signalen/{id}/beoordelingen, met `op`). Elke regel wordt apart en in zijn geheel vastgelegd of niet.
    Opnieuw draaien maakt niets dubbel; een gewijzigde regel met een bekende bronId is een conflict.
    Afsluitcode 0 als elke regel nieuw of al aanwezig is, anders 1."""
    try:
        samenvatting = asyncio.run(
            _import_bestand(bestand=bestand, door=door, gemeente=gemeente, stop_bij_fout=stop_bij_fout)
        )
    except (FileNotFoundError, ValueError) as fout:
        # A missing or unusable key file: nothing was imported.
        typer.echo(f"fout: {fout}", err=True)
        raise typer.Exit(2) from None
    _toon(samenvatting, bestand=bestand)
    if samenvatting.fouten:
        raise typer.Exit(1)
