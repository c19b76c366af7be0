"""Alembic environment of support's tables: the connector's environment with a version table of its own."""

from __future__ import annotations

from sangsaeng.store.environment import run_migrations
from sangsaeng.support.store.meta import metadata
from sangsaeng.support.store.migrate import VERSION_TABLE

run_migrations(metadata, VERSION_TABLE)
