"""SQL adapter of the datasets port: a dataset row with its latest version number, its versions and its sources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from sangsaeng.store import tables as t
from sangsaeng.store.records import Dataset, DatasetVersion, Source
from sangsaeng.store.sql.common import Rows, values

_D, _V, _S = t.datasets, t.dataset_versions, t.dataset_sources
_WITH_LATEST = sa.select(_D, _V).select_from(
    _D.outerjoin(_V, sa.and_(_V.c.dataset_id == _D.c.id, _V.c.version == _D.c.latest_version))
)
_GET = _WITH_LATEST.where(_D.c.id == sa.bindparam("key"))
_OFFERED = sa.exists().where(t.offers.c.dataset_id == _D.c.id)
_SOURCES = sa.select(_S).where(_S.c.dataset_id == sa.bindparam("dataset")).order_by(_S.c.position)
# SQLite's max of two arguments is what PostgreSQL calls GREATEST.
_GREATEST: dict[str, Any] = {"sqlite": sa.func.max, "postgresql": sa.func.greatest}


class SqlDatasets(Rows):
    __slots__ = ()

    async def add(self, dataset: Dataset) -> None:
        await self.conn.execute(
            _D.insert().values(
                id=dataset.id,
                title=dataset.title,
                description=dataset.description,
                created_at=dataset.created_at,
                latest_version=0,
                co_generators=list(dataset.co_generators) or None,
                listed_at_hub=dataset.listed_at_hub,
            )
        )

    async def set_listed_at_hub(self, dataset_id: str, listed: bool) -> bool:
        result = await self.conn.execute(_D.update().where(_D.c.id == dataset_id).values(listed_at_hub=listed))
        return bool(result.rowcount)

    async def get(self, dataset_id: str) -> Dataset | None:
        row = (await self.conn.execute(_GET, {"key": dataset_id})).first()
        return None if row is None else _dataset(row)

    async def page(self, offset: int = 0, limit: int = 100, *, offered_only: bool = False) -> list[Dataset]:
        query = _WITH_LATEST.where(_OFFERED) if offered_only else _WITH_LATEST
        rows = await self.conn.execute(query.order_by(_D.c.created_at, _D.c.id).offset(offset).limit(limit))
        return [_dataset(row) for row in rows]

    async def count(self, *, offered_only: bool = False) -> int:
        query = sa.select(sa.func.count()).select_from(_D)
        if offered_only:
            query = query.where(_OFFERED)
        return int((await self.conn.execute(query)).scalar_one())

    async def stored_bytes(self) -> int:
        total = sa.select(sa.func.coalesce(sa.func.sum(_V.c.bytes), 0))
        return int((await self.conn.execute(total)).scalar_one())

    async def add_version(self, version: DatasetVersion) -> None:
        await self.conn.execute(_V.insert().values(**values(version)))
        greatest = _GREATEST[self.conn.dialect.name]
        await self.conn.execute(
            _D.update()
            .where(_D.c.id == version.dataset_id)
            .values(latest_version=greatest(_D.c.latest_version, version.version))
        )

    async def add_sources(self, sources: Sequence[Source]) -> None:
        for source in sources:
            await self.conn.execute(_S.insert().values(**values(source)))

    async def sources_of(self, dataset_id: str) -> list[Source]:
        return await self._all(Source, _SOURCES, {"dataset": dataset_id})


def _dataset(row: Any) -> Dataset:
    m = row._mapping
    latest = None
    if m["version"] is not None:
        latest = DatasetVersion(
            dataset_id=m["id"],
            version=m["version"],
            path=m["path"],
            columns=m["columns"],
            rows=m["rows"],
            bytes=m["bytes"],
            sha256=m["sha256"],
            created_at=m[_V.c.created_at],
            entity=m["entity"],
            origin=m["origin"],
        )
    return Dataset(
        id=m["id"],
        title=m["title"],
        description=m["description"],
        created_at=m[_D.c.created_at],
        co_generators=tuple(m["co_generators"] or ()),
        listed_at_hub=bool(m["listed_at_hub"]),
        latest=latest,
    )
