"""Each service's migrations build exactly its models' schema, and go down to nothing and up again."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from meldroute_common.migrations import downgrade, upgrade
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import TestDatabases
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

ROOT_PACKAGES = {d.naam: d for d in DIENSTEN}


def _inspect(url: str, metadata: MetaData) -> tuple[set[str], list[Any]]:
    def run(connection: Connection) -> tuple[set[str], list[Any]]:
        tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
        return tables, diff

    async def go() -> tuple[set[str], list[Any]]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(run)
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, go()).result()


@pytest.mark.parametrize("service", [d.naam for d in DIENSTEN])
def test_migrations_match_models_and_go_down_and_up(service: str, test_databases: TestDatabases) -> None:
    dienst = ROOT_PACKAGES[service]
    metadata: MetaData = dienst.metadata()
    folder = dienst.folder(Path(__file__).parents[1])
    url = test_databases.create(f"migraties-{service}")

    upgrade(service_dir=folder, database_url=url)
    tables, diff = _inspect(url, metadata)
    assert tables == set(metadata.tables), "the migrations create other tables than the models declare"
    assert not diff, f"models and migrations differ: {diff}"

    downgrade(service_dir=folder, database_url=url)
    assert _inspect(url, MetaData())[0] == set()

    upgrade(service_dir=folder, database_url=url)
    assert _inspect(url, metadata)[0] == set(metadata.tables)
