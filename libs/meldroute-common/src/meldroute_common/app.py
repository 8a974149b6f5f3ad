"""`build_app`: everything the three services share, wired once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.ext.asyncio import async_sessionmaker

from meldroute_common.db import make_engine, statement_sessionmaker
from meldroute_common.health import health_router
from meldroute_common.jwt import KeyStore, TokenVerifier
from meldroute_common.logs import configure_logging, request_id_var
from meldroute_common.middleware import Metrics, RequestMiddleware
from meldroute_common.openapi import API_PREFIX, install_openapi, scope_alternatives
from meldroute_common.problems import install_problem_handlers
from meldroute_common.queryparameters import reject_unknown_query
from meldroute_common.ratelimit import RateLimiter, counter_storage
from meldroute_common.settings import ServiceSettings, require_files

#: A start-up hook gets the app (state already has engine, sessionmaker, http, settings) and may
#: return a stop hook.
StartupHook = Callable[[FastAPI], Awaitable[Callable[[], Awaitable[None]] | None]]


def user_agent(service: str, version: str) -> str:
    return f"meldroute-{service}/{version}"


async def _add_request_id(request: httpx.Request) -> None:
    request_id = request_id_var.get()
    if request_id and "x-request-id" not in request.headers:
        request.headers["X-Request-ID"] = request_id


def outbound_client(*, service: str, version: str, timeout: float = 5.0, **kwargs: Any) -> httpx.AsyncClient:
    """The one outbound HTTP client shape: versioned User-Agent, request id passed on, bounded timeouts."""
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent(service, version)},
        timeout=httpx.Timeout(timeout),
        event_hooks={"request": [_add_request_id]},
        **kwargs,
    )


def build_app(
    *,
    settings: ServiceSettings,
    title: str,
    summary: str,
    description: str,
    version: str,
    routers: Sequence[APIRouter],
    openapi_tags: list[dict[str, Any]] | None = None,
    on_startup: Sequence[StartupHook] = (),
    extra_routes: Sequence[APIRouter] = (),
    postgresql_settings: dict[str, str] | None = None,
    key_files: Mapping[str, Iterable[Path]] | None = None,
) -> FastAPI:
    """An app with auth, problem+json errors, middleware, health, metrics and the /v1 OpenAPI document.

    Every operation of `routers` (under /v1) answers 400 to a query parameter it does not declare
    (`meldroute_common.queryparameters`).

    `postgresql_settings` are server settings for every PostgreSQL connection of the app (e.g. a plan cache mode).
    `key_files` are the files the start-up hooks read, per setting: a missing one stops the start here, with one
    line naming it (as does a missing JWKS file when no JWKS URL is set).
    """
    configure_logging(service=settings.service_name, level=settings.log_level)
    require_files(settings, key_files or {})
    metrics = Metrics(settings.service_name)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            engine = make_engine(
                settings.database_url,
                postgresql_settings=postgresql_settings,
                pool_size=settings.database_pool_size,
                max_overflow=settings.database_max_overflow,
            )
            stack.push_async_callback(engine.dispose)
            app.state.engine = engine
            app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
            app.state.statement_sessionmaker = statement_sessionmaker(engine)
            http = outbound_client(service=settings.service_name, version=version)
            stack.push_async_callback(http.aclose)
            app.state.http = http
            keys = KeyStore(
                url=settings.jwks_url,
                file=settings.jwks_file,
                cache_seconds=settings.jwks_cache_seconds,
                http=http,
            )
            app.state.token_verifier = TokenVerifier(
                keys=keys,
                issuer=settings.oidc_issuer,
                audience=settings.token_audience,
                max_lifetime=settings.max_token_seconds,
            )
            for hook in on_startup:
                stop = await hook(app)
                if stop is not None:
                    stack.push_async_callback(stop)
            yield

    app = FastAPI(
        title=title,
        summary=summary,
        description=description,
        version=version,
        lifespan=lifespan,
        redirect_slashes=False,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None if settings.is_production else f"{API_PREFIX}/docs",
        redoc_url=None,
        openapi_tags=openapi_tags,
        separate_input_output_schemas=False,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    #: Service-token sources the service needs; readiness checks each (services add theirs at start-up).
    app.state.token_sources = []
    #: Further dependencies readiness checks by name, e.g. a session store (services add theirs at start-up).
    app.state.readiness_checks = {}
    app.state.rate_limiter = RateLimiter(
        limit=settings.rate_limit,
        organisation_limit=settings.rate_limit_organisatie,
        storage=counter_storage(
            redis_url=settings.redis_url, key_prefix=f"{settings.redis_prefix}:{settings.service_name}"
        ),
    )
    install_problem_handlers(app)
    #: Operations any one of several scopes admits: documented as alternatives.
    app.state.scope_alternatives = scope_alternatives(routers)
    install_openapi(app, summary=summary)
    for router in routers:
        # Every operation refuses query parameters it does not declare (400 naming them).
        app.include_router(router, prefix=API_PREFIX, dependencies=[Depends(reject_unknown_query)])
    for router in extra_routes:
        app.include_router(router)
    app.include_router(health_router())
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PUT"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID"],
        expose_headers=["API-Version", "ETag", "Location", "X-Request-ID", "Retry-After"],
    )
    app.add_middleware(
        RequestMiddleware, api_version=version, max_body_bytes=settings.max_body_bytes, metrics=metrics
    )
    return app
