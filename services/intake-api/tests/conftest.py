"""Fixtures of the intake-api tests: a running app without background tasks, tokens and a sample signal."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness

from tests.builders import betrokkene, signaal

GEMEENTE = "GM1509"
ANDERE_GEMEENTE = "GM0222"

VOORBEELD: dict[str, Any] = signaal(
    gemeenteCode=GEMEENTE,
    indicatoren=["woont-op-werkplek", "onderbetaling"],
    betrokkenen=[betrokkene(bsn="111222333", naam="Piet Voorbeeld", geboortedatum="2001-05-04")],
)


@pytest.fixture
def signaal_body() -> Callable[..., dict[str, Any]]:
    """A valid signal body; keyword arguments replace top-level fields."""

    def maak(**velden: Any) -> dict[str, Any]:
        return {**copy.deepcopy(VOORBEELD), **velden}

    return maak


@pytest.fixture
def kop(issuer: DevIssuer) -> Callable[..., dict[str, str]]:
    """Authorization headers for a role: `kop("aandachtsfunctionaris", gemeente=..., sub=...)`."""

    def maak(rol: str = "aandachtsfunctionaris", **claims: Any) -> dict[str, str]:
        if rol in {"melder", "aandachtsfunctionaris"}:
            claims.setdefault("gemeente", GEMEENTE)
            claims.setdefault("sub", f"{rol}-1")
        return {"Authorization": f"Bearer {issuer.mint(rol=rol, **claims)}"}

    return maak


@pytest.fixture
async def client(intake_harness: ServiceHarness) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan, without the relays and the periodic tasks (tested on their own)."""
    async with intake_harness.client(
        outbox_relay_aan=False, meldingen_relay_aan=False, retentie_taak_aan=False, termijnen_taak_aan=False
    ) as c:
        yield c


@pytest.fixture
def aanmaken(
    client: httpx.AsyncClient, kop: Callable[..., dict[str, str]], signaal_body: Callable[..., dict[str, Any]]
) -> Callable[..., Any]:
    """Record a signal as the melder and return the 201 body."""

    async def maak(**velden: Any) -> dict[str, Any]:
        gemeente = velden.get("gemeenteCode", GEMEENTE)
        response = await client.post(
            "/v1/signalen", json=signaal_body(**velden), headers=kop("melder", gemeente=gemeente)
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return maak


@pytest.fixture
def db_rijen(intake_harness: ServiceHarness) -> Callable[..., Any]:
    """Every row of a table (model class or table name), read directly from the database."""
    import sqlalchemy as sa
    from intake_api.models import Base
    from sqlalchemy.ext.asyncio import create_async_engine

    async def lees(tabel: Any) -> list[dict[str, Any]]:
        table = Base.metadata.tables[tabel] if isinstance(tabel, str) else tabel.__table__
        engine = create_async_engine(intake_harness.database_url)
        try:
            async with engine.connect() as connection:
                return [dict(r) for r in (await connection.execute(sa.select(table))).mappings()]
        finally:
            await engine.dispose()

    return lees


@pytest.fixture
def beoordeel(client: httpx.AsyncClient, kop: Callable[..., dict[str, str]]) -> Callable[..., Any]:
    """POST a decision with If-Match on the given version; returns the response."""

    async def doe(signaal_id: str, if_match: int | None, status: str, **velden: Any) -> httpx.Response:
        headers = kop("aandachtsfunctionaris", **velden.pop("_claims", {}))
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        body = {"status": status, "toelichting": velden.pop("toelichting", "Beoordeeld."), **velden}
        return await client.post(f"/v1/signalen/{signaal_id}/beoordelingen", json=body, headers=headers)

    return doe


OPSCHALING = {"partners": ["riec-oost-nederland", "politie-oost-nederland"], "doel": "casusoverleg"}
