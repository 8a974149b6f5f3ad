"""`meldroute-demo`: a year of realistic historical signals, imported into intake with their original dates.

Signals are spread over the last twelve closed months and the current one, across the municipalities of the
catalogue (weighted by population), with victim characteristics loosely after the regional policy plan
(CoMensha 2015-2019: about a third male, 40% under 23, a quarter 23-29, a quarter 30 or older). Most are triaged
by their municipality's attention officer some days later: in behandeling, then closed, referred or escalated;
decisions that would lie after now are not made yet.

The demo writes them as an import file (JSON lines, `docs/import.md`) and runs `meldroute-intake import` on it,
so they go through intake's own validation, sealing and history, and the outbox events carry the original
months. The outbox relay of the running intake-api then delivers them to reporting. Every signal has a stable
source id per month, so running the demo again the same day imports nothing twice.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import time as time_
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import httpx
import typer
from meldroute_common.catalogus import Catalogus, standaard_catalogus
from meldroute_common.settings import LOCAL_DIR
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

app = typer.Typer(
    add_completion=False, help="Demonstratiegegevens: een jaar historie via de import van intake."
)

_TIJDZONE = ZoneInfo("Europe/Amsterdam")
#: Rough number of inhabitants (thousands) of the Achterhoek municipalities: signals follow population.
_INWONERS = {"GM0197": 27, "GM1859": 45, "GM1876": 37, "GM0222": 59, "GM1955": 37, "GM1586": 30,
             "GM1509": 40, "GM0294": 29}  # fmt: skip
# Forms of exploitation and where they tend to be seen (loosely after the policy plan).
_VORMEN: dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]] = {
    "arbeid": (0.45, ("agrarisch", "tuinbouw", "bouw", "horeca", "vleesverwerking", "uitzendbranche", "schoonmaak"),
               ("boerenerf", "bedrijventerrein", "vakantiepark-camping", "woning", "restaurant")),
    "seksueel": (0.3, ("prostitutie", "schoonheidsverzorging", "niet-van-toepassing"),
                 ("woning", "hotel", "massagesalon", "nagelsalon", "online")),
    "crimineel": (0.22, ("niet-van-toepassing", "detailhandel", "overig"),
                  ("woning", "openbare-ruimte", "station", "leegstaand-pand")),
    "orgaanverwijdering": (0.03, ("niet-van-toepassing",), ("woning",)),
}  # fmt: skip
_DOMEINEN = {"toezicht": 0.2, "balie": 0.12, "burgerzaken": 0.1, "wijkteam": 0.15, "sociaal-domein": 0.12,
             "vergunningen": 0.06, "boa": 0.1, "leerplicht": 0.07, "jeugd": 0.05, "schuldhulpverlening": 0.03}  # fmt: skip
# Age bands as the plan cites them: 40% under 23 (of which some minors), a quarter 23-29, a quarter 30+.
_LEEFTIJDEN = (((12, 17), 0.12), ((18, 22), 0.28), ((23, 29), 0.25), ((30, 60), 0.25), (None, 0.10))
_NATIONALITEITEN = {"NL": 0.35, "PL": 0.12, "RO": 0.12, "BG": 0.08, "HU": 0.04, "UA": 0.06, "NG": 0.06,
                    "VN": 0.05, "MA": 0.04, "ER": 0.04, None: 0.04}  # fmt: skip
_UITKOMSTEN = {
    "opgeschaald": 0.3,
    "afgesloten_geen_mensenhandel": 0.4,
    "doorverwezen_ander_domein": 0.2,
    None: 0.1,
}
_PARTNERS = ("riec-oost-nederland", "politie-oost-nederland", "nederlandse-arbeidsinspectie")


def _kies(rng: random.Random, gewichten: dict[Any, float]) -> Any:
    return rng.choices(list(gewichten), weights=list(gewichten.values()))[0]


@dataclass(frozen=True)
class DemoSignaal:
    """One generated signal: its import source id, when it was recorded, and the decisions it got."""

    bron_id: str
    ontvangen_op: datetime
    gemeente: str
    body: dict[str, Any]
    beoordelingen: list[dict[str, Any]] = field(default_factory=list)

    def als_regel(self) -> dict[str, Any]:
        """The line of the import file."""
        regel: dict[str, Any] = {
            "bronId": self.bron_id,
            "ontvangenOp": self.ontvangen_op.isoformat(),
            "signaal": self.body,
        }
        if self.beoordelingen:
            regel["beoordelingen"] = self.beoordelingen
        return regel


def _maanden(*, nu: datetime, aantal: int) -> list[date]:
    """The first days of the `aantal` closed months before `nu`'s month, and of that month itself."""
    huidige = nu.astimezone(_TIJDZONE).date().replace(day=1)
    maanden = [huidige]
    for _ in range(aantal):
        maanden.append((maanden[-1] - timedelta(days=1)).replace(day=1))
    return sorted(maanden)


def _dagen_in(maand: date) -> int:
    volgende = (maand.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (volgende - maand).days


def _seizoen(maand: date) -> float:
    # Somewhat more signals in late summer (harvest, seasonal work), fewer around the turn of the year.
    return 1.0 + 0.25 * math.sin((maand.month - 5) / 12 * 2 * math.pi)


def _moment_in(rng: random.Random, maand: date) -> datetime:
    """A moment on a working day of `maand`, during office hours, in UTC."""
    while True:
        dag = maand + timedelta(days=rng.randrange(_dagen_in(maand)))
        if dag.weekday() < 5:
            break
    minuten = rng.randrange(8 * 60 + 30, 17 * 60)
    lokaal = datetime.combine(dag, time(minuten // 60, minuten % 60), tzinfo=_TIJDZONE)
    return lokaal.astimezone(UTC)


def _besluitmomenten(rng: random.Random, ontvangen: datetime) -> tuple[datetime, datetime]:
    """When the officer takes a signal up (mostly within days) and when it is decided (days to weeks later)."""
    oppakken = ontvangen + timedelta(hours=rng.choice((1, 3, 20, 26, 50, 74, 98, 122)) + rng.random())
    besluit = oppakken + timedelta(days=min(60.0, rng.expovariate(1 / 12)), hours=rng.random())
    return oppakken, besluit


def genereer(
    *, aantal: int, nu: datetime, zaad: int, catalogus: Catalogus, maanden: int = 12
) -> list[DemoSignaal]:
    """About `aantal` signals recorded in the last `maanden` closed months and the current month up to `nu`.

    Each signal is drawn from its own generator (seed, month, number), so a month's signals are the same on
    every run: source ids stay stable and a second run the same day imports nothing twice.
    """
    gemeenten = [g.code for g in catalogus.gemeenten]
    gewichten_gemeenten = [_INWONERS.get(code, 35) for code in gemeenten]
    indicatoren = {
        vorm: [i.code for i in catalogus.indicatoren if vorm in i.uitbuitingsvormen] for vorm in _VORMEN
    }
    doorverwijzingen = [d.code for d in catalogus.doorverwijsdomeinen]
    perioden = _maanden(nu=nu, aantal=maanden)
    gewichten = {m: _seizoen(m) for m in perioden}
    totaal = sum(gewichten.values())
    signalen = []
    for maand in perioden:
        for n in range(round(aantal * gewichten[maand] / totaal)):
            rng = random.Random(f"{zaad}:{maand:%Y-%m}:{n}")  # noqa: S311 - demonstration data, not security
            ontvangen = _moment_in(rng, maand)
            if ontvangen > nu:
                continue  # later this month
            gemeente = rng.choices(gemeenten, weights=gewichten_gemeenten)[0]
            signalen.append(
                _signaal(
                    rng=rng,
                    bron_id=f"demo-{zaad}-{maand:%Y%m}-{n:05d}",
                    ontvangen=ontvangen,
                    nu=nu,
                    gemeente=gemeente,
                    catalogus=catalogus,
                    indicatoren=indicatoren,
                    doorverwijzingen=doorverwijzingen,
                )
            )
    return sorted(signalen, key=lambda s: s.ontvangen_op)


def _signaal(
    *,
    rng: random.Random,
    bron_id: str,
    ontvangen: datetime,
    nu: datetime,
    gemeente: str,
    catalogus: Catalogus,
    indicatoren: dict[str, list[str]],
    doorverwijzingen: list[str],
) -> DemoSignaal:
    vorm = _kies(rng, {v: w for v, (w, _, _) in _VORMEN.items()})
    _, sectoren, locaties = _VORMEN[vorm]
    vormen = [vorm] if rng.random() > 0.12 or vorm == "orgaanverwijdering" else sorted({vorm, "crimineel"})
    waargenomen = ontvangen.astimezone(_TIJDZONE).date() - timedelta(days=rng.randrange(0, 21))
    slachtoffer: dict[str, Any] = {
        "rol": "slachtoffer",
        "naam": f"Demo Persoon {bron_id.removeprefix('demo-')}",
    }
    leeftijd = rng.choices([b for b, _ in _LEEFTIJDEN], weights=[w for _, w in _LEEFTIJDEN])[0]
    if leeftijd is not None:
        jaren = rng.randint(*leeftijd)
        slachtoffer["geboortedatum"] = (
            waargenomen - timedelta(days=jaren * 365 + rng.randrange(0, 360))
        ).isoformat()
    slachtoffer["geslacht"] = "man" if rng.random() < 0.32 else "vrouw"
    nationaliteit = _kies(rng, _NATIONALITEITEN)
    if nationaliteit:
        slachtoffer["nationaliteit"] = nationaliteit
    body = {
        "gemeenteCode": gemeente,
        "melderDomein": _kies(rng, _DOMEINEN),
        "waargenomenOp": waargenomen.isoformat(),
        "uitbuitingsvormen": vormen,
        "indicatoren": rng.sample(indicatoren[vorm], k=min(3, len(indicatoren[vorm]))),
        "sector": rng.choice(sectoren),
        "locatietype": rng.choice(locaties),
        "omschrijving": f"Demonstratiesignaal: {catalogus.label('uitbuitingsvormen', vorm).lower()}.",
        "betrokkenen": [slachtoffer],
        "toestemming": rng.random() < 0.5,
    }
    beoordelingen: list[dict[str, Any]] = []
    uitkomst = _kies(rng, _UITKOMSTEN)
    oppakken, besluitmoment = _besluitmomenten(rng, ontvangen)
    if uitkomst is not None and oppakken <= nu:
        beoordelingen.append(
            {"op": oppakken.isoformat(), "status": "in_behandeling",
             "toelichting": "Demonstratie: in behandeling genomen."}
        )  # fmt: skip
        if besluitmoment <= nu:
            besluit: dict[str, Any] = {
                "op": besluitmoment.isoformat(), "status": uitkomst, "toelichting": "Demonstratie: beoordeeld.",
            }  # fmt: skip
            if uitkomst == "opgeschaald":
                besluit.update(
                    partners=sorted(rng.sample(_PARTNERS, k=rng.randint(1, 2))), doel="casusoverleg"
                )
            elif uitkomst == "doorverwezen_ander_domein":
                besluit["doorverwezenNaar"] = rng.choice(doorverwijzingen)
            beoordelingen.append(besluit)
    return DemoSignaal(
        bron_id=bron_id, ontvangen_op=ontvangen, gemeente=gemeente, body=body, beoordelingen=beoordelingen
    )


def schrijf(*, pad: Path, signalen: list[DemoSignaal]) -> None:
    """Write the import file (JSON lines)."""
    pad.parent.mkdir(parents=True, exist_ok=True)
    with pad.open("w", encoding="utf-8") as f:
        for signaal in signalen:
            f.write(json.dumps(signaal.als_regel(), ensure_ascii=False, separators=(",", ":")) + "\n")


def importeer(*, pad: Path, env: dict[str, str] | None = None) -> int:
    """Run `meldroute-intake import` on the file, with intake's settings from the environment; its exit code."""
    opdracht = Path(sys.executable).parent / "meldroute-intake"
    proces = subprocess.run(  # noqa: S603 - our own command, a fixed argument list
        [str(opdracht), "import", str(pad), "--door", "demo"], env={**os.environ, **(env or {})}, check=False
    )
    return proces.returncode


def wacht_op_aflevering(*, intake_url: str, tijdslimiet: float) -> bool:
    """Wait until the running intake-api's outbox has delivered everything (its backlog metric is 0)."""
    einde = time_.monotonic() + tijdslimiet
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()) as voortgang:
        taak = voortgang.add_task("outbox van intake-api levert af aan reporting", total=None)
        while time_.monotonic() < einde:
            try:
                metrics = httpx.get(f"{intake_url}/metrics", timeout=5).text
            except httpx.HTTPError:
                metrics = ""
            for regel in metrics.splitlines():
                if regel.startswith("meldroute_outbox_backlog_events "):
                    rest = float(regel.split()[1])
                    voortgang.update(
                        taak, description=f"outbox van intake-api: nog {rest:.0f} gebeurtenissen"
                    )
                    if rest == 0:
                        return True
            time_.sleep(1)
    return False


def publiceer(*, env: dict[str, str] | None = None) -> int:
    """Run `meldroute-reporting publiceren`: every closed period that is not yet published; its exit code."""
    opdracht = Path(sys.executable).parent / "meldroute-reporting"
    proces = subprocess.run(  # noqa: S603 - our own command, a fixed argument list
        [str(opdracht), "publiceren"], env={**os.environ, **(env or {})}, check=False
    )
    return proces.returncode


def telling(signalen: list[DemoSignaal]) -> Counter[str]:
    """Signals and decisions per status, as the import will record them."""
    aantallen: Counter[str] = Counter(signalen=len(signalen))
    aantallen.update(b["status"] for s in signalen for b in s.beoordelingen)
    return aantallen


@app.command()
def main(
    aantal: Annotated[int, typer.Option(min=1, max=200_000, help="Ongeveer hoeveel signalen.")] = 2400,
    maanden: Annotated[
        int, typer.Option(min=1, max=120, help="Over hoeveel afgesloten maanden terug (plus de huidige).")
    ] = 12,
    bestand: Annotated[Path, typer.Option(help="Het importbestand dat de demo schrijft.")] = LOCAL_DIR
    / "demo"
    / "signalen.jsonl",
    zaad: Annotated[int, typer.Option(help="Startwaarde van de toevalsgenerator (herhaalbaar).")] = 1,
    alleen_bestand: Annotated[
        bool, typer.Option("--alleen-bestand", help="Schrijf alleen het importbestand; importeer niet.")
    ] = False,
    intake_url: Annotated[
        str, typer.Option(help="De draaiende intake-api, waarvan de outbox aan reporting aflevert.")
    ] = "http://127.0.0.1:8001",
    wachttijd: Annotated[
        float, typer.Option(min=0, help="Seconden wachten op de aflevering voordat er gepubliceerd wordt.")
    ] = 600,
) -> None:
    """Schrijf een jaar demonstratiesignalen met hun oorspronkelijke datums en importeer ze in intake
    (`meldroute-intake import`); de outbox van de draaiende intake-api levert ze af aan reporting."""
    signalen = genereer(
        aantal=aantal, nu=datetime.now(UTC), zaad=zaad, catalogus=standaard_catalogus(), maanden=maanden
    )
    schrijf(pad=bestand, signalen=signalen)
    typer.echo(f"{bestand}: " + ", ".join(f"{naam}: {n}" for naam, n in sorted(telling(signalen).items())))
    if alleen_bestand:
        return
    code = importeer(pad=bestand)
    if code not in (0, 1):
        raise typer.Exit(code)
    if not wacht_op_aflevering(intake_url=intake_url, tijdslimiet=wachttijd):
        typer.echo(
            f"De outbox van intake-api ({intake_url}) heeft nog niet alles afgeleverd (draait `make run`?). "
            "Reporting publiceert afgesloten perioden dagelijks, of nu met `meldroute-reporting publiceren`."
        )
        raise typer.Exit(1)
    publicatie = publiceer()
    raise typer.Exit(code or publicatie)
