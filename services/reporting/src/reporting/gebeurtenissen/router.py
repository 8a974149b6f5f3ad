"""Ingest of anonymous events from intake-api's outbox relay.

A batch body is checked once, as a whole, by `batchcontrole` (one compiled validator, straight from the JSON
bytes, no model per event); only a body it does not accept goes to FastAPI's own parsing and the batch model,
which accepts or refuses it (naming each wrong field) exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.routing import APIRoute
from meldroute_common.auth import RapportageInvoeren
from meldroute_common.catalogus import Catalogus
from meldroute_common.db import Session
from meldroute_common.gebeurtenissen import (
    TERMIJN_VOORBEELD,
    TERUGKOPPELING_VOORBEELD,
    VOORBEELD,
    Batchcontrole,
    GebeurtenisBatch,
    GecontroleerdeGebeurtenis,
    als_gecontroleerd,
    batchcontrole,
    gebeurtenismodellen,
)
from pydantic import ValidatorFunctionWrapHandler, WrapValidator

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


@dataclass(frozen=True, slots=True)
class _Gecontroleerd:
    """A batch body `batchcontrole` accepted, in place of the parsed JSON."""

    gebeurtenissen: list[GecontroleerdeGebeurtenis]


def _batchroute(controle: Batchcontrole) -> type[APIRoute]:
    """A route whose request hands FastAPI, when it asks for the JSON body, the checked batch if `controle`
    accepts the bytes, and otherwise the JSON as always (or its error): FastAPI still decides when a body is
    JSON (its content type), and its errors and their order (before or after the token) stay as they are."""

    class BatchRequest(Request):
        async def json(self) -> Any:
            gebeurtenissen = controle(await self.body())
            return await super().json() if gebeurtenissen is None else _Gecontroleerd(gebeurtenissen)

    class BatchRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def met_batchcontrole(request: Request) -> Response:
                return await handler(BatchRequest(request.scope, request.receive))

            return met_batchcontrole

    return BatchRoute


def _al_gecontroleerd(waarde: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """The checked batch as it is; anything else through the batch model."""
    return waarde if isinstance(waarde, _Gecontroleerd) else handler(waarde)


def gebeurtenissen_router(*, catalogus: Catalogus) -> APIRouter:
    """The ingest route, checking codes against this installation's catalogue."""
    router = APIRouter(tags=["gebeurtenissen"], route_class=_batchroute(batchcontrole(catalogus)))
    _, batch_model = gebeurtenismodellen(catalogus)

    async def gebeurtenissen_invoeren(
        batch: GebeurtenisBatch | _Gecontroleerd, claims: RapportageInvoeren, session: Session
    ) -> Ontvangst:
        """Sla een batch van 1 tot 1000 anonieme gebeurtenissen op (alleen intake-api).

        Elke gebeurtenis wordt streng gecontroleerd: onbekende velden, vrije tekst, codes die niet in de
        catalogus staan en waarden die op een pseudoniem of sleutel lijken geven 400, en dan wordt niets
        van de batch opgeslagen. De invoer is idempotent op `id`: een gebeurtenis die al bekend is (of twee
        keer in de batch staat) verandert niets en telt als `dubbel`.
        """
        gebeurtenissen = (
            batch.gebeurtenissen
            if isinstance(batch, _Gecontroleerd)
            else [als_gecontroleerd(g) for g in batch.gebeurtenissen]
        )
        opgeslagen = await store_gebeurtenissen(session=session, gebeurtenissen=gebeurtenissen)
        return Ontvangst(nieuw=opgeslagen.nieuw, dubbel=opgeslagen.dubbel)

    # The body model is built per catalogue, so its annotation is set here rather than in the signature.
    gebeurtenissen_invoeren.__annotations__["batch"] = Annotated[
        batch_model, WrapValidator(_al_gecontroleerd), Body(openapi_examples={"batch": {"value": _VOORBEELD}})
    ]
    router.post(
        "/gebeurtenissen",
        operation_id="gebeurtenissenInvoeren",
        summary="Anonieme gebeurtenissen aanleveren",
    )(gebeurtenissen_invoeren)

    return router
