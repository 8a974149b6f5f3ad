"""privacy-gateway: enforces the covenant before anything is shared with partners."""

from __future__ import annotations

import yaml
from fastapi import FastAPI
from meldroute_common.app import build_app

from privacy_gateway import __version__
from privacy_gateway.beleid.router import router as beleid_router
from privacy_gateway.config import GatewaySettings, get_settings


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = build_app(
        settings=settings,
        title="meldroute privacy-gateway",
        summary="Casusgegevens voor partners, alleen volgens het RIEC-convenant en met een verwerkingenlog.",
        description="Partners krijgen casusgegevens uitsluitend via deze gateway: per partner, doel, grondslag en "
        "fase alleen de toegestane categorieën, identiteit alleen na goedkeuring door een tweede persoon, en elke "
        "verstrekking in een manipulatiebestendig verwerkingenlog.",
        version=__version__,
        routers=[beleid_router],
        openapi_tags=[{"name": "beleid", "description": "Het convenantbeleid."}],
    )
    app.state.beleid_json = yaml.safe_load(settings.policy_file.read_text(encoding="utf-8"))
    return app
