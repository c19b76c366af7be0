"""SQL adapters of the offers port and the catalog: offers by dataset, and what a catalog shows of each."""

from __future__ import annotations

from collections.abc import Sequence

import orjson
import sqlalchemy as sa

from sangsaeng.store import tables as t
from sangsaeng.store.records import CatalogEntry, Offer
from sangsaeng.store.sql.common import Rows, record, values

_O, _D, _V = t.offers, t.datasets, t.dataset_versions
_GET = sa.select(_O).where(_O.c.id == sa.bindparam("key"))
_OLDEST = (_O.c.created_at, _O.c.id)
_ALL = sa.select(_O).order_by(*_OLDEST)
_R = t.catalog_revision
_REVISION = sa.select(_R.c.revision).where(_R.c.id == 1)
_BUMP_REVISION = _R.update().where(_R.c.id == 1).values(revision=_R.c.revision + 1)


class SqlOffers(Rows):
    __slots__ = ()

    async def add(self, offer: Offer) -> None:
        await self.conn.execute(_O.insert(), values(offer))

    async def get(self, offer_id: str) -> Offer | None:
        row = (await self.conn.execute(_GET, {"key": offer_id})).first()
        return None if row is None else record(Offer, row)

    async def for_datasets(self, dataset_ids: Sequence[str]) -> dict[str, list[Offer]]:
        found: dict[str, list[Offer]] = {d: [] for d in dataset_ids}
        if not dataset_ids:
            return found
        for offer in await self._all(Offer, _ALL.where(_O.c.dataset_id.in_(list(dataset_ids)))):
            found[offer.dataset_id].append(offer)
        return found

    async def all(self) -> list[Offer]:
        return await self._all(Offer, _ALL)


class SqlCatalog(Rows):
    __slots__ = ()

    async def entries(self, offset: int = 0, limit: int | None = None) -> list[CatalogEntry]:
        """Offered datasets (a page, or all) with their offers, in one query that reads only what a catalog shows."""
        d, o, v = _D.c, _O.c, _V.c
        offered = sa.exists().where(o.dataset_id == d.id)
        page = sa.select(d.id, d.created_at).where(offered).order_by(d.created_at, d.id).offset(offset)
        listed = (page if limit is None else page.limit(limit)).subquery()
        latest = sa.and_(v.dataset_id == d.id, v.version == d.latest_version)
        rows = await self.conn.execute(
            sa.select(
                d.id,
                d.title,
                d.description,
                v.entity,
                d.listed_at_hub,
                o.id,
                sa.cast(o.policy, sa.Text),
                sa.cast(o.access_policy, sa.Text),
            )
            .select_from(_D)
            .join(listed, listed.c.id == d.id)
            .join(_O, o.dataset_id == d.id)
            .outerjoin(_V, latest)
            .order_by(listed.c.created_at, d.id, o.created_at, o.id)
        )
        entries: list[CatalogEntry] = []
        for dataset_id, title, description, entity, at_hub, offer_id, policy, access in rows:
            if not entries or entries[-1].dataset_id != dataset_id:
                entries.append(CatalogEntry(dataset_id, title, description, [], entity, bool(at_hub)))
            # Read as text and decoded here: SQLAlchemy's per-value JSON processing costs more than the decoding.
            entries[-1].offers.append((offer_id, orjson.loads(policy), orjson.loads(access) if access else None))
        return entries

    async def revision(self) -> int:
        return int((await self.conn.execute(_REVISION)).scalar_one())

    async def bump_revision(self) -> None:
        await self.conn.execute(_BUMP_REVISION)
