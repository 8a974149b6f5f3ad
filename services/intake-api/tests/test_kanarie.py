"""Canary scan: identifying data planted in a signal appears in no table, log line or response."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from meldroute_dev import testing
from meldroute_dev.testing import ServiceHarness
from sqlalchemy.ext.asyncio import create_async_engine

from . import kanarie
from .conftest import OPSCHALING

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]

BSN = "734019257"  # passes the 11-test
VOORNAAM, ACHTERNAAM = "Zwanetta", "Kanarievogel"
TELEFOON = "06-13579246"
EMAIL = "kanarie.zwanetta@voorbeeld.example"
ADRES = "Kanariestraat 77"
KANARIES = (BSN, VOORNAAM, ACHTERNAAM, "13579246", EMAIL, "Kanariestraat", "1987-02-03", "03-02-1987")


def _vind(tekst: str) -> list[str]:
    laag = tekst.lower()
    return [k for k in KANARIES if k.lower() in laag]


def _vind_bytes(blob: bytes) -> list[str]:
    return [k for k in KANARIES if k.encode() in blob or k.lower().encode() in blob.lower()]


async def test_canaries_appear_nowhere(
    client: httpx.AsyncClient, kop: Kop, signaal_body: Callable[..., dict[str, Any]], beoordeel: Doe,
    db_rijen: Doe, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    betrokkene = {
        "rol": "slachtoffer", "bsn": BSN, "naam": f"{VOORNAAM} {ACHTERNAAM}", "geboortedatum": "1987-02-03",
        "geslacht": "vrouw", "nationaliteit": "RO", "adres": ADRES, "telefoon": TELEFOON,
    }  # fmt: skip
    omschrijving = (
        f"{VOORNAAM} {ACHTERNAAM} (BSN {BSN}, geboren 03-02-1987) woont aan de {ADRES}. "
        f"Bereikbaar op {TELEFOON} en {EMAIL}. Mevrouw {ACHTERNAAM} werkt in de kas."
    )
    body = signaal_body(omschrijving=omschrijving, betrokkenen=[betrokkene])
    antwoorden: list[httpx.Response] = []
    melder = {**kop("melder"), "Idempotency-Key": "kanarie-1"}
    antwoorden.append(await client.post("/v1/signalen", json=body, headers=melder))
    antwoorden.append(await client.post("/v1/signalen", json=body, headers=melder))  # replay
    assert antwoorden[0].status_code == 201, antwoorden[0].text
    signaal_id = antwoorden[0].json()["id"]
    # Rejected input must not be echoed either.
    fout = signaal_body(omschrijving=omschrijving, betrokkenen=[{**betrokkene, "geslacht": BSN}])
    antwoorden.append(await client.post("/v1/signalen", json=fout, headers=kop("melder")))
    assert antwoorden[-1].status_code == 400
    antwoorden.append(await beoordeel(signaal_id, 1, "in_behandeling", toelichting=f"Gebeld met {TELEFOON}."))
    antwoorden.append(
        await beoordeel(signaal_id, 2, "opgeschaald", toelichting=f"Mail {EMAIL}.", **OPSCHALING)
    )
    antwoorden.append(await client.get("/v1/signalen", headers=kop()))
    antwoorden.append(await client.get(f"/v1/signalen/{signaal_id}", headers=kop()))
    antwoorden.append(await client.get(f"/v1/signalen/{signaal_id}/historie", headers=kop()))
    antwoorden.append(await client.get("/v1/intern/casussen", headers=kop("privacy-gateway")))
    antwoorden.append(await client.get(f"/v1/intern/casussen/{signaal_id}", headers=kop("privacy-gateway")))
    assert [a.status_code for a in antwoorden] == [201, 201, 400, 200, 200, 200, 200, 200, 200, 200]
    assert antwoorden[6].json()["omschrijving"].count("[NAAM]") == 2

    for antwoord in antwoorden:
        assert _vind(antwoord.text) == [], (antwoord.request.url, antwoord.text)
        assert _vind(str(dict(antwoord.headers))) == []

    from intake_api.models import Base

    gescand = 0
    for tabel in Base.metadata.sorted_tables:
        for rij in await db_rijen(tabel.name):
            for kolom, waarde in rij.items():
                gescand += 1
                if isinstance(waarde, bytes | bytearray | memoryview):
                    assert _vind_bytes(bytes(waarde)) == [], (tabel.name, kolom)
                else:
                    assert _vind(str(waarde)) == [], (tabel.name, kolom)
    assert gescand > 50

    assert caplog.records, "the scan needs log records to look at"
    for record in caplog.records:
        assert _vind(record.getMessage()) == [] and _vind(str(record.__dict__)) == [], record.__dict__
    assert _vind(caplog.text) == []


# --- the canary person of the issue, in every form, in every free-text field ---------------------------


def _zonder_verzegeld(antwoord: httpx.Response) -> str:
    """The response text without the sealed identity (base64 of ciphertext, not a trace of anyone)."""
    try:
        body = antwoord.json()
    except ValueError:
        return antwoord.text

    def schoon(waarde: Any) -> Any:
        if isinstance(waarde, dict):
            return {k: schoon(v) for k, v in waarde.items() if k != "identiteitVerzegeld"}
        if isinstance(waarde, list):
            return [schoon(v) for v in waarde]
        return waarde

    return json.dumps(schoon(body), ensure_ascii=False)


async def _pg_dump(url: str) -> str:
    """`pg_dump --data-only` of the test database, bytea literals (sealed blobs) left out."""
    adres = sa.engine.make_url(url)
    proces = await asyncio.create_subprocess_exec(
        "pg_dump", "--data-only", "--no-owner", "-h", adres.host or "127.0.0.1", "-p", str(adres.port or 5432),
        "-U", adres.username or "postgres", adres.database or "",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    uit, fout = await proces.communicate()
    assert proces.returncode == 0, fout.decode()
    return re.sub(r"\\\\x[0-9a-f]+", "<bytea>", uit.decode())


@pytest.mark.processes
async def test_the_canary_person_in_every_form_appears_nowhere_outside_sealed_blobs(
    client: httpx.AsyncClient, kop: Kop, signaal_body: Callable[..., dict[str, Any]], beoordeel: Doe,
    db_rijen: Doe, caplog: pytest.LogCaptureFixture, intake_harness: ServiceHarness,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    body = signaal_body(omschrijving=kanarie.TEKST, betrokkenen=[kanarie.BETROKKENE])
    melder = {**kop("melder"), "Idempotency-Key": "kanarie-vormen"}
    antwoorden = [await client.post("/v1/signalen", json=body, headers=melder) for _ in range(2)]
    assert antwoorden[0].status_code == 201, antwoorden[0].text
    signaal_id = antwoorden[0].json()["id"]
    fout = signaal_body(
        omschrijving=kanarie.TEKST, betrokkenen=[{**kanarie.BETROKKENE, "geslacht": kanarie.TEKST[:16]}]
    )
    antwoorden.append(await client.post("/v1/signalen", json=fout, headers=kop("melder")))
    # Every note of every decision carries every form.
    antwoorden.append(await beoordeel(signaal_id, 1, "in_behandeling", toelichting=kanarie.TEKST))
    antwoorden.append(await beoordeel(signaal_id, 2, "opgeschaald", toelichting=kanarie.TEKST, **OPSCHALING))
    antwoorden.append(await beoordeel(signaal_id, 3, "in_behandeling", toelichting=kanarie.TEKST))  # 409
    gateway = kop("privacy-gateway")
    antwoorden += [
        await client.get("/v1/signalen", headers=kop()),
        await client.get(f"/v1/signalen/{signaal_id}", headers=kop()),
        await client.get(f"/v1/signalen/{signaal_id}/historie", headers=kop()),
        await client.get("/v1/intern/casussen", headers=gateway),
        await client.get(f"/v1/intern/casussen/{signaal_id}", headers=gateway),
        await client.post("/v1/intern/pseudoniemen", json={"bsn": kanarie.BSN}, headers=gateway),
    ]
    assert [a.status_code for a in antwoorden] == [201, 201, 400, 200, 200, 409, 200, 200, 200, 200, 200, 200]
    historie = antwoorden[8].json()["historie"]
    assert [h["toelichting"] for h in historie][1:] == [antwoorden[7].json()["omschrijving"]] * 2

    for antwoord in antwoorden:
        assert kanarie.sporen(_zonder_verzegeld(antwoord)) == [], (antwoord.request.url, antwoord.text)
        assert kanarie.sporen(str(dict(antwoord.headers))) == []

    from intake_api.db import Gevoeligheid, gevoelige_kolommen
    from intake_api.models import Base

    verzegeld = {
        (k.table.name, k.name)
        for k, soort in gevoelige_kolommen(Base.metadata)
        if soort == Gevoeligheid.VERZEGELD
    }
    gescand = 0
    for tabel in Base.metadata.sorted_tables:
        for rij in await db_rijen(tabel.name):
            for kolom, waarde in rij.items():
                if (tabel.name, kolom) in verzegeld:
                    assert waarde is None or bytes(waarde)[:3] == b"MRS", (
                        tabel.name,
                        kolom,
                    )  # a sealed envelope
                    continue
                gescand += 1
                assert kanarie.sporen(waarde) == [], (tabel.name, kolom, waarde)
    assert gescand > 80
    assert len(await db_rijen("toelichting_originelen")) == 2

    if testing.test_backend() == "postgresql":
        dump = await _pg_dump(intake_harness.database_url)
        assert "COPY public.signaal_historie" in dump
        assert kanarie.sporen(dump) == []
        engine = create_async_engine(intake_harness.database_url)
        try:
            async with engine.connect() as verbinding:
                await verbinding.execute(sa.text("ANALYZE"))
                stats = (
                    await verbinding.execute(
                        sa.text(
                            "SELECT tablename, attname, most_common_vals::text, histogram_bounds::text, "
                            "most_common_elems::text FROM pg_stats WHERE schemaname = current_schema()"
                        )
                    )
                ).all()
        finally:
            await engine.dispose()
        assert stats and all(kanarie.sporen(v) == [] for rij in stats for v in rij)

    assert caplog.records
    for record in caplog.records:
        assert kanarie.sporen(record.getMessage()) == [] and kanarie.sporen(str(record.__dict__)) == [], (
            record.__dict__
        )


def test_the_scan_finds_every_planted_form() -> None:
    for vorm in kanarie.VORMEN:
        assert kanarie.sporen(vorm), vorm
    assert kanarie.sporen(b"...canary@example.nl...")
    assert kanarie.sporen("CANÁRIUS") and kanarie.sporen("０６１２３４５６７８")
    assert not kanarie.sporen("[NAAM] bereikbaar op [TELEFOON], 3 signalen in 2025")
