"""Response bodies of the event ingest (the request body is `meldroute_common.gebeurtenissen`)."""

from __future__ import annotations

from meldroute_common.schemas import Uitvoer
from pydantic import ConfigDict, Field


class Ontvangst(Uitvoer):
    """What a batch changed: events stored for the first time, and events already known (or repeated)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"nieuw": 98, "dubbel": 2}]},
    )

    nieuw: int = Field(ge=0, description="Events stored for the first time.")
    dubbel: int = Field(ge=0, description="Events already stored, or repeated within the batch; ignored.")
