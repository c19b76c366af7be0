"""The store of transfer processes (DSP 2025-1, Transfer Process Protocol), ours as provider and consumer."""

from __future__ import annotations

from typing import Protocol

from sangsaeng.store.records import Transfer


class Transfers(Protocol):
    async def add(self, transfer: Transfer) -> None:
        """Keep a new transfer. ``Conflict`` when its id is stored already, or when one of the same role has the
        same consumer process id from the same counterparty."""
        ...

    async def get(self, transfer_id: str, *, for_update: bool = False) -> Transfer | None:
        """The transfer with our process id, or None; ``for_update`` locks it until the transaction ends."""
        ...

    async def find(self, role: str, consumer_pid: str, counterparty: str) -> Transfer | None:
        """The transfer of ``role`` the counterparty knows by ``consumer_pid``, or None."""
        ...

    async def save(self, transfer: Transfer) -> None:
        """Write back a stored transfer. ``NotFound`` when its id is not stored."""
        ...

    async def page(self, offset: int = 0, limit: int = 100) -> list[Transfer]:
        """Newest first (by creation, then id)."""
        ...

    async def for_agreement(self, agreement_id: str) -> list[Transfer]:
        """The transfers under one agreement, oldest first (by creation, then id)."""
        ...
