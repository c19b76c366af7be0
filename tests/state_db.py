"""A test's way into a connector's state, on whichever store it is configured with (``Settings.state_url``: its
SQLite file by default, a PostgreSQL database under ``--state postgres``), through SQLAlchemy Core on the
project's own tables, so a test that reads or tampers with stored state runs the same on both."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from sangsaeng.settings import Settings
from sangsaeng.store.sql.engine import async_url


@contextmanager
def state(settings: Settings) -> Iterator[sa.Connection]:
    """One transaction on the connector's state database, committed when the block ends without an error. Works
    while the connector runs (or after it was killed): a connection of its own, closed at the end."""
    engine = sa.create_engine(async_url(settings.state_url), poolclass=sa.pool.NullPool)
    if settings.state_schema:
        engine = engine.execution_options(schema_translate_map={None: settings.state_schema})  # type: ignore[assignment]
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()
