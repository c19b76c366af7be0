"""SQL adapter of the replay guard: token ids kept until they expire, each once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from sangsaeng.errors import Conflict
from sangsaeng.store import tables as t
from sangsaeng.store.sql.common import Rows, insert_or_skip

_S = t.seen_tokens
# ON CONFLICT DO NOTHING, not a failed INSERT: a replay must not end the transaction that found it (PostgreSQL
# refuses every later statement of a transaction with a failed one).
_REMEMBER = {
    dialect: insert_or_skip(dialect, _S)
    .values(jti=sa.bindparam("jti"), expires_at=sa.bindparam("expires_at"))
    .returning(_S.c.jti)
    for dialect in ("postgresql", "sqlite")
}
_FORGET = _S.delete().where(_S.c.expires_at < sa.bindparam("moment"))


class SqlReplayGuard(Rows):
    __slots__ = ()

    async def remember(self, jti: str, expires_at: datetime) -> None:
        kept = await self.conn.execute(_REMEMBER[self.conn.dialect.name], {"jti": jti, "expires_at": expires_at})
        if kept.first() is None:
            raise Conflict("the token id (jti) was used before", details={"record": "token id (jti)"})

    async def forget_before(self, moment: datetime) -> int:
        return int((await self.conn.execute(_FORGET, {"moment": moment})).rowcount or 0)
