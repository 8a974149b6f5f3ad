"""intake-api: records, pseudonymises, triages and escalates signals."""

from __future__ import annotations

from fastapi import FastAPI
from meldroute_common.app import build_app
from meldroute_common.catalogus import standaard_catalogus

from intake_api import __version__
from intake_api.catalogus.router import router as catalogus_router
from intake_api.config import IntakeSettings, get_settings


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = build_app(
        settings=settings,
        title="meldroute intake-api",
        summary="Signalen van mensenhandel vastleggen, pseudonimiseren, beoordelen en opschalen.",
        description="Een gemeentelijke medewerker legt een signaal vast; identificerende gegevens worden bij de deur "
        "verzegeld voor de privacy-gateway en gepseudonimiseerd. De aandachtsfunctionaris beoordeelt het signaal "
        "en kan het opschalen naar partners.",
        version=__version__,
        routers=[catalogus_router],
        openapi_tags=[{"name": "catalogus", "description": "Codelijsten voor formulieren."}],
    )
    app.state.catalogus_json = standaard_catalogus(gemeenten=settings.gemeenten).model_dump(mode="json")
    return app
