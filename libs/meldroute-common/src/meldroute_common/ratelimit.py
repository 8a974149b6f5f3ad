"""Rate limits per client (the token's `sub`) and per organisation (its `organisatie` or `gemeente`).

The counters live in Redis when `MELDROUTE_REDIS_URL` is set, so every replica of a service spends from one
budget; without it (development, a single process) they live in memory. A counter store that does not answer
refuses the request (503) rather than letting it through uncounted.
"""

from __future__ import annotations

import bisect
import logging
import math
import time
from typing import Any

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.storage.memory import Entry
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from meldroute_common.auth import Claims, verified_claims
from meldroute_common.problems import ServiceUnavailable, TooManyRequests

log = logging.getLogger("meldroute.ratelimit")

#: `openapi_extra` of a rate-limited operation: its document then lists 429 with Retry-After.
RATE_LIMITED: dict[str, Any] = {"x-rate-limited": True}


class MemoryCounters(MemoryStorage):
    """limits' in-memory counters, with expired entries dropped in the event loop itself.

    The library's own sweep runs after every hit and hands each key to a worker thread: a thread hop, and
    the GIL handed over, per key per request. Here a hit drops nothing; at most once a second one sweep of
    every key runs inline (a binary search per key). Only the moving window, the limiter's strategy, is
    changed; a hit is checked and counted without an await in between, so concurrent hits cannot both take
    the last place.
    """

    SWEEP_SECONDS = 1.0

    def __init__(self) -> None:
        super().__init__()
        self._next_sweep = 0.0

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        if now >= self._next_sweep:
            self._sweep(now)
            self._next_sweep = now + self.SWEEP_SECONDS
        events = self.events.setdefault(key, [])
        try:
            entry: Entry | None = events[limit - amount]
        except IndexError:
            entry = None
        if entry is not None and entry.atime >= now - expiry:
            return False
        events[:0] = [Entry(expiry)] * amount
        return True

    def _sweep(self, now: float) -> None:
        """Drop expired entries (newest first, so the expired ones are a tail) and keys left without any."""
        for key, events in list(self.events.items()):
            cutoff = bisect.bisect_left(events, -now, key=lambda event: -event.expiry)
            del events[cutoff:]
            if not events:
                self.events.pop(key, None)
                self.locks.pop(key, None)


def counter_storage(*, redis_url: str | None, key_prefix: str) -> Storage:
    """Redis (`redis://` or `rediss://`, used through the async client) when configured, else memory."""
    if not redis_url:
        return MemoryCounters()
    scheme, sep, rest = redis_url.partition("://")
    if not sep or scheme not in {"redis", "rediss", "async+redis", "async+rediss"}:
        raise ValueError("MELDROUTE_REDIS_URL must be a redis:// or rediss:// URL")
    uri = f"async+{scheme.removeprefix('async+')}://{rest}"
    storage = storage_from_string(uri, key_prefix=key_prefix, wrap_exceptions=True)
    assert isinstance(storage, Storage)  # the async+ scheme gives the asyncio storage
    return storage


def organisation_of(claims: Claims) -> str | None:
    """The organisation a caller spends for: its partner, else its municipality; None for a service client."""
    return claims.organisatie or claims.gemeente


class RateLimiter:
    """A moving window per (bucket, client) and per (bucket, organisation), in the `limits` notation."""

    def __init__(
        self,
        *,
        limit: str,
        organisation_limit: str | None = None,
        storage: Storage | None = None,
    ) -> None:
        self.limit: RateLimitItem = parse(limit)
        self.organisation_limit: RateLimitItem | None = (
            parse(organisation_limit) if organisation_limit else None
        )
        self.storage = storage or MemoryCounters()
        self._limiter = MovingWindowRateLimiter(self.storage)
        self._parsed: dict[str, RateLimitItem] = {}

    def parsed(self, limit: str) -> RateLimitItem:
        if limit not in self._parsed:
            self._parsed[limit] = parse(limit)
        return self._parsed[limit]

    async def hit(
        self, *, bucket: str, client: str, organisation: str | None = None, limit: str | None = None
    ) -> None:
        """Count one request of `client` (and its organisation) under `limit` (default the app's per-client
        limit); TooManyRequests with Retry-After once a window is full, ServiceUnavailable when the counters
        cannot be reached."""
        await self._hit(self.limit if limit is None else self.parsed(limit), bucket, "sub", client)
        if organisation is not None and self.organisation_limit is not None:
            await self._hit(self.organisation_limit, bucket, "organisatie", organisation)

    async def _hit(self, limit: RateLimitItem, bucket: str, soort: str, naam: str) -> None:
        try:
            if await self._limiter.hit(limit, bucket, soort, naam):
                return
            stats = await self._limiter.get_window_stats(limit, bucket, soort, naam)
        except Exception as fout:  # the storage's own errors (wrapped) and the network's
            log.error("rate-limit counters unavailable (%s)", type(fout).__name__)
            raise ServiceUnavailable(
                "De tellers van de verzoeklimiet zijn niet bereikbaar; probeer het later opnieuw."
            ) from None
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(
            "Te veel verzoeken; probeer het later opnieuw.", headers={"Retry-After": str(wait)}
        )


def rate_limited(bucket: str, *, limit_setting: str | None = None) -> Any:
    """A route dependency counting the authenticated caller (and its organisation) against the app's limiter;
    `limit_setting` names a settings field with another per-client limit for this bucket."""

    async def count(request: Request, claims: Claims = Depends(verified_claims)) -> None:
        limiter: RateLimiter = request.app.state.rate_limiter
        limit = None if limit_setting is None else getattr(request.app.state.settings, limit_setting)
        await limiter.hit(bucket=bucket, client=claims.sub, organisation=organisation_of(claims), limit=limit)

    return Depends(count)
