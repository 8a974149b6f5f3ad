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
        for param in probleem.get("invalidParams") or []:
            if isinstance(param, dict) and isinstance(param.get("name"), str):
                velden.setdefault(veld_van(param["name"]), []).append(str(param.get("reason", "Ongeldig.")))
        return Ongeldig(detail=detail, velden=velden)
    if antwoord.status_code == 401:
        return NietIngelogd(401, detail)
    return IntakeFout(antwoord.status_code, detail)


class Intake:
    def __init__(self, *, http: httpx.AsyncClient, url: str) -> None:
        self.http, self.url = http, url.rstrip("/")

    async def _vraag(
        self, methode: str, pad: str, *, token: str, extra: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}", **(extra or {})}
        try:
            antwoord = await self.http.request(methode, f"{self.url}/v1{pad}", headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise IntakeFout(502, "intake-api is niet bereikbaar.") from exc
        if antwoord.is_error:
            raise _fout(antwoord)
        return antwoord.json()

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

    async def signalen(self, *, token: str, status: str | None, page_size: int = 50) -> dict[str, Any]:
        params: dict[str, str | int] = {"pageSize": page_size}
        if status:
            params["status"] = status
        result: dict[str, Any] = await self._vraag("GET", "/signalen", token=token, params=params)
        return result

    async def signaal(self, *, token: str, signaal_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag("GET", f"/signalen/{signaal_id}", token=token)
        return result

    async def historie(self, *, token: str, signaal_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag("GET", f"/signalen/{signaal_id}/historie", token=token)
        return result
