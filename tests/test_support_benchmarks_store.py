"""Contract of the benchmarks' store (``support/store/benchmarks.py``) on SQLite, PostgreSQL and a PostgreSQL
schema: support's chain migrates beside the connector's and the hub's (twice: nothing the second time), agreements
replace, a contribution for an indicator and period replaces the member's earlier one, a member's own are read
apart from others', releases keep their cells and the ledger, the current cells are each indicator's latest
release's, and a failed transaction keeps nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from sangsaeng.errors import Conflict
from sangsaeng.hub.store import migrate as hub_migrate
from sangsaeng.store import migrate
from sangsaeng.store.sql import SqlStore, sync_url
from sangsaeng.support.store import migrate as support_migrate
from sangsaeng.support.store.benchmarks import (
    AgreementRecord,
    BenchmarkRecords,
    CellRecord,
    ContributionRecord,
    LedgerRecord,
    ReleaseRecord,
)
from sangsaeng.support.store.meta import metadata

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql", "postgresql-schema"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        schema = "hub_one" if request.param == "postgresql-schema" else None
    migrate.upgrade(url, schema)
    hub_migrate.upgrade(url, schema)
    support_migrate.upgrade(url, schema)
    support_migrate.upgrade(url, schema)  # twice: nothing to do the second time
    made = SqlStore(url, schema=schema)
    try:
        yield made
    finally:
        await made.close()


def given(pid: str, indicator: str, period: str, value: float, at: datetime = T0) -> ContributionRecord:
    return ContributionRecord(pid, indicator, period, value, value, "%", at)


def cell(
    release: str, indicator: str, sector: str, region: str, q: float | None, rule: str | None = None
) -> CellRecord:
    quartiles = (q, q, q) if q is not None else (None, None, None)
    band = (10, 19) if rule is None else (None, None)
    return CellRecord(release, indicator, sector, region, "2026-Q3", rule, *band, *quartiles,
                      1.0 if rule is None else 0.0)  # fmt: skip


async def test_agreements_replace_and_contributions_replace_per_indicator_and_period(store: SqlStore) -> None:
    async with store.begin() as tx:
        records = BenchmarkRecords(tx.conn)
        assert await records.agreement("p1") is None
        await records.agree(AgreementRecord("p1", "2025.1", T0))
        await records.agree(AgreementRecord("p1", "2026.1", T0 + timedelta(days=1)))
        await records.contribute([given("p1", "oee", "2026-Q3", 70.0), given("p1", "oee", "2026-Q2", 65.0)])
        await records.contribute([given("p2", "oee", "2026-Q3", 55.5)])
    async with store.begin() as tx:
        records = BenchmarkRecords(tx.conn)
        assert await records.agreement("p1") == AgreementRecord("p1", "2026.1", T0 + timedelta(days=1))
        later = T0 + timedelta(hours=2)
        await records.contribute([given("p1", "oee", "2026-Q3", 72.5, later)])
    async with store.begin() as tx:
        records = BenchmarkRecords(tx.conn)
        assert await records.mine("p1") == [
            given("p1", "oee", "2026-Q2", 65.0),
            given("p1", "oee", "2026-Q3", 72.5, T0 + timedelta(hours=2)),
        ]
        assert await records.mine("p1", "2026-Q3") == [given("p1", "oee", "2026-Q3", 72.5, T0 + timedelta(hours=2))]
        assert await records.mine("p3") == []
        assert await records.of_period("2026-Q3") == [("p1", "oee", 72.5), ("p2", "oee", 55.5)]


async def test_current_cells_are_each_indicators_latest_release_and_the_ledger_sums(store: SqlStore) -> None:
    first = ReleaseRecord("r1", "2026-Q3", 1, T0, [])
    second = ReleaseRecord("r2", "2026-Q3", 2, T0 + timedelta(days=1), ["defect-ppm"])  # its budget was spent
    async with store.begin() as tx:
        records = BenchmarkRecords(tx.conn)
        await records.add_release(
            first,
            [
                cell("r1", "oee", "C30", "KR-48", 60.0),
                cell("r1", "defect-ppm", "*", "*", 300.0),
                cell("r1", "oee", "C30", "KR-11", None, "threshold"),
            ],  # fmt: skip
            [LedgerRecord("r1", "oee", "2026-Q3", 4.0, T0), LedgerRecord("r1", "defect-ppm", "2026-Q3", 4.0, T0)],
        )
        await records.add_release(
            second,
            [cell("r2", "oee", "C30", "KR-48", 61.0)],
            [LedgerRecord("r2", "oee", "2026-Q3", 3.0, T0 + timedelta(days=1))],
        )
    async with store.begin() as tx:
        records = BenchmarkRecords(tx.conn)
        assert await records.last_seq("2026-Q3") == 2 and await records.last_seq("2026") == 0
        current = await records.current_cells("2026-Q3")
        assert [(c.release_id, c.indicator, c.sector, c.region, c.q2) for c in current] == [
            ("r1", "defect-ppm", "*", "*", 300.0),  # the second release was refused for it: the first one's stays
            ("r2", "oee", "C30", "KR-48", 61.0),  # the second release's (the first's KR-11 cell is gone with it)
        ]
        assert [c.indicator for c in await records.current_cells("2026-Q3", "oee")] == ["oee"]
        assert await records.releases_of("2026-Q3") == [first, second]
        ledger = await records.ledger_of("2026-Q3")
        assert sum(e.epsilon for e in ledger if e.indicator == "oee") == 7.0
        assert await records.current_cells("2026-Q4") == []


async def test_a_period_has_one_release_of_each_seq(store: SqlStore) -> None:
    async with store.begin() as tx:
        await BenchmarkRecords(tx.conn).add_release(ReleaseRecord("r1", "2026", 1, T0, []), [], [])
    with pytest.raises(Conflict):
        async with store.begin() as tx:
            await BenchmarkRecords(tx.conn).add_release(ReleaseRecord("r9", "2026", 1, T0, []), [], [])


async def test_a_failed_transaction_keeps_none_of_its_writes(store: SqlStore) -> None:
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            records = BenchmarkRecords(tx.conn)
            await records.agree(AgreementRecord("p1", "2026.1", T0))
            await records.contribute([given("p1", "oee", "2026", 70.0)])
            raise RuntimeError("the caller failed after writing")
    async with store.begin() as tx:
        records = BenchmarkRecords(tx.conn)
        assert await records.agreement("p1") is None and await records.mine("p1") == []


def test_the_migration_creates_exactly_the_declared_tables(tmp_path: Path, postgres_url: str) -> None:
    for url in (f"sqlite:///{tmp_path / 'state.db'}", postgres_url):
        support_migrate.upgrade(url)
        engine = sa.create_engine(sync_url(url))
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = [
                d
                for d in compare_metadata(context, metadata)
                if "support_benchmark_" in str(d) and "support_alembic_version" not in str(d)
            ]
        engine.dispose()
        assert differences == [], (url, differences)
