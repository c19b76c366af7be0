"""The benchmarks' records (SQLAlchemy Core, on the hub store's transaction connection): each member's agreement
that its values are used only in aggregates, its contributions (one value per indicator and period, the latest
kept), the releases of a period with every cell they published or suppressed, and the privacy budget's ledger.
``migrations/versions/s0004_benchmarks.py`` creates exactly these tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from sangsaeng.store.ports import Tx
from sangsaeng.store.sql import SqlTx
from sangsaeng.store.sql.common import Connection, Rows, values
from sangsaeng.store.tables import UtcDateTime
from sangsaeng.support.store.meta import metadata

Id = sa.String(255)

agreements = sa.Table(
    "support_benchmark_agreements",
    metadata,
    sa.Column("participant_id", Id, primary_key=True),
    sa.Column("terms", sa.String(32), nullable=False),
    sa.Column("agreed_at", UtcDateTime, nullable=False),
)

contributions = sa.Table(
    "support_benchmark_contributions",
    metadata,
    sa.Column("participant_id", Id, primary_key=True),
    sa.Column("indicator", sa.String(64), primary_key=True),
    sa.Column("period", sa.String(16), primary_key=True, index=True),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("given", sa.Double, nullable=False),
    sa.Column("unit", sa.String(64), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
)

releases = sa.Table(
    "support_benchmark_releases",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("period", sa.String(16), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("refused", sa.JSON, nullable=False),  # indicators whose budget had no room for it
    sa.UniqueConstraint("period", "seq", name="uq_support_benchmark_releases_period_seq"),
)

cells = sa.Table(
    "support_benchmark_cells",
    metadata,
    sa.Column("release_id", Id, primary_key=True),
    sa.Column("indicator", sa.String(64), primary_key=True),
    sa.Column("sector", sa.String(8), primary_key=True),
    sa.Column("region", sa.String(8), primary_key=True),
    sa.Column("period", sa.String(16), nullable=False, index=True),
    sa.Column("rule", sa.String(16), nullable=True),  # the rule that suppressed it; None when published
    sa.Column("band_from", sa.Integer, nullable=True),
    sa.Column("band_to", sa.Integer, nullable=True),
    sa.Column("q1", sa.Double, nullable=True),
    sa.Column("q2", sa.Double, nullable=True),
    sa.Column("q3", sa.Double, nullable=True),
    sa.Column("epsilon", sa.Double, nullable=False),
)

ledger = sa.Table(
    "support_benchmark_ledger",
    metadata,
    sa.Column("release_id", Id, primary_key=True),
    sa.Column("indicator", sa.String(64), primary_key=True),
    sa.Column("period", sa.String(16), nullable=False, index=True),
    sa.Column("epsilon", sa.Double, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
)


@dataclass
class AgreementRecord:
    participant_id: str
    terms: str  # the version of the terms agreed to
    agreed_at: datetime


@dataclass
class ContributionRecord:
    participant_id: str
    indicator: str
    period: str
    value: float  # in the indicator's unit
    given: float
    unit: str
    at: datetime


@dataclass
class ReleaseRecord:
    id: str
    period: str
    seq: int
    at: datetime
    refused: list[str]


@dataclass
class CellRecord:
    release_id: str
    indicator: str
    sector: str
    region: str
    period: str
    rule: str | None
    band_from: int | None
    band_to: int | None
    q1: float | None
    q2: float | None
    q3: float | None
    epsilon: float


@dataclass
class LedgerRecord:
    release_id: str
    indicator: str
    period: str
    epsilon: float
    at: datetime


_MINE = sa.select(contributions).where(contributions.c.participant_id == sa.bindparam("pid"))
_REPLACED = contributions.delete().where(
    contributions.c.participant_id == sa.bindparam("p"),
    contributions.c.indicator == sa.bindparam("i"),
    contributions.c.period == sa.bindparam("q"),
)


class BenchmarkRecords(Rows):
    __slots__ = ()

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)

    # ---- agreements ------------------------------------------------------------------------------
    async def agreement(self, participant_id: str) -> AgreementRecord | None:
        statement = sa.select(agreements).where(agreements.c.participant_id == participant_id)
        found = await self._all(AgreementRecord, statement)
        return found[0] if found else None

    async def agree(self, record: AgreementRecord) -> None:
        """The member's agreement, replacing an earlier one (to a former version of the terms)."""
        await self.conn.execute(agreements.delete().where(agreements.c.participant_id == record.participant_id))
        await self.conn.execute(agreements.insert(), values(record))

    # ---- contributions ---------------------------------------------------------------------------
    async def contribute(self, records: list[ContributionRecord]) -> None:
        """Each value kept as the member's for its indicator and period, replacing what it gave before."""
        if records:
            await self.conn.execute(
                _REPLACED, [{"p": r.participant_id, "i": r.indicator, "q": r.period} for r in records]
            )
            await self.conn.execute(contributions.insert(), [values(r) for r in records])

    async def mine(self, participant_id: str, period: str | None = None) -> list[ContributionRecord]:
        statement: Any = _MINE
        if period is not None:
            statement = statement.where(contributions.c.period == period)
        statement = statement.order_by(contributions.c.period, contributions.c.indicator)
        return await self._all(ContributionRecord, statement, {"pid": participant_id})

    async def of_period(self, period: str) -> list[tuple[str, str, float]]:
        """Every contribution of ``period``: (participant, indicator, value), for a release only."""
        statement = (
            sa.select(contributions.c.participant_id, contributions.c.indicator, contributions.c.value)
            .where(contributions.c.period == period)
            .order_by(contributions.c.participant_id, contributions.c.indicator)
        )
        return [(str(p), str(i), float(v)) for p, i, v in await self.conn.execute(statement)]

    # ---- releases, their cells and the ledger ----------------------------------------------------
    async def last_seq(self, period: str) -> int:
        found = await self.conn.execute(sa.select(sa.func.max(releases.c.seq)).where(releases.c.period == period))
        return int(found.scalar() or 0)

    async def add_release(self, release: ReleaseRecord, published: list[CellRecord], spent: list[LedgerRecord]) -> None:
        await self.conn.execute(releases.insert(), values(release))
        if published:
            await self.conn.execute(cells.insert(), [values(c) for c in published])
        if spent:
            await self.conn.execute(ledger.insert(), [values(e) for e in spent])

    async def releases_of(self, period: str) -> list[ReleaseRecord]:
        statement = sa.select(releases).where(releases.c.period == period).order_by(releases.c.seq)
        return await self._all(ReleaseRecord, statement)

    async def ledger_of(self, period: str) -> list[LedgerRecord]:
        statement = sa.select(ledger).where(ledger.c.period == period).order_by(ledger.c.at, ledger.c.indicator)
        return await self._all(LedgerRecord, statement)

    async def current_cells(self, period: str, indicator: str | None = None) -> list[CellRecord]:
        """The cells each indicator's latest release of ``period`` published or suppressed (an indicator a
        release was refused for keeps those of the release before)."""
        latest = (
            sa.select(ledger.c.indicator, sa.func.max(releases.c.seq).label("seq"))
            .join(releases, releases.c.id == ledger.c.release_id)
            .where(ledger.c.period == period)
            .group_by(ledger.c.indicator)
            .subquery()
        )
        statement: Any = (
            sa.select(cells)
            .join(releases, releases.c.id == cells.c.release_id)
            .join(latest, sa.and_(latest.c.indicator == cells.c.indicator, latest.c.seq == releases.c.seq))
            .where(cells.c.period == period)
        )
        if indicator is not None:
            statement = statement.where(cells.c.indicator == indicator)
        statement = statement.order_by(cells.c.indicator, cells.c.sector, cells.c.region)
        return await self._all(CellRecord, statement)


def records_of(tx: Tx) -> BenchmarkRecords:
    return BenchmarkRecords(cast(SqlTx, tx).conn)
