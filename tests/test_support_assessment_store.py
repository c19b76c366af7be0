"""Contract of the assessments' store (``support/store/assessment.py``, migration ``s0002``) on SQLite and on
PostgreSQL (also in a context's own schema): support's chain migrated beside the connector's, assessments kept by
id and by member (another member's is not found), listed newest first, the completed ones by completion, answers
and results as JSON with Korean in them, times in UTC, and writes that roll back with the transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from sangsaeng.errors import Conflict, NotFound
from sangsaeng.store import migrate
from sangsaeng.store.sql import SqlStore, sync_url
from sangsaeng.support.store import migrate as support_migrate
from sangsaeng.support.store.assessment import AssessmentRecord, AssessmentRecords, assessments, records_of

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MODELS = {"questionnaire": "2026.1", "siri": "2026.1", "kosf": "2026.1"}


def record(number: int, member: str = "urn:uuid:a", at: datetime = T0, state: str = "draft") -> AssessmentRecord:
    return AssessmentRecord(
        id=f"asm-{number}",
        participant_id=member,
        models=dict(MODELS),
        answers={"production-results": "pop"},
        state=state,
        started_at=at,
        updated_at=at,
        completed_at=at + timedelta(minutes=20) if state == "complete" else None,
        results={"models": MODELS, "bands": {"vertical_integration": 2}, "level": 1, "met": ["master-data"]}
        if state == "complete"
        else None,
    )


@pytest.fixture(params=["sqlite", "postgresql", "postgresql-schema"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str | None]:
    """Where the hub's state is: its database URL and PostgreSQL schema, migrated."""
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        schema = "hub_one" if request.param == "postgresql-schema" else None
    migrate.upgrade(url, schema)
    support_migrate.upgrade(url, schema)
    support_migrate.upgrade(url, schema)  # twice: nothing to do the second time
    return url, schema


@pytest.fixture
async def store(place: tuple[str, str | None]) -> AsyncIterator[SqlStore]:
    made = SqlStore(place[0], schema=place[1])
    try:
        yield made
    finally:
        await made.close()


def test_the_migration_makes_exactly_the_declared_table(place: tuple[str, str | None]) -> None:
    url, schema = place
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            found = {c["name"]: c for c in inspector.get_columns("support_assessments", schema=schema)}
            indexes = {i["name"]: i for i in inspector.get_indexes("support_assessments", schema)}
            versions = conn.execute(
                sa.text("SELECT version_num FROM support_alembic_version")
                if schema is None
                else sa.text(f'SELECT version_num FROM "{schema}".support_alembic_version')
            ).scalars()
            assert "s0002" in set(versions)
    finally:
        engine.dispose()
    assert list(found) == [c.name for c in assessments.columns]
    assert {name for name, c in found.items() if c["nullable"]} == {"completed_at", "results"}
    assert indexes["ix_support_assessments_participant_id"]["column_names"] == ["participant_id"]
    one_draft = indexes["uq_support_assessments_one_draft"]
    assert one_draft["column_names"] == ["participant_id"] and one_draft["unique"]


async def test_an_assessment_is_kept_and_read_back_as_it_was(store: SqlStore) -> None:
    kept = record(1, state="complete")
    kept.answers = {"production-results": "pop", "training": "planned", "메모": "한글도 그대로"}
    async with store.begin() as tx:
        await records_of(tx).add(kept)
    async with store.begin() as tx:
        found = await AssessmentRecords(tx.conn).get("asm-1")
    assert found == kept
    assert found is not None and found.started_at.tzinfo is not None and found.started_at == T0


async def test_another_members_assessment_is_not_found_as_a_missing_one_is_not(store: SqlStore) -> None:
    async with store.begin() as tx:
        await records_of(tx).add(record(1, member="urn:uuid:a"))
    async with store.begin() as tx:
        records = records_of(tx)
        assert (await records.of("urn:uuid:a", "asm-1")) is not None
        assert (await records.of("urn:uuid:b", "asm-1")) is None
        assert (await records.of("urn:uuid:a", "asm-9", for_update=True)) is None


async def test_answers_are_saved_over_and_a_missing_one_cannot_be_saved(store: SqlStore) -> None:
    async with store.begin() as tx:
        await records_of(tx).add(record(1))
    async with store.begin() as tx:
        records = records_of(tx)
        found = await records.get("asm-1", for_update=True)
        assert found is not None
        found.answers = {"production-results": "machine", "ot-security": "managed"}
        found.updated_at = T0 + timedelta(minutes=5)
        await records.save(found)
    async with store.begin() as tx:
        again = await records_of(tx).get("asm-1")
        assert again is not None and again.answers == {"production-results": "machine", "ot-security": "managed"}
        assert again.updated_at == T0 + timedelta(minutes=5)
        with pytest.raises(NotFound):
            await records_of(tx).save(record(2))


async def test_a_members_assessments_are_listed_newest_first_and_completed_ones_by_completion(store: SqlStore) -> None:
    async with store.begin() as tx:
        records = records_of(tx)
        await records.add(record(1, at=T0, state="complete"))
        await records.add(record(2, at=T0 + timedelta(days=30), state="complete"))
        await records.add(record(3, at=T0 + timedelta(days=60)))
        await records.add(record(4, member="urn:uuid:b", at=T0 + timedelta(days=90), state="complete"))
        late = record(5, at=T0 - timedelta(days=1), state="complete")  # started first, completed last
        late.completed_at = T0 + timedelta(days=45)
        await records.add(late)
    async with store.begin() as tx:
        records = records_of(tx)
        assert [r.id for r in await records.listed("urn:uuid:a")] == ["asm-3", "asm-2", "asm-1", "asm-5"]
        assert [r.id for r in await records.listed("urn:uuid:a", "draft")] == ["asm-3"]
        assert [r.id for r in await records.listed("urn:uuid:a", limit=1)] == ["asm-3"]
        assert [r.id for r in await records.completed("urn:uuid:a")] == ["asm-5", "asm-2"]
        assert [r.id for r in await records.completed("urn:uuid:a", limit=5)] == ["asm-5", "asm-2", "asm-1"]
        assert await records.completed("urn:uuid:c") == []


async def test_a_member_has_one_open_draft_at_most_and_any_number_completed(store: SqlStore) -> None:
    async with store.begin() as tx:
        records = records_of(tx)
        await records.add(record(1, state="complete"))
        await records.add(record(2, state="complete"))
        await records.add(record(3))
        await records.add(record(4, member="urn:uuid:b"))
    with pytest.raises(Conflict):
        async with store.begin() as tx:
            await records_of(tx).add(record(5))
    async with store.begin() as tx:
        records = records_of(tx)
        draft = await records.get("asm-3", for_update=True)
        assert draft is not None
        draft.state = "complete"
        await records.save(draft)
        await records.add(record(5))  # once the draft is completed, a new one may start
        assert [r.id for r in await records.listed("urn:uuid:a", "draft")] == ["asm-5"]


async def test_a_write_rolls_back_with_its_transaction(store: SqlStore) -> None:
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            await records_of(tx).add(record(1))
            raise RuntimeError("the use case failed after writing")
    async with store.begin() as tx:
        assert await records_of(tx).get("asm-1") is None
