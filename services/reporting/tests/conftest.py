"""Helpers for reporting's tests: events and tokens."""

from __future__ import annotations

from typing import Any

import httpx
from meldroute_common.devissuer import DevIssuer

from tests import builders


def gebeurtenis(**wijziging: Any) -> dict[str, Any]:
    """A valid event of March 2026: `signaal_ontvangen`, or with `uitkomst` a decision (five days unless given)."""
    if "uitkomst" in wijziging:
        return builders.beoordeling(**{"maand": "2026-03", "doorlooptijdDagen": 5, **wijziging})
    return builders.gebeurtenis(**{"maand": "2026-03", **wijziging})


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
