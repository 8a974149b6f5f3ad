"""One error shape for every service: RFC 9457 problem details (`application/problem+json`).

Raise a `Problem` subclass anywhere; the handlers installed by `install_problem_handlers` turn it, and
every framework error, into problem+json. Nothing else reaches a client: no stack trace, no SQL.

    Problem
    ├── BadRequest            400  invalid input, with `invalidParams`
    ├── Unauthorized          401  no or bad token (carries WWW-Authenticate)
    ├── Forbidden             403  authenticated, not allowed
    ├── NotFound              404  also: exists but not yours
    ├── MethodNotAllowed      405
    ├── Conflict              409  state does not allow this
    ├── PreconditionFailed    412  If-Match did not match
    ├── PayloadTooLarge       413
    ├── UnsupportedMediaType  415
    ├── UnprocessableContent  422  well-formed but unusable (idempotency key reused)
    ├── TooManyRequests       429  (carries Retry-After)
    ├── InternalError         500
    ├── BadGateway            502  an upstream service answered badly
    ├── ServiceUnavailable    503
    └── GatewayTimeout        504
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.routing import compile_path

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("meldroute.problems")


class InvalidParam(BaseModel):
    """One invalid input field."""

    model_config = ConfigDict(frozen=True)
    name: str = Field(description="The field or parameter, e.g. `betrokkenen[0].bsn` or `pageSize`.")
    reason: str = Field(description="Why it is invalid.")


def omitted_when_absent(schema: dict[str, Any]) -> None:
    """`json_schema_extra` of an optional member that is left out, never null: no `default: null` published."""
    schema.pop("default", None)


class ProblemDetails(BaseModel):
    """RFC 9457 problem details: the members every problem carries. Operations whose problems carry extension
    members document them in a subclass (`ProblemValidation`, or a service's own, e.g. a status conflict)."""

    type: str = Field(
        description="URI reference that identifies the problem type.",
        examples=["urn:meldroute:probleem:niet-gevonden"],
    )
    title: str = Field(
        description="Short, human-readable summary of the problem type.", examples=["Niet gevonden"]
    )
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str = Field(
        description="Explanation specific to this occurrence.", examples=["Signaal niet gevonden."]
    )
    # Omitted rather than null when absent: the handlers never write a null.
    instance: str | SkipJsonSchema[None] = Field(
        default=None,
        description="URI reference of this occurrence: the request id.",
        json_schema_extra=omitted_when_absent,
    )


class ProblemValidation(ProblemDetails):
    """A 400: the invalid fields, when the problem is about fields (not, for example, about a cursor)."""

    invalidParams: list[InvalidParam] | SkipJsonSchema[None] = Field(
        default=None, description="The invalid fields (400 only).", json_schema_extra=omitted_when_absent
    )


class Problem(Exception):
    status: ClassVar[int] = 500
    slug: ClassVar[str] = "interne-fout"
    title: ClassVar[str] = "Interne fout"

    def __init__(
        self,
        detail: str | None = None,
        *,
        invalid_params: Sequence[InvalidParam] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.invalid_params = list(invalid_params) if invalid_params else None
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


class BadRequest(Problem):
    status, slug, title = 400, "ongeldige-invoer", "Ongeldige invoer"


class Unauthorized(Problem):
    status, slug, title = 401, "niet-geauthenticeerd", "Niet geauthenticeerd"

    def __init__(self, detail: str | None = None, *, error: str = "invalid_token") -> None:
        challenge = f'Bearer realm="meldroute", error="{error}"'
        if detail:
            challenge += f', error_description="{detail}"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class Forbidden(Problem):
    status, slug, title = 403, "geen-toegang", "Geen toegang"


class NotFound(Problem):
    status, slug, title = 404, "niet-gevonden", "Niet gevonden"


class MethodNotAllowed(Problem):
    status, slug, title = 405, "methode-niet-toegestaan", "Methode niet toegestaan"


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(Problem):
    status, slug, title = 412, "voorwaarde-niet-vervuld", "Voorwaarde niet vervuld"


class PayloadTooLarge(Problem):
    status, slug, title = 413, "verzoek-te-groot", "Verzoek te groot"


class UnsupportedMediaType(Problem):
    status, slug, title = 415, "mediatype-niet-ondersteund", "Mediatype niet ondersteund"


class UnprocessableContent(Problem):
    status, slug, title = 422, "niet-verwerkbaar", "Niet verwerkbaar"


class TooManyRequests(Problem):
    status, slug, title = 429, "te-veel-verzoeken", "Te veel verzoeken"


class InternalError(Problem):
    status, slug, title = 500, "interne-fout", "Interne fout"


class BadGateway(Problem):
    status, slug, title = 502, "fout-van-achterliggende-dienst", "Fout van achterliggende dienst"


class ServiceUnavailable(Problem):
    status, slug, title = 503, "dienst-niet-beschikbaar", "Dienst niet beschikbaar"


class GatewayTimeout(Problem):
    status, slug, title = 504, "achterliggende-dienst-te-traag", "Achterliggende dienst te traag"


_BY_STATUS: dict[int, type[Problem]] = {
    cls.status: cls
    for cls in (
        BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed, Conflict, PreconditionFailed,
        PayloadTooLarge, UnsupportedMediaType, UnprocessableContent, TooManyRequests, InternalError,
        BadGateway, ServiceUnavailable, GatewayTimeout,
    )
}  # fmt: skip


def problem_response(problem: Problem, *, request_id: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:meldroute:probleem:{problem.slug}",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if request_id:
        body["instance"] = (
            f"urn:uuid:{request_id}" if _is_uuid(request_id) else f"urn:meldroute:verzoek:{request_id}"
        )
    if problem.invalid_params:
        body["invalidParams"] = [p.model_dump() for p in problem.invalid_params]
    body.update(problem.extra)
    return JSONResponse(body, status_code=problem.status, headers=problem.headers, media_type=PROBLEM_JSON)


def _is_uuid(value: str) -> bool:
    return len(value) == 36 and value.count("-") == 4


def _field_name(loc: Sequence[int | str]) -> str:
    """`("body", "betrokkenen", 0, "bsn")` → `betrokkenen[0].bsn`; query and header names stay as they are."""
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header", "cookie") else list(loc)
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or (str(loc[0]) if loc else "body")


def _validation_reason(error: Mapping[str, Any]) -> str:
    # Never echo the rejected input: it may be a BSN or a name.
    if error.get("type") == "json_invalid":
        return "Geen geldige JSON."
    return str(error.get("msg", "Ongeldige waarde."))


def validation_problem(exc: RequestValidationError) -> BadRequest:
    params = [
        InvalidParam(name=_field_name(e.get("loc", ())), reason=_validation_reason(e)) for e in exc.errors()
    ]
    return BadRequest("De invoer is ongeldig; zie invalidParams.", invalid_params=params)


def _request_id(request: Request) -> str | None:
    rid = getattr(request.state, "request_id", None)
    return rid if isinstance(rid, str) else None


def _routes(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(full path, route) for every route, also inside included routers."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from _routes(original.routes, prefix + route.include_context.prefix)
        elif hasattr(route, "path"):
            yield prefix + route.path, route


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves on this path (a path's GET and POST are separate routes)."""
    methods: set[str] = set()
    for path, route in _routes(request.app.router.routes):
        if compile_path(path)[0].match(request.url.path):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        if exc.status >= 500:
            log.warning("problem %s: %s", exc.status, exc.detail)
        return problem_response(exc, request_id=_request_id(request))

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(validation_problem(exc), request_id=_request_id(request))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        cls = _BY_STATUS.get(exc.status_code)
        if cls is None:
            cls = InternalError if exc.status_code >= 500 else BadRequest
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code < 500 else None
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        problem = cls.__new__(cls)
        Problem.__init__(problem, detail or HTTPStatus(exc.status_code).phrase, headers=headers)
        return problem_response(problem, request_id=_request_id(request))

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return problem_response(
            InternalError("Er ging iets mis; de fout is gelogd."), request_id=_request_id(request)
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
