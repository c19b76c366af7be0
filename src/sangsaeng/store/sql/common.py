"""What the SQL adapters of the ports share: the connection they write through, statements on a table keyed by
id (built once), and rows turned into records and back."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from sangsaeng.errors import NotFound

R = TypeVar("R")


class Connection(Protocol):
    """One transaction's connection: SQLite's synchronous one or PostgreSQL's asyncio one, both awaitable, both
    turning a unique or foreign-key violation into ``Conflict`` (``sql/connection.py``)."""

    dialect: sa.Dialect

    async def execute(self, statement: Any, parameters: Any = None) -> Any: ...


def values(record: Any) -> dict[str, Any]:
    """A record's fields as column values; unlike ``dataclasses.asdict`` it does not deep-copy JSON documents."""
    return {name: getattr(record, name) for name in field_names(type(record))}


_FIELDS: dict[type, tuple[str, ...]] = {}


def field_names(cls: type) -> tuple[str, ...]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(f.name for f in fields(cls))
    return found


def record(cls: type[R], row: Any) -> R:
    mapping = row._mapping
    return cls(**{name: mapping[name] for name in field_names(cls) if name in mapping})


class ById:
    """Statements on one table keyed by ``id``, built once: SQLAlchemy memoises their cache keys, so a hot path
    pays for neither building a statement nor keying its compiled form on every call."""

    def __init__(self, table: sa.Table) -> None:
        self.insert = table.insert()
        self.select = sa.select(table).where(table.c.id == sa.bindparam("key"))
        self.select_locked = self.select.with_for_update()
        self.update = table.update().where(table.c.id == sa.bindparam("key"))


def insert_or_skip(dialect: str, table: sa.Table) -> Any:
    """INSERT … ON CONFLICT DO NOTHING: concurrent writers of the same row both succeed, the first one's is kept."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).on_conflict_do_nothing()


class Rows:
    """A port's adapter: the transaction's connection, and what every port does with records keyed by id."""

    __slots__ = ("conn", "lock_rows")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.lock_rows = conn.dialect.name == "postgresql"  # SQLite has one writer at a time anyway

    async def _one(self, statement: Any) -> Any:
        return (await self.conn.execute(statement)).first()

    async def _all(self, cls: type[R], statement: Any, parameters: Any = None) -> list[R]:
        return [record(cls, row) for row in await self.conn.execute(statement, parameters)]

    async def _insert(self, statements: ById, item: Any, **extra: Any) -> None:
        await self.conn.execute(statements.insert, {**values(item), **extra})

    async def _get(self, statements: ById, cls: type[R], key: str, for_update: bool) -> R | None:
        statement = statements.select_locked if for_update and self.lock_rows else statements.select
        row = (await self.conn.execute(statement, {"key": key})).first()
        return None if row is None else record(cls, row)

    async def _save(self, statements: ById, item: Any, noun: str) -> None:
        result = await self.conn.execute(statements.update, {**values(item), "key": item.id})
        if not result.rowcount:
            raise NotFound(f"no {noun} {item.id} is stored", details={"record": noun})
