"""The self-assessment's use cases (issue 18 § 1) for an approved member of the hub: read the questionnaire, start
an assessment (or resume the open one), save answers in parts, complete it (refused, naming the open questions,
while any is unanswered), read one with its result and the explanation of every answer, and read its history —
the latest completed beside the one before, for progress over time. Another member's assessment is answered as a
missing one is. ``maturity_of`` gives other parts of support (the plan, matching) a member's latest ``Maturity``.

Texts are in the caller's language (``ko``/``en``); times in the hub's time zone (``timezone``, Asia/Seoul by
default). Scores are stored language-free and explained when read, with the model versions that scored them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sangsaeng.connector import Connector
from sangsaeng.errors import Conflict, NotFound
from sangsaeng.hub.service.membership import Membership
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.i18n.refusals import refused_as
from sangsaeng.support.assessment import answers as reading
from sangsaeng.support.assessment import explaining, loading, radar, scoring, svg
from sangsaeng.support.assessment.loading import Models
from sangsaeng.support.profile import Maturity
from sangsaeng.support.store.assessment import AssessmentRecord, AssessmentRecords, records_of

DOMAIN = "assessment"


@dataclass
class Assessments:
    """One hub's assessments: its connector's store and clock, and its membership to tell who may take part."""

    connector: Connector
    membership: Membership

    # ---- reading the questionnaire ---------------------------------------------------------------------------
    def questionnaire(self, language: str) -> dict[str, Any]:
        """The current questionnaire, its options' meanings and bands, and the models it scores on."""
        return explaining.questionnaire(loading.current(), language)

    # ---- a member's own --------------------------------------------------------------------------------------
    async def start(self, member: MemberRecord, language: str) -> tuple[dict[str, Any], bool]:
        """A new draft on the current questionnaire, or the member's open draft if it has one (``False``)."""
        self.membership.reader(member)
        try:
            async with self.connector.store.begin() as tx:
                records = records_of(tx)
                drafts = await records.listed(member.participant_id, "draft", limit=1)
                if drafts:
                    return self._view(drafts[0], language), False
                now = self.connector.now()
                record = AssessmentRecord(
                    id=str(uuid.uuid4()),
                    participant_id=member.participant_id,
                    models=loading.current().versions,
                    answers={},
                    state="draft",
                    started_at=now,
                    updated_at=now,
                    completed_at=None,
                    results=None,
                )
                await records.add(record)
        except Conflict:  # another start of the same member's committed its draft first: that one is the draft
            async with self.connector.store.begin() as tx:
                drafts = await records_of(tx).listed(member.participant_id, "draft", limit=1)
            if not drafts:
                raise
            return self._view(drafts[0], language), False
        return self._view(record, language), True

    async def answer(self, member: MemberRecord, assessment_id: str, body: Any, language: str) -> dict[str, Any]:
        """Answers laid over the saved ones (``null`` takes one back); a completed assessment stays as it was."""
        self.membership.reader(member)
        async with self.connector.store.begin() as tx:
            records = records_of(tx)
            record = await self._own(records, member, assessment_id, for_update=True)
            self._draft(record)
            models = loading.scored_with(record.models)
            part = reading.read_part(body, models.questionnaire)
            record.answers = reading.merge(record.answers, part)
            record.updated_at = self.connector.now()
            await records.save(record)
        return self._view(record, language)

    async def complete(self, member: MemberRecord, assessment_id: str, language: str) -> dict[str, Any]:
        """Scores the answers and keeps them; refused, with ``details.missing``, while a question is open."""
        self.membership.reader(member)
        async with self.connector.store.begin() as tx:
            records = records_of(tx)
            record = await self._own(records, member, assessment_id, for_update=True)
            self._draft(record)
            scores = scoring.score(loading.scored_with(record.models), record.answers)
            now = self.connector.now()
            record.state, record.results = "complete", scores.to_json()
            record.updated_at = record.completed_at = now
            await records.save(record)
        return self._view(record, language)

    async def read(self, member: MemberRecord, assessment_id: str, language: str) -> dict[str, Any]:
        """One of the member's assessments, with its result and every answer explained."""
        self.membership.reader(member)
        async with self.connector.store.begin() as tx:
            record = await self._own(records_of(tx), member, assessment_id)
        return self._view(record, language)

    async def mine(self, member: MemberRecord, language: str) -> dict[str, Any]:
        """The member's assessments newest first, the latest completed in full with the previous one beside it:
        how each dimension, the mean band and the level moved, and the radar chart of both."""
        self.membership.reader(member)
        async with self.connector.store.begin() as tx:
            records = records_of(tx)
            every = await records.listed(member.participant_id)
            latest = await records.completed(member.participant_id, limit=2)
        found: dict[str, Any] = {
            "assessments": [self._summary(r, language) for r in every],
            "draft": next((r.id for r in every if r.state == "draft"), None),
            "latest": self._view(latest[0], language) if latest else None,
            "previous": self._summary(latest[1], language) if len(latest) > 1 else None,
            "progress": None,
            "radar": None,
        }
        if latest:
            found["progress"] = self._progress(latest, language)
            found["radar"] = self._radar(latest, language).to_json()
        return found

    async def radar_svg(self, member: MemberRecord, assessment_id: str, language: str) -> str:
        """The radar chart of a completed assessment, with the member's completed one before it beside it."""
        self.membership.reader(member)
        async with self.connector.store.begin() as tx:
            records = records_of(tx)
            record = await self._own(records, member, assessment_id)
            if record.state != "complete":
                raise refused_as(Conflict, DOMAIN, "assessment.not-completed", assessment=assessment_id)
            earlier = [
                r
                for r in await records.completed(member.participant_id, limit=100)
                if r.completed_at is not None
                and record.completed_at is not None
                and (r.completed_at, r.id) < (record.completed_at, record.id)
            ]
        return svg.render(self._radar([record, *earlier[:1]], language))

    async def maturity_of(self, participant_id: str) -> Maturity | None:
        """The member's latest completed assessment as ``Maturity`` (None before its first): what the plan and
        matching read through their maturity provider."""
        return await maturity_of(self.connector, participant_id)

    # ---- helpers ---------------------------------------------------------------------------------------------
    async def _own(
        self, records: AssessmentRecords, member: MemberRecord, assessment_id: str, for_update: bool = False
    ) -> AssessmentRecord:
        found = await records.of(member.participant_id, assessment_id, for_update)
        if found is None:  # another member's is answered exactly as a missing one
            raise refused_as(NotFound, DOMAIN, "assessment.unknown", assessment=assessment_id)
        return found

    def _draft(self, record: AssessmentRecord) -> None:
        if record.state != "draft":
            raise refused_as(Conflict, DOMAIN, "assessment.completed", assessment=record.id)

    def _time(self, at: datetime | None) -> str | None:
        zone = ZoneInfo(self.connector.settings.timezone)
        return at.astimezone(zone).isoformat(timespec="seconds") if at is not None else None

    def _day(self, at: datetime | None) -> str | None:
        zone = ZoneInfo(self.connector.settings.timezone)
        return at.astimezone(zone).date().isoformat() if at is not None else None

    def _view(self, record: AssessmentRecord, language: str) -> dict[str, Any]:
        models = loading.scored_with(record.models)
        missing = reading.missing(models.questionnaire, record.answers)
        scores = scoring.Scores.from_json(record.results) if record.results is not None else None
        return {
            "id": record.id,
            "state": record.state,
            "language": language,
            "models": record.models,
            "startedAt": self._time(record.started_at),
            "updatedAt": self._time(record.updated_at),
            "completedAt": self._time(record.completed_at),
            "progress": {
                "answered": len(models.questionnaire.questions) - len(missing),
                "total": len(models.questionnaire.questions),
                "missing": missing,
            },
            "answers": dict(record.answers),
            "explained": explaining.answers(models, record.answers, scores.bands if scores else None, language),
            "result": explaining.result(models, record.answers, scores, language) if scores else None,
        }

    def _summary(self, record: AssessmentRecord, language: str) -> dict[str, Any]:
        models = loading.scored_with(record.models)
        scores = scoring.Scores.from_json(record.results) if record.results is not None else None
        level = models.kosf.level(scores.level) if scores else None
        return {
            "id": record.id,
            "state": record.state,
            "models": record.models,
            "startedAt": self._time(record.started_at),
            "completedAt": self._time(record.completed_at),
            "answered": len(record.answers),
            "total": len(models.questionnaire.questions),
            "level": scores.level if scores else None,
            "levelName": level.name.say(language) if level else None,
            "overall": scoring.overall(scores.bands) if scores else None,
            "bands": scores.bands if scores else None,
        }

    def _progress(self, latest: list[AssessmentRecord], language: str) -> dict[str, Any]:
        """How the latest completed assessment moved from the one before (``before`` None for the first)."""
        now = scoring.Scores.from_json(latest[0].results or {})
        before = scoring.Scores.from_json(latest[1].results or {}) if len(latest) > 1 else None
        models: Models = loading.scored_with(latest[0].models)
        return {
            "overall": {"now": scoring.overall(now.bands), "before": scoring.overall(before.bands) if before else None},
            "level": {"now": now.level, "before": before.level if before else None},
            "dimensions": [
                {
                    "id": d.id,
                    "name": d.name.say(language),
                    "now": now.bands[d.id],
                    "before": before.bands.get(d.id) if before else None,
                    "change": now.bands[d.id] - before.bands[d.id] if before and d.id in before.bands else None,
                }
                for d in models.siri.dimensions
            ],
        }

    def _radar(self, latest: list[AssessmentRecord], language: str) -> radar.Radar:
        now = scoring.Scores.from_json(latest[0].results or {})
        before = scoring.Scores.from_json(latest[1].results or {}) if len(latest) > 1 else None
        return radar.radar(
            loading.scored_with(latest[0].models),
            now.bands,
            before.bands if before else None,
            language,
            self._day(latest[0].completed_at),
            self._day(latest[1].completed_at) if before else None,
        )


async def maturity_of(connector: Connector, participant_id: str) -> Maturity | None:
    """The member's latest completed assessment as ``Maturity`` (None before its first)."""
    async with connector.store.begin() as tx:
        latest = await records_of(tx).completed(participant_id, limit=1)
    if not latest or latest[0].results is None or latest[0].completed_at is None:
        return None
    return scoring.maturity(scoring.Scores.from_json(latest[0].results), latest[0].completed_at)
