"""Unknown query parameters are refused: 400 naming them, on every operation of every service.

A parameter an operation does not declare used to be ignored silently, so `?zoek=x` returned the full list
as if it had been filtered. ``reject_unknown_query`` is a dependency ``build_app`` puts before every
operation under ``/v1``: it compares the keys of the query string with the query parameters the matched
route declares (its own and those of its dependencies, by their published alias) and refuses the others
with one `invalidParams` entry each. An operation added later is covered without doing anything.

It runs before authentication: a 400 names only parameters, which the published OpenAPI document lists
anyway, so it tells an anonymous caller nothing.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from meldroute_common.problems import BadRequest, InvalidParam

__all__ = ["declared_query_parameters", "reject_unknown_query"]

#: Declared query parameters per route (a route's dependencies never change after start-up).
_DECLARED: dict[int, tuple[APIRoute, frozenset[str]]] = {}


def declared_query_parameters(route: APIRoute) -> frozenset[str]:
    """The names (aliases) of the query parameters a route takes, its dependencies' included."""
    cached = _DECLARED.get(id(route))
    if cached is not None and cached[0] is route:
        return cached[1]
    names = frozenset(_query_names(route.dependant))
    _DECLARED[id(route)] = (route, names)
    return names


def _query_names(dependant: Dependant) -> set[str]:
    names: set[str] = set()
    for field in dependant.query_params:
        soort = field.field_info.annotation
        if isinstance(soort, type) and issubclass(soort, BaseModel):
            # A model of query parameters (`Annotated[Filter, Query()]`) declares its fields.
            names.update(f.alias or naam for naam, f in soort.model_fields.items())
        else:
            names.add(field.alias)
    for sub in dependant.dependencies:
        names.update(_query_names(sub))
    return names


async def reject_unknown_query(request: Request) -> None:
    """400 naming every query parameter the matched operation does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = declared_query_parameters(route)
    unknown = sorted({key for key in request.query_params if key not in declared})
    if not unknown:
        return
    allowed = ", ".join(sorted(declared)) or "geen"
    raise BadRequest(
        "Onbekende queryparameter: "
        + ", ".join(f"`{name}`" for name in unknown)
        + ". Deze operatie kent geen andere parameters dan de beschreven.",
        invalid_params=[
            InvalidParam(name=name, reason=f"Onbekende parameter; deze operatie kent: {allowed}.")
            for name in unknown
        ],
    )
