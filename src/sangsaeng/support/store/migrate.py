"""Support's tables brought to the newest revision of every branch of their chain."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from sangsaeng.store.sql import sync_url

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "support_alembic_version"


def upgrade(url: str, schema: str | None = None) -> None:
    """``schema``: the PostgreSQL schema of the hub connector's state (``state_schema``), else the default."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    config.attributes["schema"] = schema
    command.upgrade(config, "heads")
