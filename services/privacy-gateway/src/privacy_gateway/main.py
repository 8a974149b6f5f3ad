"""privacy-gateway: enforces the covenant before anything is shared with partners."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from fastapi import FastAPI
from meldroute_common.app import build_app, outbound_client
from meldroute_common.beleid import load_policy
from meldroute_common.sealing import SealPublicKey, load_keyring
from meldroute_common.servicetokens import ServiceTokenSource
from meldroute_common.settings import read_hex_key
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from privacy_gateway import __version__
from privacy_gateway.aantekeningen.router import router as aantekeningen_router
from privacy_gateway.abonnementen.router import router as abonnementen_router
from privacy_gateway.adviezen.router import router as adviezen_router
from privacy_gateway.beleid.router import router as beleid_router
from privacy_gateway.casussen.router import evaluatie_router
from privacy_gateway.casussen.router import router as casussen_router
from privacy_gateway.config import GatewaySettings, get_settings
from privacy_gateway.context import Gateway
from privacy_gateway.doelverzoeken.router import router as doelverzoeken_router
from privacy_gateway.identiteit.retentie import start_retentietaak
from privacy_gateway.identiteit.router import router as identiteit_router
from privacy_gateway.identiteit.verloop import start_verlooptaak
from privacy_gateway.intake.client import IntakeClient
from privacy_gateway.inzage.router import router as inzage_router
from privacy_gateway.pseudoniemen import MIN_SLEUTEL_BYTES
from privacy_gateway.terugkoppelingen.router import router as terugkoppelingen_router
from privacy_gateway.verwerkingen.checkpoints import Ondertekening, read_privesleutel, read_publieke_sleutel
from privacy_gateway.verwerkingen.getuige import Getuige
from privacy_gateway.verwerkingen.keten import MIN_KETENSLEUTEL_BYTES, Ketensleutels
from privacy_gateway.verwerkingen.router import router as verwerkingen_router
from privacy_gateway.verwerkingen.service import Logboek, ensure_head, rechain_old_rows
from privacy_gateway.verwerkingen.vastlegging import record_tellingen
from privacy_gateway.verwerkingen.weigeringen import Telling, Weigeringsbudget, start_flushing

log = logging.getLogger("meldroute.gateway")


def create_app(
    settings: GatewaySettings | None = None, *, intake_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The gateway app. ``intake_transport`` replaces the network for calls to intake (tests only)."""
    settings = settings or get_settings()
    # Validated here, before anything else: an invalid policy stops start-up with the failing field named.
    beleid = load_policy(settings.policy_file)
    app = build_app(
        settings=settings,
        title="meldroute privacy-gateway",
        summary="Casusgegevens voor partners, alleen volgens het RIEC-convenant en met een verwerkingenlog.",
        description="Partners krijgen casusgegevens uitsluitend via deze gateway: per partner, doel, grondslag en "
        "fase alleen de toegestane categorieën, identiteit alleen na goedkeuring door een tweede persoon, en elke "
        "verstrekking in een manipulatiebestendig verwerkingenlog.",
        version=__version__,
        routers=[
            beleid_router,
            evaluatie_router,
            casussen_router,
            terugkoppelingen_router,
            doelverzoeken_router,
            aantekeningen_router,
            adviezen_router,
            identiteit_router,
            verwerkingen_router,
            inzage_router,
            abonnementen_router,
        ],
        openapi_tags=[
            {"name": "beleid", "description": "Het convenantbeleid en wat het zou toestaan."},
            {"name": "casussen", "description": "Casussen voor partners, alleen de toegestane categorieën."},
            {"name": "adviezen", "description": "Adviesvragen aan experts en hun antwoorden (doel advies)."},
            {
                "name": "identiteit",
                "description": "Identiteit van betrokkenen, alleen na goedkeuring (vier ogen).",
            },
            {
                "name": "verwerkingen",
                "description": "Het verwerkingenlog, de verificatie en inzageverzoeken.",
            },
            {"name": "abonnementen", "description": "Meldingen per webhook of e-mail over wat er wacht."},
        ],
        on_startup=[_start(settings, transport=intake_transport), start_retentietaak, start_verlooptaak],
        key_files=sleutelbestanden(settings),
    )
    app.state.beleid_json = beleid.model_dump(mode="json", by_alias=True)
    app.state.beleid = beleid
    return app


def _keten_paden(settings: GatewaySettings) -> list[Path]:
    return settings.keten_sleutel_bestanden or [settings.key_path(None, "gateway-keten.key")]


def _checkpoint_paden(settings: GatewaySettings) -> list[Path]:
    return settings.checkpoint_sleutel_bestanden or [settings.key_path(None, "gateway-checkpoint.pem")]


def _pseudoniem_pad(settings: GatewaySettings) -> Path:
    return settings.key_path(settings.pseudonym_key_file, "gateway-pseudonym.key")


def _hpke_paden(settings: GatewaySettings) -> list[Path]:
    return settings.hpke_private_key_files or [settings.key_path(None, "gateway-hpke-private.pem")]


def sleutelbestanden(settings: GatewaySettings) -> dict[str, list[Path]]:
    """The key files read at start-up, per setting (checked before the start, see `build_app`)."""
    return {
        settings.env_name("pseudonym_key_file"): [_pseudoniem_pad(settings)],
        settings.env_name("hpke_private_key_files"): _hpke_paden(settings),
        settings.env_name("keten_sleutel_bestanden"): _keten_paden(settings),
        settings.env_name("checkpoint_sleutel_bestanden"): _checkpoint_paden(settings),
        settings.env_name("checkpoint_publieke_sleutel_bestanden"): list(
            settings.checkpoint_publieke_sleutel_bestanden
        ),
    }


def load_logboek(settings: GatewaySettings) -> Logboek:
    """The verwerkingenlog's chain keys, checkpoint keys and witness, from files outside the database."""
    keten_paden = _keten_paden(settings)
    checkpoint_paden = _checkpoint_paden(settings)
    return Logboek(
        sleutels=Ketensleutels.uit(read_hex_key(p, min_bytes=MIN_KETENSLEUTEL_BYTES) for p in keten_paden),
        ondertekening=Ondertekening.uit(
            herkomst=settings.checkpoint_herkomst,
            privesleutels=[read_privesleutel(p) for p in checkpoint_paden],
            publiek=[read_publieke_sleutel(p) for p in settings.checkpoint_publieke_sleutel_bestanden],
        ),
        getuige=None if settings.checkpoint_witness is None else Getuige(settings.checkpoint_witness),
        checkpoint_interval=settings.verwerkingen_checkpoint_interval,
        checkpoint_seconden=settings.verwerkingen_checkpoint_seconden,
    )


def _start(
    settings: GatewaySettings, *, transport: httpx.AsyncBaseTransport | None
) -> Callable[[FastAPI], Awaitable[Callable[[], Awaitable[None]] | None]]:
    async def start(app: FastAPI) -> Callable[[], Awaitable[None]]:
        sleutel = read_hex_key(_pseudoniem_pad(settings), min_bytes=MIN_SLEUTEL_BYTES)
        paden = _hpke_paden(settings)
        # Calls to intake go straight to httpx's own transport (see IntakeClient); tests put theirs in its place.
        naar_intake = transport or httpx.AsyncHTTPTransport()
        http = outbound_client(
            service=settings.service_name,
            version=__version__,
            timeout=settings.intake_timeout_seconds,
            transport=naar_intake,
        )
        sleutelbos = load_keyring(paden)
        # The first file is the current key; the gateway seals its own data to it.
        huidig = sleutelbos[next(iter(sleutelbos))]
        tokens = ServiceTokenSource(
            settings=settings,
            audience=settings.intake_audience,
            http=app.state.http,
            scope=settings.intake_token_scope,
            resource=settings.intake_token_resource,
            audience_parameter=settings.intake_token_audience,
        )
        app.state.token_sources.append(tokens)
        app.state.gateway = Gateway(
            settings=settings,
            beleid=app.state.beleid,
            intake=IntakeClient(
                http=http,
                tokens=tokens,
                base_url=settings.intake_url,
                timeout=settings.intake_timeout_seconds,
                max_bytes=settings.intake_max_bytes,
                transport=naar_intake,
            ),
            pseudoniemsleutel=sleutel,
            sleutelbos=sleutelbos,
            eigen_zegel=SealPublicKey(huidig.public_key()),
            weigeringen=Weigeringsbudget(budget=settings.weigeringen_logbudget),
            logboek=load_logboek(settings),
        )
        gateway: Gateway = app.state.gateway
        maker: async_sessionmaker[AsyncSession] = app.state.sessionmaker

        async def write_tellingen(tellingen: list[Telling]) -> None:
            async with maker() as session, session.begin():
                await record_tellingen(session=session, gateway=gateway, tellingen=tellingen)

        stop_flushing = start_flushing(budget=gateway.weigeringen, schrijf=write_tellingen)
        try:
            async with maker() as session, session.begin():
                await ensure_head(session=session)
                if settings.verwerkingen_herketenen:
                    await rechain_old_rows(session=session, logboek=app.state.gateway.logboek)
        except SQLAlchemyError:
            # Start anyway (readiness reports the database); the first append creates the head then.
            log.warning("kop van het verwerkingenlog niet te controleren bij het starten")

        async def stop() -> None:
            await stop_flushing()  # the counts still open are written before the database closes
            await http.aclose()

        return stop

    return start
