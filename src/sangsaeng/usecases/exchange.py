"""Negotiations and transfers as people start, decide and follow them (the protocol services do the rest)."""

from __future__ import annotations

from typing import Any

from sangsaeng.connector import Connector
from sangsaeng.dataplane.pull import PullClient
from sangsaeng.dsp import transfer as tm
from sangsaeng.errors import InvalidInput, NotFound
from sangsaeng.negotiation.service import NegotiationService
from sangsaeng.roles import Principal, require
from sangsaeng.store.records import Negotiation, Transfer
from sangsaeng.transfer.service import TransferService


class Exchange:
    def __init__(
        self, connector: Connector, negotiations: NegotiationService, transfers: TransferService, pulls: PullClient
    ) -> None:
        self.c, self.negotiations, self.transfers, self.pulls = connector, negotiations, transfers, pulls

    # ---- negotiations ----------------------------------------------------------------------------
    async def start_negotiation(
        self, who: Principal, peer: str, dataset_id: str, offer: dict[str, Any], purpose: str | None
    ) -> Negotiation:
        require(who, "negotiation.start")
        if not isinstance(offer.get("@id"), str):
            raise InvalidInput("the offer needs its '@id'", position="offer.@id")
        return await self.negotiations.start(peer, dataset_id, offer, purpose)

    async def approve(self, who: Principal, negotiation_id: str) -> Negotiation:
        """As provider, agree to a request waiting for approval: sign and send the agreement."""
        require(who, "negotiation.decide")
        n = await self.negotiations.approve(negotiation_id)
        self.c.audit.note(
            "management", action="negotiation.approve", process=n.id, counterparty=n.counterparty, user=who.name
        )
        return n

    async def end_negotiation(self, who: Principal, negotiation_id: str, reason: str) -> Negotiation:
        """Decline a request (provider) or give up one (consumer)."""
        require(who, "negotiation.decide")
        n = await self.negotiations.terminate(negotiation_id, reason)
        self.c.audit.note("management", action="negotiation.decline", process=n.id, user=who.name)
        return n

    async def negotiation(self, who: Principal, negotiation_id: str) -> Negotiation:
        require(who, "read")
        async with self.c.store.begin() as tx:
            n = await tx.negotiations.get(negotiation_id)
        if n is None:
            raise NotFound(f"no negotiation {negotiation_id}")
        return n

    async def list_negotiations(self, who: Principal, offset: int = 0, limit: int = 100) -> list[Negotiation]:
        require(who, "read")
        async with self.c.store.begin() as tx:
            return await tx.negotiations.page(offset, limit)

    # ---- transfers -------------------------------------------------------------------------------
    async def start_transfer(self, who: Principal, agreement_id: str) -> Transfer:
        """Start pulling the data of an agreement. Viewers read; they do not start transfers."""
        require(who, "transfer.start")
        return await self.transfers.start(agreement_id)

    async def change_transfer(self, who: Principal, transfer_id: str, event: str, reason: str | None) -> Transfer:
        require(who, "transfer.change")
        return await self.transfers.change(transfer_id, event, reason)

    async def transfer(self, who: Principal, transfer_id: str) -> Transfer:
        require(who, "read")
        async with self.c.store.begin() as tx:
            t = await tx.transfers.get(transfer_id)
        if t is None:
            raise NotFound(f"no transfer {transfer_id}")
        return t

    async def received(self, who: Principal, transfer_id: str) -> Transfer:
        """One of our transfers as consumer (started or not), for a page about its data."""
        t = await self.transfer(who, transfer_id)
        require(who, "data.read")
        if t.role != tm.CONSUMER:
            raise NotFound(f"no transfer {transfer_id} in which this connector is the consumer")
        return t

    async def list_transfers(self, who: Principal, offset: int = 0, limit: int = 100) -> list[Transfer]:
        require(who, "read")
        async with self.c.store.begin() as tx:
            return await tx.transfers.page(offset, limit)

    async def ready(self, who: Principal, transfer_id: str, what: str) -> Transfer:
        """A started transfer of ours as consumer, whose data may now be pulled (whole, or as aggregates)."""
        require(who, "data.read")
        return await self.pulls.ready(transfer_id, what)
