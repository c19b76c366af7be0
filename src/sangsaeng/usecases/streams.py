"""Machine streams as people follow them: running or not, what they landed, their rejected messages."""

from __future__ import annotations

from typing import Any

import anyio

from sangsaeng.connector import Connector
from sangsaeng.roles import Principal, require
from sangsaeng.streams import status


class Streams:
    def __init__(self, connector: Connector) -> None:
        self.c = connector

    async def listed(self, who: Principal) -> list[dict[str, Any]]:
        """Every machine stream: running or not, what it landed, messages/s, lag, rejected."""
        require(who, "read")
        return await anyio.to_thread.run_sync(status.all_streams, self.c.settings.streams_dir)

    async def one(self, who: Principal, name: str) -> dict[str, Any]:
        """One stream's state, counters and recent events."""
        require(who, "read")
        root = status.folder(self.c.settings.streams_dir, name)
        return await anyio.to_thread.run_sync(status.describe, root)

    async def rejected(self, who: Principal, name: str, limit: int) -> list[dict[str, Any]]:
        """The newest messages the stream could not land, with the reason."""
        require(who, "read")
        root = status.folder(self.c.settings.streams_dir, name)
        return await anyio.to_thread.run_sync(status.rejected_messages, self.c.datasets, root, limit)
