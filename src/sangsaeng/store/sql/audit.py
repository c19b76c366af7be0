"""SQL adapter of the audit log port: append-only entries, signed heads, and heads witnessed from peers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from sangsaeng.store import tables as t
from sangsaeng.store.records import LogEntry
from sangsaeng.store.sql.common import Rows, insert_or_skip, values

_E, _H, _W = t.audit_entries, t.audit_heads, t.audit_witnessed


class SqlAuditLog(Rows):
    __slots__ = ()

    async def append(self, entries: Sequence[LogEntry]) -> None:
        if entries:
            await self.conn.execute(_E.insert(), [values(e) for e in entries])

    async def entries(
        self,
        offset: int = 0,
        limit: int | None = None,
        *,
        agreement_or_process: Sequence[str] = (),
        counterparty: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: str | None = None,
        newest_first: bool = False,
    ) -> list[LogEntry]:
        query = sa.select(_E).order_by(_E.c.index.desc() if newest_first else _E.c.index)
        if kind is not None:
            query = query.where(_E.c.kind == kind)
        if agreement_or_process:
            query = query.where(
                sa.or_(_E.c.agreement_id.in_(agreement_or_process), _E.c.process_id.in_(agreement_or_process))
            )
        if counterparty is not None:
            query = query.where(_E.c.counterparty == counterparty)
        if since is not None:
            query = query.where(_E.c.at >= since)
        if until is not None:
            query = query.where(_E.c.at < until)
        query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return await self._all(LogEntry, query)

    async def leaves(self, size: int | None = None) -> list[str]:
        query = sa.select(_E.c.leaf).order_by(_E.c.index)
        if size is not None:
            query = query.limit(size)
        return [r[0] for r in await self.conn.execute(query)]

    async def size(self) -> int:
        found = (await self.conn.execute(sa.select(sa.func.max(_E.c.index)))).scalar()
        return 0 if found is None else int(found) + 1

    async def add_head(self, size: int, head: dict[str, Any], at: datetime) -> None:
        await self.conn.execute(insert_or_skip(self.conn.dialect.name, _H).values(size=size, head=head, at=at))

    async def heads(self) -> list[dict[str, Any]]:
        return [r[0] for r in await self.conn.execute(sa.select(_H.c.head).order_by(_H.c.size))]

    async def add_witnessed(self, participant: str, size: int, root: str, head: dict[str, Any], at: datetime) -> bool:
        inserted = await self.conn.execute(
            insert_or_skip(self.conn.dialect.name, _W)
            .values(participant=participant, size=size, root=root, head=head, received_at=at)
            .returning(_W.c.size)
        )
        return inserted.first() is not None

    async def witnessed(self, participant: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(_W.c.head).order_by(_W.c.participant, _W.c.size, _W.c.root)
        if participant is not None:
            query = query.where(_W.c.participant == participant)
        return [r[0] for r in await self.conn.execute(query)]
