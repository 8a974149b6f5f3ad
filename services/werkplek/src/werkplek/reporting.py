"""reporting as the werkplek calls it: the published statistics, with the user's own token for its audience.

Only `GET /v1/statistieken/...`: anonymous, protected figures (counts suppressed below the threshold and
perturbed, totals cells of their own). Errors are read as :mod:`werkplek.dienst`
says (a 429 with its Retry-After as `wacht`).
"""

from __future__ import annotations

from typing import Any

from werkplek.dienst import Dienst
from werkplek.sessies import Sessie

#: The session's key of reporting's token (see `WerkplekSettings.diensten`).
DIENST = "reporting"


class Reporting(Dienst):
    naam = DIENST
    omschrijving = "De rapportage"
    geen_toegang = "Uw login geeft geen toegang tot de rapportage."

    async def _lees(self, pad: str, *, sessie: Sessie, params: dict[str, str]) -> dict[str, Any]:
        result: dict[str, Any] = await self._vraag("GET", pad, sessie=sessie, params=params)
        return result

    async def signalen(
        self, *, sessie: Sessie, periode: str, groeperen_op: str | None = None, **bereik: str
    ) -> dict[str, Any]:
        """Counts per period (and per value of the grouping dimensions); without them only the totals."""
        params = {"periode": periode, **bereik}
        if groeperen_op:
            params["groeperenOp"] = groeperen_op
        return await self._lees("/statistieken/signalen", sessie=sessie, params=params)

    async def evaluatie(self, *, sessie: Sessie, periode: str, van: str, tot: str) -> dict[str, Any]:
        return await self._lees(
            "/statistieken/evaluatie", sessie=sessie, params={"periode": periode, "van": van, "tot": tot}
        )

    async def intervisie(self, *, sessie: Sessie, periode: str, van: str, tot: str) -> dict[str, Any]:
        """The own municipality (reporting takes it from the token) next to the region."""
        return await self._lees(
            "/statistieken/intervisie", sessie=sessie, params={"periode": periode, "van": van, "tot": tot}
        )
