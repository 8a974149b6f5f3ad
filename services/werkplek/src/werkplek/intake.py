"""intake-api as the werkplek calls it, with the user's own token (errors read as :mod:`werkplek.dienst` says)."""

from __future__ import annotations

from typing import Any

from werkplek.dienst import Dienst


class Intake(Dienst):
    naam = "intake-api"
    omschrijving = "intake-api"
    geen_toegang = "Uw login geeft geen toegang tot intake."

    async def catalogus(self, *, token: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag("GET", "/catalogus", token=token)
        return result

    async def signaal_aanmaken(
        self, *, token: str, invoer: dict[str, Any], idempotentie: str
    ) -> dict[str, Any]:
        # The key makes a double submit (a second click, a retried request) one signal.
        result: dict[str, Any] = await self._vraag(
            "POST", "/signalen", token=token, json=invoer, extra={"Idempotency-Key": idempotentie}
        )
        return result

    async def status(self, *, token: str, signaal_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag("GET", f"/signalen/{signaal_id}/status", token=token)
        return result

    async def signalen(
        self, *, token: str, filters: list[tuple[str, str]] | None = None, page_size: int = 20
    ) -> dict[str, Any]:
        """A page of the queue; `filters` are intake's query parameters as given (repeatable ones repeated)."""
        params: list[tuple[str, str | int]] = [("pageSize", page_size), *(filters or [])]
        result: dict[str, Any] = await self._vraag("GET", "/signalen", token=token, params=params)
        return result

    async def signaal(self, *, token: str, signaal_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag("GET", f"/signalen/{signaal_id}", token=token)
        return result

    async def toewijzen(self, *, token: str, signaal_id: str, aan: str | None) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "PUT", f"/signalen/{signaal_id}/toewijzing", token=token, json={"toegewezenAan": aan}
        )
        return result

    async def aantekeningen(self, *, token: str, signaal_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "GET", f"/signalen/{signaal_id}/aantekeningen", token=token
        )
        return result

    async def aantekening(self, *, token: str, signaal_id: str, tekst: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "POST", f"/signalen/{signaal_id}/aantekeningen", token=token, json={"tekst": tekst}
        )
        return result

    async def aanvullen(self, *, token: str, signaal_id: str, invoer: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "POST", f"/signalen/{signaal_id}/aanvullingen", token=token, json=invoer
        )
        return result

    async def advies_vragen(
        self, *, token: str, signaal_id: str, vraag: str, experts: list[str]
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag(
            "POST",
            f"/signalen/{signaal_id}/adviesvragen",
            token=token,
            json={"vraag": vraag, "experts": experts},
        )
        return result

    async def beoordelen(
        self, *, token: str, signaal_id: str, invoer: dict[str, Any], versie: int
    ) -> dict[str, Any]:
        # The version decided on: a change by someone else in between is 412, not overwritten.
        result: dict[str, Any] = await self._vraag(
            "POST",
            f"/signalen/{signaal_id}/beoordelingen",
            token=token,
            json={**invoer, "versie": versie},
        )
        return result

    async def historie(self, *, token: str, signaal_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag("GET", f"/signalen/{signaal_id}/historie", token=token)
        return result
