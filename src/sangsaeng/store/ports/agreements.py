"""The store of contract agreements, with their signatures, uses, credentials and fulfilled duties."""

from __future__ import annotations

from typing import Protocol

from sangsaeng.store.records import Agreement


class Agreements(Protocol):
    async def add(self, agreement: Agreement) -> None:
        """Keep a new agreement. ``Conflict`` when its id is stored already."""
        ...

    async def get(self, agreement_id: str, *, for_update: bool = False) -> Agreement | None:
        """The agreement, or None; ``for_update`` locks it until the transaction ends (where the adapter can)."""
        ...

    async def save(self, agreement: Agreement) -> None:
        """Write back a stored agreement (its uses, termination, fulfilled duties …). ``NotFound`` when absent."""
        ...

    async def page(self, offset: int = 0, limit: int = 100) -> list[Agreement]:
        """Newest first (by creation, then id)."""
        ...

    async def for_dataset(self, dataset_id: str) -> list[Agreement]:
        """The agreements on one dataset, oldest first (by creation, then id)."""
        ...
