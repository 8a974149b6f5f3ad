"""The privacy gateway as the werkplek calls it: with the user's own token for the gateway's audience.

Errors are read like intake's (:mod:`werkplek.intake`): a 400 becomes `Ongeldig` with the fields the gateway
named, a 401 ends the session, anything else is a `GatewayFout` carrying the status, the detail and, when the
covenant policy refused, its `reden` code. The token never leaves the server: it is taken from the session
here and sent only to the gateway.
"""

from __future__ import annotations

from typing import Any

import httpx
from meldroute_common.problems import Forbidden

from werkplek.intake import IntakeFout, NietIngelogd, Ongeldig, veld_van
from werkplek.sessies import Sessie

#: The session's key of the gateway's token (see `WerkplekSettings.diensten`).
DIENST = "privacy-gateway"


class GatewayFout(IntakeFout):
    """The gateway answered an error that is not about the user's input (shown like intake's errors)."""

    def __init__(self, status: int, detail: str, reden: str | None = None) -> None:
        super().__init__(status, detail)
        self.reden = reden


def gateway_token(sessie: Sessie) -> str:
    """The session's token for the gateway; a role whose login brought none cannot use these screens."""
    token = sessie.token(DIENST)
    if token is None:
        raise Forbidden("Uw login geeft geen toegang tot de privacy-gateway.")
    return token


def _fout(antwoord: httpx.Response) -> Exception:
    try:
        probleem: dict[str, Any] = antwoord.json()
    except ValueError:
        probleem = {}
    if not isinstance(probleem, dict):
        probleem = {}
    detail = str(probleem.get("detail") or "De privacy-gateway gaf een fout.")
    if antwoord.status_code == 400:
        velden: dict[str, list[str]] = {}
        for param in probleem.get("invalidParams") or []:
            if isinstance(param, dict) and isinstance(param.get("name"), str):
                velden.setdefault(veld_van(param["name"]), []).append(str(param.get("reason", "Ongeldig.")))
        return Ongeldig(detail=detail, velden=velden)
    if antwoord.status_code == 401:
        return NietIngelogd(401, detail)
    reden = probleem.get("reden")
    return GatewayFout(antwoord.status_code, detail, reden if isinstance(reden, str) else None)


def _zonder_leeg(waarden: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in waarden.items() if v not in (None, "")}


class Gateway:
    def __init__(self, *, http: httpx.AsyncClient, url: str) -> None:
        self.http, self.url = http, url.rstrip("/")

    async def _vraag(self, methode: str, pad: str, *, sessie: Sessie, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {gateway_token(sessie)}"}
        try:
            antwoord = await self.http.request(methode, f"{self.url}/v1{pad}", headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise GatewayFout(502, "De privacy-gateway is niet bereikbaar.") from exc
        if antwoord.is_error:
            raise _fout(antwoord)
        if antwoord.status_code == 204:
            return None
        return antwoord.json()

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
