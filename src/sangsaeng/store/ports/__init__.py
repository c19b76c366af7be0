"""The state store's ports: one narrow interface per record kind, reached through one transaction.

``Store.begin()`` opens a ``Tx``; its attributes are the ports (``tx.agreements.get(…)``, ``tx.outbox.enqueue(…)``),
each a Protocol in this package. All writes made through one ``Tx`` commit together or not at all — a state change
and the protocol message it causes go to the outbox in the same transaction — so a connector killed at any point
restarts with a consistent picture and its outbox resumes what was promised.

A write the stored records refuse (an id stored already, a replayed token id, a second user of one name, a record
naming another that is not stored) raises ``sangsaeng.errors.Conflict``; saving a record that is not stored raises
``NotFound``. No database library's error leaves an adapter. A conflict the database found ends the transaction:
nothing written in it is kept, even if the caller catches the error inside the block.

Adapters: ``sangsaeng.store.sql.SqlStore`` (SQLite by default, PostgreSQL by URL), one module per port.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from sangsaeng.store.ports.kinds import Ports


class Tx(Ports):
    """One transaction: the ports as attributes (``tx.agreements.get(…)``, ``tx.outbox.enqueue(…)``), and nothing
    else."""

    __slots__ = ()


class Store(Protocol):
    def begin(self) -> AbstractAsyncContextManager[Tx]: ...
    async def close(self) -> None: ...


__all__ = ["Ports", "Store", "Tx"]
