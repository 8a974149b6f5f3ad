"""The privacy gateway as the werkplek calls it: the covenant policy and the dry-run of an escalation.

Called with the user's own token exchanged for the gateway's audience (`oidc.wissel_token`); errors are read as
intake's are (`werkplek.intake`), so a 400 names the fields of the proposed tracks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from werkplek.intake import Dienst

#: How long the policy is kept (it changes with a release of the gateway's policy file, not per request).
BEWAARTIJD = 300.0


class Gateway(Dienst):
    naam = "privacy-gateway"

    async def beleid(self, *, token: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag("GET", "/beleid", token=token)
        return result

    async def opschalingstoets(
        self, *, token: str, signaal_id: str, trajecten: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """What the policy would decide per track and partner if the signal were escalated so; stores nothing."""
        result: dict[str, Any] = await self._vraag(
            "POST",
            "/beleid/opschalingstoetsen",
            token=token,
            json={"signaalId": signaal_id, "trajecten": trajecten},
        )
        return result


@dataclass
class BeleidCache:
    gateway: Gateway
    _inhoud: dict[str, Any] | None = None
    _tot: float = 0.0

    async def lees(self, *, token: str) -> dict[str, Any]:
        if self._inhoud is None or self._tot < time.monotonic():
            self._inhoud = await self.gateway.beleid(token=token)
            self._tot = time.monotonic() + BEWAARTIJD
        return self._inhoud


def partnernamen(beleid: dict[str, Any]) -> dict[str, str]:
    return {p["id"]: p["naam"] for p in beleid.get("partners", [])}


def doelnaam(doel: str) -> str:
    """`zorg_en_opvang` → `Zorg en opvang` (the policy names purposes by id and a long description)."""
    return doel.replace("_", " ").capitalize()
