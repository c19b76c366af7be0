"""A connector's state in PostgreSQL copied into a fresh SQLite file (a hosted connector's export: what it takes
with it is the same ``state.db`` a connector on SQLite has, so ``sangsaeng import`` reads both alike).

The SQLite file is migrated to the revision the PostgreSQL state is at, then every table of the store
(``store/tables.py``, which the migrations make exactly) is copied row by row, a batch at a time, all read in one
``REPEATABLE READ`` transaction: one consistent state while the connector keeps writing. Rows go through the tables'
own column types, so times stay UTC-aware and JSON stays JSON on both sides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sangsaeng.store import migrate
from sangsaeng.store import tables as t
from sangsaeng.store.sql.engine import JSON_CODEC, async_url

BATCH = 1000
VERSIONS = "alembic_version"


def copy_postgres(url: str, schema: str | None, target: Path, batch: int = BATCH) -> None:
    """The state of the PostgreSQL database ``url`` (in ``schema``, else the default one) written to a new SQLite
    file ``target``, ``batch`` rows at a time (blocking: run it off the event loop)."""
    source = sa.create_engine(async_url(url), poolclass=sa.pool.NullPool, **JSON_CODEC)
    sqlite = sa.create_engine(f"sqlite:///{target.resolve()}", poolclass=sa.pool.NullPool, **JSON_CODEC)
    try:
        reading = source.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with reading, reading.begin():
            versions = sa.table(VERSIONS, sa.column("version_num", sa.String), schema=schema)
            revision = reading.execute(sa.select(versions.c.version_num)).scalar_one()
            migrate.upgrade(f"sqlite:///{target.resolve()}", None, revision)
            with sqlite.begin() as writing:
                made = sa.inspect(writing)
                for table in t.metadata.sorted_tables:  # parents before the rows that name them
                    if not made.has_table(table.name):
                        continue
                    names = {c["name"] for c in made.get_columns(table.name)}
                    columns = [sa.column(c.name, c.type) for c in table.columns if c.name in names]
                    _copy(reading, writing, table.name, columns, schema, batch)
    finally:
        source.dispose()
        sqlite.dispose()


def _copy(
    reading: sa.Connection,
    writing: sa.Connection,
    name: str,
    columns: list[sa.ColumnClause[Any]],
    schema: str | None,
    batch: int,
) -> None:
    source = sa.table(name, *[sa.column(c.name, c.type) for c in columns], schema=schema)
    target = sa.table(name, *columns)
    writing.execute(sa.delete(target))  # what the migrations themselves put in (counters) is the copy's to say
    rows = reading.execution_options(yield_per=batch).execute(sa.select(*source.columns))
    for part in rows.partitions(batch):
        writing.execute(sa.insert(target), [dict(row._mapping) for row in part])
