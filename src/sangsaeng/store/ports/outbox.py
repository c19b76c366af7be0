"""The store of the outbox: protocol messages promised in the transaction that caused them, sent after it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sangsaeng.store.records import OutboxMessage


class Outbox(Protocol):
    async def enqueue(self, message: OutboxMessage) -> None:
        """Keep a message to send; messages leave in the order they were enqueued. ``Conflict`` when its id is
        stored already."""
        ...

    async def due(self, now: datetime, limit: int = 50) -> list[OutboxMessage]:
        """Pending messages whose next attempt is at or before ``now``, in the order they were enqueued."""
        ...

    async def pending(self, process_id: str) -> list[OutboxMessage]:
        """One process's pending messages, in the order they were enqueued."""
        ...

    async def get(self, message_id: str, *, for_update: bool = False) -> OutboxMessage | None: ...

    async def save(self, message: OutboxMessage) -> None:
        """Write back a stored message (attempts, status, next attempt). ``NotFound`` when its id is not stored."""
        ...
