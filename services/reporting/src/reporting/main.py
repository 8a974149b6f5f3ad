"""reporting: anonymous statistics for intervision and policy evaluation."""

from __future__ import annotations

from fastapi import FastAPI
from meldroute_common.app import build_app
from meldroute_common.catalogus import standaard_catalogus

from reporting import __version__
from reporting.config import ReportingSettings, get_settings
from reporting.dashboard.router import router as dashboard_router
from reporting.gebeurtenissen.router import gebeurtenissen_router
from reporting.statistieken.publicatie import start_publicatietaak
from reporting.statistieken.router import router as statistieken_router


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    catalogus = standaard_catalogus(settings.gemeenten)
    app = build_app(
        settings=settings,
        title="meldroute reporting",
        summary="Anonieme statistieken over signalen, met onderdrukking van kleine aantallen.",
        description="Rapportage ontvangt alleen anonieme gebeurtenissen van intake-api en toont geaggregeerde "
        "aantallen voor intervisie en beleidsevaluatie; aantallen onder de drempel worden onderdrukt.",
        version=__version__,
        routers=[gebeurtenissen_router(catalogus=catalogus), statistieken_router],
        extra_routes=[dashboard_router],
        on_startup=[start_publicatietaak],
        # The statistics queries differ per call in their values only; a generic plan (chosen by PostgreSQL after
        # five runs on one connection) measured about 3x slower than a plan made for the actual range.
        postgresql_settings={"plan_cache_mode": "force_custom_plan"},
        openapi_tags=[
            {"name": "gebeurtenissen", "description": "Anonieme gebeurtenissen van intake-api."},
            {"name": "statistieken", "description": "Onderdrukte statistieken."},
        ],
    )
    app.state.catalogus = catalogus
    return app
