"""Contract of the audit log port (``store/ports/audit.py``): append-only entries, heads, witnessed heads."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sangsaeng.errors import Conflict
from sangsaeng.store.ports import Store
from tests.store_contract.builders import T0, entry

pytestmark = pytest.mark.anyio


async def test_entries_append_and_read_back_by_index_or_newest_first(store: Store) -> None:
    rows = [entry(i, T0 + timedelta(minutes=i), agreement_id="a" if i % 2 else None) for i in range(5)]
    async with store.begin() as tx:
        assert await tx.audit.size() == 0 and await tx.audit.entries() == []
        await tx.audit.append(rows[:3])
        await tx.audit.append([])
        await tx.audit.append(rows[3:])
    async with store.begin() as tx:
        assert await tx.audit.entries() == rows
        assert await tx.audit.size() == 5
        assert await tx.audit.leaves() == [r.leaf for r in rows] and await tx.audit.leaves(2) == [
            rows[0].leaf,
            rows[1].leaf,
        ]
        assert [e.index for e in await tx.audit.entries(1, 2)] == [1, 2]
        assert [e.index for e in await tx.audit.entries(0, 2, newest_first=True)] == [4, 3]
        assert [e.index for e in await tx.audit.entries(3)] == [3, 4]


async def test_entries_are_filtered_by_agreement_or_process_counterparty_time_and_kind(store: Store) -> None:
    rows = [
        entry(0, T0, agreement_id="a1", counterparty="urn:p:x", kind="agreement.finalized"),
        entry(1, T0 + timedelta(hours=1), process_id="t1", counterparty="urn:p:y", kind="data.read"),
        entry(2, T0 + timedelta(hours=2), agreement_id="a2", process_id="t2", counterparty="urn:p:x", kind="data.read"),
    ]
    async with store.begin() as tx:
        await tx.audit.append(rows)
    async with store.begin() as tx:

        async def found(**filters: object) -> list[int]:
            return [e.index for e in await tx.audit.entries(**filters)]  # type: ignore[arg-type]

        assert await found(agreement_or_process=["a1", "t2"]) == [0, 2]
        assert await found(counterparty="urn:p:x") == [0, 2]
        assert await found(since=T0 + timedelta(hours=1)) == [1, 2]
        assert await found(until=T0 + timedelta(hours=1)) == [0]  # until is exclusive
        assert await found(kind="data.read", counterparty="urn:p:x") == [2]
        assert await found(kind="none") == []


async def test_an_index_is_written_once(store: Store) -> None:
    async with store.begin() as tx:
        await tx.audit.append([entry(0), entry(1)])
    with pytest.raises(Conflict) as refused:
        async with store.begin() as tx:
            await tx.audit.append([entry(1, kind="other")])
    assert refused.value.details == {"record": "log entry"}
    async with store.begin() as tx:
        assert [e.kind for e in await tx.audit.entries()] == ["k", "k"]


async def test_one_head_a_size_and_each_witnessed_head_kept_once(store: Store) -> None:
    async with store.begin() as tx:
        await tx.audit.add_head(5, {"size": 5}, T0)
        await tx.audit.add_head(5, {"size": 5, "again": True}, T0)  # a second head of one size: the first stays
        await tx.audit.add_head(3, {"size": 3}, T0)
        assert await tx.audit.add_witnessed("p", 3, "r" * 64, {"size": 3}, T0)
        assert not await tx.audit.add_witnessed("p", 3, "r" * 64, {"size": 3, "again": True}, T0)
        assert await tx.audit.add_witnessed("p", 3, "s" * 64, {"size": 3, "root": "s"}, T0)  # another root: kept
        assert await tx.audit.add_witnessed("a", 9, "r" * 64, {"size": 9}, T0)
    async with store.begin() as tx:
        assert await tx.audit.heads() == [{"size": 3}, {"size": 5}]
        assert await tx.audit.witnessed("p") == [{"size": 3}, {"size": 3, "root": "s"}]
        assert await tx.audit.witnessed() == [{"size": 9}, {"size": 3}, {"size": 3, "root": "s"}]
        assert await tx.audit.witnessed("q") == []


async def test_a_failed_transaction_appends_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            await tx.audit.append([entry(0)])
            await tx.audit.add_head(1, {"size": 1}, T0)
            raise RuntimeError("crash")
    async with store.begin() as tx:
        assert await tx.audit.size() == 0 and await tx.audit.heads() == []
