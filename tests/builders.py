"""Test data, one builder per thing, for every suite (`from tests.builders import signaal`).

Each builder returns a fresh, valid JSON body with the fields everyone expects; keyword arguments replace
top-level fields (JSON names). Nothing here is shipped: the services never import it.
"""

from __future__ import annotations

import uuid
from typing import Any

__all__ = ["beoordeling", "betrokkene", "gebeurtenis", "signaal"]


def betrokkene(**wijziging: Any) -> dict[str, Any]:
    """A person in a signal: a victim with gender and nationality, nothing that identifies them."""
    return {"rol": "slachtoffer", "geslacht": "man", "nationaliteit": "PL", **wijziging}


def signaal(**wijziging: Any) -> dict[str, Any]:
    """A body for `POST /v1/signalen`: one labour-exploitation signal in GM1509 with one betrokkene."""
    return {
        "gemeenteCode": "GM1509",
        "melderDomein": "toezicht",
        "waargenomenOp": "2026-10-01",
        "uitbuitingsvormen": ["arbeid"],
        "indicatoren": ["woont-op-werkplek"],
        "sector": "agrarisch",
        "locatietype": "boerenerf",
        "omschrijving": "Arbeiders slapen in een schuur op het erf.",
        "betrokkenen": [betrokkene()],
        "toestemming": False,
        **wijziging,
    }


def gebeurtenis(**wijziging: Any) -> dict[str, Any]:
    """An anonymous event as intake's outbox sends it to reporting: `signaal_ontvangen` unless replaced."""
    return {
        "id": str(uuid.uuid4()),
        "type": "signaal_ontvangen",
        "maand": "2026-10",
        "gemeenteCode": "GM1509",
        "uitbuitingsvormen": ["arbeid"],
        "sector": "agrarisch",
        "locatietype": "boerenerf",
        "melderDomein": "toezicht",
        "leeftijdsklasse": "23-29",
        "geslacht": "man",
        "nationaliteitsgroep": "eu-eer",
        **wijziging,
    }


def beoordeling(**wijziging: Any) -> dict[str, Any]:
    """A `beoordeling_vastgelegd` event: escalated after six days unless replaced."""
    return gebeurtenis(
        **{"type": "beoordeling_vastgelegd", "uitkomst": "opgeschaald", "doorlooptijdDagen": 6, **wijziging}
    )
