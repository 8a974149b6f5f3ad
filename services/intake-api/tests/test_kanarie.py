"""Canary scan: identifying data planted in a signal appears in no table, log line or response."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

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
