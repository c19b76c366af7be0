"""The protocol's seen token ids: a token used twice is a replay (PROTOCOL.md). Kept until the tokens expire."""

from __future__ import annotations

from datetime import datetime

from sangsaeng.connector import Connector
from sangsaeng.errors import Conflict


async def remember(connector: Connector, jti: str, expires_at: datetime) -> bool:
    """Note a token id as used; whether it was fresh (not seen before)."""
    try:
        async with connector.store.begin() as tx:
            await tx.replay_guard.remember(jti, expires_at)
    except Conflict:  # seen before: a replay
        return False
    return True


async def forget_before(connector: Connector, moment: datetime) -> None:
    """Drop the ids of tokens expired before ``moment`` (they can no longer be replayed)."""
    async with connector.store.begin() as tx:
        await tx.replay_guard.forget_before(moment)
