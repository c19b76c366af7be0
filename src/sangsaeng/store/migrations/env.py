"""Alembic environment of the connector's tables (``store/environment.py`` says how every chain runs)."""

from __future__ import annotations

from sangsaeng.store.environment import run_migrations
from sangsaeng.store.tables import metadata

run_migrations(metadata)
