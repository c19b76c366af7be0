"""The two connections a transaction writes through, both awaitable, both turning a unique or foreign-key
violation into ``Conflict`` as it happens.

A conflict the database found ends the transaction on every adapter alike: PostgreSQL refuses every later
statement of a transaction that failed one, SQLite would go on and commit the rest. So after a conflict each
later statement raises it again, and the transaction's end rolls back and raises it even when the caller caught it
inside the block (``raise_swallowed``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from sangsaeng.errors import Conflict
from sangsaeng.store.sql.conflicts import conflict_of


class _Translating:
    __slots__ = ("dialect", "conflict")

    def __init__(self, dialect: sa.Dialect) -> None:
        self.dialect = dialect
        self.conflict: Conflict | None = None

    def _refused(self, error: IntegrityError, statement: Any) -> Conflict | None:
        self.conflict = conflict_of(error, statement)
        return self.conflict

    def _again(self) -> Conflict:
        first = self.conflict
        assert first is not None
        return Conflict(first.message, first.position, first.hint, dict(first.details))

    def raise_swallowed(self) -> None:
        """At the end of the block: a conflict caught inside it still ends the transaction, with nothing kept."""
        if self.conflict is not None:
            raise self._again()


class SqliteConnection(_Translating):
    """A synchronous SQLite connection with the awaitable ``execute`` the adapters use."""

    __slots__ = ("conn",)

    def __init__(self, conn: sa.Connection) -> None:
        super().__init__(conn.dialect)
        self.conn = conn

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        if self.conflict is not None:
            raise self._again()
        try:
            return self.conn.execute(statement, parameters)
        except IntegrityError as error:
            conflict = self._refused(error, statement)
            if conflict is None:
                raise
            raise conflict from error


class PostgresConnection(_Translating):
    """PostgreSQL's asyncio connection (psycopg 3)."""

    __slots__ = ("conn",)

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn.dialect)
        self.conn = conn

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        if self.conflict is not None:
            raise self._again()
        try:
            return await self.conn.execute(statement, parameters)
        except IntegrityError as error:
            conflict = self._refused(error, statement)
            if conflict is None:
                raise
            raise conflict from error
