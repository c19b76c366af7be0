"""The SQL store: SQLite (embedded default) or PostgreSQL, by URL; one transaction reaches every port.

PostgreSQL runs on SQLAlchemy's asyncio engine (psycopg 3) with a pool, and row locks (``SELECT … FOR UPDATE``)
where a state is read to be changed.

SQLite runs synchronously on the event loop, one transaction at a time behind an ``asyncio.Lock``. A SQLite
transaction of this store takes about a tenth of a millisecond; an async driver (aiosqlite) hands every
statement to a thread and back, which made each one take well over a millisecond, and SQLite serialises
writers anyway. The lock (not the connection pool) serialises transactions, so a coroutine that awaits inside
one only makes the others wait, never blocks the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from sangsaeng.errors import ConfigurationError
from sangsaeng.store.sql.conflicts import conflict_of
from sangsaeng.store.sql.connection import PostgresConnection, SqliteConnection
from sangsaeng.store.sql.tx import SqlTx


def async_url(url: str) -> str:
    """PostgreSQL URLs as plain ``postgresql://…`` pick the psycopg 3 driver."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sync_url(url: str) -> str:
    return url.replace("postgresql+asyncpg:", "postgresql+psycopg:")


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


JSON_CODEC: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def sqlite_engine(url: str) -> sa.Engine:
    engine = sa.create_engine(
        url, poolclass=sa.pool.StaticPool, connect_args={"check_same_thread": False}, **JSON_CODEC
    )

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")  # other processes (the CLI, a second worker) may write too
        cursor.close()

    return engine


def postgres_engine(url: str) -> AsyncEngine:
    return create_async_engine(async_url(url), pool_size=10, max_overflow=10, pool_pre_ping=True, **JSON_CODEC)


class Engines:
    """A process's PostgreSQL pools, one per database URL, shared by the stores of every participant context on
    it (each in its own schema): hundreds of hosted connectors must not open hundreds of pools."""

    def __init__(self) -> None:
        self._engines: dict[str, AsyncEngine] = {}

    def of(self, url: str) -> AsyncEngine:
        url = async_url(url)
        if url not in self._engines:
            self._engines[url] = postgres_engine(url)
        return self._engines[url]

    async def dispose(self) -> None:
        engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            await engine.dispose()


class SqlStore:
    """``schema``: the PostgreSQL schema holding this store's tables (a participant context's own), every
    statement's tables translated into it; ``engines``: shared pools to take the engine from (else its own)."""

    def __init__(self, url: str, *, schema: str | None = None, engines: Engines | None = None) -> None:
        self.url = async_url(url)
        self._sqlite: sa.Engine | None = None
        self._engine: AsyncEngine | None = None
        self._connection: sa.Connection | None = None
        self._owned = engines is None
        if self.url.startswith("sqlite"):
            if schema:
                raise ConfigurationError(
                    "state_schema applies to PostgreSQL only; SQLite keeps each connector in its own file",
                    hint="leave SANGSAENG_STATE_SCHEMA empty, or set SANGSAENG_DATABASE_URL to a PostgreSQL database",
                )
            self._sqlite = sqlite_engine(self.url)
            self._lock = asyncio.Lock()
        else:
            engine = self._base = engines.of(self.url) if engines is not None else postgres_engine(self.url)
            # A view of the one engine (the same pool) whose statements name the context's schema.
            self._engine = engine.execution_options(schema_translate_map={None: schema}) if schema else engine

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[SqlTx]:
        try:
            if self._sqlite is not None:
                async with self._lock:
                    if self._connection is None:  # one connection for the store's life: SQLite has one writer anyway
                        self._connection = self._sqlite.connect()
                    with self._connection.begin():
                        sqlite = SqliteConnection(self._connection)
                        yield SqlTx(sqlite)
                        sqlite.raise_swallowed()
                return
            assert self._engine is not None
            async with self._engine.begin() as raw:
                postgres = PostgresConnection(raw)
                yield SqlTx(postgres)
                postgres.raise_swallowed()
        except IntegrityError as error:  # found at commit rather than at a statement
            conflict = conflict_of(error)
            if conflict is None:
                raise
            raise conflict from error

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._sqlite is not None:
            self._sqlite.dispose()
        if self._engine is not None and self._owned:
            await self._base.dispose()
