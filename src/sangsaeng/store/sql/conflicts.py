"""A write the stored records refuse becomes the project's ``Conflict``, named in the words of the record kind.

Only unique and foreign-key violations are conflicts: a NOT NULL or CHECK violation is a fault of the code, not of
the request, and stays the driver's error (an internal error at the edges).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from sangsaeng.errors import Conflict
from sangsaeng.store import tables as t

# Each table's record, and what makes one unique, in words.
RECORDS: dict[str, tuple[str, str]] = {
    "datasets": ("dataset", "id"),
    "dataset_versions": ("dataset version", "dataset and version number"),
    "dataset_sources": ("dataset source", "dataset and position"),
    "offers": ("offer", "id"),
    "negotiations": ("negotiation", "id, or role, counterparty and consumer process id"),
    "agreements": ("agreement", "id"),
    "transfers": ("transfer", "id, or role, counterparty and consumer process id"),
    "outbox": ("outbox message", "id"),
    "seen_tokens": ("token id (jti)", "value"),
    "catalog_revision": ("catalog revision", "id"),
    "audit_entries": ("log entry", "index"),
    "audit_heads": ("log head", "size"),
    "audit_witnessed": ("witnessed log head", "participant, size and root"),
    "users": ("user", "name"),
    "portal_sessions": ("portal session", "id"),
    "login_failures": ("failed sign-in", "id"),
    "vocabulary": ("term", "kind, field and spelling"),
    "received": ("received copy", "id, or agreement"),
}

_UNIQUE = {"23505", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}
_REFERENCE = {"23503", "SQLITE_CONSTRAINT_FOREIGNKEY"}
_SQLITE_TABLE = re.compile(r"constraint failed: (\w+)\.")


def conflict_of(error: IntegrityError, statement: Any = None) -> Conflict | None:
    """The ``Conflict`` a driver's integrity error means, or None when it is not one (a fault of the code)."""
    cause = error.orig
    code = getattr(cause, "sqlstate", None) or getattr(cause, "sqlite_errorname", None)
    if code not in _UNIQUE and code not in _REFERENCE:
        return None
    table = _table_of(statement, cause)
    noun, key = RECORDS.get(table or "", ("record", "key"))
    if code in _UNIQUE:
        return Conflict(f"a {noun} with the same {key} is stored already", details={"record": noun})
    missing = _referenced(table)
    return Conflict(f"the {noun} names a {missing} that is not stored", details={"record": noun, "missing": missing})


def _table_of(statement: Any, cause: Any) -> str | None:
    """The table written: the statement's own (an INSERT or UPDATE), else what the driver's report names."""
    table = getattr(statement, "table", None)
    if isinstance(table, sa.Table):
        return table.name
    diagnosis = getattr(cause, "diag", None)
    if diagnosis is not None and diagnosis.table_name:
        return str(diagnosis.table_name)
    found = _SQLITE_TABLE.search(str(cause))
    return found.group(1) if found else None


def _referenced(table: str | None) -> str:
    """What the table's rows name in another table, in words: a session names its user, a version its dataset."""
    if table is None or table not in t.metadata.tables:
        return "record"
    targets = sorted({key.column.table.name for key in t.metadata.tables[table].foreign_keys})
    return " or ".join(RECORDS[target][0] for target in targets) if targets else "record"
