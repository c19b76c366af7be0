"""Contract of the received-copies port (``store/ports/received.py``): one copy per agreement, its files in order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sangsaeng.errors import Conflict, NotFound
from sangsaeng.store.ports import Store
from sangsaeng.store.records import Received, ReceivedFile
from tests.store_contract.builders import T0, dataset

pytestmark = pytest.mark.anyio


def copy(cid: str, agreement: str = "urn:a:1", **changed: Any) -> Received:
    fields: dict[str, Any] = {
        "id": cid,
        "agreement_id": agreement,
        "transfer_id": "t-1",
        "provider": "urn:p:supplier",
        "source_dataset_id": "urn:d:theirs",
        "dataset_id": "urn:d:copy",
        "files": (ReceivedFile("received/ab/1.parquet", 3, 900, "a" * 64),),
        "rows": 3,
        "bytes": 900,
        "sha256": "a" * 64,
        "columns": [{"name": "lot_no", "type": "string"}, {"name": "측정값", "type": "double"}],
        "received_at": T0,
    }
    return Received(**{**fields, **changed})


async def _with_dataset(store: Store) -> None:
    async with store.begin() as tx:
        await tx.datasets.add(dataset("urn:d:copy"))


async def test_a_copy_reads_back_by_id_and_by_agreement_with_its_files_in_order(store: Store) -> None:
    await _with_dataset(store)
    files = (
        ReceivedFile("received/ab/1.parquet", 3, 900, "a" * 64),
        ReceivedFile("received/ab/2.parquet", 2, 700, "b" * 64),
    )
    made = copy("r1", files=files, rows=5, bytes=1600, position="7", entity="measurement")
    async with store.begin() as tx:
        await tx.received.add(made)
    async with store.begin() as tx:
        assert await tx.received.get("r1") == made
        assert await tx.received.of_agreement("urn:a:1", for_update=True) == made
        assert await tx.received.of_agreement("urn:a:2") is None
        assert await tx.received.get("r2") is None


async def test_saving_replaces_files_counts_and_position(store: Store) -> None:
    await _with_dataset(store)
    async with store.begin() as tx:
        await tx.received.add(copy("r1"))
    later = copy(
        "r1",
        files=(ReceivedFile("received/ab/9.parquet", 4, 1000, "c" * 64),),
        rows=4,
        bytes=1000,
        sha256="c" * 64,
        received_at=T0 + timedelta(hours=2),
        position="12",
        refreshes=2,
        transfer_id="t-2",
    )
    async with store.begin() as tx:
        await tx.received.save(later)
    async with store.begin() as tx:
        assert await tx.received.get("r1") == later


async def test_saving_a_copy_that_is_not_stored_is_refused(store: Store) -> None:
    with pytest.raises(NotFound):
        async with store.begin() as tx:
            await tx.received.save(copy("nope"))


@pytest.mark.parametrize("second", [{"id": "r1", "agreement": "urn:a:2"}, {"id": "r2", "agreement": "urn:a:1"}])
async def test_a_second_copy_of_one_agreement_or_id_is_a_conflict(store: Store, second: dict[str, str]) -> None:
    await _with_dataset(store)
    async with store.begin() as tx:
        await tx.received.add(copy("r1"))
    with pytest.raises(Conflict):
        async with store.begin() as tx:
            await tx.received.add(copy(second["id"], second["agreement"]))
    async with store.begin() as tx:
        assert [c.id for c in await tx.received.page()] == ["r1"]


async def test_a_copy_must_name_a_stored_dataset(store: Store) -> None:
    with pytest.raises(Conflict):
        async with store.begin() as tx:
            await tx.received.add(copy("r1", dataset_id="urn:d:missing"))


async def test_pages_list_every_copy_once_most_recent_first_then_by_id(store: Store) -> None:
    await _with_dataset(store)
    async with store.begin() as tx:
        for n, at in enumerate([T0, T0 + timedelta(hours=1), T0, T0 + timedelta(hours=1)]):
            await tx.received.add(copy(f"r{n}", f"urn:a:{n}", received_at=at))
    async with store.begin() as tx:
        first, second = await tx.received.page(0, 2), await tx.received.page(2, 2)
    assert [c.id for c in first + second] == ["r1", "r3", "r0", "r2"]


async def test_a_failed_transaction_leaves_no_copy(store: Store) -> None:
    await _with_dataset(store)
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            await tx.received.add(copy("r1"))
            raise RuntimeError("stop")
    async with store.begin() as tx:
        assert await tx.received.get("r1") is None
