"""The intake baseline: a bare Starlette endpoint that parses the same body and INSERTs one row.

It writes into intake's own `signalen` table (same columns, same indexes) through the same engine
factory and driver as the service, and does nothing else: no token check, no validation against the
catalogue, no pseudonymisation, no sealing, no history, outbox or idempotency record. Run it with
`python -m uvicorn bench.baseline_app:create_app --factory` and `MELDROUTE_BENCH_BASELINE_DATABASE_URL`.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

from intake_api.models import Signaal
from meldroute_common.db import make_engine
from sqlalchemy import Table
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DATABASE_URL_ENV = "MELDROUTE_BENCH_BASELINE_DATABASE_URL"
#: The name readiness answers with.
NAAM = "baseline-intake"


def create_app() -> Starlette:
    engine = make_engine(os.environ[DATABASE_URL_ENV])
    table = Signaal.__table__
    assert isinstance(table, Table)
    insert = table.insert()

    async def signaal(request: Request) -> Response:
        body = json.loads(await request.body())
        now = datetime.now(UTC)
        row = {
            "id": uuid.uuid4(),
            "gemeente_code": body["gemeenteCode"],
            "melder_domein": body["melderDomein"],
            "waargenomen_op": date.fromisoformat(body["waargenomenOp"]),
            "ontvangen_op": now,
            "uitbuitingsvormen": body["uitbuitingsvormen"],
            "indicatoren": body.get("indicatoren", []),
            "sector": body["sector"],
            "locatietype": body["locatietype"],
            "omschrijving": body.get("omschrijving", ""),
            "omschrijving_verzegeld": None,
            "toestemming": bool(body.get("toestemming", False)),
            "status": "ontvangen",
            "versie": 1,
            "status_gewijzigd_op": now,
            "aangemaakt_door": "baseline",
        }
        async with engine.begin() as connection:
            await connection.execute(insert, row)
        return JSONResponse({"id": str(row["id"])}, status_code=201)

    async def ready(request: Request) -> Response:
        return JSONResponse({"status": "ok", "dienst": NAAM})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    return Starlette(
        routes=[Route("/v1/signalen", signaal, methods=["POST"]), Route("/health/ready", ready)],
        lifespan=lifespan,
    )
