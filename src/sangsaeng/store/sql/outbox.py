"""SQL adapter of the outbox port. Messages keep the order they were enqueued in by a sequence number that grows
across restarts (milliseconds since the epoch at start, times a thousand, then counted up)."""

from __future__ import annotations

import itertools
import time
from datetime import datetime

import sqlalchemy as sa

from sangsaeng.store import tables as t
from sangsaeng.store.records import OutboxMessage
from sangsaeng.store.sql.common import ById, Rows

_O = t.outbox
_BY_ID = ById(_O)
_DUE = (
    sa.select(_O)
    .where(_O.c.status == "pending", _O.c.next_attempt_at <= sa.bindparam("now"))
    .order_by(_O.c.seq)
    .limit(sa.bindparam("limit"))
)
_PENDING = sa.select(_O).where(_O.c.process_id == sa.bindparam("process"), _O.c.status == "pending").order_by(_O.c.seq)
_seq = itertools.count(int(time.time() * 1000) * 1000)


class SqlOutbox(Rows):
    __slots__ = ()

    async def enqueue(self, message: OutboxMessage) -> None:
        await self._insert(_BY_ID, message, seq=next(_seq))

    async def due(self, now: datetime, limit: int = 50) -> list[OutboxMessage]:
        return await self._all(OutboxMessage, _DUE, {"now": now, "limit": limit})

    async def pending(self, process_id: str) -> list[OutboxMessage]:
        return await self._all(OutboxMessage, _PENDING, {"process": process_id})

    async def get(self, message_id: str, *, for_update: bool = False) -> OutboxMessage | None:
        return await self._get(_BY_ID, OutboxMessage, message_id, for_update)

    async def save(self, message: OutboxMessage) -> None:
        await self._save(_BY_ID, message, "outbox message")
