"""The in-memory counters: the moving window as limits keeps it, expired entries dropped in the event loop."""

from __future__ import annotations

import asyncio

import pytest
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from meldroute_common.problems import TooManyRequests
from meldroute_common.ratelimit import MemoryCounters, RateLimiter


async def test_the_window_admits_its_limit_then_refuses() -> None:
    limiter = MovingWindowRateLimiter(MemoryCounters())
    limit = parse("3/minute")
    assert [await limiter.hit(limit, "b", "sub", "a") for _ in range(4)] == [True, True, True, False]
    # Another client has its own window.
    assert await limiter.hit(limit, "b", "sub", "c")
    stats = await limiter.get_window_stats(limit, "b", "sub", "a")
    assert stats.remaining == 0


async def test_concurrent_hits_never_share_the_last_place() -> None:
    limiter = MovingWindowRateLimiter(MemoryCounters())
    limit = parse("5/minute")
    uitkomsten = await asyncio.gather(*(limiter.hit(limit, "b", "sub", "a") for _ in range(20)))
    assert sum(uitkomsten) == 5


async def test_expired_entries_and_empty_keys_are_swept_without_a_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opslag = MemoryCounters()
    limiter = MovingWindowRateLimiter(opslag)
    limit = parse("2/second")
    nu = [1_000_000.0]
    monkeypatch.setattr("meldroute_common.ratelimit.time.time", lambda: nu[0])
    monkeypatch.setattr("limits.aio.storage.memory.time.time", lambda: nu[0])
    monkeypatch.setattr(asyncio, "to_thread", None)  # any thread hop fails the test
    assert await limiter.hit(limit, "b", "sub", "oud")
    assert await limiter.hit(limit, "b", "sub", "oud")
    assert not await limiter.hit(limit, "b", "sub", "oud")
    nu[0] += 1.5
    # The window moved on: room again, and the sweep on this hit dropped the old entries and key.
    assert await limiter.hit(limit, "b", "sub", "nieuw")
    assert [k for k in opslag.events if "oud" in k] == []
    assert await limiter.hit(limit, "b", "sub", "oud")


async def test_the_app_limiter_counts_in_memory_by_default() -> None:
    limiter = RateLimiter(limit="1/minute")
    assert isinstance(limiter.storage, MemoryCounters)
    await limiter.hit(bucket="b", client="a")
    with pytest.raises(TooManyRequests):
        await limiter.hit(bucket="b", client="a")
