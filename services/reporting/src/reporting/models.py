"""All tables of intake-api, imported here so Alembic sees one metadata."""

from __future__ import annotations

from meldroute_common.db import Base as CommonBase
from meldroute_common.db import new_metadata


class Base(CommonBase):
    __abstract__ = True
    metadata = new_metadata()
