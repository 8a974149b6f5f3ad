"""Request and response bodies of a partner's request for a follow-on purpose."""

from __future__ import annotations

from uuid import UUID

from meldroute_common.schemas import Invoer, Uitvoer
from pydantic import ConfigDict, Field

_CASUS_ID = "4d1e7a90-5b2c-8f3e-a6d1-0c9b8e7f6a54"


class DoelverzoekIn(Invoer):
    """A follow-on purpose for the caller's organisation on this case; the attention officer grants or refuses
    it. The reason is scrubbed of identifiers before it is stored."""

    doel: str = Field(
        min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]*$", description="Doel uit het beleid."
    )
    reden: str = Field(min_length=1, max_length=2000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"doel": "strafrechtelijk_onderzoek", "reden": "Aanwijzingen voor een strafbaar feit."}
            ]
        }
    )


class DoelverzoekUit(Uitvoer):
    casus_id: UUID = Field(description="This partner's own reference to the case.")
    doel: str
    status: str = Field(description="`gevraagd` until the attention officer decides.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"casusId": _CASUS_ID, "doel": "strafrechtelijk_onderzoek", "status": "gevraagd"}]
        },
    )
