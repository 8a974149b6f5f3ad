"""intake-api as the werkplek calls it: always with the user's own token, answers read tolerantly.

A 400 becomes `Ongeldig` with the field names intake reported (`invalidParams`), so a screen can show each
reason next to its field; a 401 means the user's token is no longer accepted (the session ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class IntakeFout(Exception):
    """intake answered an error that is not about the user's input."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class NietIngelogd(IntakeFout):
    """intake no longer accepts the session's token."""


@dataclass(frozen=True)
class Ongeldig(Exception):
    """A 400 from intake: its detail, and per form field the reasons (field name = the API's JSON name)."""

    detail: str
    velden: dict[str, list[str]]
    #: Every (name, reason) as intake gave it, for a screen whose fields are finer than `veld_van` makes them.
    params: tuple[tuple[str, str], ...] = ()


def veld_van(naam: str) -> str:
    """The form field an `invalidParams` name is about: `uitbuitingsvormen[0]` → `uitbuitingsvormen`."""
    return naam.split(".", 1)[0].split("[", 1)[0]


def _fout(antwoord: httpx.Response) -> Exception:
    try:
        probleem: dict[str, Any] = antwoord.json()
    except ValueError:
        probleem = {}
    detail = str(probleem.get("detail") or "intake-api gaf een fout.")
    if antwoord.status_code == 400:
        velden: dict[str, list[str]] = {}
        params: list[tuple[str, str]] = []
        for param in probleem.get("invalidParams") or []:
            if isinstance(param, dict) and isinstance(param.get("name"), str):
                reden = str(param.get("reason", "Ongeldig."))
                velden.setdefault(veld_van(param["name"]), []).append(reden)
                params.append((param["name"], reden))
        return Ongeldig(detail=detail, velden=velden, params=tuple(params))
    if antwoord.status_code == 401:
        return NietIngelogd(401, detail)
    return IntakeFout(antwoord.status_code, detail)


class Dienst:
    """A service's `/v1` API called with the user's token; its errors translated as above."""

    naam = "intake-api"

    def __init__(self, *, http: httpx.AsyncClient, url: str) -> None:
        self.http, self.url = http, url.rstrip("/")

    async def _antwoord(
        self, methode: str, pad: str, *, token: str, extra: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", **(extra or {})}
        try:
            antwoord = await self.http.request(methode, f"{self.url}/v1{pad}", headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise IntakeFout(502, f"{self.naam} is niet bereikbaar.") from exc
        if antwoord.is_error:
            raise _fout(antwoord)
        return antwoord

    async def _vraag(
        self, methode: str, pad: str, *, token: str, extra: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        return (await self._antwoord(methode, pad, token=token, extra=extra, **kwargs)).json()


class Intake(Dienst):
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
