"""Self-assessments as the hub keeps them (table ``support_assessments``, migration ``s0002``): one row per
assessment a member starts, its answers saved in parts while it is a draft, its scores once completed. A member
has as many over time as it takes; the service shows the latest completed beside the one before.

SQLAlchemy Core on the hub connector's transaction connection (``records_of(tx)``), so an assessment's writes
commit with whatever else the same use case writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

import sqlalchemy as sa

from sangsaeng.store.ports import Tx
from sangsaeng.store.sql import SqlTx
from sangsaeng.store.sql.common import ById, Connection, Rows
from sangsaeng.store.tables import UtcDateTime
from sangsaeng.support.store.meta import metadata

State = Literal["draft", "complete"]
STATES: tuple[State, ...] = ("draft", "complete")

assessments = sa.Table(
    "support_assessments",
    metadata,
    sa.Column("id", sa.String(255), primary_key=True),
    sa.Column("participant_id", sa.String(255), nullable=False, index=True),
    sa.Column("models", sa.JSON, nullable=False),  # {"questionnaire": v, "siri": v, "kosf": v}
    sa.Column("answers", sa.JSON, nullable=False),  # question id → option id
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("completed_at", UtcDateTime, nullable=True),
    sa.Column("results", sa.JSON, nullable=True),  # ``scoring.Scores.to_json()`` once complete
)
# One open draft per member: two "start"s at once (a double click) make one draft, not two (the second insert is a
# ``Conflict``, and the service hands back the draft that won).
sa.Index(
    "uq_support_assessments_one_draft",
    assessments.c.participant_id,
    unique=True,
    sqlite_where=sa.text("state = 'draft'"),
    postgresql_where=sa.text("state = 'draft'"),
)


@dataclass
class AssessmentRecord:
    id: str
    participant_id: str
    models: dict[str, str]
    answers: dict[str, str]
    state: str  # draft | complete
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    results: dict[str, Any] | None


_BY_ID = ById(assessments)
_NEWEST_FIRST = (assessments.c.started_at.desc(), assessments.c.id.desc())


class AssessmentRecords(Rows):
    __slots__ = ()

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)

    async def add(self, record: AssessmentRecord) -> None:
        await self._insert(_BY_ID, record)

    async def get(self, assessment_id: str, for_update: bool = False) -> AssessmentRecord | None:
        return await self._get(_BY_ID, AssessmentRecord, assessment_id, for_update)

    async def of(self, participant_id: str, assessment_id: str, for_update: bool = False) -> AssessmentRecord | None:
        """The member's own assessment; another member's is ``None``, as a missing one is."""
        found = await self.get(assessment_id, for_update)
        return found if found is not None and found.participant_id == participant_id else None

    async def save(self, record: AssessmentRecord) -> None:
        await self._save(_BY_ID, record, "assessment")

    async def listed(self, participant_id: str, state: State | None = None, limit: int = 100) -> list[AssessmentRecord]:
        """The member's assessments newest first (by start; ties by id), of one state or all."""
        statement = sa.select(assessments).where(assessments.c.participant_id == participant_id)
        if state is not None:
            statement = statement.where(assessments.c.state == state)
        return await self._all(AssessmentRecord, statement.order_by(*_NEWEST_FIRST).limit(limit))

    async def completed(self, participant_id: str, limit: int = 2) -> list[AssessmentRecord]:
        """The member's completed assessments, latest completion first."""
        statement = (
            sa.select(assessments)
            .where(assessments.c.participant_id == participant_id, assessments.c.state == "complete")
            .order_by(assessments.c.completed_at.desc(), assessments.c.id.desc())
            .limit(limit)
        )
        return await self._all(AssessmentRecord, statement)

    async def latest_levels(self) -> dict[str, int]:
        """Each member's smart-factory level by its latest completed assessment (members without one absent),
        read in one pass over the completed ones, latest first per member."""
        statement = (
            sa.select(assessments.c.participant_id, assessments.c.results)
            .where(assessments.c.state == "complete")
            .order_by(assessments.c.participant_id, assessments.c.completed_at.desc(), assessments.c.id.desc())
        )
        levels: dict[str, int] = {}
        for participant_id, results in await self.conn.execute(statement):
            if participant_id not in levels and isinstance(results, dict) and isinstance(results.get("level"), int):
                levels[participant_id] = results["level"]
        return levels


def records_of(tx: Tx) -> AssessmentRecords:
    return AssessmentRecords(cast(SqlTx, tx).conn)
