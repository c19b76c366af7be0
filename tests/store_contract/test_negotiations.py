"""Contract of the negotiations port (``store/ports/negotiations.py``), on every adapter."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from sangsaeng.errors import Conflict, NotFound
from sangsaeng.store.ports import Store
from tests.store_contract.builders import T0, Rollback, negotiation
from tests.store_contract.paging import all_pages, ids, in_order, insertion_orders, moments, page_sizes

pytestmark = pytest.mark.anyio


async def test_a_negotiation_reads_back_as_it_was_added(store: Store) -> None:
    added = negotiation("urn:n:1", attributes={"tier": ["tier1"]}, reason="검토 중")
    async with store.begin() as tx:
        await tx.negotiations.add(added)
    async with store.begin() as tx:
        assert await tx.negotiations.get("urn:n:1") == added
        assert await tx.negotiations.get("urn:n:1", for_update=True) == added
        found = await tx.negotiations.get("urn:n:1")
    assert found is not None and found.created_at.tzinfo is not None


async def test_an_unknown_id_is_none_and_saving_it_is_refused_without_creating_it(store: Store) -> None:
    async with store.begin() as tx:
        assert await tx.negotiations.get("urn:n:none") is None
        assert await tx.negotiations.find("provider", "c-none", "urn:p:oem") is None
    with pytest.raises(NotFound):
        async with store.begin() as tx:
            await tx.negotiations.save(negotiation("urn:n:none"))
    async with store.begin() as tx:
        assert await tx.negotiations.page() == []


async def test_saving_changes_the_stored_negotiation_only(store: Store) -> None:
    async with store.begin() as tx:
        await tx.negotiations.add(negotiation("urn:n:1"))
        await tx.negotiations.add(negotiation("urn:n:2"))
    async with store.begin() as tx:
        stored = await tx.negotiations.get("urn:n:1", for_update=True)
        assert stored is not None
        stored.state, stored.agreement_id, stored.updated_at = "AGREED", "urn:a:1", T0.replace(hour=10)
        await tx.negotiations.save(stored)
    async with store.begin() as tx:
        assert await tx.negotiations.get("urn:n:1") == stored
        assert await tx.negotiations.get("urn:n:2") == negotiation("urn:n:2")


async def test_a_consumer_process_is_found_by_role_counterparty_and_its_id(store: Store) -> None:
    async with store.begin() as tx:
        await tx.negotiations.add(negotiation("urn:n:1", "c-1"))
        await tx.negotiations.add(negotiation("urn:n:2", "c-1", counterparty="urn:p:other"))
        await tx.negotiations.add(negotiation("urn:n:3", "c-1", role="consumer"))
    async with store.begin() as tx:
        provider = await tx.negotiations.find("provider", "c-1", "urn:p:oem")
        other = await tx.negotiations.find("provider", "c-1", "urn:p:other")
        consumer = await tx.negotiations.find("consumer", "c-1", "urn:p:oem")
        assert [n.id if n else None for n in (provider, other, consumer)] == ["urn:n:1", "urn:n:2", "urn:n:3"]
        assert await tx.negotiations.find("provider", "c-2", "urn:p:oem") is None


@pytest.mark.parametrize(
    "second",
    [negotiation("urn:n:1", "c-other"), negotiation("urn:n:2", "c-1")],
    ids=["same id", "same consumer process from the same counterparty"],
)
async def test_a_second_negotiation_with_the_same_key_is_a_conflict_and_keeps_nothing_of_its_transaction(
    store: Store, second: object
) -> None:
    async with store.begin() as tx:
        await tx.negotiations.add(negotiation("urn:n:1", "c-1"))
    with pytest.raises(Conflict) as refused:
        async with store.begin() as tx:
            await tx.negotiations.add(negotiation("urn:n:9", "c-9"))  # written first in the same transaction
            await tx.negotiations.add(second)  # type: ignore[arg-type]
    assert refused.value.details["record"] == "negotiation" and refused.value.status == 409
    async with store.begin() as tx:
        assert ids(await tx.negotiations.page()) == ["urn:n:1"]
        assert await tx.negotiations.get("urn:n:1") == negotiation("urn:n:1", "c-1")


async def test_a_failed_transaction_leaves_no_negotiation(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            await tx.negotiations.add(negotiation("urn:n:1"))
            raise RuntimeError("crash")
    async with store.begin() as tx:
        assert await tx.negotiations.get("urn:n:1") is None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(created=moments, order=insertion_orders, size=page_sizes)
async def test_pages_list_every_negotiation_once_newest_first_then_by_id(
    store: Store, created: list[object], order: list[int], size: int
) -> None:
    added = [negotiation(f"urn:n:{i:03d}", created_at=at) for i, at in enumerate(created)]
    with pytest.raises(Rollback):
        async with store.begin() as tx:
            for n in in_order(added, order):
                await tx.negotiations.add(n)
            expected = sorted(added, key=lambda n: (n.created_at, n.id), reverse=True)
            assert ids(await all_pages(tx.negotiations.page, size)) == ids(expected)
            assert ids(await tx.negotiations.page(1, 2)) == ids(expected[1:3])
            raise Rollback
