"""The store of received copies: what a consumer keeps of the data it pulled under each agreement."""

from __future__ import annotations

from typing import Protocol

from sangsaeng.store.records import Received


class ReceivedCopies(Protocol):
    async def add(self, copy: Received) -> None:
        """Record the first copy of an agreement's data; a second copy of the same agreement (or id) is a
        ``Conflict``, as is a copy naming a dataset that is not stored."""
        ...

    async def get(self, copy_id: str) -> Received | None: ...

    async def of_agreement(self, agreement_id: str, *, for_update: bool = False) -> Received | None:
        """The copy of an agreement's data (locked for the transaction when asked), or None before the first."""
        ...

    async def save(self, copy: Received) -> None:
        """Replace what is recorded of a copy (its files, counts, position); ``NotFound`` when it is not stored."""
        ...

    async def page(self, offset: int = 0, limit: int = 100) -> list[Received]:
        """Copies, the most recently received first (ties by id)."""
        ...
