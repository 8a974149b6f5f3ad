"""The services as the werkplek calls them: always with the user's own token, their errors read one way.

A 400 becomes `Ongeldig` with the field names the service reported (`invalidParams`), so a screen can show each
reason next to its field; a 401 means the user's token is no longer accepted (the session ends); anything else
is a `DienstFout` with the status, the service's detail and, where it gave them, the policy's refusal code
(`reden`) and its Retry-After (`wacht`). The token never leaves the server: each client takes it from the
session (or is handed it) and sends it only to its own service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
from meldroute_common.problems import Forbidden

from werkplek.sessies import Sessie


class DienstFout(Exception):
    """A service answered an error that is not about the user's input."""

    def __init__(
        self, status: int, detail: str, *, reden: str | None = None, wacht: int | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.reden, self.wacht = status, detail, reden, wacht


class NietIngelogd(Exception):
    """The service no longer accepts the session's token: the session ends (never shown as a screen's error,
    so no screen's `except DienstFout` catches it)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Ongeldig(Exception):
    """A 400: its detail, and per form field the reasons (field name = the API's JSON name)."""

    detail: str
    velden: dict[str, list[str]]
    #: Every (name, reason) as the service gave it, for a screen whose fields are finer than `veld_van` makes them.
    params: tuple[tuple[str, str], ...] = ()


def veld_van(naam: str) -> str:
    """The form field an `invalidParams` name is about: `uitbuitingsvormen[0]` → `uitbuitingsvormen`."""
    return naam.split(".", 1)[0].split("[", 1)[0]


def _fout(antwoord: httpx.Response, omschrijving: str) -> Exception:
    try:
        probleem: Any = antwoord.json()
    except ValueError:
        probleem = {}
    if not isinstance(probleem, dict):
        probleem = {}
    detail = str(probleem.get("detail") or f"{omschrijving} gaf een fout.")
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
        return NietIngelogd(detail)
    reden = probleem.get("reden")
    wacht = antwoord.headers.get("retry-after", "")
    return DienstFout(
        antwoord.status_code,
        detail,
        reden=reden if isinstance(reden, str) else None,
        wacht=int(wacht) if wacht.isdigit() else None,
    )


class Dienst:
    """A service's `/v1` API called with the user's token; its errors translated as above."""

    #: The session's key of this service's token (see `WerkplekSettings.diensten`).
    naam: ClassVar[str]
    #: How a page names the service ("De privacy-gateway").
    omschrijving: ClassVar[str]
    #: The refusal for a role whose login brought no token for it (and got none by exchange).
    geen_toegang: ClassVar[str]

    def __init__(self, *, http: httpx.AsyncClient, url: str) -> None:
        self.http, self.url = http, url.rstrip("/")

    def token(self, sessie: Sessie) -> str:
        token = sessie.token(self.naam)
        if token is None:
            raise Forbidden(self.geen_toegang)
        return token

    async def _antwoord(
        self,
        methode: str,
        pad: str,
        *,
        token: str | None = None,
        sessie: Sessie | None = None,
        extra: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        if token is None:
            assert sessie is not None, "a call needs the user's token or the session holding it"
            token = self.token(sessie)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", **(extra or {})}
        try:
            antwoord = await self.http.request(methode, f"{self.url}/v1{pad}", headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise DienstFout(502, f"{self.omschrijving} is niet bereikbaar.") from exc
        if antwoord.is_error:
            raise _fout(antwoord, self.omschrijving)
        return antwoord

    async def _vraag(self, methode: str, pad: str, **kwargs: Any) -> Any:
        antwoord = await self._antwoord(methode, pad, **kwargs)
        return None if antwoord.status_code == 204 else antwoord.json()
