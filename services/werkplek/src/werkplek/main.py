"""werkplek: the web front-end for melders, attention officers, partners and the FG, a backend for frontend.

The browser gets server-rendered pages and one session cookie holding a random id; the tokens, the identity and
what the user recorded stay in the server-side session. The werkplek calls intake-api, the privacy gateway and
reporting with the user's token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from meldroute_common.app import build_app
from meldroute_common.devissuer import DevIssuer
from meldroute_common.devlogin import DevLogin
from meldroute_common.jwt import KeyStore, TokenVerifier

from werkplek import __version__, dashboard, fg, identiteit, partner
from werkplek.afhandeling import router as afhandeling
from werkplek.beleid import BeleidCache
from werkplek.catalogus import CatalogusCache
from werkplek.config import WerkplekSettings, get_settings
from werkplek.dienst import DienstFout, NietIngelogd
from werkplek.gateway import Gateway
from werkplek.intake import Intake
from werkplek.paginas import pagina
from werkplek.reporting import Reporting
from werkplek.sessies import GeheugenOpslag, Opslag, RedisOpslag, Sessies
from werkplek.web import SESSIE_COOKIE, Inloggen, router


def _opslag(settings: WerkplekSettings) -> Opslag:
    if settings.redis_url:
        return RedisOpslag(url=settings.redis_url, prefix=f"{settings.redis_prefix}:{settings.service_name}")
    return GeheugenOpslag()  # development and test only: production refuses to start without Redis


async def _start(app: FastAPI) -> Callable[[], Awaitable[None]]:
    settings: WerkplekSettings = app.state.settings
    opslag = _opslag(settings)
    # Without its session store the werkplek can log nobody in: not ready (the probe takes it out of rotation).
    app.state.readiness_checks["sessieopslag"] = opslag.ping
    app.state.sessies = Sessies(
        opslag=opslag, sessie_seconden=settings.sessie_seconden, login_seconden=settings.login_seconden
    )
    app.state.intake = Intake(http=app.state.http, url=settings.intake_url)
    app.state.catalogus = CatalogusCache(intake=app.state.intake)
    app.state.gateway = Gateway(http=app.state.http, url=settings.gateway_url)
    app.state.beleid = BeleidCache(gateway=app.state.gateway)
    app.state.reporting = Reporting(http=app.state.http, url=settings.reporting_url)
    # Which services a user's access token is good for, checked as each service checks it (one key store).
    sleutels = KeyStore(
        url=settings.jwks_url,
        file=settings.jwks_file,
        cache_seconds=settings.jwks_cache_seconds,
        http=app.state.http,
    )
    app.state.dienst_verifiers = {
        dienst: TokenVerifier(
            keys=sleutels,
            issuer=settings.oidc_issuer,
            audience=audience,
            max_lifetime=settings.max_token_seconds,
        )
        for dienst, audience in settings.diensten.items()
    }
    return opslag.sluit


#: The screens' routers, every one of them (the CSRF sweep in the tests reads this list).
SCHERMEN = (router, afhandeling, partner.router, identiteit.router, fg.router, dashboard.router)


def create_app(settings: WerkplekSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    extra = list(SCHERMEN)
    devlogin = None
    if settings.ontwikkel_login:
        # Refuses production (DevLogin.start), as the settings already do without the provider's endpoints.
        issuer = DevIssuer.load(local_dir=settings.local_dir, env=settings.env, issuer=settings.oidc_issuer)
        devlogin = DevLogin.start(
            issuer=issuer,
            env=settings.env,
            clients={settings.service_name: (settings.redirect_uri,)},
            na_uitloggen={settings.service_name: (settings.post_logout_redirect_uri,)},
        )
        extra.append(devlogin.router())
    app = build_app(
        settings=settings,
        title="meldroute werkplek",
        summary="De werkplek van melders en aandachtsfunctionarissen.",
        description="Schermen voor het melden en afhandelen van signalen; de werkplek roept de diensten aan met "
        "het token van de gebruiker en bewaart tokens alleen op de server.",
        version=__version__,
        routers=[],
        extra_routes=extra,
        on_startup=[_start],
    )
    app.state.devlogin = devlogin
    #: The transport of the calls to the provider's token endpoint (tests route them in-process).
    app.state.oidc_transport = None

    @app.exception_handler(Inloggen)
    async def _inloggen(request: Request, exc: Inloggen) -> Response:
        return RedirectResponse("/", status_code=303)

    @app.exception_handler(NietIngelogd)
    async def _niet_ingelogd(request: Request, exc: NietIngelogd) -> Response:
        sessie_id = request.cookies.get(SESSIE_COOKIE)
        if sessie_id:
            await request.app.state.sessies.wis(sessie_id)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSIE_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
        return response

    @app.exception_handler(DienstFout)
    async def _intake_fout(request: Request, exc: DienstFout) -> Response:
        return pagina(
            "fout.html",
            status_code=502 if exc.status >= 500 else exc.status,
            titel="Er ging iets mis",
            uitleg="De gegevens konden niet worden opgehaald of opgeslagen. Probeer het later opnieuw.",
        )

    return app
