"""Shared Alembic plumbing: each service's `migrations/env.py` calls `run_migrations`, and tools call `upgrade`."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from meldroute_common.db import is_sqlite


def alembic_config(*, service_dir: Path, database_url: str) -> Config:
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(*, service_dir: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service_dir=service_dir, database_url=database_url), revision)


def downgrade(*, service_dir: Path, database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(service_dir=service_dir, database_url=database_url), revision)


def run_migrations(context: Any, metadata: Any, *, url: str) -> None:
    """Body of a service's env.py: online migrations over the async driver."""
    if is_sqlite(url):
        from sqlalchemy.engine import make_url

        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=is_sqlite(url),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    # Alembic may be called from code that already runs an event loop (tests, start-up): use a thread then.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(run_async())
        return
    errors: list[BaseException] = []

    def in_thread() -> None:
        try:
            asyncio.run(run_async())
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
