"""What the support parts' store tests share: a store with every chain migrated (the connector's, the hub's and
support's, support's twice — nothing to do the second time) on SQLite, PostgreSQL or a schema of PostgreSQL, and
Alembic's differences between the migrated database and the tables a part declares."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sangsaeng.hub.store import migrate as hub_migrate
from sangsaeng.store import migrate
from sangsaeng.store.sql import SqlStore, sync_url
from sangsaeng.support.store import migrate as support_migrate
from sangsaeng.support.store.meta import metadata

PLACES = ["sqlite", "postgresql", "postgresql-schema"]
Migrated = tuple[SqlStore, str, str | None]  # the store, its URL, its schema


@asynccontextmanager
async def migrated(request: pytest.FixtureRequest, tmp_path: Path, schema: str = "hub_one") -> AsyncIterator[Migrated]:
    """The store of ``request.param`` (one of ``PLACES``), every chain migrated."""
    url, used = f"sqlite:///{tmp_path / 'state.db'}", None
    if request.param != "sqlite":
        url = request.getfixturevalue("postgres_url")
        used = schema if request.param == "postgresql-schema" else None
    migrate.upgrade(url, used)
    hub_migrate.upgrade(url, used)
    support_migrate.upgrade(url, used)
    support_migrate.upgrade(url, used)  # twice: nothing to do the second time
    made = SqlStore(url, schema=used)
    try:
        yield made, url, used
    finally:
        await made.close()


def _table_of(difference: Any) -> str | None:
    """The table one of Alembic's differences is about (the connector's and hub's are not in support's metadata)."""
    first = difference[0] if isinstance(difference, list) else difference
    for part in first if isinstance(first, tuple) else ():
        if isinstance(part, sa.Table):
            return str(part.name)
        table = getattr(part, "table", None)
        if table is not None:
            return str(table.name)
        if isinstance(part, str) and part.startswith("support_"):
            return part
    return None


def declared_differences(url: str, schema: str | None, names: set[str]) -> tuple[list[Any], set[str], list[str]]:
    """Alembic's differences between the migrated database and support's declared tables ``names``; the tables the
    database holds; support's chain heads it records."""
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            if schema:
                conn.execute(sa.text(f'SET search_path TO "{schema}"'))
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, metadata) if _table_of(d) in names]
            made = set(sa.inspect(conn).get_table_names(schema=schema))
            heads = list(conn.execute(sa.text("SELECT version_num FROM support_alembic_version")).scalars())
    finally:
        engine.dispose()
    return differences, made, heads
