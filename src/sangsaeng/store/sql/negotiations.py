"""SQL adapter of the negotiations port."""

from __future__ import annotations

import sqlalchemy as sa

from sangsaeng.store import tables as t
from sangsaeng.store.records import Negotiation
from sangsaeng.store.sql.common import ById, Rows, record

_N = t.negotiations
_BY_ID = ById(_N)
_FIND = sa.select(_N).where(
    _N.c.role == sa.bindparam("role"),
    _N.c.consumer_pid == sa.bindparam("consumer_pid"),
    _N.c.counterparty == sa.bindparam("counterparty"),
)
_NEWEST = sa.select(_N).order_by(_N.c.created_at.desc(), _N.c.id.desc())


class SqlNegotiations(Rows):
    __slots__ = ()

    async def add(self, negotiation: Negotiation) -> None:
        await self._insert(_BY_ID, negotiation)

    async def get(self, negotiation_id: str, *, for_update: bool = False) -> Negotiation | None:
        return await self._get(_BY_ID, Negotiation, negotiation_id, for_update)

    async def find(self, role: str, consumer_pid: str, counterparty: str) -> Negotiation | None:
        parameters = {"role": role, "consumer_pid": consumer_pid, "counterparty": counterparty}
        row = (await self.conn.execute(_FIND, parameters)).first()
        return None if row is None else record(Negotiation, row)

    async def save(self, negotiation: Negotiation) -> None:
        await self._save(_BY_ID, negotiation, "negotiation")

    async def page(self, offset: int = 0, limit: int = 100) -> list[Negotiation]:
        return await self._all(Negotiation, _NEWEST.offset(offset).limit(limit))
