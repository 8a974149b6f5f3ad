"""Historical import: the API's validation and code path, original dates, idempotent by source id."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from intake_api.importeren.service import Samenvatting, Uitkomst, import_regels, read_regels
from intake_api.models import Base
from intake_api.retentie.service import Termijnen, purge
from intake_api.sleutels import load_sleutels
from meldroute_common.beleid import load_policy
from meldroute_common.catalogus import standaard_catalogus
from meldroute_common.db import make_engine
from meldroute_dev.testing import ServiceHarness
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .conftest import GEMEENTE, OPSCHALING, VOORBEELD

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]
Importeer = Callable[..., Any]

NU = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def regel(bron_id: str, ontvangen_op: str = "2025-03-14", **signaal: Any) -> dict[str, Any]:
    return {
        "bronId": bron_id,
        "ontvangenOp": ontvangen_op,
        "signaal": {**copy.deepcopy(VOORBEELD), "waargenomenOp": "2025-03-10", **signaal},
    }


def beoordeeld(basis: dict[str, Any]) -> dict[str, Any]:
    """The line with a triage history: taken up five days after receipt, escalated a month later."""
    return {
        **basis,
        "beoordelingen": [
            {"op": "2025-03-19T10:30:00+01:00", "status": "in_behandeling", "toelichting": "Opgepakt."},
            {
                "op": "2025-04-16",
                "status": "opgeschaald",
                "toelichting": "Naar het casusoverleg.",
                **OPSCHALING,
            },
        ],
    }


def bestand(*regels: dict[str, Any] | str) -> list[bytes]:
    return [(r if isinstance(r, str) else json.dumps(r)).encode() + b"\n" for r in regels]


@pytest.fixture
async def maker(
    client: httpx.AsyncClient, intake_harness: ServiceHarness
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the same database as `client` (whose exit empties it again)."""
    engine = make_engine(intake_harness.database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.fixture
def importeren(maker: async_sessionmaker[AsyncSession], intake_harness: ServiceHarness) -> Importeer:
    settings = intake_harness.settings()
    sleutels, catalogus = load_sleutels(settings), standaard_catalogus()
    beleid = load_policy(settings.policy_file)

    async def doe(regels: list[bytes], **opties: Any) -> Samenvatting:
        return await import_regels(
            maker=maker, regels=read_regels(regels=regels), catalogus=catalogus, sleutels=sleutels,
            beleid=beleid, door=opties.pop("door", "import-test"), nu=lambda: NU, **opties,
        )  # fmt: skip

    return doe


async def _aantallen(db_rijen: Doe) -> dict[str, int]:
    return {t.name: len(await db_rijen(t.name)) for t in Base.metadata.sorted_tables}


async def test_import_records_signals_with_their_original_dates(
    importeren: Importeer, client: httpx.AsyncClient, kop: Kop, db_rijen: Doe
) -> None:
    samenvatting = await importeren(
        bestand(
            beoordeeld(regel("rij-1")),
            regel("rij-2", "2025-11-30T23:30:00+01:00"),
            regel("rij-3", "2024-12-02", waargenomenOp="2024-11-20"),
        )
    )
    assert samenvatting.telling == {Uitkomst.nieuw: 3} and not samenvatting.fouten

    lijst = (await client.get("/v1/signalen", headers=kop())).json()["signalen"]
    ontvangen = sorted(s["ontvangenOp"] for s in lijst)
    assert ontvangen == ["2024-12-02T11:00:00Z", "2025-03-14T11:00:00Z", "2025-11-30T22:30:00Z"]
    eerste = next(s for s in lijst if s["ontvangenOp"].startswith("2025-03-14"))
    assert eerste["status"] == "opgeschaald" and eerste["versie"] == 3
    historie = (await client.get(f"/v1/signalen/{eerste['id']}/historie", headers=kop())).json()["historie"]
    assert [(h["tijdstip"], h["naarStatus"], h["door"]) for h in historie] == [
        ("2025-03-14T11:00:00Z", "ontvangen", "import-test"),
        ("2025-03-19T09:30:00Z", "in_behandeling", "import-test"),
        ("2025-04-16T10:00:00Z", "opgeschaald", "import-test"),
    ]
    signaal = (await client.get(f"/v1/signalen/{eerste['id']}", headers=kop())).json()
    assert (
        signaal["opgeschaaldOp"] == "2025-04-16T10:00:00Z" and signaal["partners"] == OPSCHALING["partners"]
    )

    # The outbox events carry the original months (and turnaround), so reporting files them there.
    gebeurtenissen = [r["gebeurtenis"] for r in await db_rijen("outbox")]
    assert sorted(
        (g["maand"], g["type"], g.get("uitkomst"), g.get("doorlooptijdDagen")) for g in gebeurtenissen
    ) == [
        ("2024-12", "signaal_ontvangen", None, None),
        ("2025-03", "beoordeling_vastgelegd", "in_behandeling", 4),
        ("2025-03", "signaal_ontvangen", None, None),
        ("2025-04", "beoordeling_vastgelegd", "opgeschaald", 32),
        ("2025-11", "signaal_ontvangen", None, None),
    ]
    assert [r["aangemaakt_op"] for r in await db_rijen("outbox")]  # waiting for the relay
    assert {r["bron_id"] for r in await db_rijen("importbronnen")} == {"rij-1", "rij-2", "rij-3"}


async def test_a_rerun_creates_nothing_and_a_changed_line_is_a_conflict(
    importeren: Importeer, db_rijen: Doe
) -> None:
    regels = bestand(beoordeeld(regel("rij-1")), regel("rij-2"), regel("rij-3", gemeenteCode="GM0222"))
    assert (await importeren(regels)).telling == {Uitkomst.nieuw: 3}
    voor = await _aantallen(db_rijen)
    signalen_voor = await db_rijen("signalen")

    opnieuw = await importeren(regels)
    assert opnieuw.telling == {Uitkomst.aanwezig: 3} and not opnieuw.fouten
    assert await _aantallen(db_rijen) == voor

    # The same source id in another municipality is another signal; a changed line is a conflict.
    gewijzigd = regel("rij-2", omschrijving="Een andere tekst.")
    elders = regel("rij-2", gemeenteCode="GM1859")
    resultaat = await importeren(bestand(regel("rij-1"), gewijzigd, elders))
    assert resultaat.telling == {Uitkomst.conflict: 2, Uitkomst.nieuw: 1}
    assert [(f.regel, f.bron_id, f.uitkomst) for f in resultaat.fouten] == [
        (1, "rij-1", Uitkomst.conflict), (2, "rij-2", Uitkomst.conflict),
    ]  # fmt: skip
    assert "andere inhoud" in resultaat.fouten[0].problemen[0]
    na = await _aantallen(db_rijen)
    assert na["signalen"] == voor["signalen"] + 1 and na["importbronnen"] == voor["importbronnen"] + 1
    bewaard = {r["id"]: r for r in await db_rijen("signalen")}
    assert all(bewaard[r["id"]] == r for r in signalen_voor), "a conflict must leave the stored signal alone"


async def test_invalid_lines_are_reported_by_line_number_and_leave_nothing_behind(
    importeren: Importeer, db_rijen: Doe
) -> None:
    goed = regel("goed-1")
    verkeerd = regel("verkeerd-1")
    verkeerd["signaal"]["betrokkenen"][0]["bsn"] = "123456789"  # fails the 11-test
    regels = bestand(
        goed,  # 1
        "{niet: json",  # 2
        "",  # 3: blank, skipped
        regel("code-1", indicatoren=["bestaat-niet"]),  # 4: the service's catalogue check (400 in the API)
        {**regel("extra-1"), "geheim": "x"},  # 5: unknown field
        regel("toekomst-1", "2027-01-05"),  # 6
        verkeerd,  # 7
        {**regel("sprong-1"), "beoordelingen": [{"op": "2025-03-20", "status": "opgeschaald",
                                                 "toelichting": "Te snel.", **OPSCHALING}]},  # 8: not allowed
        {**regel("terug-1"), "beoordelingen": [{"op": "2025-03-01", "status": "in_behandeling",
                                                "toelichting": "Eerder dan ontvangen."}]},  # 9
        regel("111222333"),  # 10: a BSN as source id
        regel("laat-1", "2025-03-09"),  # 11: observed after it was recorded
        regel("goed-2"),  # 12
    )  # fmt: skip
    samenvatting = await importeren(regels)
    assert samenvatting.telling == {Uitkomst.nieuw: 2, Uitkomst.afgewezen: 9}
    fouten = {f.regel: f for f in samenvatting.fouten}
    assert sorted(fouten) == [2, 4, 5, 6, 7, 8, 9, 10, 11]
    verwacht = {
        2: "regel: Geen geldige JSON",
        4: "signaal.indicatoren[0]: Onbekende code",
        5: "geheim: Extra inputs are not permitted",
        6: "ontvangenOp: Ligt in de toekomst",
        7: "signaal.betrokkenen[0].bsn: Geen geldig BSN",
        8: "beoordelingen[0]: Van ontvangen naar opgeschaald is niet toegestaan",
        9: "beoordelingen[0].op: Ligt voor de ontvangst",
        10: "bronId: Value error, lijkt een BSN",
        11: "signaal.waargenomenOp: Ligt in de toekomst",
    }
    for nummer, begin in verwacht.items():
        assert any(p.startswith(begin) for p in fouten[nummer].problemen), (nummer, fouten[nummer].problemen)
    assert "111222333" not in str(samenvatting.fouten) and "123456789" not in str(samenvatting.fouten)
    # Line 8's signal was written before its decision failed: the whole line was rolled back.
    assert {r["bron_id"] for r in await db_rijen("importbronnen")} == {"goed-1", "goed-2"}
    aantallen = await _aantallen(db_rijen)
    assert aantallen["signalen"] == 2 and aantallen["outbox"] == 2 and aantallen["signaal_historie"] == 2
    assert aantallen["betrokkenen"] == 2

    gestopt = await importeren(bestand(regel("goed-3"), "[]", regel("goed-4")), stop_bij_fout=True)
    assert gestopt.telling == {Uitkomst.nieuw: 1, Uitkomst.afgewezen: 1} and gestopt.gestopt_na == 2
    assert "goed-4" not in {r["bron_id"] for r in await db_rijen("importbronnen")}


async def test_a_file_for_one_municipality_rejects_the_others(importeren: Importeer, db_rijen: Doe) -> None:
    samenvatting = await importeren(bestand(regel("a"), regel("b", gemeenteCode="GM0222")), gemeente=GEMEENTE)
    assert samenvatting.telling == {Uitkomst.nieuw: 1, Uitkomst.afgewezen: 1}
    assert samenvatting.fouten[0].problemen == (f"signaal.gemeenteCode: Dit bestand is voor {GEMEENTE}.",)
    assert [r["gemeente_code"] for r in await db_rijen("signalen")] == [GEMEENTE]


BSN = "734019257"
VOORNAAM, ACHTERNAAM = "Zwanetta", "Kanarievogel"
TELEFOON = "06-13579246"
EMAIL = "kanarie.zwanetta@voorbeeld.example"
KANARIES = (BSN, VOORNAAM, ACHTERNAAM, "13579246", EMAIL, "Kanariestraat", "1987-02-03", "03-02-1987")


def _vind(waarde: object) -> list[str]:
    if isinstance(waarde, bytes | bytearray | memoryview):
        blob = bytes(waarde).lower()
        return [k for k in KANARIES if k.lower().encode() in blob]
    tekst = str(waarde).lower()
    return [k for k in KANARIES if k.lower() in tekst]


async def test_identifying_data_is_sealed_and_scrubbed_exactly_as_through_the_api(
    importeren: Importeer,
    client: httpx.AsyncClient,
    kop: Kop,
    db_rijen: Doe,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    betrokkene = {
        "rol": "slachtoffer", "bsn": BSN, "naam": f"{VOORNAAM} {ACHTERNAAM}", "geboortedatum": "1987-02-03",
        "geslacht": "vrouw", "nationaliteit": "RO", "adres": "Kanariestraat 77", "telefoon": TELEFOON,
    }  # fmt: skip
    omschrijving = (
        f"{VOORNAAM} {ACHTERNAAM} (BSN {BSN}, geboren 03-02-1987) woont aan de Kanariestraat 77. "
        f"Bereikbaar op {TELEFOON} en {EMAIL}. Mevrouw {ACHTERNAAM} werkt in de kas."
    )
    lijn = regel("kanarie-1", omschrijving=omschrijving, betrokkenen=[betrokkene])
    lijn["beoordelingen"] = [
        {
            "op": "2025-03-15",
            "status": "in_behandeling",
            "toelichting": f"Gebeld met {TELEFOON}, mail {EMAIL}.",
        }
    ]
    fout = regel("kanarie-2", omschrijving=omschrijving, betrokkenen=[{**betrokkene, "geslacht": BSN}])
    samenvatting = await importeren(bestand(lijn, fout, lijn))
    assert samenvatting.telling == {Uitkomst.nieuw: 1, Uitkomst.afgewezen: 1, Uitkomst.aanwezig: 1}
    assert _vind(samenvatting) == [], "the import report must not echo identifying data"

    # The same body through the API, for comparison.
    api = await client.post("/v1/signalen", json=lijn["signaal"], headers=kop("melder"))
    assert api.status_code == 201, api.text

    gescand = 0
    for tabel in Base.metadata.sorted_tables:
        for rij in await db_rijen(tabel.name):
            for kolom, waarde in rij.items():
                gescand += 1
                assert _vind(waarde) == [], (tabel.name, kolom)
    assert gescand > 50
    for record in caplog.records:
        assert _vind(record.getMessage()) == [] and _vind(record.__dict__) == [], record.__dict__

    signalen = {r["aangemaakt_door"]: r for r in await db_rijen("signalen")}
    geimporteerd, via_api = signalen["import-test"], signalen["melder-1"]
    assert geimporteerd["omschrijving"] == via_api["omschrijving"]
    assert geimporteerd["omschrijving"].count("[NAAM]") == 2 and "[BSN]" in geimporteerd["omschrijving"]
    assert (
        geimporteerd["omschrijving_verzegeld"]
        and geimporteerd["omschrijving_verzegeld"] != via_api["omschrijving_verzegeld"]
    )
    betrokkenen = {r["signaal_id"]: r for r in await db_rijen("betrokkenen")}
    ik, zij = betrokkenen[geimporteerd["id"]], betrokkenen[via_api["id"]]
    assert ik["identiteit_verzegeld"] and ik["sleutel_id"] == zij["sleutel_id"]
    assert (ik["link_pseudoniem"], ik["leeftijdsklasse"], ik["geslacht"], ik["nationaliteitsgroep"]) == (
        zij["link_pseudoniem"], "30+", "vrouw", zij["nationaliteitsgroep"],
    )  # fmt: skip
    # The API sees the imported signal as the same person's.
    weergave = (await client.get(f"/v1/signalen/{via_api['id']}", headers=kop())).json()
    assert weergave["betrokkenen"][0]["gekoppeldeSignalen"] == 1
    toelichting = [r["toelichting"] for r in await db_rijen("signaal_historie") if r["toelichting"]]
    assert toelichting and all("[TELEFOON]" in t for t in toelichting)


@pytest.mark.processes
def test_the_command_imports_shows_progress_and_a_summary_and_is_idempotent(
    intake_harness: ServiceHarness, tmp_path: Path
) -> None:
    from meldroute_dev.testing import clear_tables

    pad = tmp_path / "signalen.jsonl"
    pad.write_bytes(b"\xef\xbb\xbf" + b"".join(bestand(beoordeeld(regel("s-1")), regel("s-2"), "kapot")))
    env = {
        **os.environ,
        "MELDROUTE_ENV": "test",
        "MELDROUTE_LOCAL_DIR": str(intake_harness.local_dir),
        "INTAKE_DATABASE_URL": intake_harness.database_url,
        "COLUMNS": "160",
    }
    opdracht = [str(Path(sys.executable).parent / "meldroute-intake"), "import", str(pad)]
    try:
        eerste = subprocess.run(opdracht, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert eerste.returncode == 1, eerste.stderr  # line 3 is rejected
        assert "import" in eerste.stderr and "3/3" in eerste.stderr  # the progress bar
        assert "│ nieuw       │      2 │" in eerste.stdout, eerste.stdout
        assert "│     3 │ -" in eerste.stdout and "Geen geldige JSON" in eerste.stdout

        pad.write_bytes(b"".join(bestand(beoordeeld(regel("s-1")), regel("s-2"))))
        tweede = subprocess.run(opdracht, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert tweede.returncode == 0, tweede.stdout + tweede.stderr
        assert "│ al aanwezig │      2 │" in tweede.stdout
        assert "niets nieuws: alle 2 regels waren al geïmporteerd" in tweede.stdout
    finally:
        from intake_api.models import Base as Tabellen

        asyncio.run(clear_tables(intake_harness.database_url, Tabellen.metadata))


async def test_two_imports_of_the_same_file_at_once_record_each_line_once(
    importeren: Importeer, db_rijen: Doe
) -> None:
    regels = bestand(*(regel(f"gelijk-{n}") for n in range(6)))
    een, twee = await asyncio.gather(importeren(regels), importeren(regels))
    assert een.telling[Uitkomst.nieuw] + twee.telling[Uitkomst.nieuw] == 6
    assert een.telling[Uitkomst.aanwezig] + twee.telling[Uitkomst.aanwezig] == 6
    assert not een.fouten and not twee.fouten
    aantallen = await _aantallen(db_rijen)
    assert aantallen["signalen"] == aantallen["importbronnen"] == aantallen["outbox"] == 6


async def test_retention_counts_from_the_original_dates_and_a_reimport_does_not_bring_identity_back(
    importeren: Importeer, maker: async_sessionmaker[AsyncSession], db_rijen: Doe
) -> None:
    oud = regel("oud-1", "2024-01-15", waargenomenOp="2024-01-10")
    recent = regel("recent-1", "2026-11-20", waargenomenOp="2026-11-19")
    assert (await importeren(bestand(oud, recent))).telling == {Uitkomst.nieuw: 2}
    gewist = await purge(maker=maker, termijnen=Termijnen("P6M", "P5Y"), moment=NU)
    assert gewist == 1
    betrokkenen = {r["signaal_id"]: r for r in await db_rijen("betrokkenen")}
    per_bron = {r["bron_id"]: r["signaal_id"] for r in await db_rijen("importbronnen")}
    assert betrokkenen[per_bron["oud-1"]]["identiteit_verzegeld"] is None
    assert betrokkenen[per_bron["recent-1"]]["identiteit_verzegeld"] is not None

    opnieuw = await importeren(bestand(oud, recent))
    assert opnieuw.telling == {Uitkomst.aanwezig: 2}
    betrokkenen = {r["signaal_id"]: r for r in await db_rijen("betrokkenen")}
    assert betrokkenen[per_bron["oud-1"]]["identiteit_verzegeld"] is None, "the purged identity stays purged"
