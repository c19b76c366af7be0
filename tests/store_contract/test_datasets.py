"""Contract of the datasets port (``store/ports/datasets.py``): datasets, their versions and their sources."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sangsaeng.errors import Conflict
from sangsaeng.store.ports import Store
from tests.store_contract.builders import T0, Rollback, dataset, offer, source, version
from tests.store_contract.paging import all_pages, ids, in_order, insertion_orders, moments, page_sizes

pytestmark = pytest.mark.anyio


async def test_a_dataset_reads_back_with_its_latest_version(store: Store) -> None:
    async with store.begin() as tx:
        await tx.datasets.add(dataset("urn:d:1", co_generators=("urn:p:a", "urn:p:b")))
    async with store.begin() as tx:
        bare = await tx.datasets.get("urn:d:1")
        assert bare == dataset("urn:d:1", co_generators=("urn:p:a", "urn:p:b"))  # no version yet
        for number in (2, 1):  # a lower number added later does not become the latest
            await tx.datasets.add_version(version("urn:d:1", number, T0 + timedelta(minutes=number)))
    async with store.begin() as tx:
        found = await tx.datasets.get("urn:d:1")
    assert found is not None and found.latest == version("urn:d:1", 2, T0 + timedelta(minutes=2))
    assert found.title == "수입검사" and found.created_at == T0 and found.created_at.tzinfo is not None


async def test_a_version_keeps_the_entity_and_origin_it_was_ingested_with(store: Store) -> None:
    ingested = version("urn:d:1", 1)
    ingested = type(ingested)(**{**ingested.__dict__, "entity": "quality_result", "origin": "f" * 64})
    async with store.begin() as tx:
        await tx.datasets.add(dataset("urn:d:1"))
        await tx.datasets.add_version(ingested)
    async with store.begin() as tx:
        found = await tx.datasets.get("urn:d:1")
    assert found is not None and found.latest == ingested


async def test_unknown_datasets_are_none_and_have_no_sources(store: Store) -> None:
    async with store.begin() as tx:
        assert await tx.datasets.get("urn:d:none") is None
        assert await tx.datasets.sources_of("urn:d:none") == []
        assert await tx.datasets.page() == [] and await tx.datasets.count() == 0


@pytest.mark.parametrize("what", ["dataset id", "version number", "source position"])
async def test_a_second_record_with_the_same_key_is_a_conflict(store: Store, what: str) -> None:
    async with store.begin() as tx:
        await tx.datasets.add(dataset("urn:d:1"))
        await tx.datasets.add_version(version("urn:d:1", 1))
        await tx.datasets.add_sources([source("urn:d:1", 0)])
    with pytest.raises(Conflict) as refused:
        async with store.begin() as tx:
            await tx.datasets.add(dataset("urn:d:2"))
            if what == "dataset id":
                await tx.datasets.add(dataset("urn:d:1", title="another"))
            elif what == "version number":
                await tx.datasets.add_version(version("urn:d:1", 1))
            else:
                await tx.datasets.add_sources([source("urn:d:1", 1), source("urn:d:1", 0)])
    assert refused.value.details["record"] in {"dataset", "dataset version", "dataset source"}
    async with store.begin() as tx:
        assert ids(await tx.datasets.page()) == ["urn:d:1"]
        assert [s.position for s in await tx.datasets.sources_of("urn:d:1")] == [0]
        assert (await tx.datasets.get("urn:d:1")) == dataset("urn:d:1", latest=version("urn:d:1", 1))


@pytest.mark.parametrize("what", ["version", "sources"])
async def test_a_version_or_source_of_a_dataset_not_stored_is_a_conflict(store: Store, what: str) -> None:
    with pytest.raises(Conflict) as refused:
        async with store.begin() as tx:
            if what == "version":
                await tx.datasets.add_version(version("urn:d:none", 1))
            else:
                await tx.datasets.add_sources([source("urn:d:none", 0)])
    assert refused.value.details["missing"] == "dataset"


async def test_sources_are_kept_in_their_order_with_their_agreements(store: Store) -> None:
    sources = [source("urn:d:1", 2, None), source("urn:d:1", 0), source("urn:d:1", 1)]
    async with store.begin() as tx:
        await tx.datasets.add(dataset("urn:d:1"))
        await tx.datasets.add_sources(sources)
        await tx.datasets.add_sources([])
    async with store.begin() as tx:
        assert await tx.datasets.sources_of("urn:d:1") == sorted(sources, key=lambda s: s.position)


async def test_a_failed_transaction_leaves_no_dataset_version_or_source(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            await tx.datasets.add(dataset("urn:d:1"))
            await tx.datasets.add_version(version("urn:d:1", 1))
            await tx.datasets.add_sources([source("urn:d:1", 0)])
            raise RuntimeError("crash")
    async with store.begin() as tx:
        assert await tx.datasets.get("urn:d:1") is None and await tx.datasets.sources_of("urn:d:1") == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    created=moments, order=insertion_orders, size=page_sizes, offered=st.lists(st.booleans(), min_size=12, max_size=12)
)
async def test_pages_list_every_dataset_once_oldest_first_then_by_id_and_count_them(
    store: Store, created: list[object], order: list[int], size: int, offered: list[bool]
) -> None:
    added = [dataset(f"urn:d:{i:03d}", at=at) for i, at in enumerate(created)]  # type: ignore[arg-type]
    with_offer = {d.id for d, chosen in zip(added, offered, strict=False) if chosen}
    with pytest.raises(Rollback):
        async with store.begin() as tx:
            for d in in_order(added, order):
                await tx.datasets.add(d)
            for d in sorted(with_offer):
                await tx.offers.add(offer(f"urn:o:{d}", d))
            expected = sorted(added, key=lambda d: (d.created_at, d.id))
            assert ids(await all_pages(tx.datasets.page, size)) == ids(expected)
            offered_pages = await all_pages(lambda o, n: tx.datasets.page(o, n, offered_only=True), size)
            assert ids(offered_pages) == [d.id for d in expected if d.id in with_offer]
            assert await tx.datasets.count() == len(added)
            assert await tx.datasets.count(offered_only=True) == len(with_offer)
            raise Rollback


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.lists(st.integers(0, 2**40), min_size=1, max_size=4), max_size=6))
async def test_stored_bytes_count_every_version_of_every_dataset(store: Store, sizes: list[list[int]]) -> None:
    """What a hosted connector's cap counts: older versions are kept in the dataset store too."""
    with pytest.raises(Rollback):
        async with store.begin() as tx:
            assert await tx.datasets.stored_bytes() == 0
            for i, versions in enumerate(sizes):
                await tx.datasets.add(dataset(f"urn:d:{i}"))
                for number, size in enumerate(versions, start=1):
                    made = version(f"urn:d:{i}", number)
                    await tx.datasets.add_version(type(made)(**{**made.__dict__, "bytes": size}))
            assert await tx.datasets.stored_bytes() == sum(sum(v) for v in sizes)
            raise Rollback
