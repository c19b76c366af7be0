"""Contract of the offers port and the catalog (``store/ports/offers.py``), on every adapter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sangsaeng.errors import Conflict
from sangsaeng.store.ports import Store
from tests.store_contract.builders import T0, dataset, offer
from tests.store_contract.paging import all_pages, ids

pytestmark = pytest.mark.anyio

ACCESS = {
    "permission": [
        {"action": "use", "constraint": [{"leftOperand": "tier", "operator": "eq", "rightOperand": "tier1"}]}
    ]
}


async def test_an_offer_reads_back_with_its_policy_and_access_policy(store: Store) -> None:
    async with store.begin() as tx:
        await tx.datasets.add(dataset("urn:d:1"))
        await tx.offers.add(offer("urn:o:a", "urn:d:1", access_policy=ACCESS))
        await tx.offers.add(offer("urn:o:b", "urn:d:1", policy={"prohibition": [{"action": "distribute"}]}))
    async with store.begin() as tx:
        assert await tx.offers.get("urn:o:a") == offer("urn:o:a", "urn:d:1", access_policy=ACCESS)
        plain = await tx.offers.get("urn:o:b")
        assert plain is not None and plain.access_policy is None
        assert await tx.offers.get("urn:o:none") is None


async def test_offers_by_dataset_and_all_of_them_oldest_first_then_by_id(store: Store) -> None:
    async with store.begin() as tx:
        for i in range(3):
            await tx.datasets.add(dataset(f"urn:d:{i}", T0 + timedelta(seconds=i)))
        await tx.offers.add(offer("urn:o:c", "urn:d:1", T0 + timedelta(days=1)))
        await tx.offers.add(offer("urn:o:b", "urn:d:1"))
        await tx.offers.add(offer("urn:o:a", "urn:d:2"))
    async with store.begin() as tx:
        by_dataset = await tx.offers.for_datasets(["urn:d:0", "urn:d:1", "urn:d:none"])
        assert {d: ids(o) for d, o in by_dataset.items()} == {
            "urn:d:0": [],
            "urn:d:1": ["urn:o:b", "urn:o:c"],
            "urn:d:none": [],
        }
        assert await tx.offers.for_datasets([]) == {}
        assert ids(await tx.offers.all()) == ["urn:o:a", "urn:o:b", "urn:o:c"]


async def test_a_second_offer_with_the_same_id_or_one_for_no_dataset_is_a_conflict(store: Store) -> None:
    async with store.begin() as tx:
        await tx.datasets.add(dataset("urn:d:1"))
        await tx.offers.add(offer("urn:o:a", "urn:d:1"))
    with pytest.raises(Conflict) as twice:
        async with store.begin() as tx:
            await tx.offers.add(offer("urn:o:a", "urn:d:1", T0 + timedelta(1)))
    with pytest.raises(Conflict) as orphan:
        async with store.begin() as tx:
            await tx.offers.add(offer("urn:o:b", "urn:d:none"))
    assert twice.value.details == {"record": "offer"}
    assert orphan.value.details == {"record": "offer", "missing": "dataset"}
    async with store.begin() as tx:
        assert ids(await tx.offers.all()) == ["urn:o:a"]


async def test_a_failed_transaction_leaves_no_offer_and_the_catalog_revision_unchanged(store: Store) -> None:
    async with store.begin() as tx:
        await tx.datasets.add(dataset("urn:d:1"))
        before = await tx.catalog.revision()
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            await tx.offers.add(offer("urn:o:a", "urn:d:1"))
            await tx.catalog.bump_revision()
            raise RuntimeError("crash")
    async with store.begin() as tx:
        assert await tx.offers.all() == [] and await tx.catalog.revision() == before


async def test_the_catalog_pages_through_offered_datasets_with_all_their_offers(store: Store) -> None:
    async with store.begin() as tx:
        for i in range(5):
            await tx.datasets.add(dataset(f"urn:d:{i}", T0 + timedelta(seconds=i % 2), title=f"검사 {i}"))
        for name, on, day in [("a", 1, 0), ("b", 1, 1), ("c", 3, 0), ("d", 4, 0), ("e", 0, 2)]:
            await tx.offers.add(offer(f"urn:o:{name}", f"urn:d:{on}", T0 + timedelta(day), access_policy=ACCESS))
    async with store.begin() as tx:
        whole = await tx.catalog.entries()
        assert [(e.dataset_id, [o for o, _, _ in e.offers]) for e in whole] == [
            ("urn:d:0", ["urn:o:e"]),
            ("urn:d:4", ["urn:o:d"]),
            ("urn:d:1", ["urn:o:a", "urn:o:b"]),
            ("urn:d:3", ["urn:o:c"]),
        ]  # oldest dataset first (0, 2, 4 at T0; 1, 3 a second later), by id within a moment
        assert whole[2].title == "검사 1" and whole[2].offers[1][1:] == ({"permission": [{"action": "use"}]}, ACCESS)
        for size in (1, 2, 3):
            assert await all_pages(tx.catalog.entries, size) == whole
        assert await tx.catalog.entries(4) == [] and await tx.catalog.entries(1, 1) == whole[1:2]


async def test_the_catalog_revision_only_grows_and_only_when_committed(store: Store) -> None:
    async with store.begin() as tx:
        first = await tx.catalog.revision()
        await tx.catalog.bump_revision()
        await tx.catalog.bump_revision()
        assert await tx.catalog.revision() == first + 2
    async with store.begin() as tx:
        assert await tx.catalog.revision() == first + 2
