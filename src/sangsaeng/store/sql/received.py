"""SQL adapter of the received-copies port."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from sangsaeng.errors import NotFound
from sangsaeng.store import tables as t
from sangsaeng.store.records import Received, ReceivedFile
from sangsaeng.store.sql.common import ById, Rows, field_names

_R = t.received
_BY_ID = ById(_R)
_OF_AGREEMENT = sa.select(_R).where(_R.c.agreement_id == sa.bindparam("agreement"))
_NEWEST = sa.select(_R).order_by(_R.c.received_at.desc(), _R.c.id)


def _values(copy: Received) -> dict[str, Any]:
    found = {name: getattr(copy, name) for name in field_names(Received)}
    found["files"] = [{"key": f.key, "rows": f.rows, "bytes": f.bytes, "sha256": f.sha256} for f in copy.files]
    return found


def _copy(row: Any) -> Received:
    m = row._mapping
    fields = {name: m[name] for name in field_names(Received)}
    fields["files"] = tuple(ReceivedFile(f["key"], f["rows"], f["bytes"], f["sha256"]) for f in m["files"])
    return Received(**fields)


class SqlReceived(Rows):
    __slots__ = ()

    async def add(self, copy: Received) -> None:
        await self.conn.execute(_BY_ID.insert, _values(copy))

    async def get(self, copy_id: str) -> Received | None:
        row = await self._one(_BY_ID.select.params(key=copy_id))
        return None if row is None else _copy(row)

    async def of_agreement(self, agreement_id: str, *, for_update: bool = False) -> Received | None:
        statement = _OF_AGREEMENT.with_for_update() if for_update and self.lock_rows else _OF_AGREEMENT
        row = (await self.conn.execute(statement, {"agreement": agreement_id})).first()
        return None if row is None else _copy(row)

    async def save(self, copy: Received) -> None:
        result = await self.conn.execute(_BY_ID.update, {**_values(copy), "key": copy.id})
        if not result.rowcount:
            raise NotFound(f"no received copy {copy.id} is stored", details={"record": "received copy"})

    async def page(self, offset: int = 0, limit: int = 100) -> list[Received]:
        return [_copy(row) for row in await self.conn.execute(_NEWEST.offset(offset).limit(limit))]
