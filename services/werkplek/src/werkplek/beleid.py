"""The covenant policy as the attention officer's screens show it: cached, with its names in words.

Read from the privacy gateway (`werkplek.gateway`) with the user's token exchanged for the gateway's audience
(`oidc.wissel_token`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from werkplek.gateway import Gateway
from werkplek.sessies import Sessie

#: How long the policy is kept (it changes with a release of the gateway's policy file, not per request).
BEWAARTIJD = 300.0


@dataclass
class BeleidCache:
    gateway: Gateway
    _inhoud: dict[str, Any] | None = None
    _tot: float = 0.0

    async def lees(self, *, sessie: Sessie) -> dict[str, Any]:
        if self._inhoud is None or self._tot < time.monotonic():
            self._inhoud = await self.gateway.beleid(sessie=sessie)
            self._tot = time.monotonic() + BEWAARTIJD
        return self._inhoud


def partnernamen(beleid: dict[str, Any]) -> dict[str, str]:
    return {p["id"]: p["naam"] for p in beleid.get("partners", [])}


def doelnaam(doel: str) -> str:
    """`zorg_en_opvang` → `Zorg en opvang` (the policy names purposes by id and a long description)."""
    return doel.replace("_", " ").capitalize()
