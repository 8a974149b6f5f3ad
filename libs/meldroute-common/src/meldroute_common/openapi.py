"""Shape a FastAPI OpenAPI document to the NL API Design Rules.

Servers carry `/v1` (paths are relative to it), every operation documents its problem+json errors
(400 instead of FastAPI's 422), every response the `API-Version` header, and the contact is set.

A problem response is `ProblemDetails`, a 400 `ProblemValidation` (with `invalidParams`). A response whose
problems carry other extension members names its own subclass of `ProblemDetails` as `model` in the route's
`responses=`; that schema is kept (under `application/problem+json`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from meldroute_common.auth import SCOPE_ALTERNATIVES
from meldroute_common.problems import PROBLEM_JSON, ProblemDetails, ProblemValidation

API_PREFIX = "/v1"
CONTACT = {
    "name": "meldroute",
    "url": "https://github.com/meldroute/meldroute",
    "email": "beheer@meldroute.nl",
}
LICENSE = {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}

_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}
_VALIDATION_REF = {"$ref": "#/components/schemas/ProblemValidation"}
_API_VERSION_REF = {"$ref": "#/components/headers/API-Version"}
_ERRORS = {
    "400": "Ongeldige invoer; de velden staan in invalidParams.",
    "401": "Geen of een ongeldig token.",
    "403": "Het token mist de benodigde scope of rechten.",
    "404": "Niet gevonden (of niet van de aanroeper).",
    "413": "Het verzoek is groter dan toegestaan.",
    "429": "Te veel verzoeken van deze gebruiker (sub) of organisatie binnen het venster van de verzoeklimiet; "
    "probeer het na Retry-After seconden opnieuw.",
    "500": "Interne fout.",
}


def _problem_schema(code: str) -> dict[str, Any]:
    return dict(_VALIDATION_REF if code == "400" else _PROBLEM_REF)


def problem_response(description: str, *, code: str = "") -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"API-Version": _API_VERSION_REF},
        "content": {PROBLEM_JSON: {"schema": _problem_schema(code)}},
    }


def _alternatives(dependant: Dependant) -> tuple[str, ...] | None:
    """The alternative scopes of a `requires_any` dependency anywhere below `dependant`, if there is one."""
    gevonden = getattr(dependant.call, SCOPE_ALTERNATIVES, None)
    if gevonden is not None:
        return tuple(gevonden)
    for sub in dependant.dependencies:
        if (onder := _alternatives(sub)) is not None:
            return onder
    return None


def scope_alternatives(routers: Sequence[APIRouter]) -> dict[tuple[str, str], tuple[str, ...]]:
    """(path under /v1, method) → scopes of every operation of `routers` that admits any one of several scopes."""
    result: dict[tuple[str, str], tuple[str, ...]] = {}
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and (scopes := _alternatives(route.dependant)) is not None:
                for method in route.methods or ():
                    result[(API_PREFIX + route.path_format, method.lower())] = scopes
    return result


def build_openapi(
    app: FastAPI, *, summary: str, extra_errors: dict[str, str] | None = None
) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        contact=CONTACT,
        license_info=LICENSE,
    )
    schema["servers"] = [{"url": API_PREFIX, "description": "Deze dienst"}]
    alternatieven: dict[tuple[str, str], tuple[str, ...]] = getattr(app.state, "scope_alternatives", {})
    paths: dict[str, Any] = {}
    for path, item in schema.get("paths", {}).items():
        if not path.startswith(API_PREFIX + "/") or path == API_PREFIX + "/openapi.json":
            continue
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if (scopes := alternatieven.get((path, method))) is not None:
                # Any one of the scopes admits the caller: one requirement each (OpenAPI: alternatives).
                operation["security"] = [{"oauth2": [scope]} for scope in scopes]
            responses: dict[str, Any] = operation.setdefault("responses", {})
            if "HTTPValidationError" in json.dumps(responses.get("422", {})):
                responses.pop("422")  # FastAPI's validation response: ours is a 400
            for code, response in responses.items():
                response.setdefault("headers", {})["API-Version"] = _API_VERSION_REF
                if code[0] in "45":
                    # A schema the route declared (a problem with extension members) stays; else the base.
                    declared = [v["schema"] for v in response.get("content", {}).values() if "schema" in v]
                    response["content"] = {
                        PROBLEM_JSON: {"schema": declared[0] if declared else _problem_schema(code)}
                    }
            for code, text in {**_ERRORS, **(extra_errors or {})}.items():
                if code == "429" and not operation.get("x-rate-limited"):
                    continue
                if code == "413" and "requestBody" not in operation:
                    continue
                responses.setdefault(code, problem_response(text, code=code))
            if "429" in responses:
                responses["429"]["headers"]["Retry-After"] = {
                    "description": "Seconden tot een nieuw verzoek kans heeft.",
                    "schema": {"type": "integer"},
                }
        paths[path[len(API_PREFIX) :]] = item
    schema["paths"] = paths
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for model in (ProblemDetails, ProblemValidation):
        schemas[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schemas[model.__name__].pop("$defs", {}))
    components["headers"] = {
        "API-Version": {
            "description": "De volledige versie van de API (semver).",
            "schema": {"type": "string", "example": app.version},
        }
    }
    return schema


def install_openapi(app: FastAPI, *, summary: str) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app, summary=summary)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
