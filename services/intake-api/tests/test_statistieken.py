"""No statistics on sealed, pseudonym and free-text columns: ANALYZE copies none of their values."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from intake_api.db import gevoelige_kolommen
from intake_api.models import Base
from meldroute_common.migrations import downgrade, upgrade
from meldroute_dev import testing
from meldroute_dev.testing import ServiceHarness
from sqlalchemy.ext.asyncio import create_async_engine

from . import kanarie
from .conftest import OPSCHALING

Kop = Callable[..., dict[str, str]]

_VERSIES = Path(__file__).parents[1] / "migrations" / "versions"
#: The migrations that switch statistics off, each for the columns it lists in `GEVOELIGE_KOLOMMEN`.
_MIGRATIES = ("20261201_0004", "20261201_0005", "20261201_0008", "20261201_0009")


def _migratie_kolommen() -> set[tuple[str, str]]:
    kolommen: set[tuple[str, str]] = set()
    for migratie in _MIGRATIES:
        pad = next(_VERSIES.glob(f"{migratie}_*.py"))
        spec = importlib.util.spec_from_file_location(f"migratie_{migratie}", pad)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        nieuw = {(t, k) for t, ks in module.GEVOELIGE_KOLOMMEN.items() for k in ks}
        assert not nieuw & kolommen, f"{migratie} lists a column again"
        kolommen |= nieuw
    return kolommen


def _gemarkeerd() -> set[tuple[str, str]]:
    return {(kolom.table.name, kolom.name) for kolom, _ in gevoelige_kolommen(Base.metadata)}


def test_every_sealed_pseudonym_and_free_text_column_is_marked_and_migrated() -> None:
    gemarkeerd = _gemarkeerd()
    # A new column of these kinds cannot be forgotten: bytes, text and anything named like a
    # pseudonym, hash or seal must carry the mark.
    for tabel in Base.metadata.sorted_tables:
        for kolom in tabel.columns:
            verdacht = isinstance(kolom.type, sa.LargeBinary | sa.Text) or any(
                d in kolom.name
                for d in ("pseudoniem", "verzegeld", "hash", "merk", "toelichting", "omschrijving")
            )
            if verdacht:
                assert (tabel.name, kolom.name) in gemarkeerd, (
                    f"{tabel.name}.{kolom.name} is not marked gevoelig"
                )
    assert len(gemarkeerd) >= 10
    assert _migratie_kolommen() == gemarkeerd


def _harness(intake_harness: ServiceHarness, naam: str) -> ServiceHarness:
    return ServiceHarness(
        name=naam, service_dir=intake_harness.service_dir, settings_cls=intake_harness.settings_cls,
        create_app=intake_harness.create_app, metadata=intake_harness.metadata, databases=intake_harness.databases,
        local_dir=intake_harness.local_dir,
    )  # fmt: skip


async def _plant(harness: ServiceHarness, kop: Kop, signaal_body: Callable[..., dict[str, Any]]) -> Any:
    """Twelve signals of the canary person, triaged with the canary in every note; returns the client context."""
    context = harness.client(outbox_relay_aan=False, retentie_taak_aan=False)
    client = await context.__aenter__()
    for i in range(12):
        body = signaal_body(omschrijving=kanarie.TEKST, betrokkenen=[kanarie.BETROKKENE])
        signaal = (await client.post("/v1/signalen", json=body, headers=kop("melder"))).json()
        for versie, status, extra in ((1, "in_behandeling", {}), (2, "opgeschaald", OPSCHALING)):
            antwoord = await client.post(
                f"/v1/signalen/{signaal['id']}/beoordelingen",
                json={"status": status, "toelichting": kanarie.TEKST, **extra},
                headers={**kop(), "If-Match": f'"{versie}"'},
            )
            assert antwoord.status_code == 200, (i, antwoord.text)
    return context


async def _statistieken(url: str) -> tuple[list[dict[str, Any]], list[tuple[str, str, tuple[Any, ...]]]]:
    """ANALYZE, then every pg_stats row of intake's tables and the (table, column) of every pg_statistic row."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as verbinding:
            await verbinding.execute(sa.text("ANALYZE"))
            tabellen = sorted(Base.metadata.tables)
            stats = [
                dict(r)
                for r in (
                    await verbinding.execute(
                        sa.text(
                            "SELECT tablename, attname, most_common_vals::text AS mcv, "
                            "histogram_bounds::text AS histogram, most_common_elems::text AS mce "
                            "FROM pg_stats WHERE schemaname = current_schema() AND tablename = ANY(:t)"
                        ),
                        {"t": tabellen},
                    )
                ).mappings()
            ]
            rauw = [
                (str(t), str(k), tuple(waarden))
                for t, k, *waarden in await verbinding.execute(
                    sa.text(
                        "SELECT c.relname, a.attname, s.stavalues1::text, s.stavalues2::text, s.stavalues3::text, "
                        "s.stavalues4::text, s.stavalues5::text FROM pg_statistic s "
                        "JOIN pg_class c ON c.oid = s.starelid "
                        "JOIN pg_attribute a ON a.attrelid = s.starelid AND a.attnum = s.staattnum "
                        "WHERE c.relname = ANY(:t)"
                    ),
                    {"t": tabellen},
                )
            ]
            return stats, rauw
    finally:
        await engine.dispose()


async def _gevoelige_waarden(url: str) -> set[str]:
    """The stored values of every marked column, as they would print in pg_stats (bytea as hex)."""
    waarden: set[str] = set()
    engine = create_async_engine(url)
    try:
        async with engine.connect() as verbinding:
            # Below a later migration its tables are not there (yet): only the columns that exist.
            bestaand = set(await verbinding.run_sync(lambda v: sa.inspect(v).get_table_names()))
            for kolom, _ in gevoelige_kolommen(Base.metadata):
                if kolom.table.name not in bestaand:
                    continue
                for (waarde,) in await verbinding.execute(sa.select(kolom).where(kolom.is_not(None))):
                    if isinstance(waarde, bytes):
                        waarden.add(waarde[:24].hex())
                    elif isinstance(waarde, str) and len(waarde) >= 16:
                        waarden.add(waarde)
    finally:
        await engine.dispose()
    assert len(waarden) > 50
    return waarden


def _bevat(
    stats: list[dict[str, Any]], rauw: list[tuple[str, str, tuple[Any, ...]]], waarden: set[str]
) -> bool:
    tekst = " ".join(str(v) for rij in stats for v in rij.values())
    tekst += " ".join(str(w) for _, _, ws in rauw for w in ws)
    return any(w in tekst for w in waarden)


async def test_analyze_keeps_no_value_of_a_sensitive_column(
    intake_harness: ServiceHarness, kop: Kop, signaal_body: Callable[..., dict[str, Any]]
) -> None:
    harness = _harness(intake_harness, "intake-statistieken")
    context = await _plant(harness, kop, signaal_body)
    try:
        url = harness.database_url
        if testing.test_backend() != "postgresql":
            # SQLite's statistics hold counts only (sqlite_stat1); sample values (sqlite_stat4) must not appear.
            engine = create_async_engine(url)
            try:
                async with engine.connect() as verbinding:
                    await verbinding.execute(sa.text("ANALYZE"))
                    namen = {
                        r[0] for r in await verbinding.execute(sa.text("SELECT name FROM sqlite_master"))
                    }
                    assert "sqlite_stat1" in namen
                    for tabel in sorted(n for n in namen if n.startswith("sqlite_stat")):
                        for rij in await verbinding.execute(sa.text(f'SELECT * FROM "{tabel}"')):
                            assert not any(kanarie.sporen(v) for v in rij), (tabel, rij)
            finally:
                await engine.dispose()
            return

        # Without the migration ANALYZE does copy the canary into pg_stats: the scan below can fail.
        await asyncio.to_thread(
            downgrade, service_dir=harness.service_dir, database_url=url, revision="20261201_01"
        )
        gevoelig = await _gevoelige_waarden(url)
        voor, voor_rauw = await _statistieken(url)
        assert {(r["tablename"], r["attname"]) for r in voor} & _gemarkeerd()
        assert _bevat(voor, voor_rauw, gevoelig)

        # The migration deletes what was gathered and ANALYZE gathers nothing more of those columns.
        await asyncio.to_thread(upgrade, service_dir=harness.service_dir, database_url=url)
        stats, rauw = await _statistieken(url)
        gemarkeerd = _gemarkeerd()
        assert {(r["tablename"], r["attname"]) for r in stats} & gemarkeerd == set()
        assert {(t, k) for t, k, _ in rauw} & gemarkeerd == set()
        assert all(kanarie.sporen(w) == [] for _, _, waarden in rauw for w in waarden)
        assert ("signalen", "sector") in {(r["tablename"], r["attname"]) for r in stats}  # ANALYZE did run
        for rij in stats:
            for kolom, waarde in rij.items():
                assert kanarie.sporen(waarde) == [], (rij["tablename"], rij["attname"], kolom)
        assert not _bevat(stats, rauw, gevoelig)

        engine = create_async_engine(url)
        try:
            async with engine.connect() as verbinding:
                doelen = {
                    (str(t), str(k)): int(d)
                    for t, k, d in await verbinding.execute(
                        sa.text(
                            "SELECT c.relname, a.attname, a.attstattarget FROM pg_attribute a "
                            "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = ANY(:t) AND a.attnum > 0"
                        ),
                        {"t": sorted(Base.metadata.tables)},
                    )
                }
                assert all(doelen[kolom] == 0 for kolom in gemarkeerd), {k: doelen[k] for k in gemarkeerd}
                # An expression index on these tables has statistics of its own: those are off too.
                expressies = (
                    await verbinding.execute(
                        sa.text(
                            "SELECT i.indexrelid::regclass::text, a.attnum, a.attstattarget FROM pg_index i "
                            "JOIN pg_class t ON t.oid = i.indrelid "
                            "JOIN pg_attribute a ON a.attrelid = i.indexrelid AND a.attnum > 0 "
                            "WHERE t.relname = ANY(:t) AND i.indkey[a.attnum - 1] = 0"
                        ),
                        {"t": sorted(Base.metadata.tables)},
                    )
                ).all()
                assert all(doel == 0 for _, _, doel in expressies), expressies
        finally:
            await engine.dispose()
    finally:
        await context.__aexit__(None, None, None)
