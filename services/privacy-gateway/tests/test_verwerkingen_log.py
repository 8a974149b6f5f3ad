"""The verwerkingenlog in the database: tampering is detected, appends stay linear, and it fails closed."""

from __future__ import annotations

import asyncio
import itertools
import os
from typing import Any

import pytest
from meldroute_common.devissuer import DevIssuer

RIEC = "riec-oost-nederland"
PG = os.environ.get("MELDROUTE_TEST_DB") == "postgresql"


def riec(issuer: DevIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='partner', organisatie=RIEC)}"}


def fg(issuer: DevIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='fg')}"}


async def verstrek(client: Any, issuer: DevIssuer, casus: str) -> Any:
    """Ask for a case by RIEC's own reference (see the `referentie_van` fixture)."""
    return await client.get(f"/v1/casussen/{casus}", params={"doel": "casusoverleg"}, headers=riec(issuer))


async def verificatie(client: Any, issuer: DevIssuer) -> dict[str, Any]:
    response = await client.get("/v1/verwerkingen/verificatie", headers=fg(issuer))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def vul_log(client: Any, issuer: DevIssuer, intake: Any, aantal: int) -> None:
    intake.casus(partners=[RIEC])
    lijst = await client.get("/v1/casussen", headers=riec(issuer))
    [casus] = [c["id"] for c in lijst.json()["casussen"]]
    for _ in range(aantal):
        assert (await verstrek(client, issuer, casus)).status_code == 200


async def test_intact_log_verifies_and_pages(gateway: Any, intake: Any, issuer: DevIssuer) -> None:
    async with gateway() as client:
        assert await verificatie(client, issuer) == {
            "ok": True,
            "aantal": 0,
            "kop": "0" * 64,
            "eersteFout": None,
            "checkpoints": 0,
            "getuige": None,
            "bewaardeKop": None,
        }
        await vul_log(client, issuer, intake, 5)
        uitkomst = await verificatie(client, issuer)
        assert uitkomst["ok"] is True and uitkomst["aantal"] == 5
        gezien: list[dict[str, Any]] = []
        params: dict[str, Any] = {"pageSize": 2}
        while True:
            pagina = (await client.get("/v1/verwerkingen", params=params, headers=fg(issuer))).json()
            gezien += pagina["verwerkingen"]
            if pagina["volgende"] is None:
                break
            params["cursor"] = pagina["volgende"]
        assert [r["volgnummer"] for r in gezien] == [1, 2, 3, 4, 5]
        assert all(b["vorigeHash"] == a["hash"] for a, b in itertools.pairwise(gezien))
        assert gezien[-1]["hash"] == uitkomst["kop"]
        assert (await client.get("/v1/verwerkingen", params={"afnemer": "kmar"}, headers=fg(issuer))).json()[
            "verwerkingen"
        ] == []
        assert (
            await client.get("/v1/verwerkingen", params={"cursor": "onzin!"}, headers=fg(issuer))
        ).status_code == 400


@pytest.mark.parametrize(
    ("sabotage", "soort", "volgnummer", "intact"),
    [
        ("UPDATE verwerkingen SET afnemer = 'kmar' WHERE volgnummer = 3", "gewijzigd", 3, 2),
        (
            'UPDATE verwerkingen SET detail = \'{"categorieen": ["identiteit"]}\' WHERE volgnummer = 2',
            "gewijzigd",
            2,
            1,
        ),
        ("DELETE FROM verwerkingen WHERE volgnummer = 2", "ontbrekende_rij", 3, 1),
        ("DELETE FROM verwerkingen WHERE volgnummer = 5", "ontbrekende_rij", 5, 4),
        # Swap the contents of rows 2 and 3 (each keeping its own hash): the chain no longer links.
        (
            "UPDATE verwerkingen SET volgnummer = -2 WHERE volgnummer = 2;"
            "UPDATE verwerkingen SET volgnummer = 2 WHERE volgnummer = 3;"
            "UPDATE verwerkingen SET volgnummer = 3 WHERE volgnummer = -2",
            "keten_verbroken",
            2,
            1,
        ),
    ],
    ids=["wijzig-afnemer", "wijzig-detail", "verwijder-midden", "verwijder-laatste", "verwissel"],
)
async def test_tampering_in_the_database_is_detected(
    gateway: Any,
    intake: Any,
    issuer: DevIssuer,
    sql: Any,
    sabotage: str,
    soort: str,
    volgnummer: int,
    intact: int,
) -> None:
    async with gateway() as client:
        await vul_log(client, issuer, intake, 5)
        assert (await verificatie(client, issuer))["ok"] is True
        await sql(*sabotage.split(";"))
        uitkomst = await verificatie(client, issuer)
        assert uitkomst["ok"] is False
        assert uitkomst["eersteFout"]["soort"] == soort
        assert uitkomst["eersteFout"]["volgnummer"] == volgnummer
        assert uitkomst["aantal"] == intact


async def test_rewriting_the_tail_consistently_is_caught_by_the_checkpoint(
    gateway: Any, intake: Any, issuer: DevIssuer, sql: Any
) -> None:
    async with gateway(verwerkingen_checkpoint_interval=2) as client:
        await vul_log(client, issuer, intake, 5)
        # Cut rows 4 and 5 and make the head point at row 3: the chain itself still verifies.
        rij3 = await sql("SELECT hash FROM verwerkingen WHERE volgnummer = 3")
        await sql(
            "DELETE FROM verwerkingen WHERE volgnummer > 3",
            f"UPDATE verwerkingen_kop SET volgnummer = 3, hash = '{rij3[0][0]}'",
        )
        uitkomst = await verificatie(client, issuer)
        assert uitkomst["ok"] is False and uitkomst["eersteFout"]["soort"] == "ontbrekende_rij"
        assert "checkpoint" in uitkomst["eersteFout"]["toelichting"]


async def test_unwritable_log_is_503_and_nothing_is_disclosed(
    gateway: Any, intake: Any, issuer: DevIssuer, sql: Any, referentie_van: Any
) -> None:
    casus = intake.casus(partners=[RIEC])
    if PG:
        blokkeer = [
            "CREATE FUNCTION log_dicht() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'log dicht'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER log_dicht BEFORE INSERT ON verwerkingen FOR EACH ROW EXECUTE FUNCTION log_dicht()",
        ]
        herstel = ["DROP TRIGGER log_dicht ON verwerkingen", "DROP FUNCTION log_dicht()"]
    else:
        blokkeer = [
            "CREATE TRIGGER log_dicht BEFORE INSERT ON verwerkingen BEGIN SELECT RAISE(ABORT, 'log dicht'); END"
        ]
        herstel = ["DROP TRIGGER log_dicht"]
    async with gateway() as client:
        casus = await referentie_van(client, riec(issuer), casus)
        await sql(*blokkeer)
        try:
            response = await verstrek(client, issuer, casus)
            assert response.status_code == 503, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            assert "GM1509" not in response.text and "pseudoniem" not in response.text
            assert "log dicht" not in response.text
            # Denials fail closed the same way: no answer without its log row.
            niet_gedeeld = "0b6f9a52-3c1d-4c8e-9f7a-2d5e8b1c4a77"
            assert (await verstrek(client, issuer, niet_gedeeld)).status_code == 503
        finally:
            await sql(*herstel)
        assert (await verificatie(client, issuer))["aantal"] == 0
        assert (await verstrek(client, issuer, casus)).status_code == 200
        assert (await verificatie(client, issuer))["aantal"] == 1


async def test_a_log_that_fails_at_commit_is_503_and_nothing_is_disclosed(
    gateway: Any, intake: Any, issuer: DevIssuer, sql: Any, referentie_van: Any
) -> None:
    """The row is written, but the commit refuses it (a check deferred to the commit): no answer either."""
    casus = intake.casus(partners=[RIEC])
    if PG:
        blokkeer = [
            "CREATE FUNCTION log_dicht() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'log dicht'; END $$ LANGUAGE plpgsql",
            "CREATE CONSTRAINT TRIGGER log_dicht AFTER INSERT ON verwerkingen DEFERRABLE INITIALLY DEFERRED "
            "FOR EACH ROW EXECUTE FUNCTION log_dicht()",
        ]
        herstel = ["DROP TRIGGER log_dicht ON verwerkingen", "DROP FUNCTION log_dicht()"]
    else:  # a deferred foreign key is checked at the commit
        blokkeer = [
            "CREATE TABLE log_dicht_ouder (id INTEGER PRIMARY KEY)",
            "CREATE TABLE log_dicht_kind (ouder INTEGER REFERENCES log_dicht_ouder (id) DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TRIGGER log_dicht AFTER INSERT ON verwerkingen BEGIN INSERT INTO log_dicht_kind VALUES (-1); END",
        ]
        herstel = ["DROP TRIGGER log_dicht", "DROP TABLE log_dicht_kind", "DROP TABLE log_dicht_ouder"]
    async with gateway() as client:
        casus = await referentie_van(client, riec(issuer), casus)
        await sql(*blokkeer)
        try:
            response = await verstrek(client, issuer, casus)
            assert response.status_code == 503, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            assert "GM1509" not in response.text and "pseudoniem" not in response.text
        finally:
            await sql(*herstel)
        assert (await verificatie(client, issuer))["aantal"] == 0
        assert (await verstrek(client, issuer, casus)).status_code == 200


async def test_concurrent_disclosures_keep_the_chain_linear(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    casussen = [intake.casus(partners=[RIEC]) for _ in range(4)]
    async with gateway() as client:
        casussen = [await referentie_van(client, riec(issuer), c) for c in casussen]
        antwoorden = await asyncio.gather(*(verstrek(client, issuer, c) for c in casussen * 3))
        assert [a.status_code for a in antwoorden] == [200] * 12
        uitkomst = await verificatie(client, issuer)
        assert uitkomst["ok"] is True and uitkomst["aantal"] == 12 and uitkomst["eersteFout"] is None


def test_the_one_statement_append_writes_every_column_of_a_row() -> None:
    """PostgreSQL's head-and-rows statement names the columns itself: none may be missing or extra."""
    from privacy_gateway.verwerkingen import service
    from privacy_gateway.verwerkingen.models import VerwerkingRij

    kolommen = [c.name for c in VerwerkingRij.__table__.columns]
    assert sorted(service._PG_KOLOMMEN) == sorted(kolommen)
    tekst = service._KOP_VERPLAATSEN_EN_INVOEGEN_PG.text
    for kolom in kolommen:
        assert f"CAST(:{kolom} AS " in tekst and f"r.{kolom}" in tekst
