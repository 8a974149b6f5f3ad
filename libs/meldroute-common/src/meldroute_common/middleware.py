"""ASGI middleware every service runs: request id, API-Version, security headers, body limit, metrics, access log.

Written as plain ASGI (not BaseHTTPMiddleware) so it adds no task or copy per request.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from meldroute_common.logs import request_id_var
from meldroute_common.problems import InternalError, PayloadTooLarge, Problem, problem_response

access_log = logging.getLogger("meldroute.toegang")
log = logging.getLogger("meldroute.fouten")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

#: The API Design Rules' transport security headers. The dashboard sets its own CSP.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"cache-control", b"no-store"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
DEFAULT_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


class Metrics:
    """Prometheus metrics of one app (a registry per app, so tests can build many apps)."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "meldroute_http_requests_total", "HTTP requests", ["service", "method", "route", "status"],
            registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "meldroute_http_request_duration_seconds", "HTTP request duration", ["service", "method", "route"],
            registry=self.registry,
        )  # fmt: skip
        self.service = service


class RequestMiddleware:
    def __init__(self, app: ASGIApp, *, api_version: str, max_body_bytes: int, metrics: Metrics) -> None:
        self.app, self.api_version = app, api_version.encode()
        self.max_body_bytes, self.metrics = max_body_bytes, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _VALID_REQUEST_ID.match(incoming) else str(uuid.uuid4())
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        responded = False  # set once this middleware answered by itself; later app messages are dropped

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if responded:
                return
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.append((b"api-version", self.api_version))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in names)
                if b"content-security-policy" not in names:
                    headers.append(DEFAULT_CSP)
                message = {**message, "headers": headers}
            await send(message)

        async def answer(problem: Problem) -> None:
            nonlocal responded
            await problem_response(problem, request_id=request_id)(scope, receive, send_wrapper)
            responded = True

        received = 0

        async def limited_receive() -> Message:
            # Count streamed bytes too: a chunked body has no Content-Length to check up front.
            nonlocal received
            if responded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    await answer(PayloadTooLarge(f"Het verzoek is groter dan {self.max_body_bytes} bytes."))
                    return {"type": "http.disconnect"}
            return message

        try:
            length = _header(scope, b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
                await answer(PayloadTooLarge(f"Het verzoek is groter dan {self.max_body_bytes} bytes."))
                return
            await self.app(scope, limited_receive, send_wrapper)
        except Exception:
            # Last line of defence: log once, answer a bare 500 problem, never a stack trace.
            log.exception("onverwachte fout")
            if status == 500 and not responded:
                await answer(InternalError("Er ging iets mis; de fout is gelogd."))
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "onbekend")
            self.metrics.requests.labels(self.metrics.service, scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(self.metrics.service, scope["method"], route).observe(elapsed)
            access_log.info(
                "verzoek",
                extra={
                    "methode": scope["method"],
                    "route": route,
                    "status": status,
                    "duur_ms": round(elapsed * 1000, 2),
                },
            )
            request_id_var.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None
