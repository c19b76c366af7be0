"""Bring a state database to the newest schema with Alembic (run at start-up and by ``sangsaeng init``)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.schema import DropSchema

from sangsaeng.errors import ConfigurationError
from sangsaeng.store.sql import async_url, sync_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, schema: str | None = None) -> Config:
    """``schema``: a PostgreSQL schema to hold the tables and Alembic's version table (a participant context's own,
    made when missing); none: the database's default schema, as a connector of its own uses."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    config.attributes["schema"] = schema
    return config


def upgrade(url: str, schema: str | None = None, revision: str = "head") -> None:
    """The state of ``url`` (in ``schema``) brought to ``revision``: the newest, or one named (a copy of a state
    made at that revision)."""
    if schema and sync_url(url).startswith("sqlite"):
        raise ConfigurationError(
            "state_schema applies to PostgreSQL only; SQLite keeps each connector in its own file",
            hint="leave state_schema empty, or give a PostgreSQL database_url",
        )
    command.upgrade(alembic_config(url, schema), revision)


def _postgres(url: str) -> sa.Engine:
    return sa.create_engine(async_url(url), poolclass=sa.pool.NullPool)  # psycopg 3, used synchronously


def schemas(url: str) -> set[str]:
    """The schemas of the PostgreSQL database ``url`` (none for SQLite, which has no schemas to share)."""
    if sync_url(url).startswith("sqlite"):
        return set()
    engine = _postgres(url)
    try:
        with engine.connect() as connection:
            return set(sa.inspect(connection).get_schema_names())
    finally:
        engine.dispose()


def drop_schema(url: str, schema: str) -> None:
    """Schema ``schema`` of the PostgreSQL database ``url`` dropped with everything in it (one made for a hosted
    connector whose sign-up failed); none there is no error."""
    engine = _postgres(url)
    try:
        with engine.begin() as connection:
            connection.execute(DropSchema(schema, cascade=True, if_exists=True))
    finally:
        engine.dispose()
