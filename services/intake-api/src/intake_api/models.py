"""Every table of intake_api: import each domain's models here so Alembic and the tests see one metadata."""

from __future__ import annotations

from intake_api.db import Base

__all__ = ["Base"]
