"""reporting as the werkplek calls it: the published statistics, with the user's own token for its audience.

Only `GET /v1/statistieken/...`: anonymous, protected figures (counts suppressed below the threshold and
perturbed, totals cells of their own). Errors are read like the gateway's (:mod:`werkplek.gateway`): a 401 ends
the session, anything else is a `ReportingFout` with the status and reporting's detail. The token is taken from
the session here and sent only to reporting.
"""

from __future__ import annotations

from typing import Any

import httpx
from meldroute_common.problems import Forbidden

from werkplek.intake import IntakeFout, NietIngelogd
from werkplek.sessies import Sessie

#: The session's key of reporting's token (see `WerkplekSettings.diensten`).
DIENST = "reporting"


class ReportingFout(IntakeFout):
    """reporting answered an error (shown as a problem page); `wacht` is its Retry-After, if it gave one."""

    def __init__(self, status: int, detail: str, wacht: int | None = None) -> None:
        super().__init__(status, detail)
        self.wacht = wacht


def reporting_token(sessie: Sessie) -> str:
    """The session's token for reporting; a role whose login brought none (and got none by exchange) cannot."""
    token = sessie.token(DIENST)
    if token is None:
        raise Forbidden("Uw login geeft geen toegang tot de rapportage.")
    return token


def _fout(antwoord: httpx.Response) -> Exception:
    try:
        probleem: Any = antwoord.json()
    except ValueError:
        probleem = {}
    if not isinstance(probleem, dict):
        probleem = {}
    detail = str(probleem.get("detail") or "De rapportage gaf een fout.")
    if antwoord.status_code == 401:
        return NietIngelogd(401, detail)
    wacht = antwoord.headers.get("retry-after", "")
    return ReportingFout(antwoord.status_code, detail, int(wacht) if wacht.isdigit() else None)


class Reporting:
    def __init__(self, *, http: httpx.AsyncClient, url: str) -> None:
        self.http, self.url = http, url.rstrip("/")

    async def _vraag(self, pad: str, *, sessie: Sessie, params: dict[str, str]) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {reporting_token(sessie)}", "Accept": "application/json"}
        try:
            antwoord = await self.http.get(f"{self.url}/v1{pad}", headers=headers, params=params)
        except httpx.HTTPError as exc:
            raise ReportingFout(502, "De rapportage is niet bereikbaar.") from exc
        if antwoord.is_error:
            raise _fout(antwoord)
        result: dict[str, Any] = antwoord.json()
        return result

    async def signalen(
        self, *, sessie: Sessie, periode: str, groeperen_op: str | None = None, **bereik: str
    ) -> dict[str, Any]:
        """Counts per period (and per value of the grouping dimensions); without them only the totals."""
        params = {"periode": periode, **bereik}
        if groeperen_op:
            params["groeperenOp"] = groeperen_op
        return await self._vraag("/statistieken/signalen", sessie=sessie, params=params)

    async def evaluatie(self, *, sessie: Sessie, periode: str, van: str, tot: str) -> dict[str, Any]:
        return await self._vraag(
            "/statistieken/evaluatie", sessie=sessie, params={"periode": periode, "van": van, "tot": tot}
        )

    async def intervisie(self, *, sessie: Sessie, periode: str, van: str, tot: str) -> dict[str, Any]:
        """The own municipality (reporting takes it from the token) next to the region."""
        return await self._vraag(
            "/statistieken/intervisie", sessie=sessie, params={"periode": periode, "van": van, "tot": tot}
        )
