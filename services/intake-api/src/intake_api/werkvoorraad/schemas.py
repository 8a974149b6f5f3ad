"""Request models and shared types of the queue."""

from __future__ import annotations

from typing import Annotated

from meldroute_common.schemas import Invoer
from pydantic import ConfigDict, Field

#: A token subject as OpenID Connect allows it: printable ASCII without spaces, at most 255 characters. No control
#: character, line break or padding can reach the history or a filter.
SUB_PATROON = r"^[\x21-\x7e]{1,255}$"
SUB_LENGTE = 255
Sub = Annotated[str, Field(min_length=1, max_length=SUB_LENGTE, pattern=SUB_PATROON)]
#: In the `toegewezenAan` filter: the caller's own `sub`.
IK = "ik"


class ToewijzingInvoer(Invoer):
    """To whom a signal is assigned: an attention officer's `sub`, or null for nobody."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"toegewezenAan": "af-gm1509-2"}]})

    toegewezen_aan: Sub | None = Field(
        description="Subject (`sub`) of an attention officer of the signal's municipality; null clears the "
        "assignment. Printable ASCII without spaces, 1 to 255 characters."
    )
