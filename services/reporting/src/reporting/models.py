"""Every table of reporting: import each domain's models here so Alembic and the tests see one metadata."""

from __future__ import annotations

from reporting.db import Base
from reporting.gebeurtenissen.models import GebeurtenisRij, GebeurtenisVorm
from reporting.statistieken.models import GepubliceerdeCel, GepubliceerdeDoorlooptijd, Publicatie

__all__ = [
    "Base",
    "GebeurtenisRij",
    "GebeurtenisVorm",
    "GepubliceerdeCel",
    "GepubliceerdeDoorlooptijd",
    "Publicatie",
]
