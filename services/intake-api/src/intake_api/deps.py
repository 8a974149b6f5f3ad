"""What the routers share: dependencies for the app's state (catalogue, keys, session maker), the path
parameters used by more than one router, and the ETag helpers (a signal's version as ETag and back).

The state dependencies are `async def`: FastAPI runs a plain `def` dependency in a worker thread, a
thread hop per dependency per request for reading an attribute."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, Path, Request
from meldroute_common.beleid import Beleid
from meldroute_common.catalogus import Catalogus
from meldroute_common.problems import BadRequest, InvalidParam
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake_api.config import IntakeSettings
from intake_api.sleutels import Sleutels


async def _catalogus(request: Request) -> Catalogus:
    catalogus: Catalogus = request.app.state.catalogus
    return catalogus


async def _sleutels(request: Request) -> Sleutels:
    sleutels: Sleutels = request.app.state.sleutels
    return sleutels


async def _maker(request: Request) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return maker


async def _settings(request: Request) -> IntakeSettings:
    settings: IntakeSettings = request.app.state.settings
    return settings


async def _beleid(request: Request) -> Beleid:
    beleid: Beleid = request.app.state.beleid
    return beleid


BeleidDep = Annotated[Beleid, Depends(_beleid)]
CatalogusDep = Annotated[Catalogus, Depends(_catalogus)]
SleutelsDep = Annotated[Sleutels, Depends(_sleutels)]
SessionMaker = Annotated[async_sessionmaker[AsyncSession], Depends(_maker)]
SettingsDep = Annotated[IntakeSettings, Depends(_settings)]

SignaalId = Annotated[UUID, Path(alias="signaalId", description="Id of the signal.")]
TrajectId = Annotated[UUID, Path(alias="trajectId", description="Id of the track.")]
VerzoekId = Annotated[UUID, Path(alias="verzoekId", description="Id of the request for a follow-on purpose.")]
BetrokkeneId = Annotated[UUID, Path(alias="betrokkeneId", description="Id of the betrokkene.")]
ToestemmingId = Annotated[UUID, Path(alias="toestemmingId", description="Id of the consent record.")]
AbonnementId = Annotated[UUID, Path(alias="abonnementId", description="Id of the subscription.")]
AdviesvraagId = Annotated[UUID, Path(alias="adviesvraagId", description="Id of the advice question.")]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=64, description="The ETag of the signal the decision is made on."),
]


def etag(versie: int) -> str:
    """The ETag of a signal at this version (`"3"`)."""
    return f'"{versie}"'


def parse_if_match(waarde: str | None) -> int | None:
    """The version in an If-Match header (`"3"` or `W/"3"`); `*` and absence give None."""
    if waarde is None or waarde.strip() == "*":
        return None
    kaal = waarde.strip().removeprefix("W/").strip('"')
    if not kaal.isdigit() or len(kaal) > 9:
        raise BadRequest(
            "If-Match is geen ETag van dit signaal.",
            invalid_params=[InvalidParam(name="If-Match", reason='Verwacht de ETag, bijvoorbeeld "3".')],
        )
    return int(kaal)
