"""Request and response bodies of the event ingest."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Ontvangst(BaseModel):
    """What a batch changed: events stored for the first time, and events already known (or repeated)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"nieuw": 98, "dubbel": 2}]},
    )

    nieuw: int = Field(ge=0, description="Events stored for the first time.")
    dubbel: int = Field(ge=0, description="Events already stored, or repeated within the batch; ignored.")
