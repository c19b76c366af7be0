"""Where the store ends: no database library outside ``store/``, the ports complete on every adapter, and the flat
names from before the ports only delegating to them, listed here until callers stop using them."""

from __future__ import annotations

import inspect
from pathlib import Path

from sangsaeng.store.ports import Tx
from sangsaeng.store.ports.kinds import PORTS
from sangsaeng.store.sql import SqlTx
from tests.test_architecture import imports_of

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "sangsaeng"
DATABASE_LIBRARIES = ("sqlalchemy", "alembic", "psycopg", "aiosqlite", "sqlite3")
# The hub's search index is a port of its own (``hub/catalog/index.py``: ``SearchIndex`` and its SQLite FTS5 adapter;
# ``pgindex.py``: its PostgreSQL adapter).
SEARCH_INDEX_ADAPTERS = {SRC / "hub" / "catalog" / "index.py", SRC / "hub" / "catalog" / "pgindex.py"}


def test_no_module_outside_the_store_imports_a_database_library() -> None:
    """Services see records, ports and ``sangsaeng.errors`` only. (The benchmarks may poll a SQLite file from
    outside, as an observer; they are not the connector.)"""
    stores = (SRC / "store", SRC / "hub" / "store", SRC / "support" / "store")  # the connector's, the hub's, support's
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in imports_of(path) if n.split(".")[0] in DATABASE_LIBRARIES)
        for path in SRC.rglob("*.py")
        if not any(store in path.parents for store in stores) and path not in SEARCH_INDEX_ADAPTERS
    }
    assert {path: found for path, found in offenders.items() if found} == {}


def test_every_adapter_transaction_sets_every_port() -> None:
    assert set(SqlTx.__slots__) - {"conn"} == set(PORTS)
    assert issubclass(SqlTx, Tx)


def test_a_transaction_is_its_ports_and_nothing_else() -> None:
    """The flat names from before the ports are gone: every store operation is ``tx.<port>.<method>(…)``, so a
    new one goes on its port, where the contract suites hold both adapters to it."""
    assert [name for name, _ in inspect.getmembers(Tx, inspect.iscoroutinefunction)] == []
    assert [name for name, _ in inspect.getmembers(SqlTx, inspect.iscoroutinefunction)] == []
