"""The demo: a year of realistic signals, imported into intake with their dates and delivered to reporting."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from meldroute_common.catalogus import leeftijdsklasse, standaard_catalogus
from meldroute_common.devissuer import DevIssuer
from meldroute_common.migrations import upgrade
from meldroute_dev.demo import genereer, importeer, publiceer, schrijf, telling, wacht_op_aflevering
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import ServiceProcess, TestDatabases
from sqlalchemy.ext.asyncio import create_async_engine

NU = datetime(2026, 11, 15, 10, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[3]


def test_generated_signals_follow_the_plan_loosely() -> None:
    catalogus = standaard_catalogus()
    signalen = genereer(aantal=2400, nu=NU, zaad=7, catalogus=catalogus)
    assert genereer(aantal=2400, nu=NU, zaad=7, catalogus=catalogus) == signalen
    assert 2200 < len(signalen) < 2450
    assert {s.gemeente for s in signalen} == {g.code for g in catalogus.gemeenten}
    assert len({s.bron_id for s in signalen}) == len(signalen)

    # Twelve closed months, each well filled, and part of the current one; nothing after now.
    maanden = Counter(s.ontvangen_op.strftime("%Y-%m") for s in signalen)
    assert sorted(maanden) == [f"2025-{m:02d}" for m in range(11, 13)] + [
        f"2026-{m:02d}" for m in range(1, 12)
    ]
    assert all(130 < maanden[m] < 260 for m in maanden if m != "2026-11"), maanden
    assert 40 < maanden["2026-11"] < 150
    assert max(s.ontvangen_op for s in signalen) <= NU
    per_gemeente = Counter(s.gemeente for s in signalen)
    assert per_gemeente["GM0222"] > per_gemeente["GM0197"]  # Doetinchem is about twice Aalten

    slachtoffers = [s.body["betrokkenen"][0] for s in signalen]
    mannen = sum(b["geslacht"] == "man" for b in slachtoffers) / len(slachtoffers)
    assert 0.28 < mannen < 0.38
    leeftijden = Counter(
        leeftijdsklasse(
            geboortedatum=date.fromisoformat(b["geboortedatum"]),
            peildatum=date.fromisoformat(s.body["waargenomenOp"]),
        )
        for b, s in zip(slachtoffers, signalen, strict=True)
        if "geboortedatum" in b
    )
    bekend = sum(leeftijden.values())
    assert 0.35 < (leeftijden["<18"] + leeftijden["18-22"]) / bekend < 0.52
    assert 0.22 < leeftijden["23-29"] / bekend < 0.34

    for s in signalen:
        assert date.fromisoformat(s.body["waargenomenOp"]) <= s.ontvangen_op.date()
        assert not catalogus.onbekende_codes("uitbuitingsvormen", s.body["uitbuitingsvormen"])
        assert not catalogus.onbekende_codes("sectoren", [s.body["sector"]])
        assert not catalogus.onbekende_codes("locatietypen", [s.body["locatietype"]])
        assert not catalogus.onbekende_codes("melderdomeinen", [s.body["melderDomein"]])
        assert not catalogus.onbekende_codes("indicatoren", s.body["indicatoren"])
        momenten = [s.ontvangen_op] + [datetime.fromisoformat(b["op"]) for b in s.beoordelingen]
        assert momenten == sorted(momenten) and momenten[-1] <= NU
        if s.beoordelingen:
            assert s.beoordelingen[0]["status"] == "in_behandeling"
    # Old signals are mostly decided, recent ones are still open; some are taken up the same day.
    oud = [s for s in signalen if s.ontvangen_op < datetime(2026, 6, 1, tzinfo=UTC)]
    assert sum(len(s.beoordelingen) == 2 for s in oud) / len(oud) > 0.85
    recent = [s for s in signalen if s.ontvangen_op > datetime(2026, 11, 10, tzinfo=UTC)]
    assert sum(len(s.beoordelingen) == 2 for s in recent) / len(recent) < 0.5
    zelfde_dag = [
        s for s in oud if s.beoordelingen and datetime.fromisoformat(s.beoordelingen[0]["op"]) - s.ontvangen_op
        < (datetime(2026, 1, 2) - datetime(2026, 1, 1))
    ]  # fmt: skip
    assert len(zelfde_dag) > 100


@pytest.fixture
def intake_en_reporting(
    tmp_path: Path, test_databases: TestDatabases, local_dir: Path
) -> Iterator[tuple[ServiceProcess, ServiceProcess]]:
    diensten = {d.naam: d for d in DIENSTEN}
    urls = {}
    for naam in ("intake-api", "reporting"):
        urls[naam] = test_databases.create(f"demo-{naam}")
        upgrade(service_dir=diensten[naam].folder(ROOT), database_url=urls[naam])
    # The demo reads the outbox backlog from /metrics, open in development as with `make run`.
    common = {
        "MELDROUTE_ENV": "test",
        "MELDROUTE_LOCAL_DIR": str(local_dir),
        "MELDROUTE_METRICS_OPEN": "true",
    }
    reporting = ServiceProcess(
        dienst=diensten["reporting"],
        env={**common, "REPORTING_DATABASE_URL": urls["reporting"]},
        log_dir=tmp_path,
    )
    intake = ServiceProcess(
        dienst=diensten["intake-api"],
        env={**common, "INTAKE_DATABASE_URL": urls["intake-api"], "INTAKE_REPORTING_URL": reporting.url,
             "INTAKE_OUTBOX_INTERVAL_SECONDEN": "0.2"},
        log_dir=tmp_path,
    )  # fmt: skip
    reporting.start()
    intake.start()
    try:
        yield intake, reporting
    finally:
        intake.stop()
        reporting.stop()


def _maanden_in_reporting(url: str) -> Counter[tuple[str, str]]:
    async def lees() -> Counter[tuple[str, str]]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as verbinding:
                rijen = await verbinding.execute(sa.text("SELECT maand, type FROM gebeurtenissen"))
                return Counter((str(m), str(t)) for m, t in rijen)
        finally:
            await engine.dispose()

    return asyncio.run(lees())


def test_the_demo_imports_a_year_that_the_outbox_delivers_to_reporting_by_month(
    intake_en_reporting: tuple[ServiceProcess, ServiceProcess], tmp_path: Path, issuer: DevIssuer
) -> None:
    intake, reporting = intake_en_reporting
    nu = datetime.now(UTC)
    signalen = genereer(aantal=160, nu=nu, zaad=3, catalogus=standaard_catalogus())
    pad = tmp_path / "demo.jsonl"
    schrijf(pad=pad, signalen=signalen)
    assert len(pad.read_text(encoding="utf-8").splitlines()) == len(signalen)
    assert json.loads(pad.read_text(encoding="utf-8").splitlines()[0])["bronId"].startswith("demo-3-")

    env = {k: v for k, v in intake.env.items() if k != "INTAKE_REPORTING_URL"}
    assert importeer(pad=pad, env=env) == 0

    verwacht: Counter[tuple[str, str]] = Counter()
    for s in signalen:
        verwacht[s.ontvangen_op.strftime("%Y-%m"), "signaal_ontvangen"] += 1
        for besluit in s.beoordelingen:
            verwacht[datetime.fromisoformat(besluit["op"]).strftime("%Y-%m"), "beoordeling_vastgelegd"] += 1
    assert sum(verwacht.values()) == sum(telling(signalen).values())
    reporting_url = reporting.env["REPORTING_DATABASE_URL"]
    deadline = time.monotonic() + 60
    while (ontvangen := _maanden_in_reporting(reporting_url)) != verwacht and time.monotonic() < deadline:
        time.sleep(0.5)
    assert ontvangen == verwacht  # every event, under its original month
    assert len({m for m, t in ontvangen if t == "signaal_ontvangen"}) >= 12

    # The demo waits for the outbox to be empty and publishes the closed periods: a year shows.
    assert wacht_op_aflevering(intake_url=intake.url, tijdslimiet=30)
    assert publiceer(env=dict(reporting.env)) == 0
    with httpx.Client(base_url=reporting.url, timeout=10) as http:
        token = issuer.mint(rol="beleidsmedewerker", audience="reporting")
        antwoord = http.get(
            "/v1/statistieken/signalen",
            params={"periode": "maand", "van": f"{nu.year - 1}-01", "tot": nu.strftime("%Y-%m")},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert antwoord.status_code == 200, antwoord.text
        assert len(antwoord.json()["gepubliceerdePerioden"]) >= 11, antwoord.text

    # Running the demo's import again the same way creates nothing new.
    assert importeer(pad=pad, env=env) == 0
    time.sleep(1)
    assert _maanden_in_reporting(reporting_url) == verwacht
