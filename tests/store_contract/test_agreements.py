"""Contract of the agreements port (``store/ports/agreements.py``), on every adapter."""

from __future__ import annotations

from datetime import timedelta

import anyio
import pytest
from hypothesis import HealthCheck, given, settings

from sangsaeng.errors import Conflict, NotFound
from sangsaeng.store.ports import Store
from tests.store_contract.builders import T0, Rollback, agreement
from tests.store_contract.paging import all_pages, ids, in_order, insertion_orders, moments, page_sizes

pytestmark = pytest.mark.anyio


async def test_an_agreement_keeps_its_terms_signatures_and_credentials(store: Store) -> None:
    added = agreement(
        "urn:a:1",
        purpose="quality-analysis",
        provider_signature={"signer": "urn:p:s", "alg": "EdDSA", "value": "x"},
        attributes={"tier": ["tier1"], "region": ["KR-48"]},
    )
    async with store.begin() as tx:
        await tx.agreements.add(added)
    async with store.begin() as tx:
        found = await tx.agreements.get("urn:a:1")
    assert found == added
    assert found.consumer_signature is None and found.terminated_at is None and found.uses == 0


async def test_saving_counts_uses_terminates_and_records_fulfilled_duties(store: Store) -> None:
    async with store.begin() as tx:
        await tx.agreements.add(agreement("urn:a:1"))
    async with store.begin() as tx:
        stored = await tx.agreements.get("urn:a:1", for_update=True)
        assert stored is not None
        stored.uses, stored.terminated_at = 2, T0 + timedelta(days=1)
        stored.fulfilled = {"obligation[0]": "2026-11-02T09:00:00Z"}
        await tx.agreements.save(stored)
    async with store.begin() as tx:
        assert await tx.agreements.get("urn:a:1") == stored


async def test_concurrent_uses_counted_under_the_lock_are_never_lost(store: Store) -> None:
    async with store.begin() as tx:
        await tx.agreements.add(agreement("urn:a:1"))

    async def use() -> None:
        async with store.begin() as tx:
            stored = await tx.agreements.get("urn:a:1", for_update=True)
            assert stored is not None
            await anyio.sleep(0)  # let the others run between reading and writing
            stored.uses += 1
            await tx.agreements.save(stored)

    async with anyio.create_task_group() as group:
        for _ in range(8):
            group.start_soon(use)
    async with store.begin() as tx:
        final = await tx.agreements.get("urn:a:1")
    assert final is not None and final.uses == 8


async def test_unknown_agreements_are_none_and_saving_one_is_refused(store: Store) -> None:
    async with store.begin() as tx:
        assert await tx.agreements.get("urn:a:none") is None
        assert await tx.agreements.for_dataset("urn:d:none") == []
    with pytest.raises(NotFound):
        async with store.begin() as tx:
            await tx.agreements.save(agreement("urn:a:none"))
    async with store.begin() as tx:
        assert await tx.agreements.page() == []


async def test_a_second_agreement_with_the_same_id_is_a_conflict(store: Store) -> None:
    async with store.begin() as tx:
        await tx.agreements.add(agreement("urn:a:1"))
    with pytest.raises(Conflict) as refused:
        async with store.begin() as tx:
            await tx.agreements.add(agreement("urn:a:2"))
            await tx.agreements.add(agreement("urn:a:1", consumer="urn:p:other"))
    assert refused.value.details == {"record": "agreement"}
    async with store.begin() as tx:
        assert ids(await tx.agreements.page()) == ["urn:a:1"]


async def test_a_datasets_agreements_are_listed_oldest_first(store: Store) -> None:
    async with store.begin() as tx:
        await tx.agreements.add(agreement("urn:a:3", created_at=T0 + timedelta(hours=1)))
        await tx.agreements.add(agreement("urn:a:2"))
        await tx.agreements.add(agreement("urn:a:1"))
        await tx.agreements.add(agreement("urn:a:9", dataset_id="urn:d:2"))
    async with store.begin() as tx:
        assert ids(await tx.agreements.for_dataset("urn:d:1")) == ["urn:a:1", "urn:a:2", "urn:a:3"]


async def test_a_failed_transaction_leaves_no_agreement_and_no_use_counted(store: Store) -> None:
    async with store.begin() as tx:
        await tx.agreements.add(agreement("urn:a:1"))
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            stored = await tx.agreements.get("urn:a:1", for_update=True)
            assert stored is not None
            stored.uses += 1
            await tx.agreements.save(stored)
            await tx.agreements.add(agreement("urn:a:2"))
            raise RuntimeError("crash")
    async with store.begin() as tx:
        assert ids(await tx.agreements.page()) == ["urn:a:1"]
        assert (await tx.agreements.get("urn:a:1")).uses == 0  # type: ignore[union-attr]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(created=moments, order=insertion_orders, size=page_sizes)
async def test_pages_list_every_agreement_once_newest_first_then_by_id(
    store: Store, created: list[object], order: list[int], size: int
) -> None:
    added = [agreement(f"urn:a:{i:03d}", created_at=at) for i, at in enumerate(created)]
    with pytest.raises(Rollback):
        async with store.begin() as tx:
            for a in in_order(added, order):
                await tx.agreements.add(a)
            expected = sorted(added, key=lambda a: (a.created_at, a.id), reverse=True)
            assert ids(await all_pages(tx.agreements.page, size)) == ids(expected)
            assert ids(await tx.agreements.for_dataset("urn:d:1")) == ids(expected[::-1])
            raise Rollback
