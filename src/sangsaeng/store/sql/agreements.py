"""SQL adapter of the agreements port."""

from __future__ import annotations

import sqlalchemy as sa

from sangsaeng.store import tables as t
from sangsaeng.store.records import Agreement
from sangsaeng.store.sql.common import ById, Rows

_A = t.agreements
_BY_ID = ById(_A)
_NEWEST = sa.select(_A).order_by(_A.c.created_at.desc(), _A.c.id.desc())
_OF_DATASET = sa.select(_A).where(_A.c.dataset_id == sa.bindparam("dataset")).order_by(_A.c.created_at, _A.c.id)


class SqlAgreements(Rows):
    __slots__ = ()

    async def add(self, agreement: Agreement) -> None:
        await self._insert(_BY_ID, agreement)

    async def get(self, agreement_id: str, *, for_update: bool = False) -> Agreement | None:
        return await self._get(_BY_ID, Agreement, agreement_id, for_update)

    async def save(self, agreement: Agreement) -> None:
        await self._save(_BY_ID, agreement, "agreement")

    async def page(self, offset: int = 0, limit: int = 100) -> list[Agreement]:
        return await self._all(Agreement, _NEWEST.offset(offset).limit(limit))

    async def for_dataset(self, dataset_id: str) -> list[Agreement]:
        return await self._all(Agreement, _OF_DATASET, {"dataset": dataset_id})
