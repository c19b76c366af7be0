"""Alembic environment: runs with a synchronous engine on the URL the connector was configured with, and into
its own PostgreSQL schema when it has one (``state_schema``: the session's search path is that schema alone, so
every table of the migrations lands there; Alembic's version table too; the migrations themselves name none)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text
from sqlalchemy.schema import CreateSchema

from sangsaeng.store.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url must be set by sangsaeng.store.migrate"
schema: str | None = config.attributes.get("schema")


def run(url: str) -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        if schema:
            # Alembic's own statements (ALTER TABLE …) name no schema and take no translate map: the session's
            # search path puts them, and every table the migrations make, into the schema.
            connection.execute(CreateSchema(schema, if_not_exists=True))
            quoted = connection.dialect.identifier_preparer.quote_identifier(schema)
            connection.execute(text(f"SET search_path TO {quoted}"))
            connection.commit()
            connection.dialect.default_schema_name = schema
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            version_table_schema=schema,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run(url)
