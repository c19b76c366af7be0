"""The migrations build exactly the tables the adapters use, and every table's records have words for conflicts."""

from __future__ import annotations

from pathlib import Path

from alembic import command

from sangsaeng.store import migrate, tables
from sangsaeng.store.sql.conflicts import RECORDS


def test_the_migrations_create_exactly_the_tables_the_code_uses(tmp_path: Path, postgres_url: str) -> None:
    """Alembic's autogenerate compares the migrated schema with ``tables.py``: any difference fails. A second
    upgrade is a no-op."""
    for url in (f"sqlite:///{tmp_path / 'check.db'}", postgres_url):
        migrate.upgrade(url)
        migrate.upgrade(url)
        command.check(migrate.alembic_config(url))


def test_every_table_names_its_record_for_a_conflict() -> None:
    assert set(RECORDS) == set(tables.metadata.tables)
