"""The declarative base of reporting's tables (one metadata with the shared naming convention)."""

from __future__ import annotations

from meldroute_common.db import Base as CommonBase
from meldroute_common.db import new_metadata


class Base(CommonBase):
    __abstract__ = True
    metadata = new_metadata()
