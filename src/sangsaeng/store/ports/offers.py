"""The store of offers, and the catalog: what the catalog shows of offered datasets, and its revision."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sangsaeng.store.records import CatalogEntry, Offer


class Offers(Protocol):
    async def add(self, offer: Offer) -> None:
        """Keep a new offer. ``Conflict`` when its id is stored already or its dataset is not stored."""
        ...

    async def get(self, offer_id: str) -> Offer | None: ...

    async def for_datasets(self, dataset_ids: Sequence[str]) -> dict[str, list[Offer]]:
        """Each named dataset's offers, oldest first (by creation, then id); a dataset with none maps to []."""
        ...

    async def all(self) -> list[Offer]:
        """Every offer, oldest first (by creation, then id)."""
        ...


class Catalog(Protocol):
    async def entries(self, offset: int = 0, limit: int | None = None) -> list[CatalogEntry]:
        """Offered datasets (a page, or all from ``offset``) oldest first, each with all its offers oldest first."""
        ...

    async def revision(self) -> int:
        """A number that grows with every change to what the catalog shows, seen by every process."""
        ...

    async def bump_revision(self) -> None:
        """Count a change to datasets, versions or offers (in the transaction that makes it)."""
        ...
