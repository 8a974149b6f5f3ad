"""intake-api: records, pseudonymises, triages and escalates signals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import FastAPI
from meldroute_common.app import StartupHook, build_app
from meldroute_common.beleid import load_policy
from meldroute_common.catalogus import standaard_catalogus

from intake_api import __version__
from intake_api.aantekeningen.router import router as aantekeningen_router
from intake_api.aanvullingen.router import router as aanvullingen_router
from intake_api.adviezen.router import router as adviezen_router
from intake_api.beoordelingen.router import router as beoordelingen_router
from intake_api.catalogus.router import router as catalogus_router
from intake_api.config import IntakeSettings, get_settings
from intake_api.intern.router import router as intern_router
from intake_api.meldingen.relay import start_meldingen_relay
from intake_api.meldingen.router import router as abonnementen_router
from intake_api.outbox.relay import start_relay
from intake_api.retentie.service import start_retentietaak
from intake_api.signalen.router import router as signalen_router
from intake_api.sleutels import load_sleutels, sleutelbestanden
from intake_api.termijnen.beleid import activate_termijnbeleid, load_termijnbeleid
from intake_api.termijnen.rekenen import datum_in_nederland, vrije_dagen_laden
from intake_api.termijnen.service import start_termijnentaak
from intake_api.toestemmingen.router import router as toestemmingen_router
from intake_api.trajecten.router import router as trajecten_router
from intake_api.werkvoorraad.router import router as werkvoorraad_router


async def _sleutels_laden(app: FastAPI) -> Callable[[], Awaitable[None]] | None:
    app.state.sleutels = load_sleutels(app.state.settings)
    return None


async def _kalender_laden(app: FastAPI) -> Callable[[], Awaitable[None]] | None:
    vrije_dagen_laden(datum_in_nederland(datetime.now(UTC)))
    return None


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    hooks: list[StartupHook] = [
        _sleutels_laden,
        _kalender_laden,
        start_relay,
        start_meldingen_relay,
        start_retentietaak,
        start_termijnentaak,
    ]
    app = build_app(
        settings=settings,
        title="meldroute intake-api",
        summary="Signalen van mensenhandel vastleggen, pseudonimiseren, beoordelen en opschalen.",
        description="Een gemeentelijke medewerker legt een signaal vast; identificerende gegevens worden bij de deur "
        "verzegeld voor de privacy-gateway en gepseudonimiseerd. De aandachtsfunctionaris beoordeelt het signaal "
        "en kan het opschalen naar partners.",
        version=__version__,
        routers=[
            catalogus_router,
            signalen_router,
            beoordelingen_router,
            werkvoorraad_router,
            adviezen_router,
            trajecten_router,
            aanvullingen_router,
            aantekeningen_router,
            toestemmingen_router,
            abonnementen_router,
            intern_router,
        ],
        openapi_tags=[
            {"name": "catalogus", "description": "Codelijsten voor formulieren."},
            {"name": "signalen", "description": "Signalen vastleggen en (gepseudonimiseerd) inzien."},
            {"name": "beoordelingen", "description": "Beoordelen, doorverwijzen en opschalen."},
            {"name": "werkvoorraad", "description": "De wachtrij doorzoeken en signalen toewijzen."},
            {"name": "adviezen", "description": "Experts om advies vragen vóór het opschalen."},
            {"name": "trajecten", "description": "Trajecten van een casus en vervolgdoelen van partners."},
            {"name": "aantekeningen", "description": "Werkaantekeningen bij een signaal en bij een traject."},
            {"name": "toestemmingen", "description": "Toestemming per slachtoffer, met intrekking."},
            {"name": "abonnementen", "description": "Meldingen per webhook of e-mail over wat er wacht."},
            {"name": "intern", "description": "Alleen voor de privacy-gateway (scope intake:intern)."},
        ],
        on_startup=hooks,
        key_files=sleutelbestanden(settings),
    )
    catalogus = standaard_catalogus(gemeenten=settings.gemeenten)
    app.state.catalogus = catalogus
    # The same covenant policy the privacy gateway enforces: escalations are checked against it first.
    app.state.beleid = load_policy(settings.policy_file)
    app.state.catalogus_json = catalogus.model_dump(mode="json")
    # Deadlines: a policy that does not validate stops the start with every failing field named.
    app.state.termijnbeleid = load_termijnbeleid(settings.termijnen_file)
    activate_termijnbeleid(app.state.termijnbeleid)
    return app
