"""intake's catalogue as the forms need it: labels per code and a help text per indicator."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from werkplek.intake import Intake

#: How long the catalogue is kept (it changes with a release of intake, not per request).
BEWAARTIJD = 300.0
#: Labels of the signal's fields, as the form and the error summary name them.
VELDLABELS = {
    "melderDomein": "Uw domein",
    "waargenomenOp": "Datum van waarneming",
    "uitbuitingsvormen": "Vermoedelijke vorm van uitbuiting",
    "indicatoren": "Wat u zag (indicatoren)",
    "sector": "Sector",
    "locatietype": "Soort plek",
    "omschrijving": "Omschrijving",
    "toestemming": "Het slachtoffer stemt in met registratie bij CoMensha",
    "gemeenteCode": "Gemeente",
}


@dataclass
class CatalogusCache:
    intake: Intake
    _inhoud: dict[str, Any] | None = None
    _tot: float = 0.0

    async def lees(self, *, token: str) -> dict[str, Any]:
        if self._inhoud is None or self._tot < time.monotonic():
            self._inhoud = await self.intake.catalogus(token=token)
            self._tot = time.monotonic() + BEWAARTIJD
        return self._inhoud


def labels(catalogus: dict[str, Any], lijst: str) -> dict[str, str]:
    return {item["code"]: item["label"] for item in catalogus.get(lijst, [])}


def hulpteksten(catalogus: dict[str, Any]) -> dict[str, str]:
    """Per indicator: which forms of exploitation it points to, in words."""
    vormen = labels(catalogus, "uitbuitingsvormen")
    return {
        item["code"]: "Kan wijzen op: "
        + ", ".join(vormen.get(v, v).lower() for v in item["uitbuitingsvormen"])
        + "."
        for item in catalogus.get("indicatoren", [])
    }
