"""Alembic environment: runs with a synchronous engine on the URL the connector was configured with."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from sangsaeng.store.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url must be set by sangsaeng.store.migrate"


def run(url: str) -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run(url)
