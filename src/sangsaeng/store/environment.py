"""What an Alembic environment does here, for each chain of migrations (the connector's in ``store/migrations``,
the hub's in ``hub/store/migrations``): run with a synchronous engine on the configured URL, and into the
connector's own PostgreSQL schema when it has one (``state_schema``: the session's search path is that schema alone,
so every table of the migrations lands there, the chain's version table too; the migrations themselves name none).
Two chains share one database and schema by keeping their versions in tables of their own."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from sqlalchemy.schema import CreateSchema


def run_migrations(metadata: sa.MetaData, version_table: str = "alembic_version") -> None:
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set by the chain's migrate module"
    schema: str | None = config.attributes.get("schema")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        if schema:
            # Alembic's own statements (ALTER TABLE …) name no schema and take no translate map: the session's
            # search path puts them, and every table the migrations make, into the schema.
            connection.execute(CreateSchema(schema, if_not_exists=True))
            quoted = connection.dialect.identifier_preparer.quote_identifier(schema)
            connection.execute(sa.text(f"SET search_path TO {quoted}"))
            connection.commit()
            connection.dialect.default_schema_name = schema
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            version_table=version_table,
            version_table_schema=schema,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
