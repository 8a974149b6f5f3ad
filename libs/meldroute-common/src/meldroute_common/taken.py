"""Background work inside a service: loops that run until the service stops, and stop between rounds.

A stop first asks the loop to end and waits for the round in progress (up to `STOP_GRACE_SECONDS`), and only
then cancels it: a round cancelled halfway through a database call can leave its connection behind, holding a
lock the rest of the shutdown (or the next start) then waits on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

__all__ = ["STOP_GRACE_SECONDS", "Stopsein", "start_background", "start_periodic"]

#: How long a stop waits for the round in progress before it cancels it.
STOP_GRACE_SECONDS = 10.0


class Stopsein:
    """Asked by a loop between its rounds: whether to stop, and a sleep that ends early when it must."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    @property
    def gezet(self) -> bool:
        return self._event.is_set()

    def zet(self) -> None:
        self._event.set()

    async def slaap(self, seconds: float) -> None:
        """Sleep `seconds`, or less when the stop comes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=max(seconds, 0.0))


def start_background(
    *,
    name: str,
    loop: Callable[[Stopsein], Coroutine[Any, Any, None]],
    grace_seconds: float = STOP_GRACE_SECONDS,
) -> Callable[[], Awaitable[None]]:
    """Run `loop(stop)` as a task; returns the stop hook for the app's shutdown (see the module docstring)."""
    stop = Stopsein()
    task = asyncio.create_task(loop(stop), name=name)

    async def stoppen() -> None:
        stop.zet()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            # shield: on timeout wait_for cancels what it waits on; the cancel below is explicit.
            await asyncio.wait_for(asyncio.shield(task), timeout=grace_seconds)
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return stoppen


def start_periodic(
    *,
    name: str,
    round: Callable[[], Awaitable[object]],
    interval_seconds: float,
    log: logging.Logger,
    failure: str,
) -> Callable[[], Awaitable[None]]:
    """Run `round` now and then every `interval_seconds`; a failed round is logged (`failure`) and retried at the
    next. Returns the stop hook for the app's shutdown."""

    async def loop(stop: Stopsein) -> None:
        while not stop.gezet:
            try:
                await round()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(failure)
            await stop.slaap(interval_seconds)

    return start_background(name=name, loop=loop)
