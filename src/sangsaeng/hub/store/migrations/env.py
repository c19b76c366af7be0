"""Alembic environment of the hub's tables: as the connector's (``store/migrations/env.py``), with its own
version table, so that the two chains share one database and one schema without knowing of each other."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text
from sqlalchemy.schema import CreateSchema

from sangsaeng.hub.store.migrate import VERSION_TABLE
from sangsaeng.hub.store.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url must be set by sangsaeng.hub.store.migrate"
schema: str | None = config.attributes.get("schema")


def run(url: str) -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        if schema:
            connection.execute(CreateSchema(schema, if_not_exists=True))
            quoted = connection.dialect.identifier_preparer.quote_identifier(schema)
            connection.execute(text(f"SET search_path TO {quoted}"))
            connection.commit()
            connection.dialect.default_schema_name = schema
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            version_table=VERSION_TABLE,
            version_table_schema=schema,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run(url)
