"""Helpers for reporting's tests: events and tokens."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from meldroute_common.devissuer import DevIssuer


def gebeurtenis(**wijziging: Any) -> dict[str, Any]:
    """A valid `signaal_ontvangen` event; pass `uitkomst` and `doorlooptijdDagen` for a decision."""
    data: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "type": "signaal_ontvangen",
        "maand": "2026-03",
        "gemeenteCode": "GM1509",
        "uitbuitingsvormen": ["arbeid"],
        "sector": "agrarisch",
        "locatietype": "boerenerf",
        "melderDomein": "toezicht",
        "leeftijdsklasse": "23-29",
        "geslacht": "man",
        "nationaliteitsgroep": "eu-eer",
    }
    if "uitkomst" in wijziging:
        data["type"] = "beoordeling_vastgelegd"
        data.setdefault("doorlooptijdDagen", 5)
    data.update(wijziging)
    return data


def invoer_headers(issuer: DevIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='intake-api')}"}


def lezer_headers(issuer: DevIssuer, sub: str = "beleid-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='beleidsmedewerker', sub=sub)}"}


async def invoeren(client: httpx.AsyncClient, issuer: DevIssuer, events: list[dict[str, Any]]) -> None:
    """Post events in batches of at most 1000; fails the test on any error."""
    headers = invoer_headers(issuer)
    for begin in range(0, len(events), 1000):
        antwoord = await client.post(
            "/v1/gebeurtenissen", json={"gebeurtenissen": events[begin : begin + 1000]}, headers=headers
        )
        assert antwoord.status_code == 200, antwoord.text
