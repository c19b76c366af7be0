"""The store of the tamper-evident log: entries (append-only), its signed heads, and heads witnessed from peers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sangsaeng.store.records import LogEntry


class AuditLog(Protocol):
    async def append(self, entries: Sequence[LogEntry]) -> None:
        """Keep entries. An index is written once: ``Conflict`` when one is stored already (another process of this
        connector appended first; the writer catches up and tries again)."""
        ...

    async def entries(
        self,
        offset: int = 0,
        limit: int | None = None,
        *,
        agreement_or_process: Sequence[str] = (),
        counterparty: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: str | None = None,
        newest_first: bool = False,
    ) -> list[LogEntry]:
        """Entries by index (or newest first), those matching every filter given: an agreement or process id among
        ``agreement_or_process``, the counterparty, ``since`` ≤ at < ``until``, the kind."""
        ...

    async def leaves(self, size: int | None = None) -> list[str]:
        """The leaf hashes of the first ``size`` entries (all when None), by index."""
        ...

    async def size(self) -> int:
        """How many entries the log holds (one past the highest index)."""
        ...

    async def add_head(self, size: int, head: dict[str, Any], at: datetime) -> None:
        """Keep a signed head; one head per size: a second one for the same size is dropped without error."""
        ...

    async def heads(self) -> list[dict[str, Any]]:
        """The signed heads by size."""
        ...

    async def add_witnessed(self, participant: str, size: int, root: str, head: dict[str, Any], at: datetime) -> bool:
        """Keep a head received from ``participant``; False when that (participant, size, root) was kept before."""
        ...

    async def witnessed(self, participant: str | None = None) -> list[dict[str, Any]]:
        """Heads received (from one participant), by participant, size and root."""
        ...
