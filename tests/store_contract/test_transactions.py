"""One transaction across ports, on every adapter: writes to several record kinds commit together or not at all,
and a conflict the database finds ends the transaction the same way on each."""

from __future__ import annotations

import pytest

from sangsaeng.errors import Conflict
from sangsaeng.store.ports import Store
from tests.store_contract.builders import agreement, message, negotiation

pytestmark = pytest.mark.anyio


async def test_a_state_change_and_its_message_commit_together(store: Store) -> None:
    async with store.begin() as tx:
        await tx.negotiations.add(negotiation("urn:n:1"))
    async with store.begin() as tx:
        n = await tx.negotiations.get("urn:n:1", for_update=True)
        assert n is not None
        n.state, n.agreement_id = "AGREED", "urn:a:1"
        await tx.negotiations.save(n)
        await tx.agreements.add(agreement("urn:a:1"))
        await tx.outbox.enqueue(message("m1", "urn:n:1"))
    async with store.begin() as tx:
        assert (await tx.negotiations.get("urn:n:1")) == n
        assert await tx.agreements.get("urn:a:1") == agreement("urn:a:1")
        assert [m.id for m in await tx.outbox.pending("urn:n:1")] == ["m1"]


async def test_a_crash_between_the_state_change_and_its_message_keeps_neither(store: Store) -> None:
    async with store.begin() as tx:
        await tx.negotiations.add(negotiation("urn:n:1"))
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            n = await tx.negotiations.get("urn:n:1", for_update=True)
            assert n is not None
            n.state = "AGREED"
            await tx.negotiations.save(n)
            await tx.outbox.enqueue(message("m1", "urn:n:1"))
            raise RuntimeError("crash between the write and the commit")
    async with store.begin() as tx:
        assert (await tx.negotiations.get("urn:n:1")) == negotiation("urn:n:1")
        assert await tx.outbox.pending("urn:n:1") == []


async def test_a_conflict_caught_inside_the_transaction_still_ends_it_with_nothing_kept(store: Store) -> None:
    """PostgreSQL refuses every statement after a failed one, SQLite would commit the rest: the store makes both
    refuse, so a caller cannot keep half a transaction by catching the conflict."""
    async with store.begin() as tx:
        await tx.agreements.add(agreement("urn:a:1"))
    with pytest.raises(Conflict):
        async with store.begin() as tx:
            await tx.outbox.enqueue(message("m1"))
            with pytest.raises(Conflict):
                await tx.agreements.add(agreement("urn:a:1"))
            with pytest.raises(Conflict):  # every later statement is refused too
                await tx.outbox.enqueue(message("m2"))
    async with store.begin() as tx:
        assert await tx.outbox.due(message("m").next_attempt_at) == []


async def test_the_store_takes_new_transactions_after_a_conflict(store: Store) -> None:
    async with store.begin() as tx:
        await tx.agreements.add(agreement("urn:a:1"))
    for _ in range(3):
        with pytest.raises(Conflict):
            async with store.begin() as tx:
                await tx.agreements.add(agreement("urn:a:1"))
    async with store.begin() as tx:
        await tx.agreements.add(agreement("urn:a:2"))
    async with store.begin() as tx:
        assert sorted(a.id for a in await tx.agreements.page()) == ["urn:a:1", "urn:a:2"]
