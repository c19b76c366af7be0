"""The plan's store (``support/store/plan.py``) on SQLite and PostgreSQL (also in a context's own schema): its
migration makes exactly the tables declared, wants are kept and changed, a member's own are listed, and the wants
addressed to a member are found by its name or by a (chain, tier) it has, never its own, never a withdrawn one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sangsaeng.errors import NotFound
from sangsaeng.store.sql import SqlStore
from sangsaeng.support.store.meta import metadata
from sangsaeng.support.store.plan import WantRecord, wants_of
from tests.support_stores import PLACES, Migrated, declared_differences, migrated

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
OEM, T1, T2, OTHER = "urn:uuid:oem", "urn:uuid:t1", "urn:uuid:t2", "urn:uuid:other"


def want(
    number: int,
    asker: str = OEM,
    tier: tuple[str, str] | None = ("현대모터", "1차"),
    members: list[str] | None = None,
    at: datetime = T0,
) -> WantRecord:
    return WantRecord(
        id=f"urn:want:{number}",
        asker=asker,
        entity="quality_result",
        to_chain=tier[0] if tier else None,
        to_tier=tier[1] if tier else None,
        to_members=members,
        why="수입검사를 줄이려고 합니다",
        template="quality-to-customer",
        state="open",
        created_at=at,
        updated_at=at,
    )


@pytest.fixture(params=PLACES)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Migrated]:
    async with migrated(request, tmp_path) as found:
        yield found


async def test_the_migration_makes_the_tables_as_declared(store: Migrated) -> None:
    _, url, schema = store
    ours, made, heads = declared_differences(url, schema, {"support_wants", "support_want_addressees"})
    assert ours == []
    assert {"support_wants", "support_want_addressees"} <= made
    assert "s0005" in heads
    assert {"support_wants", "support_want_addressees"} <= set(metadata.tables)


async def test_wants_are_kept_changed_and_listed_oldest_first(store: tuple[SqlStore, str, str | None]) -> None:
    db, _, _ = store
    async with db.begin() as tx:
        records = wants_of(tx)
        await records.add(want(2, at=T0 + timedelta(minutes=1)))
        await records.add(want(1, members=[T1, T2, T1], tier=None))
        await records.add(want(3, asker=T1))
    async with db.begin() as tx:
        records = wants_of(tx)
        assert await records.get("urn:want:1") == want(1, members=[T1, T2, T1], tier=None)
        assert await records.get("urn:want:9") is None
        assert [w.id for w in await records.of_asker(OEM)] == ["urn:want:1", "urn:want:2"]
        assert await records.open_count(OEM) == 2
        changed = await records.get("urn:want:2", for_update=True)
        assert changed is not None
        changed.state, changed.updated_at = "withdrawn", T0 + timedelta(hours=1)
        await records.save(changed)
    async with db.begin() as tx:
        records = wants_of(tx)
        assert (await records.get("urn:want:2")) == changed
        assert [w.id for w in await records.of_asker(OEM, ("open",))] == ["urn:want:1"]
        assert [w.id for w in await records.of_asker(OEM, ("withdrawn",))] == ["urn:want:2"]
        assert await records.open_count(OEM) == 1
        with pytest.raises(NotFound):
            await records.save(want(7))


async def test_a_write_rolls_back_with_its_transaction(store: tuple[SqlStore, str, str | None]) -> None:
    db, _, _ = store
    with pytest.raises(RuntimeError):
        async with db.begin() as tx:
            await wants_of(tx).add(want(1, members=[T1], tier=None))
            raise RuntimeError("the use case failed after writing")
    async with db.begin() as tx:
        records = wants_of(tx)
        assert await records.get("urn:want:1") is None
        assert await records.addressed_to(T1, []) == []


async def test_wants_addressed_to_a_member_by_name_or_by_a_tier_it_has(store: tuple[SqlStore, str, str | None]) -> None:
    db, _, _ = store
    async with db.begin() as tx:
        records = wants_of(tx)
        await records.add(want(1))  # to 현대모터's 1차
        await records.add(want(2, tier=("기아", "1차")))  # another chain's 1차
        await records.add(want(3, tier=("현대모터", "2차")))
        await records.add(want(4, tier=None, members=[T2]))
        await records.add(want(5, tier=None, members=[T1, OTHER]))
        await records.add(want(6, asker=T1))  # its own, to its own tier
        withdrawn = want(7)
        withdrawn.state = "withdrawn"
        await records.add(withdrawn)
    async with db.begin() as tx:
        records = wants_of(tx)
        t1 = [w.id for w in await records.addressed_to(T1, [("현대모터", "1차")])]
        assert t1 == ["urn:want:1", "urn:want:5"]
        t2 = [w.id for w in await records.addressed_to(T2, [("현대모터", "2차"), ("기아", "1차")])]
        assert t2 == ["urn:want:2", "urn:want:3", "urn:want:4"]
        assert [w.id for w in await records.addressed_to(OTHER, [])] == ["urn:want:5"]
        assert await records.addressed_to("urn:uuid:nobody", [("현대", "1차")]) == []
