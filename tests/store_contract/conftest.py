"""The store under contract, once per adapter: SQLite (a temporary file) and PostgreSQL (127.0.0.1:5432, db
``test``). Each test starts from the newest schema and no records.

Migrating takes most of a second, so each worker migrates once: SQLite into a template file copied per test,
PostgreSQL into a database of its own (a fresh name per run, so parallel workers and runs never share one)
emptied before each test. Under CI=true a missing PostgreSQL fails the run (``tests/conftest.py``).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest

from sangsaeng.store import migrate, tables
from sangsaeng.store.ports import Store
from sangsaeng.store.sql import SqlStore

ADAPTERS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store-template") / "state.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database(postgres_server: str) -> Iterator[str]:
    name = f"sangsaeng_contract_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{postgres_server.rsplit('/', 1)[0]}/{name}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty(url: str) -> None:
    """Every table as the migrations leave it: no records, the catalog's revision at 0, counters from 1."""
    names = ", ".join(f'"{t.name}"' for t in tables.metadata.sorted_tables if t.name != "catalog_revision")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        conn.execute("UPDATE catalog_revision SET revision = 0")


def store_url(adapter: str, request: pytest.FixtureRequest, folder: Path) -> str:
    if adapter == "sqlite":
        copy = folder / "state.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), copy)
        return f"sqlite:///{copy}"
    url: str = request.getfixturevalue("postgres_database")
    _empty(url)
    return url


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    made = SqlStore(store_url(request.param, request, tmp_path))
    try:
        yield made
    finally:
        await made.close()
