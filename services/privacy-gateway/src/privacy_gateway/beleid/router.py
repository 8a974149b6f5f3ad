"""The active covenant policy, published."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from meldroute_common.auth import CasussenLezen

router = APIRouter(tags=["beleid"])


@router.get("/beleid", operation_id="beleidOphalen", summary="Het actieve convenantbeleid")
async def beleid_ophalen(request: Request, claims: CasussenLezen) -> dict[str, Any]:
    """Publiceert het convenantbeleid dat de gateway afdwingt: partners, doelen met grondslag, categorieën en regels."""
    result: dict[str, Any] = request.app.state.beleid_json
    return result
