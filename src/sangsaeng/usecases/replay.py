"""The protocol's seen token ids: a token used twice is a replay (PROTOCOL.md). Kept until the tokens expire."""

from __future__ import annotations

from datetime import datetime

from sangsaeng.connector import Connector


async def remember(connector: Connector, jti: str, expires_at: datetime) -> bool:
    """Note a token id as used; whether it was fresh (not seen before)."""
    async with connector.store.begin() as tx:
        return await tx.remember_token(jti, expires_at)


async def forget_before(connector: Connector, moment: datetime) -> None:
    """Drop the ids of tokens expired before ``moment`` (they can no longer be replayed)."""
    async with connector.store.begin() as tx:
        await tx.forget_tokens_before(moment)
