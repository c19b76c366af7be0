"""Contract of the take-up store (``support/store/uptake.py``) on SQLite and PostgreSQL (also in a context's own
schema): its migration creates exactly the table declared; a take-up is kept whole with its history, replaced, read
back per member, counted per program and state (listed programs with none too, retired ones only when taken up);
and a write rolls back with its transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sangsaeng.hub.members.ksic import Named
from sangsaeng.store.sql import SqlStore
from sangsaeng.support.store.experts import records_of as experts_records_of
from sangsaeng.support.store.uptake import records_of
from sangsaeng.support.uptake.model import Change, Uptake, moved
from tests.support_stores import PLACES, Migrated, declared_differences, migrated
from tests.test_support_experts_store import program

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=PLACES)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Migrated]:
    async with migrated(request, tmp_path, "hub_uptake") as found:
        yield found


async def test_the_migration_creates_exactly_the_table_declared(store: Migrated) -> None:
    _, url, schema = store
    ours, made, _ = declared_differences(url, schema, {"support_program_uptake"})
    assert ours == []
    assert "support_program_uptake" in made


async def test_take_ups_are_kept_whole_read_per_member_and_counted_per_program(
    store: tuple[SqlStore, str, str | None],
) -> None:
    s, _, _ = store
    async with s.begin() as tx:
        programs = experts_records_of(tx)
        for made in (
            program(1, "가 사업"),
            program(2, "나 사업"),
            program(3, "다 사업", retired=T0),
            program(4, "라 사업", retired=T0),
        ):
            await programs.add_program(made)
    applied = moved(None, "urn:a", "p1", "applied", "3월 접수", T0)
    granted = moved(applied, "urn:a", "p1", "granted", None, T0 + timedelta(days=30))
    assert granted.history == (Change("applied", T0), Change("granted", T0 + timedelta(days=30)))
    async with s.begin() as tx:
        records = records_of(tx)
        await records.put(applied)
        await records.put(granted)  # replaces
        await records.put(moved(None, "urn:b", "p1", "applied", None, T0))
        await records.put(moved(None, "urn:b", "p3", "withdrawn", None, T0 + timedelta(days=1)))
    async with s.begin() as tx:
        records = records_of(tx)
        assert await records.get("urn:a", "p1") == granted
        assert await records.get("urn:a", "p2") is None
        assert [u.program_id for u in await records.of("urn:b")] == ["p3", "p1"]  # latest changed first
        counted = await records.by_program()
    # p2 listed with none; p3 retired but taken up; p4 retired and never taken up: left out.
    assert counted == [
        ("p1", Named("가 사업", "Program 1"), {"granted": 1, "applied": 1}),
        ("p2", Named("나 사업", "Program 2"), {}),
        ("p3", Named("다 사업", "Program 3"), {"withdrawn": 1}),
    ]


async def test_a_write_rolls_back_with_its_transaction(store: tuple[SqlStore, str, str | None]) -> None:
    s, _, _ = store
    with pytest.raises(RuntimeError):
        async with s.begin() as tx:
            await records_of(tx).put(Uptake("urn:a", "p1", "applied", None, T0, (Change("applied", T0),)))
            raise RuntimeError("abandoned")
    async with s.begin() as tx:
        assert await records_of(tx).of("urn:a") == []
