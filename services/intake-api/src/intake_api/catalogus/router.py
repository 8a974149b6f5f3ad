"""The code lists front-ends build their forms from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from meldroute_common.auth import SignalenAanmaken

router = APIRouter(tags=["catalogus"])


@router.get("/catalogus", operation_id="catalogusOphalen", summary="De codelijsten ophalen")
async def catalogus_ophalen(request: Request, claims: SignalenAanmaken) -> dict[str, Any]:
    """Geeft de geversioneerde codelijsten met Nederlandse labels: uitbuitingsvormen, indicatoren, sectoren,
    locatietypen, melderdomeinen en gemeenten. Formulieren bouwen hun keuzes hieruit op."""
    result: dict[str, Any] = request.app.state.catalogus_json
    return result
