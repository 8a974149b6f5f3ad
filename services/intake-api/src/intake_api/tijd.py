"""Moments in UTC: `utc` puts the zone back on what SQLite returns without one, `nu` is now."""

from __future__ import annotations

from datetime import UTC, datetime

from meldroute_common.db import as_utc as utc

__all__ = ["nu", "utc"]


def nu() -> datetime:
    return datetime.now(UTC)
