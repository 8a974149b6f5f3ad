"""Database plumbing: declarative base with a naming convention, engine factory, session dependency."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    """Subclass per service (`class Base(meldroute_common.db.Base): __abstract__ = True; metadata = new_metadata()`)."""

    __abstract__ = True


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime. Moments are stored in UTC; SQLite hands them back without a zone."""
    return moment.replace(tzinfo=UTC) if moment.utcoffset() is None else moment.astimezone(UTC)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


#: How long a pooled PostgreSQL connection is reused before it is replaced.
POOL_RECYCLE_SECONDS = 1800
#: Connections kept open, and opened beyond them at a peak (each closed again on return). A pool smaller than
#: the requests that hold a connection at once opens and closes connections all the time: with 32 concurrent
#: requests a pool of 10 + 20 cost intake 10 % of its CPU and the bare INSERT baseline half its throughput.
POOL_SIZE = 20
POOL_MAX_OVERFLOW = 10


def make_engine(
    url: str,
    *,
    postgresql_settings: dict[str, str] | None = None,
    pool_size: int = POOL_SIZE,
    max_overflow: int = POOL_MAX_OVERFLOW,
    **kwargs: Any,
) -> AsyncEngine:
    """An async engine; SQLite gets WAL and a busy timeout so concurrent writers wait instead of failing.

    Statement parameters are hidden from error messages: they may hold identifying data and end up in logs.
    `pool_size` and `max_overflow` size PostgreSQL's pool; SQLite keeps SQLAlchemy's own pool for a file.
    """
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            from pathlib import Path

            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if postgresql_settings:
        kwargs.setdefault("connect_args", {})["server_settings"] = dict(postgresql_settings)
    # No ping per checkout (a round trip on every request): a connection is replaced after half an hour
    # instead, and one the server dropped is discarded by the pool at the first error on it.
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
    return create_async_engine(url, pool_size=pool_size, max_overflow=max_overflow, **kwargs)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def session_dependency(request: Request) -> AsyncIterator[AsyncSession]:
    """The session owns the transaction: commit when the handler returns, roll back when it raises."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session, session.begin():
        yield session


#: `scope="function"` makes the commit happen before the response is sent: a failed commit is a 500, never a 2xx.
Session = Annotated[AsyncSession, Depends(session_dependency, scope="function")]


def statement_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for `StatementSession`: on PostgreSQL each statement commits by itself (AUTOCOMMIT); on SQLite
    they are the ordinary transactional sessions."""
    if engine.dialect.name == "sqlite":
        return async_sessionmaker(engine, expire_on_commit=False)
    return async_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)


async def statement_session_dependency(request: Request) -> AsyncIterator[AsyncSession]:
    """For a handler that, on PostgreSQL, reads and then writes everything in ONE statement: that statement is
    atomic by itself, so the BEGIN and COMMIT round trips are left out (reads see committed data, as each
    statement does under READ COMMITTED). On SQLite, which writes with several statements, a transaction."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.statement_sessionmaker
    async with maker() as session, session.begin():
        yield session


StatementSession = Annotated[AsyncSession, Depends(statement_session_dependency, scope="function")]
