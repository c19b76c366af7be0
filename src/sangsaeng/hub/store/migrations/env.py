"""Alembic environment of the hub's tables: as the connector's, with a version table of its own, so that the two
chains share one database and one schema without knowing of each other (``store/environment.py``)."""

from __future__ import annotations

from sangsaeng.hub.store.migrate import VERSION_TABLE
from sangsaeng.hub.store.tables import metadata
from sangsaeng.store.environment import run_migrations

run_migrations(metadata, VERSION_TABLE)
