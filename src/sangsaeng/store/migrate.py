"""Bring a state database to the newest schema with Alembic (run at start-up and by ``sangsaeng init``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from sangsaeng.errors import ConfigurationError
from sangsaeng.store.sql import sync_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, schema: str | None = None) -> Config:
    """``schema``: a PostgreSQL schema to hold the tables and Alembic's version table (a participant context's own,
    made when missing); none: the database's default schema, as a connector of its own uses."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    config.attributes["schema"] = schema
    return config


def upgrade(url: str, schema: str | None = None) -> None:
    if schema and sync_url(url).startswith("sqlite"):
        raise ConfigurationError(
            "state_schema applies to PostgreSQL only; SQLite keeps each connector in its own file",
            hint="leave state_schema empty, or give a PostgreSQL database_url",
        )
    command.upgrade(alembic_config(url, schema), "head")
