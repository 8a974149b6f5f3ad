"""The active covenant policy, published."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from meldroute_common.auth import CasussenLezen
from meldroute_common.beleid.models import Beleid
from meldroute_common.ratelimit import RATE_LIMITED, rate_limited

router = APIRouter(tags=["beleid"], dependencies=[rate_limited("casussen")])


@router.get(
    "/beleid",
    operation_id="beleidOphalen",
    summary="Het actieve convenantbeleid",
    openapi_extra=RATE_LIMITED,
    # The body is the policy's own serialisation, prepared at start-up; the model only describes it.
    response_model=None,
    responses={200: {"model": Beleid, "description": "Het actieve convenantbeleid."}},
)
async def beleid_ophalen(request: Request, claims: CasussenLezen) -> dict[str, Any]:
    """Publiceert het convenantbeleid dat de gateway afdwingt: partners, doelen met grondslag, categorieën en regels."""
    result: dict[str, Any] = request.app.state.beleid_json
    return result
