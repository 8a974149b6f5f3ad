"""Synthetic but realistic input, built from the catalogue's codes: signal bodies and anonymous events.

Every value is made up (names from a short list, BSNs that pass the 11-test but are random), so nothing
here is or resembles a real person's data.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from meldroute_common.catalogus import ONBEKEND, Catalogus, standaard_catalogus
from reporting.perioden import jaar_van, kwartaal_van, maand_plus

_VOORNAMEN = ("Anna", "Piotr", "Maria", "Ion", "Olena", "Tomasz", "Elena", "Nguyen", "Grace", "Lucas")
_ACHTERNAMEN = ("Kowalski", "Popescu", "Ivanova", "Jansen", "Tran", "Okafor", "Nowak", "Silva", "Petrov")
_LANDEN = ("PL", "RO", "BG", "NL", "UA", "NG", "VN", "BR", "HU", "MA")
ZINNEN = (
    "Bij een controle bleken arbeiders in een schuur achter het bedrijf te slapen.",
    "De werkgever houdt de paspoorten in bewaring en betaalt contant uit.",
    "Buren zien 's nachts busjes met steeds andere mensen komen en gaan.",
    "De betrokkene vertelde een schuld te hebben bij het uitzendbureau voor reis en huisvesting.",
    "Meerdere personen staan ingeschreven op hetzelfde adres, dat klein en slecht onderhouden is.",
    "De melder kreeg de indruk dat de betrokkene niet vrijuit kon spreken.",
    "Er werden lange werkdagen gemaakt zonder vrije dagen, voor een loon ver onder het minimum.",
    "Contact verliep via een tussenpersoon die ook voor de anderen het woord deed.",
)


def _bsn(rng: random.Random) -> str:
    """A random number that passes the 11-test (weights 9..2 and -1)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        check = sum(w * d for w, d in zip(range(9, 1, -1), digits, strict=True)) % 11
        if check < 10:
            return "".join(map(str, [*digits, check]))


def _codes(catalogus: Catalogus, lijst: Any, *, zonder_onbekend: bool = True) -> list[str]:
    codes: list[str] = sorted(catalogus.codes(lijst))
    return [c for c in codes if c != ONBEKEND] if zonder_onbekend else codes


def signal_body(rng: random.Random, *, catalogus: Catalogus, gemeente: str, today: date) -> dict[str, Any]:
    """A signal as a municipal employee would record it: codes that fit together, one or two persons."""
    vormen = rng.sample(_codes(catalogus, "uitbuitingsvormen"), k=rng.choice((1, 1, 1, 2)))
    passend = [i.code for i in catalogus.indicatoren if set(i.uitbuitingsvormen) & set(vormen)]
    indicatoren = rng.sample(passend, k=min(len(passend), rng.randint(1, 4)))
    slachtoffer: dict[str, Any] = {
        "rol": "slachtoffer",
        "bsn": _bsn(rng),
        "naam": f"{rng.choice(_VOORNAMEN)} {rng.choice(_ACHTERNAMEN)}",
        "geboortedatum": date(rng.randint(1965, 2007), rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
        "geslacht": rng.choice(("man", "vrouw", "man", "vrouw", "anders")),
        "nationaliteit": rng.choice(_LANDEN),
    }
    betrokkenen = [slachtoffer]
    if rng.random() < 0.3:
        betrokkenen.append(
            {
                "rol": "vermoedelijke_uitbuiter",
                "naam": f"{rng.choice(_VOORNAMEN)} {rng.choice(_ACHTERNAMEN)}",
                "telefoon": f"06-{rng.randint(10_000_000, 99_999_999)}",
            }
        )
    zinnen = rng.sample(ZINNEN, k=3)
    if rng.random() < 0.4:
        zinnen.append(f"Bereikbaar via 06-{rng.randint(10_000_000, 99_999_999)}.")
    if rng.random() < 0.3:
        # The victim named by first name, as melders often do: the scrubber then compiles the record's names.
        zinnen.insert(0, f"{slachtoffer['naam'].split()[0]} werkt er sinds kort.")
    return {
        "gemeenteCode": gemeente,
        "melderDomein": rng.choice(_codes(catalogus, "melderdomeinen")),
        "waargenomenOp": (today - timedelta(days=rng.randint(0, 60))).isoformat(),
        "uitbuitingsvormen": vormen,
        "indicatoren": indicatoren,
        "sector": rng.choice(_codes(catalogus, "sectoren")),
        "locatietype": rng.choice(_codes(catalogus, "locatietypen")),
        "omschrijving": " ".join(zinnen),
        "betrokkenen": betrokkenen,
        "toestemming": rng.random() < 0.3,
    }


def signal_bodies(*, count: int, gemeente: str, seed: int = 1) -> list[bytes]:
    """`count` encoded signal bodies for `gemeente`, reproducible by seed."""
    rng = random.Random(seed)
    catalogus = standaard_catalogus()
    today = date.today()
    return [
        json.dumps(signal_body(rng, catalogus=catalogus, gemeente=gemeente, today=today)).encode()
        for _ in range(count)
    ]


# --- anonymous events ------------------------------------------------------------------------------

#: Columns of reporting's event table, in the order `EventSource.row` gives them.
EVENT_COLUMNS = (
    "id", "type", "maand", "kwartaal", "jaar", "gemeente_code", "sector", "locatietype", "melder_domein",
    "leeftijdsklasse", "geslacht", "nationaliteitsgroep", "uitkomst", "doorlooptijd_dagen", "terugkoppeling",
    "eerste_terugkoppeling", "celsleutel",
)  # fmt: skip


def statistics_range(today: date) -> tuple[str, str]:
    """Eight whole quarters ending with the last full quarter before today (`van`, `tot` months)."""
    eerste_van_kwartaal = f"{today.year:04d}-{(today.month - 1) // 3 * 3 + 1:02d}"
    tot = maand_plus(eerste_van_kwartaal, -1)
    return maand_plus(tot, -23), tot


@dataclass(frozen=True, slots=True)
class EventSource:
    """Event `i` is one of a few thousand realistic templates with its own id: the same `i` always gives the
    same event, so the API and the raw baseline store exactly the same rows."""

    templates: tuple[dict[str, Any], ...]
    seed: int

    @classmethod
    def build(cls, *, today: date, seed: int = 7, count: int = 4096) -> EventSource:
        rng = random.Random(seed)
        catalogus = standaard_catalogus()
        van, _ = statistics_range(today)
        vormen = _codes(catalogus, "uitbuitingsvormen")
        gemeenten = _codes(catalogus, "gemeenten")
        templates = []
        for _ in range(count):
            # Four in ten events are decisions, one in ten a partner's outcome, the rest signals.
            soort = rng.random()
            beoordeling, terugkoppeling = soort < 0.4, 0.4 <= soort < 0.5
            template: dict[str, Any] = {
                "type": "beoordeling_vastgelegd"
                if beoordeling
                else "terugkoppeling_vastgelegd"
                if terugkoppeling
                else "signaal_ontvangen",
                "maand": maand_plus(van, rng.randint(0, 23)),
                "gemeenteCode": rng.choice(gemeenten),
                "uitbuitingsvormen": sorted(rng.sample(vormen, k=rng.choice((1, 1, 1, 2)))),
                "sector": rng.choice(_codes(catalogus, "sectoren", zonder_onbekend=False)),
                "locatietype": rng.choice(_codes(catalogus, "locatietypen", zonder_onbekend=False)),
                "melderDomein": rng.choice(_codes(catalogus, "melderdomeinen")),
                "leeftijdsklasse": rng.choice(_codes(catalogus, "leeftijdsklassen", zonder_onbekend=False)),
                "geslacht": rng.choice(_codes(catalogus, "geslachten", zonder_onbekend=False)),
                "nationaliteitsgroep": rng.choice(
                    _codes(catalogus, "nationaliteitsgroepen", zonder_onbekend=False)
                ),
            }
            if beoordeling:
                template["uitkomst"] = rng.choice(_codes(catalogus, "uitkomsten"))
                template["doorlooptijdDagen"] = rng.randint(0, 90)
            if terugkoppeling:
                template["terugkoppeling"] = rng.choice(_codes(catalogus, "terugkoppelingen"))
                template["eersteTerugkoppeling"] = rng.random() < 0.6
                template["doorlooptijdDagen"] = rng.randint(0, 120)
            templates.append(template)
        return cls(templates=tuple(templates), seed=seed)

    def event_id(self, i: int) -> uuid.UUID:
        return uuid.UUID(int=random.Random(self.seed * 1_000_003 + i).getrandbits(128), version=4)

    def event(self, i: int) -> dict[str, Any]:
        return {"id": str(self.event_id(i)), **self.templates[i % len(self.templates)]}

    def batch_body(self, start: int, size: int) -> bytes:
        events = [self.event(i) for i in range(start, start + size)]
        return json.dumps({"gebeurtenissen": events}, separators=(",", ":")).encode()

    def row(self, i: int) -> tuple[Any, ...]:
        """The event as the row reporting stores (period columns derived the way the service does)."""
        t = self.templates[i % len(self.templates)]
        return (
            self.event_id(i), t["type"], t["maand"], kwartaal_van(t["maand"]), jaar_van(t["maand"]),
            t["gemeenteCode"], t["sector"], t["locatietype"], t["melderDomein"], t["leeftijdsklasse"],
            t["geslacht"], t["nationaliteitsgroep"], t.get("uitkomst"), t.get("doorlooptijdDagen"),
            t.get("terugkoppeling"), t.get("eersteTerugkoppeling"),
            self.event_id(i).int % 2**32,  # the cell key the service draws at ingest; any fixed value will do here
        )  # fmt: skip

    def forms(self, i: int) -> list[str]:
        forms: list[str] = self.templates[i % len(self.templates)]["uitbuitingsvormen"]
        return forms
