"""A log budget for denials: the first denials of a caller in a window get a row each, the rest are counted.

A partner probing for cases it was not given is what an auditor wants to see, but not as thousands of rows kept
for twenty years. Per (organisation, user) and window (`GATEWAY_WEIGERINGEN_LOGBUDGET`, e.g. `20/minute`) the
first denials are logged one by one; the ones past the budget are only counted, and once the window has rolled
the count is appended as one row `weigeringen_geteld` saying how many, for whom and between which moments.

Fail-closed throughout: a denial that names a betrokkene is always logged in full (the data subject may ask for
it); when the table of callers is full, denials are logged in full again; a count whose row cannot be written
is kept and written on the next flush; on shutdown every open count is written.

The counts live in the process (per replica); each replica's denials past its budget end in its own rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from limits import parse

log = logging.getLogger("meldroute.gateway.weigeringen")

#: Most (organisation, user) pairs tracked at once; beyond it every denial is logged in full.
MAX_AANROEPERS = 100_000


@dataclass(slots=True)
class _Venster:
    van: datetime
    start: float
    gelogd: int = 0
    geteld: int = 0


@dataclass(frozen=True, slots=True)
class Telling:
    """Denials of one caller in one window that got no row of their own."""

    organisatie: str | None
    gebruiker: str
    aantal: int
    van: datetime
    tot: datetime


class Weigeringsbudget:
    """Decides per denial whether it gets its own row, and collects the counts of the others."""

    def __init__(self, *, budget: str, klok: Callable[[], float] = time.monotonic) -> None:
        item = parse(budget)
        self.per_venster = int(item.amount)
        self.venster_seconden = float(item.get_expiry())
        self._klok = klok
        self._vensters: dict[tuple[str | None, str], _Venster] = {}
        self._klaar: list[Telling] = []

    def individueel(self, *, organisatie: str | None, gebruiker: str) -> bool:
        """Count one denial; True when it gets a row of its own, False when it is only counted."""
        sleutel = (organisatie, gebruiker)
        nu = self._klok()
        venster = self._vensters.get(sleutel)
        if venster is not None and nu - venster.start >= self.venster_seconden:
            self._sluit(sleutel, venster)
            venster = None
        if venster is None:
            if len(self._vensters) >= MAX_AANROEPERS:
                self._ruim_op(nu)
                if len(self._vensters) >= MAX_AANROEPERS:
                    return True
            venster = _Venster(van=datetime.now(UTC), start=nu)
            self._vensters[sleutel] = venster
        if venster.gelogd < self.per_venster:
            venster.gelogd += 1
            return True
        venster.geteld += 1
        return False

    def _sluit(self, sleutel: tuple[str | None, str], venster: _Venster) -> None:
        del self._vensters[sleutel]
        if venster.geteld:
            self._klaar.append(
                Telling(
                    organisatie=sleutel[0],
                    gebruiker=sleutel[1],
                    aantal=venster.geteld,
                    van=venster.van,
                    tot=datetime.now(UTC),
                )
            )

    def _ruim_op(self, nu: float, *, alles: bool = False) -> None:
        for sleutel, venster in list(self._vensters.items()):
            if alles or nu - venster.start >= self.venster_seconden:
                self._sluit(sleutel, venster)

    def afgelopen(self, *, alles: bool = False) -> list[Telling]:
        """The counts of every rolled window (of every open one too with `alles`), taken out of the budget."""
        self._ruim_op(self._klok(), alles=alles)
        klaar, self._klaar = self._klaar, []
        return klaar

    def terugzetten(self, tellingen: list[Telling]) -> None:
        """Counts whose row could not be written: kept for the next flush."""
        self._klaar[:0] = tellingen


Schrijver = Callable[[list[Telling]], Awaitable[None]]


async def flush(*, budget: Weigeringsbudget, schrijf: Schrijver, alles: bool = False) -> None:
    """Write the finished counts; on failure they stay in the budget (and the error is logged, not raised)."""
    tellingen = budget.afgelopen(alles=alles)
    if not tellingen:
        return
    try:
        await schrijf(tellingen)
    except Exception as fout:
        budget.terugzetten(tellingen)
        log.error("getelde weigeringen niet te loggen (%s); later opnieuw", type(fout).__name__)


def start_flushing(*, budget: Weigeringsbudget, schrijf: Schrijver) -> Callable[[], Awaitable[None]]:
    """Flush finished counts once per window in the background; the returned stop hook writes the rest."""

    async def lus() -> None:
        while True:
            await asyncio.sleep(max(0.05, budget.venster_seconden / 2))
            await flush(budget=budget, schrijf=schrijf)

    taak = asyncio.create_task(lus(), name="weigeringen-legen")

    async def stop() -> None:
        taak.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await taak
        await flush(budget=budget, schrijf=schrijf, alles=True)

    return stop
