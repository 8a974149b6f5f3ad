"""Every table of privacy_gateway: import each domain's models here so Alembic and the tests see one metadata."""

from __future__ import annotations

from privacy_gateway.db import Base

__all__ = ["Base"]
