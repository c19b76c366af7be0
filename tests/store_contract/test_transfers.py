"""Contract of the transfers port (``store/ports/transfers.py``), on every adapter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings

from sangsaeng.errors import Conflict, NotFound
from sangsaeng.store.ports import Store
from tests.store_contract.builders import T0, Rollback, transfer
from tests.store_contract.paging import all_pages, ids, in_order, insertion_orders, moments, page_sizes

pytestmark = pytest.mark.anyio


async def test_a_transfer_reads_back_and_saves_its_data_address(store: Store) -> None:
    added = transfer("urn:t:1")
    async with store.begin() as tx:
        await tx.transfers.add(added)
    async with store.begin() as tx:
        stored = await tx.transfers.get("urn:t:1", for_update=True)
        assert stored == added
        stored.provider_pid, stored.state = "urn:t:p", "STARTED"
        stored.data_endpoint, stored.data_token = "http://127.0.0.1:1/data/urn:t:p", "토큰"
        await tx.transfers.save(stored)
    async with store.begin() as tx:
        assert await tx.transfers.get("urn:t:1") == stored
        assert await tx.transfers.find("consumer", "urn:t:1", "urn:p:s") == stored


async def test_unknown_transfers_are_none_and_saving_one_is_refused(store: Store) -> None:
    async with store.begin() as tx:
        assert await tx.transfers.get("urn:t:none") is None
        assert await tx.transfers.find("consumer", "urn:t:none", "urn:p:s") is None
        assert await tx.transfers.for_agreement("urn:a:none") == []
    with pytest.raises(NotFound):
        async with store.begin() as tx:
            await tx.transfers.save(transfer("urn:t:none"))
    async with store.begin() as tx:
        assert await tx.transfers.page() == []


@pytest.mark.parametrize(
    "second",
    [transfer("urn:t:1", consumer_pid="c-other"), transfer("urn:t:2", consumer_pid="urn:t:1")],
    ids=["same id", "same consumer process from the same counterparty"],
)
async def test_a_second_transfer_with_the_same_key_is_a_conflict(store: Store, second: object) -> None:
    async with store.begin() as tx:
        await tx.transfers.add(transfer("urn:t:1"))
        await tx.transfers.add(transfer("urn:t:3", consumer_pid="urn:t:1", counterparty="urn:p:other"))
    with pytest.raises(Conflict) as refused:
        async with store.begin() as tx:
            await tx.transfers.add(second)  # type: ignore[arg-type]
    assert refused.value.details == {"record": "transfer"}
    async with store.begin() as tx:
        assert sorted(ids(await tx.transfers.page())) == ["urn:t:1", "urn:t:3"]


async def test_an_agreements_transfers_are_listed_oldest_first(store: Store) -> None:
    async with store.begin() as tx:
        await tx.transfers.add(transfer("urn:t:2", created_at=T0 + timedelta(minutes=1)))
        await tx.transfers.add(transfer("urn:t:1"))
        await tx.transfers.add(transfer("urn:t:9", agreement_id="urn:a:2"))
    async with store.begin() as tx:
        assert ids(await tx.transfers.for_agreement("urn:a:1")) == ["urn:t:1", "urn:t:2"]
        assert ids(await tx.transfers.for_agreement("urn:a:2")) == ["urn:t:9"]


async def test_a_failed_transaction_leaves_no_transfer(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            await tx.transfers.add(transfer("urn:t:1"))
            raise RuntimeError("crash")
    async with store.begin() as tx:
        assert await tx.transfers.get("urn:t:1") is None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(created=moments, order=insertion_orders, size=page_sizes)
async def test_pages_list_every_transfer_once_newest_first_then_by_id(
    store: Store, created: list[object], order: list[int], size: int
) -> None:
    added = [transfer(f"urn:t:{i:03d}", created_at=at) for i, at in enumerate(created)]
    with pytest.raises(Rollback):
        async with store.begin() as tx:
            for t in in_order(added, order):
                await tx.transfers.add(t)
            expected = sorted(added, key=lambda t: (t.created_at, t.id), reverse=True)
            assert ids(await all_pages(tx.transfers.page, size)) == ids(expected)
            assert ids(await tx.transfers.for_agreement("urn:a:1")) == ids(expected[::-1])
            raise Rollback
