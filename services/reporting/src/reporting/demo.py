"""`meldroute-demo`: realistic demonstration signals through the real intake API, then triage.

Signals are spread over the last months across the municipalities of the catalogue, with victim
characteristics loosely after the regional policy plan (CoMensha 2015-2019: about a third male, 40% under
23, a quarter 23-29, a quarter 30 or older). Each signal is posted by a melder of its municipality
(`POST /v1/signalen`) and most are then triaged by that municipality's attention officer
(`POST /v1/signalen/{id}/beoordelingen`): in behandeling, then closed, referred or escalated.

Tokens come from the development issuer, so this runs against a local installation only. Note that
intake stamps each anonymous event with the month it is recorded, so in reporting the demo's signals
all fall in the month the demo runs; the observation dates (`waargenomenOp`) are spread.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from meldroute_common.catalogus import Catalogus, standaard_catalogus
from meldroute_common.devissuer import DevIssuer
from meldroute_common.settings import LOCAL_DIR, Omgeving
from rich.progress import Progress

app = typer.Typer(add_completion=False, help="Demonstratiegegevens via de echte intake-API.")

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
    """One generated signal and the decisions it is to get (empty: left in the queue)."""

    gemeente: str
    body: dict[str, Any]
    beoordelingen: list[dict[str, Any]] = field(default_factory=list)


def genereer(
    *, aantal: int, maanden: int, vandaag: date, zaad: int, catalogus: Catalogus
) -> list[DemoSignaal]:
    """`aantal` signals observed within the last `maanden` months; deterministic for a given `zaad`."""
    rng = random.Random(zaad)  # noqa: S311 - demonstration data, not security
    gemeenten = [g.code for g in catalogus.gemeenten]
    indicatoren = {
        vorm: [i.code for i in catalogus.indicatoren if vorm in i.uitbuitingsvormen] for vorm in _VORMEN
    }
    doorverwijzingen = [d.code for d in catalogus.doorverwijsdomeinen]
    signalen = []
    for n in range(aantal):
        vorm = _kies(rng, {v: w for v, (w, _, _) in _VORMEN.items()})
        _, sectoren, locaties = _VORMEN[vorm]
        vormen = (
            [vorm] if rng.random() > 0.12 or vorm == "orgaanverwijdering" else sorted({vorm, "crimineel"})
        )
        waargenomen = vandaag - timedelta(days=rng.randrange(0, max(1, maanden * 30)))
        slachtoffer: dict[str, Any] = {"rol": "slachtoffer", "naam": f"Demo Persoon {n + 1}"}
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
            "gemeenteCode": rng.choice(gemeenten),
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
        if uitkomst is not None:
            beoordelingen.append(
                {"status": "in_behandeling", "toelichting": "Demonstratie: in behandeling genomen."}
            )
            besluit: dict[str, Any] = {"status": uitkomst, "toelichting": "Demonstratie: beoordeeld."}
            if uitkomst == "opgeschaald":
                besluit.update(
                    partners=sorted(rng.sample(_PARTNERS, k=rng.randint(1, 2))), doel="casusoverleg"
                )
            elif uitkomst == "doorverwezen_ander_domein":
                besluit["doorverwezenNaar"] = rng.choice(doorverwijzingen)
            beoordelingen.append(besluit)
        signalen.append(DemoSignaal(gemeente=body["gemeenteCode"], body=body, beoordelingen=beoordelingen))
    return signalen


class DemoFout(RuntimeError):
    """intake answered a demo request with an error."""


async def voer_in(
    *,
    http: httpx.AsyncClient,
    issuer: DevIssuer,
    signalen: list[DemoSignaal],
    progress: Progress | None = None,
) -> Counter[str]:
    """Post every signal as a melder of its municipality and triage it as that municipality's officer."""
    tokens: dict[tuple[str, str], str] = {}

    def token(rol: str, gemeente: str) -> str:
        if (rol, gemeente) not in tokens:
            tokens[rol, gemeente] = issuer.mint(
                rol=rol, gemeente=gemeente, sub=f"demo-{rol}-{gemeente.lower()}"
            )
        return tokens[rol, gemeente]

    telling: Counter[str] = Counter()
    taak = progress.add_task("Signalen", total=len(signalen)) if progress else None
    for signaal in signalen:
        antwoord = await http.post(
            "/v1/signalen",
            json=signaal.body,
            headers={
                "Authorization": f"Bearer {token('melder', signaal.gemeente)}",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
        if antwoord.status_code != 201:
            raise DemoFout(f"POST /v1/signalen gaf {antwoord.status_code}: {antwoord.text[:300]}")
        signaal_id, etag = antwoord.json()["id"], antwoord.headers.get("ETag", '"1"')
        telling["signalen"] += 1
        for besluit in signaal.beoordelingen:
            antwoord = await http.post(
                f"/v1/signalen/{signaal_id}/beoordelingen",
                json=besluit,
                headers={
                    "Authorization": f"Bearer {token('aandachtsfunctionaris', signaal.gemeente)}",
                    "If-Match": etag,
                },
            )
            if antwoord.status_code != 200:
                raise DemoFout(f"POST beoordelingen gaf {antwoord.status_code}: {antwoord.text[:300]}")
            etag = antwoord.headers.get("ETag", etag)
            telling[besluit["status"]] += 1
        if progress is not None and taak is not None:
            progress.advance(taak)
    return telling


@app.command()
def main(
    aantal: Annotated[int, typer.Option(min=1, max=100_000, help="Hoeveel signalen.")] = 500,
    maanden: Annotated[int, typer.Option(min=1, max=120, help="Over hoeveel maanden terug.")] = 24,
    intake_url: Annotated[str, typer.Option(help="Adres van intake-api.")] = "http://127.0.0.1:8001",
    local_dir: Annotated[Path, typer.Option(help="Lokale map met de ontwikkelsleutels.")] = LOCAL_DIR,
    zaad: Annotated[int, typer.Option(help="Startwaarde van de toevalsgenerator (herhaalbaar).")] = 1,
) -> None:
    """Stuur demonstratiesignalen naar intake-api en beoordeel ze (alleen lokaal: ontwikkel-issuer)."""
    issuer = DevIssuer.load(local_dir=local_dir, env=Omgeving.development)
    signalen = genereer(
        aantal=aantal, maanden=maanden, vandaag=date.today(), zaad=zaad, catalogus=standaard_catalogus()
    )

    async def run() -> Counter[str]:
        async with httpx.AsyncClient(base_url=intake_url, timeout=30) as http:
            with Progress() as progress:
                return await voer_in(http=http, issuer=issuer, signalen=signalen, progress=progress)

    try:
        telling = asyncio.run(run())
    except (DemoFout, httpx.HTTPError) as fout:
        typer.echo(f"gestopt: {fout}", err=True)
        raise typer.Exit(1) from None
    typer.echo(", ".join(f"{naam}: {n}" for naam, n in sorted(telling.items())))
