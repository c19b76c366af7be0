"""Agreements as people see and change them: read, end (terminate), record a duty as done, export."""

from __future__ import annotations

from typing import Any

from sangsaeng.connector import Connector
from sangsaeng.errors import InvalidInput, NotFound
from sangsaeng.policy import duties
from sangsaeng.roles import Principal, require
from sangsaeng.store.records import Agreement


class Agreements:
    def __init__(self, connector: Connector) -> None:
        self.c = connector

    async def get(self, who: Principal, agreement_id: str) -> Agreement:
        require(who, "read")
        async with self.c.store.begin() as tx:
            agreement = await tx.agreements.get(agreement_id)
        if agreement is None:
            raise NotFound(f"no agreement {agreement_id}")
        return agreement

    async def listed(self, who: Principal, offset: int = 0, limit: int = 100) -> list[Agreement]:
        require(who, "read")
        async with self.c.store.begin() as tx:
            return await tx.agreements.page(offset, limit)

    def duties(self, a: Agreement) -> list[dict[str, Any]]:
        """The agreement's duties: when due and whether overdue (the same on both sides)."""
        compiled = self.c.policies.compiled(a.id, a.body)
        return duties.status(compiled.policy.duties, a.created_at, self.c.now(), a.fulfilled or {})

    async def terminate(self, who: Principal, agreement_id: str, reason: str = "") -> Agreement:
        """End an agreement: no further access under it. The provider ends it (it is the one granting access),
        by a role that may; ending it twice is no error."""
        require(who, "agreement.terminate")
        async with self.c.store.begin() as tx:
            agreement = await tx.agreements.get(agreement_id, for_update=True)
            if agreement is None:
                raise NotFound(f"no agreement {agreement_id}")
            if agreement.provider != self.c.participant_id:
                raise InvalidInput(
                    f"this connector is the consumer of agreement {agreement_id}: only its provider ends it",
                    hint="ask the provider to end it, or stop transfers under it",
                )
            if agreement.terminated_at is None:
                agreement.terminated_at = self.c.now()
                await tx.agreements.save(agreement)
        about = {"reason": reason} if reason else {}
        self.c.audit.note(
            "agreement.terminate",
            agreement=agreement.id,
            counterparty=agreement.consumer,
            user=who.name,
            via=who.door,
            **about,
        )
        return agreement

    async def fulfil(self, who: Principal, agreement_id: str, duty: str) -> Agreement:
        """As consumer, record that a duty of the agreement is done (e.g. the data deleted)."""
        require(who, "agreement.fulfil")
        async with self.c.store.begin() as tx:
            agreement = await tx.agreements.get(agreement_id, for_update=True)
            if agreement is None:
                raise NotFound(f"no agreement {agreement_id}")
            if agreement.consumer != self.c.participant_id:
                raise InvalidInput("duties are the consumer's: record them on the consumer's connector")
            paths = [d.path for d in self.c.policies.compiled(agreement.id, agreement.body).policy.duties]
            if duty not in paths:
                raise InvalidInput(f"the agreement has no duty {duty!r}", position="duty", hint=f"its duties: {paths}")
            agreement.fulfilled = {**(agreement.fulfilled or {}), duty: self.c.now().isoformat()}
            await tx.agreements.save(agreement)
        self.c.audit.note(
            "agreement.duty", agreement=agreement.id, counterparty=agreement.provider, duty=duty, user=who.name
        )
        return agreement
