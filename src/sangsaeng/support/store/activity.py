"""Members' monthly activity reports (``sangsaeng.activity``): one row per member and month, counts in columns so
that the operator's totals are one SQL sum on SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from sangsaeng.activity import COUNTS, Report
from sangsaeng.store.sql.common import Connection
from sangsaeng.store.tables import UtcDateTime
from sangsaeng.support.store.meta import metadata

COLUMN = {
    "datasetsOffered": "datasets_offered",
    "agreementsProvided": "agreements_provided",
    "agreementsObtained": "agreements_obtained",
    "transfersProvided": "transfers_provided",
    "transfersObtained": "transfers_obtained",
    "partners": "partners",
    "streams": "streams",
}
assert set(COLUMN) == set(COUNTS)

activity = sa.Table(
    "support_activity",
    metadata,
    sa.Column("participant_id", sa.String(255), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    *(sa.Column(name, sa.BigInteger, nullable=False) for name in COLUMN.values()),
    sa.Column("entities", sa.JSON, nullable=False),
    sa.Column("reported_at", UtcDateTime, nullable=False),
)


@dataclass(frozen=True)
class Kept:
    report: Report
    reported_at: datetime


@dataclass(frozen=True)
class MonthTotal:
    month: str
    members: int  # members that reported the month
    counts: dict[str, int]


def _kept(row: Any) -> Kept:
    m = row._mapping
    counts = {name: int(m[column]) for name, column in COLUMN.items()}
    return Kept(Report(m["month"], counts, tuple(m["entities"])), m["reported_at"])


class ActivityRecords:
    __slots__ = ("conn",)

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def put(self, participant_id: str, report: Report, at: datetime) -> None:
        """The member's report of a month, replacing an earlier report of the same month."""
        key = (activity.c.participant_id == participant_id) & (activity.c.month == report.month)
        await self.conn.execute(activity.delete().where(key))
        values = {COLUMN[name]: value for name, value in report.counts.items()}
        await self.conn.execute(
            activity.insert().values(
                participant_id=participant_id,
                month=report.month,
                entities=list(report.entities),
                reported_at=at,
                **values,
            )
        )

    async def of(self, participant_id: str, limit: int = 36) -> list[Kept]:
        """The member's reports, newest month first."""
        statement = (
            sa.select(activity)
            .where(activity.c.participant_id == participant_id)
            .order_by(activity.c.month.desc())
            .limit(limit)
        )
        return [_kept(row) for row in await self.conn.execute(statement)]

    async def totals(self, since: str) -> list[MonthTotal]:
        """Each month from ``since`` on: how many members reported it and the sums of their counts."""
        sums = [sa.func.sum(getattr(activity.c, column)).label(column) for column in COLUMN.values()]
        statement = (
            sa.select(activity.c.month, sa.func.count().label("members"), *sums)
            .where(activity.c.month >= since)
            .group_by(activity.c.month)
            .order_by(activity.c.month)
        )
        return [
            MonthTotal(
                row.month,
                int(row.members),
                {name: int(getattr(row, column) or 0) for name, column in COLUMN.items()},
            )
            for row in await self.conn.execute(statement)
        ]
