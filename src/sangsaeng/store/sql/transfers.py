"""SQL adapter of the transfers port."""

from __future__ import annotations

import sqlalchemy as sa

from sangsaeng.store import tables as t
from sangsaeng.store.records import Transfer
from sangsaeng.store.sql.common import ById, Rows, record

_T = t.transfers
_BY_ID = ById(_T)
_FIND = sa.select(_T).where(
    _T.c.role == sa.bindparam("role"),
    _T.c.consumer_pid == sa.bindparam("consumer_pid"),
    _T.c.counterparty == sa.bindparam("counterparty"),
)
_NEWEST = sa.select(_T).order_by(_T.c.created_at.desc(), _T.c.id.desc())
_OF_AGREEMENT = sa.select(_T).where(_T.c.agreement_id == sa.bindparam("agreement")).order_by(_T.c.created_at, _T.c.id)


class SqlTransfers(Rows):
    __slots__ = ()

    async def add(self, transfer: Transfer) -> None:
        await self._insert(_BY_ID, transfer)

    async def get(self, transfer_id: str, *, for_update: bool = False) -> Transfer | None:
        return await self._get(_BY_ID, Transfer, transfer_id, for_update)

    async def find(self, role: str, consumer_pid: str, counterparty: str) -> Transfer | None:
        parameters = {"role": role, "consumer_pid": consumer_pid, "counterparty": counterparty}
        row = (await self.conn.execute(_FIND, parameters)).first()
        return None if row is None else record(Transfer, row)

    async def save(self, transfer: Transfer) -> None:
        await self._save(_BY_ID, transfer, "transfer")

    async def page(self, offset: int = 0, limit: int = 100) -> list[Transfer]:
        return await self._all(Transfer, _NEWEST.offset(offset).limit(limit))

    async def for_agreement(self, agreement_id: str) -> list[Transfer]:
        return await self._all(Transfer, _OF_AGREEMENT, {"agreement": agreement_id})
