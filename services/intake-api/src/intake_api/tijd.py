"""Moments are stored in UTC; SQLite hands them back without a zone, so reads put UTC back on."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime (a naive one is taken to be UTC already)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def nu() -> datetime:
    return datetime.now(UTC)
