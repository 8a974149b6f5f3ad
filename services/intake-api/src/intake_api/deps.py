"""Handler dependencies for what the app holds in its state (catalogue, keys, session maker)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from meldroute_common.catalogus import Catalogus
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake_api.config import IntakeSettings
from intake_api.sleutels import Sleutels


def _catalogus(request: Request) -> Catalogus:
    catalogus: Catalogus = request.app.state.catalogus
    return catalogus


def _sleutels(request: Request) -> Sleutels:
    sleutels: Sleutels = request.app.state.sleutels
    return sleutels


def _maker(request: Request) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return maker


def _settings(request: Request) -> IntakeSettings:
    settings: IntakeSettings = request.app.state.settings
    return settings


CatalogusDep = Annotated[Catalogus, Depends(_catalogus)]
SleutelsDep = Annotated[Sleutels, Depends(_sleutels)]
SessionMaker = Annotated[async_sessionmaker[AsyncSession], Depends(_maker)]
SettingsDep = Annotated[IntakeSettings, Depends(_settings)]
