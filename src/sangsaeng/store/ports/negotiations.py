"""The store of contract negotiations (DSP 2025-1, Contract Negotiation Protocol), ours as provider and consumer."""

from __future__ import annotations

from typing import Protocol

from sangsaeng.store.records import Negotiation


class Negotiations(Protocol):
    async def add(self, negotiation: Negotiation) -> None:
        """Keep a new negotiation. ``Conflict`` when its id is stored already, or when one of the same role has the
        same consumer process id from the same counterparty (a consumer's retried request finds the first one)."""
        ...

    async def get(self, negotiation_id: str, *, for_update: bool = False) -> Negotiation | None:
        """The negotiation with our process id ``negotiation_id``, or None; ``for_update`` locks it until the
        transaction ends where the adapter can (PostgreSQL), to read a state that is about to change."""
        ...

    async def find(self, role: str, consumer_pid: str, counterparty: str) -> Negotiation | None:
        """The negotiation of ``role`` the counterparty knows by ``consumer_pid``, or None."""
        ...

    async def save(self, negotiation: Negotiation) -> None:
        """Write back a stored negotiation's fields. ``NotFound`` when its id is not stored."""
        ...

    async def page(self, offset: int = 0, limit: int = 100) -> list[Negotiation]:
        """Newest first (by creation, then id, so pages neither repeat nor skip)."""
        ...
