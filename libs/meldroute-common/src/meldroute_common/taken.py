"""Background work inside a service: one round at start, then one every interval, until the service stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

__all__ = ["start_periodic"]


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

    async def run() -> None:
        while True:
            try:
                await round()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(failure)
            await asyncio.sleep(interval_seconds)

    task = asyncio.create_task(run(), name=name)

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return stop
