"""Ingest of anonymous events from intake-api's outbox relay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from meldroute_common.auth import RapportageInvoeren
from meldroute_common.catalogus import Catalogus
from meldroute_common.db import Session
from meldroute_common.gebeurtenissen import (
    TERMIJN_VOORBEELD,
    TERUGKOPPELING_VOORBEELD,
    VOORBEELD,
    GebeurtenisBatch,
    gebeurtenismodellen,
)

from reporting.gebeurtenissen.schemas import Ontvangst
from reporting.gebeurtenissen.service import store_gebeurtenissen

_VOORBEELD = {
    "gebeurtenissen": [
        VOORBEELD,
        {
            **VOORBEELD,
            "id": "5d0c8a52-93f0-4c61-8f55-0e6b1a3f7d21",
            "type": "beoordeling_vastgelegd",
            "uitkomst": "opgeschaald",
            "doorlooptijdDagen": 6,
        },
        TERUGKOPPELING_VOORBEELD,
        TERMIJN_VOORBEELD,
    ]
}


def gebeurtenissen_router(*, catalogus: Catalogus) -> APIRouter:
    """The ingest route, checking codes against this installation's catalogue."""
    router = APIRouter(tags=["gebeurtenissen"])
    _, batch_model = gebeurtenismodellen(catalogus)

    async def gebeurtenissen_invoeren(
        batch: GebeurtenisBatch, claims: RapportageInvoeren, session: Session
    ) -> Ontvangst:
        """Sla een batch van 1 tot 1000 anonieme gebeurtenissen op (alleen intake-api).

        Elke gebeurtenis wordt streng gecontroleerd: onbekende velden, vrije tekst, codes die niet in de
        catalogus staan en waarden die op een pseudoniem of sleutel lijken geven 400, en dan wordt niets
        van de batch opgeslagen. De invoer is idempotent op `id`: een gebeurtenis die al bekend is (of twee
        keer in de batch staat) verandert niets en telt als `dubbel`.
        """
        opgeslagen = await store_gebeurtenissen(session=session, gebeurtenissen=batch.gebeurtenissen)
        return Ontvangst(nieuw=opgeslagen.nieuw, dubbel=opgeslagen.dubbel)

    # The body model is built per catalogue, so its annotation is set here rather than in the signature.
    gebeurtenissen_invoeren.__annotations__["batch"] = Annotated[
        batch_model, Body(openapi_examples={"batch": {"value": _VOORBEELD}})
    ]
    router.post(
        "/gebeurtenissen",
        operation_id="gebeurtenissenInvoeren",
        summary="Anonieme gebeurtenissen aanleveren",
    )(gebeurtenissen_invoeren)

    return router
