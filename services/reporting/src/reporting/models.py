"""Every table of reporting: import each domain's models here so Alembic and the tests see one metadata."""

from __future__ import annotations

from reporting.db import Base

__all__ = ["Base"]
