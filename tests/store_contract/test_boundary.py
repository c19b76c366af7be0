"""Where the store ends: no database library outside ``store/``, the ports complete on every adapter, and the flat
names from before the ports only delegating to them, listed here until callers stop using them."""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import pytest

from sangsaeng.errors import Conflict
from sangsaeng.store.ports import Store, Tx
from sangsaeng.store.ports.flat import FlatNames
from sangsaeng.store.ports.kinds import PORTS
from sangsaeng.store.sql import SqlTx
from tests.store_contract.builders import T0, negotiation
from tests.test_architecture import imports_of

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "sangsaeng"
DATABASE_LIBRARIES = ("sqlalchemy", "alembic", "psycopg", "aiosqlite", "sqlite3")

# FLAT: the names that remain, each a delegation to one port's method. Remove a name (and its delegation in
# store/ports/flat.py) when no caller uses it any more; never add one — a new store operation goes on its port.
REMAINING = {
    "add_agreement", "add_dataset", "add_head", "add_login_failure", "add_negotiation", "add_offer", "add_session",
    "add_sources", "add_transfer", "add_user", "add_version", "add_witnessed", "agreements_for", "append_log",
    "bump_catalog_revision", "catalog_entries", "catalog_revision", "clear_login_failures", "count_datasets",
    "declare_term", "delete_session", "delete_sessions", "drop_login_failure", "due_messages", "enqueue",
    "find_negotiation", "find_transfer", "forget_login_failures", "forget_sessions", "forget_term",
    "forget_tokens_before", "get_agreement", "get_dataset", "get_message", "get_negotiation", "get_offer",
    "get_session", "get_transfer", "get_user", "list_agreements", "list_datasets", "list_negotiations",
    "list_offers", "list_transfers", "list_users", "log_entries", "log_heads", "log_leaves", "log_size",
    "login_failures", "offers_for", "pending_messages", "remember_token", "save_agreement", "save_message",
    "save_negotiation", "save_session", "save_transfer", "sessions_of", "set_password_hash", "sources_of", "terms",
    "transfers_for", "witnessed",
}  # fmt: skip
# The one flat name that is more than a call: the port raises Conflict for a replay, the old name answered False.
TRANSLATED = {"remember_token"}


def flat_names() -> set[str]:
    return {name for name, _ in inspect.getmembers(FlatNames, inspect.iscoroutinefunction)}


def test_no_module_outside_the_store_imports_a_database_library() -> None:
    """Services see records, ports and ``sangsaeng.errors`` only. (The benchmarks may poll a SQLite file from
    outside, as an observer; they are not the connector.)"""
    store = SRC / "store"
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in imports_of(path) if n.split(".")[0] in DATABASE_LIBRARIES)
        for path in SRC.rglob("*.py")
        if store not in path.parents
    }
    assert {path: found for path, found in offenders.items() if found} == {}


def test_every_adapter_transaction_sets_every_port() -> None:
    assert set(SqlTx.__slots__) - {"conn"} == set(PORTS)
    assert issubclass(SqlTx, Tx)


def test_the_flat_names_that_remain_are_the_listed_ones() -> None:
    assert flat_names() == REMAINING


def test_each_flat_name_only_calls_its_port() -> None:
    for name in sorted(REMAINING - TRANSLATED):
        function = ast.parse(textwrap.dedent(inspect.getsource(getattr(FlatNames, name)))).body[0]
        assert isinstance(function, ast.AsyncFunctionDef)
        (statement,) = function.body
        assert isinstance(statement, ast.Return) and isinstance(statement.value, ast.Await), name
        call = statement.value.value
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute), name
        port = call.func.value
        assert isinstance(port, ast.Attribute) and isinstance(port.value, ast.Name), name
        assert port.value.id == "self" and port.attr in PORTS, name


@pytest.mark.anyio
async def test_a_flat_name_reaches_the_same_records_as_its_port(store: Store) -> None:
    async with store.begin() as tx:
        await tx.add_negotiation(negotiation("urn:n:1"))
        assert await tx.get_negotiation("urn:n:1") == await tx.negotiations.get("urn:n:1") == negotiation("urn:n:1")
        assert await tx.list_negotiations() == await tx.negotiations.page()
        assert await tx.remember_token("jti-1", T0) is True
        assert await tx.remember_token("jti-1", T0) is False  # a replay: the port's Conflict, answered as before
    with pytest.raises(Conflict):
        async with store.begin() as tx:
            await tx.add_negotiation(negotiation("urn:n:1"))
