"""Request models of tracks and of the decision on a request for a follow-on purpose."""

from __future__ import annotations

from typing import Annotated

from meldroute_common.schemas import Invoer
from pydantic import ConfigDict, Field

_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_TOELICHTING = Field(
    min_length=1, max_length=4000, description="Why (kept in the history; identifiers are replaced)."
)


class TrajectOpenen(Invoer):
    """A new track on an escalated case: a purpose with its partners."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "doel": "zorg_en_opvang",
                    "partners": ["zorgcoordinatie-noord-oost-gelderland"],
                    "toelichting": "Opvang regelen voor het slachtoffer.",
                }
            ]
        }
    )

    doel: str = Field(pattern=_ID, description="Purpose (`doelen[].id` of the policy).")
    partners: list[Annotated[str, Field(json_schema_extra={"pattern": _ID})]] = Field(
        min_length=1,
        max_length=20,
        description="Recipient partner ids (`partners[].id` of the policy), each once.",
    )
    toelichting: str = _TOELICHTING


class PartnerToevoegen(Invoer):
    """A partner added to an open track."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"partner": "politie-oost-nederland", "toelichting": "De politie sluit aan."}]
        }
    )

    partner: str = Field(pattern=_ID, description="Partner id (`partners[].id` of the policy).")
    toelichting: str = _TOELICHTING


class TrajectAfronden(Invoer):
    """Closing a track: its partners receive nothing for its purpose from then on."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"toelichting": "Opvang is geregeld."}]})

    toelichting: str = _TOELICHTING


class DoelverzoekBesluit(Invoer):
    """The attention officer's decision on a partner's request for a follow-on purpose."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"toegekend": True, "toelichting": "Opsporing is aangewezen."}]}
    )

    toegekend: bool = Field(description="Granted (the partner gets a track with the purpose) or refused.")
    toelichting: str = _TOELICHTING
