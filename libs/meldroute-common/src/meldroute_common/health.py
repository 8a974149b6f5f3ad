"""Liveness, readiness (the database, what else the service depends on, the service tokens it needs) and
Prometheus metrics.

Left out of the API document. Readiness names a dependency that does not answer or a target service whose token
cannot be obtained; the underlying error is in the log, not in this unauthenticated answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import SecurityScopes
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from meldroute_common.auth import Scope, require_scopes, verified_claims
from meldroute_common.db import ping
from meldroute_common.problems import ServiceUnavailable
from meldroute_common.servicetokens import ServiceTokenSource

log = logging.getLogger("meldroute.health")

#: A readiness check: returns when the dependency answers, raises when it does not.
ReadinessCheck = Callable[[], Awaitable[None]]


def health_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/health/live")
    async def live(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "dienst": request.app.state.settings.service_name})

    @router.get("/health/ready")
    async def ready(request: Request) -> JSONResponse:
        try:
            await ping(request.app.state.engine)
        except Exception:
            raise ServiceUnavailable("De database antwoordt niet.") from None
        checks: dict[str, ReadinessCheck] = getattr(request.app.state, "readiness_checks", {})
        failing = []
        for name, check in checks.items():
            try:
                await check()
            except Exception as exc:
                log.warning("niet gereed: %s antwoordt niet (%s)", name, type(exc).__name__)
                failing.append(name)
        if failing:
            raise ServiceUnavailable(f"Antwoordt niet: {', '.join(failing)}.")
        sources: list[ServiceTokenSource] = getattr(request.app.state, "token_sources", [])
        missing = [source.audience for source in sources if await source.status() is not None]
        if missing:
            raise ServiceUnavailable(f"Geen service-token te krijgen voor: {', '.join(missing)}.")
        body: dict[str, object] = {
            "status": "ok",
            "dienst": request.app.state.settings.service_name,
            "database": "ok",
            **dict.fromkeys(checks, "ok"),
        }
        if sources:
            body["servicetokens"] = {source.audience: "ok" for source in sources}
        return JSONResponse(body)

    @router.get("/metrics")
    async def metrics(request: Request) -> Response:
        """Prometheus metrics; outside development only for a token with scope metrics:lezen (401/403)."""
        if not request.app.state.settings.metrics_zonder_token:
            claims = await verified_claims(request, request.headers.get("authorization"))
            await require_scopes(SecurityScopes([Scope.metrics_lezen.value]), claims)
        return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
