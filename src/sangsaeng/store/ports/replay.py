"""The replay guard: the ids (``jti``) of self-issued protocol tokens seen, kept until the token expires."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class ReplayGuard(Protocol):
    async def remember(self, jti: str, expires_at: datetime) -> None:
        """Keep a token id until ``expires_at``. ``Conflict`` when it was seen before (a replay). Unlike a conflict
        the database finds, this one leaves the transaction usable."""
        ...

    async def forget_before(self, moment: datetime) -> int:
        """Drop token ids that expired before ``moment``; how many."""
        ...
