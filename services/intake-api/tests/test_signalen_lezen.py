"""Reading signals: the queue (filters, keyset paging), one signal, its history, and the access log."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from intake_api.models import Signaal
from meldroute_dev import testing
from meldroute_dev.testing import ServiceHarness
from sqlalchemy.ext.asyncio import create_async_engine

from .conftest import ANDERE_GEMEENTE, GEMEENTE

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]


async def test_queue_shows_only_the_own_municipality_with_filters(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    arbeid = await aanmaken()
    seksueel = await aanmaken(uitbuitingsvormen=["seksueel", "arbeid"], indicatoren=[], sector="horeca")
    elders = await aanmaken(gemeenteCode=ANDERE_GEMEENTE)
    await beoordeel(seksueel["id"], 1, "in_behandeling")

    async def ids(**params: Any) -> list[str]:
        response = await client.get("/v1/signalen", params=params, headers=kop())
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()["signalen"]]

    assert await ids() == [seksueel["id"], arbeid["id"]]  # newest first, GM0222's not shown
    assert elders["id"] not in await ids()
    assert await ids(status="in_behandeling") == [seksueel["id"]]
    assert await ids(uitbuitingsvorm="seksueel") == [seksueel["id"]]
    assert await ids(uitbuitingsvorm="arbeid") == [seksueel["id"], arbeid["id"]]
    assert await ids(ontvangenVanaf=seksueel["ontvangenOp"]) == [seksueel["id"]]
    assert await ids(ontvangenTot=seksueel["ontvangenOp"]) == [arbeid["id"]]
    other = await client.get("/v1/signalen", headers=kop(gemeente=ANDERE_GEMEENTE))
    assert [s["id"] for s in other.json()["signalen"]] == [elders["id"]]


async def test_page_size_and_cursor_are_checked(client: httpx.AsyncClient, kop: Kop) -> None:
    for params, naam in (
        ({"pageSize": 101}, "pageSize"),
        ({"pageSize": 0}, "pageSize"),
        ({"cursor": "rommel"}, "cursor"),
    ):
        response = await client.get("/v1/signalen", params=params, headers=kop())
        assert response.status_code == 400, params
        assert [p["name"] for p in response.json()["invalidParams"]] == [naam]
    assert (await client.get("/v1/signalen", params={"pageSize": 100}, headers=kop())).status_code == 200


async def _bulk_signalen(harness: ServiceHarness, aantal: int, gemeente: str) -> set[uuid.UUID]:
    """Insert signals in one statement; many share a receipt moment, so the id must break ties."""
    basis = datetime(2026, 10, 1, 12, tzinfo=UTC)
    rijen = [
        {
            "id": uuid.uuid4(), "gemeente_code": gemeente, "melder_domein": "toezicht",
            "waargenomen_op": date(2026, 9, 30), "ontvangen_op": basis + timedelta(seconds=i % 97),
            "uitbuitingsvormen": ["arbeid"], "indicatoren": [], "sector": "agrarisch", "locatietype": "boerenerf",
            "omschrijving": "", "omschrijving_verzegeld": None, "toestemming": False, "status": "ontvangen",
            "versie": 1, "status_gewijzigd_op": basis, "aangemaakt_door": "bulk",
        }
        for i in range(aantal)
    ]  # fmt: skip
    engine = create_async_engine(harness.database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.insert(Signaal.__table__), rijen)
    finally:
        await engine.dispose()
    return {r["id"] for r in rijen}  # type: ignore[misc]


async def test_paging_through_1000_signals_returns_each_once_in_order(
    client: httpx.AsyncClient, kop: Kop, intake_harness: ServiceHarness
) -> None:
    eigen = await _bulk_signalen(intake_harness, 1000, GEMEENTE)
    await _bulk_signalen(intake_harness, 50, ANDERE_GEMEENTE)
    gezien: list[dict[str, Any]] = []
    cursor = None
    paginas = 0
    while True:
        params: dict[str, Any] = {"pageSize": 87}
        if cursor:
            params["cursor"] = cursor
        response = await client.get("/v1/signalen", params=params, headers=kop())
        assert response.status_code == 200
        pagina = response.json()
        gezien += pagina["signalen"]
        paginas += 1
        cursor = pagina["volgende"]
        if cursor is None:
            break
        assert paginas < 20
    ids = [uuid.UUID(s["id"]) for s in gezien]
    assert len(ids) == len(set(ids)) == 1000 and set(ids) == eigen
    assert paginas == 12  # 11 full pages of 87 and one of 43
    volgorde = [(datetime.fromisoformat(s["ontvangenOp"]), uuid.UUID(s["id"])) for s in gezien]
    assert volgorde == sorted(volgorde, reverse=True)


async def test_the_queue_query_uses_its_index(intake_harness: ServiceHarness) -> None:
    """The keyset query is served by ix_signalen_gemeente_ontvangen (no sort, no full scan)."""
    engine = create_async_engine(intake_harness.database_url)
    query = (
        "SELECT id FROM signalen WHERE gemeente_code = 'GM1509' ORDER BY ontvangen_op DESC, id DESC LIMIT 21"
    )
    try:
        async with engine.connect() as connection:
            if testing.test_backend() == "postgresql":
                await connection.execute(sa.text("SET LOCAL enable_seqscan = off"))
                plan = "\n".join(r[0] for r in await connection.execute(sa.text("EXPLAIN " + query)))
                assert "ix_signalen_gemeente_ontvangen" in plan and "Sort" not in plan, plan
            else:
                plan = "\n".join(
                    str(r[-1]) for r in await connection.execute(sa.text("EXPLAIN QUERY PLAN " + query))
                )
                assert "ix_signalen_gemeente_ontvangen" in plan and "TEMP B-TREE" not in plan, plan
    finally:
        await engine.dispose()


async def test_one_signal_counts_other_signals_of_the_same_person(
    aanmaken: Doe, client: httpx.AsyncClient, kop: Kop, signaal_body: Callable[..., dict[str, Any]]
) -> None:
    eerste = await aanmaken()
    await aanmaken()  # the same BSN again, same municipality
    await aanmaken(gemeenteCode=ANDERE_GEMEENTE)  # and in another municipality of the region
    ander = signaal_body()["betrokkenen"]
    ander[0]["bsn"] = "123456782"
    anders = await aanmaken(betrokkenen=ander)
    response = await client.get(f"/v1/signalen/{eerste['id']}", headers=kop())
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json()["betrokkenen"][0]["gekoppeldeSignalen"] == 2
    alleen = await client.get(f"/v1/signalen/{anders['id']}", headers=kop())
    assert alleen.json()["betrokkenen"][0]["gekoppeldeSignalen"] == 0


async def test_other_municipalitys_signal_is_404_and_reads_are_logged(
    aanmaken: Doe, client: httpx.AsyncClient, kop: Kop, db_rijen: Doe
) -> None:
    signaal = await aanmaken()
    vreemd = kop(gemeente=ANDERE_GEMEENTE, sub="af-elders")
    assert (await client.get(f"/v1/signalen/{signaal['id']}", headers=vreemd)).status_code == 404
    assert (await client.get(f"/v1/signalen/{signaal['id']}/historie", headers=vreemd)).status_code == 404
    assert (await client.get(f"/v1/signalen/{uuid.uuid4()}", headers=kop())).status_code == 404
    assert await db_rijen("toegangslog") == []

    eigen = kop(sub="af-eigen")
    assert (await client.get(f"/v1/signalen/{signaal['id']}", headers=eigen)).status_code == 200
    historie = await client.get(f"/v1/signalen/{signaal['id']}/historie", headers=eigen)
    assert historie.status_code == 200
    assert historie.json()["historie"][0]["door"] == "melder-1"
    await client.get("/v1/signalen", headers=eigen)  # the queue is not a read of one signal
    log = sorted(await db_rijen("toegangslog"), key=lambda r: r["volgnummer"])
    assert [(r["door"], str(r["signaal_id"]), r["actie"], r["gemeente_code"]) for r in log] == [
        ("af-eigen", signaal["id"], "signaal_gelezen", GEMEENTE),
        ("af-eigen", signaal["id"], "historie_gelezen", GEMEENTE),
    ]
    assert all(r["tijdstip"] for r in log)


async def test_history_and_access_log_are_append_only(aanmaken: Doe, intake_harness: ServiceHarness) -> None:
    import pytest

    await aanmaken()
    engine = create_async_engine(intake_harness.database_url)
    try:
        with pytest.raises(sa.exc.DBAPIError):
            async with engine.begin() as connection:
                await connection.execute(sa.text("UPDATE signaal_historie SET door = 'iemand-anders'"))
    finally:
        await engine.dispose()
