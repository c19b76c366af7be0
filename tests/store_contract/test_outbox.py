"""Contract of the outbox port (``store/ports/outbox.py``), on every adapter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sangsaeng.errors import Conflict, NotFound
from sangsaeng.store.ports import Store
from tests.store_contract.builders import T0, message
from tests.store_contract.paging import ids

pytestmark = pytest.mark.anyio


async def test_due_messages_leave_in_the_order_they_were_enqueued(store: Store) -> None:
    async with store.begin() as tx:
        await tx.outbox.enqueue(message("m3", "p1", T0))
        await tx.outbox.enqueue(message("m2", "p2", T0 + timedelta(minutes=5)))
    async with store.begin() as tx:
        await tx.outbox.enqueue(message("m1", "p1", T0 - timedelta(minutes=1)))
    async with store.begin() as tx:
        assert ids(await tx.outbox.due(T0)) == ["m3", "m1"]  # enqueued order, not id or time order
        assert ids(await tx.outbox.due(T0 + timedelta(hours=1))) == ["m3", "m2", "m1"]
        assert ids(await tx.outbox.due(T0 + timedelta(hours=1), limit=2)) == ["m3", "m2"]
        assert ids(await tx.outbox.pending("p1")) == ["m3", "m1"]
        assert await tx.outbox.pending("p-none") == [] and await tx.outbox.due(T0 - timedelta(hours=1)) == []


async def test_a_message_reads_back_and_once_sent_is_no_longer_due_or_pending(store: Store) -> None:
    async with store.begin() as tx:
        await tx.outbox.enqueue(message("m1", extra={"token": "x"}))
        await tx.outbox.enqueue(message("m2"))
    async with store.begin() as tx:
        sent = await tx.outbox.get("m1", for_update=True)
        assert sent == message("m1", extra={"token": "x"})
        sent.status, sent.attempts, sent.last_error = "sent", 1, "그 전에 503"
        await tx.outbox.save(sent)
    async with store.begin() as tx:
        assert await tx.outbox.get("m1") == sent
        assert ids(await tx.outbox.due(T0)) == ["m2"] and ids(await tx.outbox.pending("p1")) == ["m2"]


async def test_unknown_messages_are_none_and_saving_one_is_refused(store: Store) -> None:
    async with store.begin() as tx:
        assert await tx.outbox.get("m-none") is None
    with pytest.raises(NotFound):
        async with store.begin() as tx:
            await tx.outbox.save(message("m-none"))
    async with store.begin() as tx:
        assert await tx.outbox.due(T0) == []


async def test_a_second_message_with_the_same_id_is_a_conflict(store: Store) -> None:
    async with store.begin() as tx:
        await tx.outbox.enqueue(message("m1"))
    with pytest.raises(Conflict) as refused:
        async with store.begin() as tx:
            await tx.outbox.enqueue(message("m2"))
            await tx.outbox.enqueue(message("m1", "p2"))
    assert refused.value.details == {"record": "outbox message"}
    async with store.begin() as tx:
        assert ids(await tx.outbox.due(T0)) == ["m1"]


async def test_a_failed_transaction_enqueues_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            await tx.outbox.enqueue(message("m1"))
            raise RuntimeError("crash")
    async with store.begin() as tx:
        assert await tx.outbox.get("m1") is None and await tx.outbox.pending("p1") == []
