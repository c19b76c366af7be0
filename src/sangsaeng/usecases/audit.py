"""The audit log as the company reads it: entries by agreement, partner and time; partners' heads we kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sangsaeng.audit.bundle import evidence_bundle, refs
from sangsaeng.connector import Connector
from sangsaeng.roles import Principal, require
from sangsaeng.store.records import LogEntry


class AuditQueries:
    def __init__(self, connector: Connector) -> None:
        self.c = connector

    async def entries(
        self,
        who: Principal,
        offset: int,
        limit: int,
        agreement: str | None = None,
        counterparty: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[LogEntry]:
        require(who, "read")
        about = await refs(self.c.store, agreement) if agreement else []
        async with self.c.store.begin() as tx:
            return await tx.log_entries(
                offset, limit, agreement_or_process=about, counterparty=counterparty, since=since, until=until
            )

    async def witnessed(self, who: Principal, participant: str | None) -> list[dict[str, Any]]:
        """Heads of partners' logs received with their protocol messages."""
        require(who, "read")
        async with self.c.store.begin() as tx:
            return await tx.witnessed(participant)

    async def evidence(self, who: Principal, agreement: str) -> bytes:
        """The evidence bundle about one agreement, checkable offline with public keys."""
        require(who, "audit.evidence")
        return await evidence_bundle(self.c.audit, agreement)

    async def verify(self, who: Principal) -> dict[str, Any]:
        require(who, "audit.verify")
        return await self.c.audit.verify()
