"""Rate limits per client (the token's `sub`) on expensive operations: in memory, per process.

Each replica counts on its own, so this is a brake on one client, not a quota; put a gateway in front for more.
"""

from __future__ import annotations

import math
import time
from typing import Any

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from meldroute_common.auth import Claims, verified_claims
from meldroute_common.problems import TooManyRequests

#: `openapi_extra` of a rate-limited operation: its document then lists 429.
RATE_LIMITED: dict[str, Any] = {"x-rate-limited": True}


class RateLimiter:
    """A moving window per (bucket, client) under one limit in the `limits` notation, e.g. `600/minute`."""

    def __init__(self, *, limit: str) -> None:
        self.limit: RateLimitItem = parse(limit)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def hit(self, *, bucket: str, client: str) -> None:
        """Count one request; TooManyRequests with Retry-After once the window is full."""
        if await self._limiter.hit(self.limit, bucket, client):
            return
        stats = await self._limiter.get_window_stats(self.limit, bucket, client)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(
            "Te veel verzoeken; probeer het later opnieuw.", headers={"Retry-After": str(wait)}
        )


def rate_limited(bucket: str) -> Any:
    """A route dependency counting the authenticated caller against the app's rate limiter."""

    async def count(request: Request, claims: Claims = Depends(verified_claims)) -> None:
        limiter: RateLimiter = request.app.state.rate_limiter
        await limiter.hit(bucket=bucket, client=claims.sub)

    return Depends(count)
