"""The quick benchmark run end to end: every row is there, with positive figures and no errors.

Performance is reported, not tested: nothing here asserts on a timing or on whether an aim is met.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = os.environ.get("MELDROUTE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")

#: Every row the table must have, by the start of its name (sizes follow in some names).
EXPECTED = (
    "intake POST /v1/signalen, PostgreSQL: throughput",
    "intake POST /v1/signalen, PostgreSQL: p50",
    "intake POST /v1/signalen, PostgreSQL: p99",
    "intake POST /v1/signalen, SQLite: throughput",
    "intake POST /v1/signalen, SQLite: p50",
    "intake POST /v1/signalen, SQLite: p99",
    "gateway GET /v1/casussen/{id}?doel=casusoverleg: p50",
    "gateway GET /v1/casussen/{id}?doel=casusoverleg: p99",
    "policy decide (shipped policy): p99",
    "reporting POST /v1/gebeurtenissen",
    "reporting publishing one closed month of",
    "reporting GET /v1/statistieken/signalen (gemeente × uitbuitingsvorm per kwartaal): p50",
    "reporting GET /v1/statistieken/signalen (melderDomein per maand): p50",
    "intake GET /v1/signalen, page at row",
    # Measured with wrk: the server's CPU per signal beside the bare INSERT's.
    "intake POST /v1/signalen, PostgreSQL: server CPU per request",
    "intake POST /v1/signalen, SQLite: server CPU per request",
)
#: Rows whose aim is part of the brief; the quick run must evaluate it (met may be either).
WITH_AIM = (
    EXPECTED[0],
    EXPECTED[6],
    EXPECTED[8],
    EXPECTED[9],
    EXPECTED[10],
    EXPECTED[11],
    EXPECTED[12],
    EXPECTED[13],
)


def _pg_answers() -> bool:
    url = make_url(PG_SERVER)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2):
            return True
    except OSError:
        return False


@pytest.mark.skipif(
    os.environ.get("MELDROUTE_TEST_DB") == "postgresql",
    reason="the benchmarks use PostgreSQL and SQLite themselves; they run once, in the SQLite pass",
)
@pytest.mark.processes
def test_quick_bench_reports_every_row(tmp_path: Path) -> None:
    if not _pg_answers():
        pytest.skip("the benchmarks need PostgreSQL")
    output = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MELDROUTE_BENCH_")}
    env["MELDROUTE_BENCH_PG"] = PG_SERVER
    # Every row, in the shortest windows that still give figures: this checks the table, not the speed.
    env["MELDROUTE_BENCH_SECONDS"] = "1.5"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(output)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    assert "ratio" in result.stdout and "baseline" in result.stdout  # the table was printed

    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["quick"] is True
    rows = {row["name"]: row for row in document["rows"]}
    assert len(rows) == len(EXPECTED), sorted(rows)
    for prefix in EXPECTED:
        matching = [row for name, row in rows.items() if name.startswith(prefix)]
        assert len(matching) == 1, (prefix, sorted(rows))
        row = matching[0]
        assert row["error"] is None, row
        assert row["ours"] > 0 and row["baseline"] > 0, row
        assert row["ratio"] == pytest.approx(row["ours"] / row["baseline"])
        if prefix in WITH_AIM:
            assert row["aim"] is not None and row["met"] in (True, False), row


# --- the pieces the table rests on (no database, no processes) -----------------------------------


@pytest.fixture(autouse=True)
def _bench_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bench package lives at the repository root, which the importlib import mode keeps off sys.path.
    monkeypatch.syspath_prepend(str(ROOT))


def test_sizes_quick_defaults_overrides_and_scale() -> None:
    from bench.config import sizes_from_env

    full = sizes_from_env(quick=False, environ={})
    quick = sizes_from_env(quick=True, environ={})
    assert (full.events, full.signals, full.concurrency, full.batch) == (1_000_000, 1_000_000, 32, 1000)
    assert quick.events < full.events and quick.seconds < full.seconds and quick.concurrency == 32
    custom = sizes_from_env(
        quick=True, environ={"MELDROUTE_BENCH_EVENTS": "5500", "MELDROUTE_BENCH_SCALE": "2"}
    )
    assert custom.events == 11_000  # set value wins over the quick default, then the scale applies
    assert custom.batch == 1000  # batch and concurrency are not scaled
    with pytest.raises(ValueError, match="BATCH"):
        sizes_from_env(quick=False, environ={"MELDROUTE_BENCH_BATCH": "5000"})


def test_percentile_is_nearest_rank() -> None:
    from bench.load import percentile

    values = [float(v) for v in range(100, 0, -1)]
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 50) == 3
    assert percentile([7.0], 99) == 7


def test_aims_compare_the_right_figure() -> None:
    from bench.results import Aim, AimKind, Row

    def row(ours: float, baseline: float, aim: Aim) -> Row:
        return Row(name="x", unit="ms", ours=ours, baseline=baseline, baseline_label="", aim=aim)

    assert row(60, 100, Aim(AimKind.RATIO_MIN, 0.5)).met is True
    assert row(40, 100, Aim(AimKind.RATIO_MIN, 0.5)).met is False
    assert row(140, 100, Aim(AimKind.RATIO_MAX, 1.5)).met is True
    assert row(160, 100, Aim(AimKind.RATIO_MAX, 1.5)).met is False
    assert row(0.1, 0.001, Aim(AimKind.OURS_MAX, 0.2)).met is True  # the ratio does not matter here
    assert row(0.3, 0.001, Aim(AimKind.OURS_MAX, 0.2)).met is False
    no_aim = Row(name="x", unit="ms", ours=1.0, baseline=2.0, baseline_label="")
    assert no_aim.met is None and no_aim.ratio == 0.5
