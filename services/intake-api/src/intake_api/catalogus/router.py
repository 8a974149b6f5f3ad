"""The code lists front-ends build their forms from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from meldroute_common.auth import SignalenAanmaken
from meldroute_common.catalogus import Catalogus

router = APIRouter(tags=["catalogus"])


# The body is the catalogue's own serialisation, prepared at start-up; the model only describes it.
@router.get(
    "/catalogus",
    operation_id="catalogusOphalen",
    summary="De codelijsten ophalen",
    response_model=None,
    responses={200: {"model": Catalogus, "description": "De codelijsten."}},
)
async def catalogus_ophalen(request: Request, claims: SignalenAanmaken) -> dict[str, Any]:
    """Geeft de geversioneerde codelijsten met Nederlandse labels: uitbuitingsvormen, indicatoren, sectoren,
    locatietypen, melderdomeinen en gemeenten. Formulieren bouwen hun keuzes hieruit op."""
    result: dict[str, Any] = request.app.state.catalogus_json
    return result
