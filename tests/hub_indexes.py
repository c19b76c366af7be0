"""The hub's search index for a test, on each adapter of the port: SQLite FTS5 in memory, and PostgreSQL (a fresh
database from ``postgres_url``, the hub's migrations run; in a schema of its own too, as a hosted hub's state)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sangsaeng.hub.catalog.index import SqliteIndex
from sangsaeng.hub.catalog.pgindex import PostgresIndex
from sangsaeng.hub.store import migrate

ADAPTERS = ["sqlite", "postgres", "postgres-schema"]
Index = SqliteIndex | PostgresIndex


@contextmanager
def index_for(request: pytest.FixtureRequest) -> Iterator[Index]:
    """The adapter named by the fixture's parameter, closed afterwards."""
    made: Index
    if request.param == "sqlite":
        made = SqliteIndex()
    else:
        url = request.getfixturevalue("postgres_url")
        schema = "hub_one" if request.param == "postgres-schema" else None
        migrate.upgrade(url, schema)
        made = PostgresIndex(url, schema)
    try:
        yield made
    finally:
        made.close()
