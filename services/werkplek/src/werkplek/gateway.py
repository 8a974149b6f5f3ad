"""The privacy gateway as the werkplek calls it: with the user's own token for the gateway's audience.

Errors are read as :mod:`werkplek.dienst` says; a refusal by the covenant policy carries its `reden` code.
"""

from __future__ import annotations

from typing import Any

from werkplek.dienst import Dienst
from werkplek.sessies import Sessie

#: The session's key of the gateway's token (see `WerkplekSettings.diensten`).
DIENST = "privacy-gateway"


def _zonder_leeg(waarden: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in waarden.items() if v not in (None, "")}


class Gateway(Dienst):
    naam = DIENST
    omschrijving = "De privacy-gateway"
    geen_toegang = "Uw login geeft geen toegang tot de privacy-gateway."

    # --- the policy (the attention officer's escalation) -----------------------------------------

    async def beleid(self, *, sessie: Sessie) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag("GET", "/beleid", sessie=sessie)
        return result

    async def opschalingstoets(
        self, *, sessie: Sessie, signaal_id: str, trajecten: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """What the policy would decide per track and partner if the signal were escalated so; stores nothing."""
        result: dict[str, Any] = await self._vraag(
            "POST",
            "/beleid/opschalingstoetsen",
            sessie=sessie,
            json={"signaalId": signaal_id, "trajecten": trajecten},
        )
        return result

    # --- partner -------------------------------------------------------------------------------

    async def casussen(self, *, sessie: Sessie, cursor: str | None = None) -> dict[str, Any]:
        params = _zonder_leeg({"pageSize": 100, "cursor": cursor})
        result: dict[str, Any] = await self._vraag("GET", "/casussen", sessie=sessie, params=params)
        return result

    async def casus(self, *, sessie: Sessie, casus_id: str, doel: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "GET", f"/casussen/{casus_id}", sessie=sessie, params={"doel": doel}
        )
        return result

    async def aantekeningen(self, *, sessie: Sessie, casus_id: str, doel: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "GET", f"/casussen/{casus_id}/aantekeningen", sessie=sessie, params={"doel": doel}
        )
        return result

    async def aantekening(self, *, sessie: Sessie, casus_id: str, invoer: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "POST", f"/casussen/{casus_id}/aantekeningen", sessie=sessie, json=invoer
        )
        return result

    async def terugkoppeling(
        self, *, sessie: Sessie, casus_id: str, invoer: dict[str, Any]
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "POST", f"/casussen/{casus_id}/terugkoppelingen", sessie=sessie, json=invoer
        )
        return result

    # --- identity with four eyes ---------------------------------------------------------------

    async def identiteitsverzoek(
        self, *, sessie: Sessie, casus_id: str, invoer: dict[str, Any]
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "POST", f"/casussen/{casus_id}/identiteitsverzoeken", sessie=sessie, json=invoer
        )
        return result

    async def identiteitsverzoeken(self, *, sessie: Sessie, cursor: str | None = None) -> dict[str, Any]:
        params = _zonder_leeg({"pageSize": 100, "cursor": cursor})
        result: dict[str, Any] = await self._vraag(
            "GET", "/identiteitsverzoeken", sessie=sessie, params=params
        )
        return result

    async def goedkeuren(self, *, sessie: Sessie, verzoek_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "POST", f"/identiteitsverzoeken/{verzoek_id}/goedkeuringen", sessie=sessie
        )
        return result

    async def afwijzen(self, *, sessie: Sessie, verzoek_id: str, reden: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "POST", f"/identiteitsverzoeken/{verzoek_id}/afwijzingen", sessie=sessie, json={"reden": reden}
        )
        return result

    async def intrekken(self, *, sessie: Sessie, verzoek_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "POST", f"/identiteitsverzoeken/{verzoek_id}/intrekkingen", sessie=sessie
        )
        return result

    async def identiteit(self, *, sessie: Sessie, verzoek_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "GET", f"/identiteitsverzoeken/{verzoek_id}/identiteit", sessie=sessie
        )
        return result

    # --- FG: the verwerkingenlog -----------------------------------------------------------------

    async def verwerkingen(
        self, *, sessie: Sessie, filters: dict[str, str], cursor: str | None = None, page_size: int = 50
    ) -> dict[str, Any]:
        params = _zonder_leeg({**filters, "pageSize": page_size, "cursor": cursor})
        result: dict[str, Any] = await self._vraag("GET", "/verwerkingen", sessie=sessie, params=params)
        return result

    async def verificatie(self, *, sessie: Sessie, bewaard: dict[str, str] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "GET", "/verwerkingen/verificatie", sessie=sessie, params=bewaard or {}
        )
        return result

    async def checkpoints(self, *, sessie: Sessie, cursor: str | None = None) -> dict[str, Any]:
        params = _zonder_leeg({"pageSize": 100, "cursor": cursor})
        result: dict[str, Any] = await self._vraag(
            "GET", "/verwerkingen/checkpoints", sessie=sessie, params=params
        )
        return result

    async def inzage(self, *, sessie: Sessie, invoer: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag("POST", "/inzageverzoeken", sessie=sessie, json=invoer)
        return result
