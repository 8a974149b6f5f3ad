"""Rate limit per client (the token's `sub`) on the statistics: in memory, per process."""

from __future__ import annotations

import math
import time
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from meldroute_common.auth import Claims, StatistiekenLezen
from meldroute_common.problems import TooManyRequests

#: Marks an operation as rate limited, so its OpenAPI document lists 429.
BEGRENSD = {"x-rate-limited": True}


class Snelheidsbegrenzer:
    """A moving window per client; each replica counts on its own (a limit, not a quota)."""

    def __init__(self, *, limiet: str) -> None:
        self.limiet: RateLimitItem = parse(limiet)
        self._begrenzer = MovingWindowRateLimiter(MemoryStorage())

    async def controleer(self, *, client: str) -> None:
        """Count one request of `client`; TooManyRequests with Retry-After once the window is full."""
        if await self._begrenzer.hit(self.limiet, "statistieken", client):
            return
        stand = await self._begrenzer.get_window_stats(self.limiet, "statistieken", client)
        wacht = max(1, math.ceil(stand.reset_time - time.time()))
        raise TooManyRequests(
            "Te veel verzoeken; probeer het later opnieuw.", headers={"Retry-After": str(wacht)}
        )


async def _begrensd(request: Request, claims: StatistiekenLezen) -> Claims:
    begrenzer: Snelheidsbegrenzer = request.app.state.snelheidsbegrenzer
    await begrenzer.controleer(client=claims.sub)
    return claims


#: A caller with `statistieken:lezen`, counted against the rate limit (after authentication).
StatistiekenLezenBegrensd = Annotated[Claims, Depends(_begrensd)]
