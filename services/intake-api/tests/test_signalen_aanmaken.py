"""POST /v1/signalen: validation against the catalogue, own municipality, pseudonymisation, idempotency."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa
from intake_api.models import Betrokkene, Idempotentiesleutel, Signaal
from meldroute_common.sealing import SealContext, load_keyring, open_sealed
from meldroute_dev import testing
from meldroute_dev.testing import ServiceHarness
from sqlalchemy.ext.asyncio import create_async_engine

Kop = Callable[..., dict[str, str]]
Body = Callable[..., dict[str, Any]]


async def _rijen(harness: ServiceHarness, model: Any) -> list[Any]:
    engine = create_async_engine(harness.database_url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(sa.select(model.__table__))).mappings())
    finally:
        await engine.dispose()


async def test_created_signal_is_pseudonymised_and_sealed(
    client: httpx.AsyncClient, kop: Kop, signaal_body: Body, intake_harness: ServiceHarness
) -> None:
    body = signaal_body(omschrijving="Piet Voorbeeld belt vanaf 06-12345678, mail piet@voorbeeld.nl.")
    response = await client.post("/v1/signalen", json=body, headers=kop("melder"))
    assert response.status_code == 201, response.text
    signaal = response.json()
    assert response.headers["location"] == f"/v1/signalen/{signaal['id']}"
    assert response.headers["etag"] == '"1"'
    assert signaal["status"] == "ontvangen" and signaal["versie"] == 1
    assert signaal["omschrijving"] == "[NAAM] belt vanaf [TELEFOON], mail [E-MAIL]."
    (betrokkene,) = signaal["betrokkenen"]
    # Observed 2026-10-01, born 2001-05-04: 25 years old; PL is in the EU.
    assert betrokkene["leeftijdsklasse"] == "23-29"
    assert betrokkene["nationaliteitsgroep"] == "eu-eer"
    assert betrokkene["geslacht"] == "man"
    assert betrokkene["identiteitVerzegeld"] is True and betrokkene["gekoppeldeSignalen"] == 0
    for veld in ("bsn", "naam", "geboortedatum", "linkPseudoniem"):
        assert veld not in betrokkene

    # The gateway (and only it) opens what was sealed, for this signal and betrokkene only.
    keyring = load_keyring([intake_harness.local_dir / "keys" / "gateway-hpke-private.pem"])
    (rij,) = await _rijen(intake_harness, Betrokkene)
    signaal_id, betrokkene_id = uuid.UUID(signaal["id"]), uuid.UUID(betrokkene["id"])
    identiteit = open_sealed(
        blob=rij["identiteit_verzegeld"],
        sleutels=keyring,
        context=SealContext(signaal_id=signaal_id, betrokkene_id=betrokkene_id, veld="identiteit"),
    )
    assert b'"bsn":"111222333"' in identiteit and b'"naam":"Piet Voorbeeld"' in identiteit
    assert len(rij["link_pseudoniem"]) == 64
    (signaal_rij,) = await _rijen(intake_harness, Signaal)
    origineel = open_sealed(
        blob=signaal_rij["omschrijving_verzegeld"],
        sleutels=keyring,
        context=SealContext(signaal_id=signaal_id, betrokkene_id=None, veld="omschrijving"),
    )
    assert origineel.decode() == body["omschrijving"]


async def test_unknown_codes_are_400_naming_the_field(
    client: httpx.AsyncClient, kop: Kop, signaal_body: Body
) -> None:
    body = signaal_body(
        indicatoren=["woont-op-werkplek", "bestaat-niet"],
        sector="ruimtevaart",
        uitbuitingsvormen=["arbeid", "arbeid"],
    )
    body["betrokkenen"][0]["bsn"] = "111222334"
    body["betrokkenen"][0]["geslacht"] = "onzin"
    response = await client.post("/v1/signalen", json=body, headers=kop("melder"))
    assert response.status_code == 400
    namen = {p["name"] for p in response.json()["invalidParams"]}
    assert namen == {
        "indicatoren[1]", "sector", "uitbuitingsvormen[1]", "betrokkenen[0].bsn", "betrokkenen[0].geslacht",
    }  # fmt: skip
    assert "111222334" not in response.text


async def test_unknown_fields_and_future_dates_are_400(
    client: httpx.AsyncClient, kop: Kop, signaal_body: Body
) -> None:
    response = await client.post("/v1/signalen", json=signaal_body(geheim="x"), headers=kop("melder"))
    assert response.status_code == 400
    response = await client.post(
        "/v1/signalen", json=signaal_body(waargenomenOp="2999-01-01"), headers=kop("melder")
    )
    assert response.status_code == 400
    assert [p["name"] for p in response.json()["invalidParams"]] == ["waargenomenOp"]


async def test_other_municipality_is_403(client: httpx.AsyncClient, kop: Kop, signaal_body: Body) -> None:
    response = await client.post(
        "/v1/signalen", json=signaal_body(gemeenteCode="GM0222"), headers=kop("melder", gemeente="GM1509")
    )
    assert response.status_code == 403
    response = await client.post(
        "/v1/signalen", json=signaal_body(gemeenteCode="GM0222"), headers=kop("melder", gemeente="GM0222")
    )
    assert response.status_code == 201


async def test_age_band_is_taken_at_the_observation_date(
    client: httpx.AsyncClient, kop: Kop, signaal_body: Body
) -> None:
    body = signaal_body(waargenomenOp="2019-05-03")
    response = await client.post("/v1/signalen", json=body, headers=kop("melder"))
    assert response.json()["betrokkenen"][0]["leeftijdsklasse"] == "<18"  # one day before the 18th birthday


async def test_idempotent_replay_and_mismatch(
    client: httpx.AsyncClient, kop: Kop, signaal_body: Body, intake_harness: ServiceHarness
) -> None:
    headers = {**kop("melder", sub="melder-a"), "Idempotency-Key": "sleutel-1"}
    eerste = await client.post("/v1/signalen", json=signaal_body(), headers=headers)
    tweede = await client.post("/v1/signalen", json=signaal_body(), headers=headers)
    assert eerste.status_code == tweede.status_code == 201
    assert eerste.json() == tweede.json() and eerste.headers["location"] == tweede.headers["location"]
    assert len(await _rijen(intake_harness, Signaal)) == 1

    anders = await client.post("/v1/signalen", json=signaal_body(sector="bouw"), headers=headers)
    assert anders.status_code == 422
    assert anders.headers["content-type"].startswith("application/problem+json")

    # Keys belong to a client: another client may use the same key for its own signal.
    andere_client = {**kop("melder", sub="melder-b"), "Idempotency-Key": "sleutel-1"}
    derde = await client.post("/v1/signalen", json=signaal_body(), headers=andere_client)
    assert derde.status_code == 201 and derde.json()["id"] != eerste.json()["id"]


async def test_on_postgresql_a_signal_and_its_rows_are_one_statement(
    client: httpx.AsyncClient, kop: Kop, signaal_body: Body, intake_harness: ServiceHarness
) -> None:
    """The linked-signals lookup, then one statement for the key and every row; a replay (whose lookup now
    follows the first signal's betrokkene too) writes nothing and adds only the read of the stored answer.
    (SQLite writes one INSERT per table; its rows are checked by the other tests.)"""
    statements: list[str] = []

    def tel(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    headers = {**kop("melder"), "Idempotency-Key": "een-statement"}
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", tel)
    try:
        eerste = await client.post("/v1/signalen", json=signaal_body(), headers=headers)
        na_eerste = len(statements)
        tweede = await client.post("/v1/signalen", json=signaal_body(), headers=headers)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", tel)
    assert eerste.status_code == tweede.status_code == 201 and eerste.json() == tweede.json()
    if testing.test_backend() == "postgresql":
        lookup, schrijven = statements[:na_eerste]
        assert "FROM betrokkene_pseudoniemen" in lookup and schrijven.startswith("WITH claim AS")
        *lookups, schrijven, opgeslagen = statements[na_eerste:]
        assert lookups and all("FROM betrokkene_pseudoniemen" in s for s in lookups), lookups
        assert schrijven.startswith("WITH claim AS") and opgeslagen.startswith("SELECT idempotentiesleutels")
    else:
        assert na_eerste > 2, statements
    assert len(await _rijen(intake_harness, Signaal)) == 1
    assert len(await _rijen(intake_harness, Betrokkene)) == len(signaal_body()["betrokkenen"])


async def test_a_replay_for_another_municipality_is_refused_like_a_new_request(
    client: httpx.AsyncClient, kop: Kop, signaal_body: Body, intake_harness: ServiceHarness
) -> None:
    """Same user, same key, same body, a token for another municipality: 403, never the first answer."""
    eerste = await client.post(
        "/v1/signalen", json=signaal_body(), headers={**kop("melder", sub="melder-a"), "Idempotency-Key": "k"}
    )
    assert eerste.status_code == 201
    ander = {**kop("melder", sub="melder-a", gemeente="GM1876"), "Idempotency-Key": "k"}
    herhaling = await client.post("/v1/signalen", json=signaal_body(), headers=ander)
    assert herhaling.status_code == 403, herhaling.text
    assert herhaling.headers["content-type"].startswith("application/problem+json")
    assert eerste.json()["id"] not in herhaling.text
    # The same user and key with a body for that municipality is a new signal of its own, not the replay.
    eigen = await client.post("/v1/signalen", json=signaal_body(gemeenteCode="GM1876"), headers=ander)
    assert eigen.status_code == 201 and eigen.json()["id"] != eerste.json()["id"]
    assert len(await _rijen(intake_harness, Signaal)) == 2
    # The first municipality still gets its own answer back.
    terug = await client.post(
        "/v1/signalen", json=signaal_body(), headers={**kop("melder", sub="melder-a"), "Idempotency-Key": "k"}
    )
    assert terug.status_code == 201 and terug.json()["id"] == eerste.json()["id"]


async def test_key_of_a_request_still_in_flight_is_409(
    client: httpx.AsyncClient, kop: Kop, signaal_body: Body, intake_harness: ServiceHarness
) -> None:
    from intake_api.idempotentie.service import bereik, verzoek_hash
    from intake_api.signalen.schemas import SignaalInvoer
    from meldroute_common.auth import Claims
    from meldroute_common.schemas import Invoer  # noqa: F401  (the body is hashed as the model serialises it)

    link_sleutel = bytes.fromhex((intake_harness.local_dir / "keys" / "intake-link.key").read_text().strip())
    body = signaal_body()
    hash_ = verzoek_hash(
        sleutel=link_sleutel, body=SignaalInvoer.model_validate(body).model_dump_json(by_alias=True).encode()
    )
    melder_a = Claims(
        sub="melder-a", scopes=frozenset(), gemeente="GM1509", organisatie=None, client_id=None, exp=0
    )
    engine = create_async_engine(intake_harness.database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(Idempotentiesleutel.__table__).values(
                    id=uuid.uuid4(), client=bereik(sleutel=link_sleutel, claims=melder_a),
                    sleutel="loopt-nog", verzoek_hash=hash_, status="bezig",
                    aangemaakt_op=datetime.now(UTC),
                )
            )  # fmt: skip
    finally:
        await engine.dispose()
    headers = {**kop("melder", sub="melder-a"), "Idempotency-Key": "loopt-nog"}
    response = await client.post("/v1/signalen", json=body, headers=headers)
    assert response.status_code == 409
    assert len(await _rijen(intake_harness, Signaal)) == 0


async def test_concurrent_duplicates_record_one_signal(
    client: httpx.AsyncClient, kop: Kop, signaal_body: Body, intake_harness: ServiceHarness
) -> None:
    headers = {**kop("melder", sub="melder-a"), "Idempotency-Key": "tegelijk"}
    antwoorden = await asyncio.gather(
        *(client.post("/v1/signalen", json=signaal_body(), headers=headers) for _ in range(5))
    )
    statussen = [a.status_code for a in antwoorden]
    assert set(statussen) <= {201, 409} and 201 in statussen
    assert len({a.json()["id"] for a in antwoorden if a.status_code == 201}) == 1
    assert len(await _rijen(intake_harness, Signaal)) == 1


async def test_a_write_that_fails_at_its_last_row_leaves_nothing_and_the_key_free(
    client: httpx.AsyncClient, kop: Kop, signaal_body: Body, intake_harness: ServiceHarness
) -> None:
    """On PostgreSQL the signal is written by one statement without a transaction around it: the database makes
    the outbox INSERT (the last of its rows) fail, and nothing of the signal, nor its idempotency key, remains;
    the same request again records it once. (SQLite: the same through its transaction.)"""
    postgresql = testing.test_backend() == "postgresql"
    aan = (
        [
            "CREATE FUNCTION weiger_outbox() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'outbox weigert'; END $$"
            " LANGUAGE plpgsql",
            "CREATE TRIGGER weiger_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION weiger_outbox()",
        ]
        if postgresql
        else [
            "CREATE TRIGGER weiger_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox weigert'); END"
        ]
    )
    uit = ["DROP TRIGGER weiger_outbox ON outbox", "DROP FUNCTION weiger_outbox()"] if postgresql else [
        "DROP TRIGGER weiger_outbox"
    ]  # fmt: skip

    async def voer_uit(statements: list[str]) -> None:
        engine = create_async_engine(intake_harness.database_url)
        try:
            async with engine.begin() as connection:
                for statement in statements:
                    await connection.execute(sa.text(statement))
        finally:
            await engine.dispose()

    headers = {**kop("melder", sub="melder-a"), "Idempotency-Key": "mislukt-eerst"}
    await voer_uit(aan)
    try:
        mislukt = await client.post("/v1/signalen", json=signaal_body(), headers=headers)
    finally:
        await voer_uit(uit)
    assert mislukt.status_code >= 500, mislukt.text
    for model in (Signaal, Betrokkene, Idempotentiesleutel):
        assert await _rijen(intake_harness, model) == [], model
    gelukt = await client.post("/v1/signalen", json=signaal_body(), headers=headers)
    assert gelukt.status_code == 201, gelukt.text
    assert len(await _rijen(intake_harness, Signaal)) == 1
