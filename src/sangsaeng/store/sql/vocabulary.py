"""SQL adapter of the vocabulary port: declared units, code values and headers, one meaning per word."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from sangsaeng.store import tables as t
from sangsaeng.store.records import Term
from sangsaeng.store.sql.common import Rows

_V = t.vocabulary
_KEY = ("kind", "field", "written")


def _declare(insert: Any) -> Any:
    """Declaring a word again replaces its meaning, and who declared it and when: the latest person's word holds."""
    statement = insert(_V).values(**{c.name: sa.bindparam(c.name) for c in _V.columns})
    replaced = {n: statement.excluded[n] for n in ("meaning", "declared_by", "declared_at")}
    return statement.on_conflict_do_update(index_elements=list(_KEY), set_=replaced)


_DECLARE = {"postgresql": _declare(postgresql.insert), "sqlite": _declare(sqlite.insert)}


class SqlVocabulary(Rows):
    __slots__ = ()

    async def declare(self, term: Term) -> None:
        values = {c.name: getattr(term, c.name) for c in _V.columns}
        await self.conn.execute(_DECLARE[self.conn.dialect.name], values)

    async def terms(self, kind: str | None = None, field: str | None = None) -> list[Term]:
        query = sa.select(_V).order_by(_V.c.kind, _V.c.field, _V.c.written)
        if kind is not None:
            query = query.where(_V.c.kind == kind)
        if field is not None:
            query = query.where(_V.c.field == field)
        return await self._all(Term, query)

    async def forget(self, kind: str, field: str, written: str) -> bool:
        query = _V.delete().where(_V.c.kind == kind, _V.c.field == field, _V.c.written == written)
        return bool((await self.conn.execute(query)).rowcount)
