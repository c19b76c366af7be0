"""Members' activity reports: a member reports its month (``hub_share_activity``), reads its own; the operator
reads the totals over members, month by month — the figures a ministry's masterplan tracks (datasets, agreements,
exchanges over time). A member's latest report is also what support knows of its ``Activity`` (its plan)."""

from __future__ import annotations

from typing import Any, cast
from zoneinfo import ZoneInfo

from sangsaeng.activity import read_report
from sangsaeng.connector import Connector
from sangsaeng.hub.service.membership import Membership
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.roles import Principal, require
from sangsaeng.store.ports import Tx
from sangsaeng.store.sql import SqlTx
from sangsaeng.support.profile import Activity
from sangsaeng.support.store.activity import ActivityRecords, Kept


def records_of(tx: Tx) -> ActivityRecords:
    return ActivityRecords(cast(SqlTx, tx).conn)


def _view(kept: Kept) -> dict[str, Any]:
    return kept.report.to_dict() | {"reportedAt": kept.reported_at.isoformat()}


class ActivityReports:
    def __init__(self, connector: Connector, membership: Membership) -> None:
        self.c = connector
        self.membership = membership
        self.zone = ZoneInfo(connector.settings.timezone)

    async def receive(self, member: MemberRecord, body: Any) -> dict[str, Any]:
        """A member's report of one month, kept (an earlier report of the month is replaced)."""
        self.membership.reader(member)  # an active member only: 403 saying its state otherwise
        report = read_report(body, self.c.now(), self.zone)
        now = self.c.now()
        async with self.c.store.begin() as tx:
            await records_of(tx).put(member.participant_id, report, now)
        return report.to_dict() | {"reportedAt": now.isoformat()}

    async def mine(self, member: MemberRecord) -> dict[str, Any]:
        self.membership.reader(member)
        async with self.c.store.begin() as tx:
            kept = await records_of(tx).of(member.participant_id)
        return {"reports": [_view(k) for k in kept]}

    async def activity_of(self, participant_id: str) -> Activity | None:
        """What the member's latest report says it does (None before its first)."""
        async with self.c.store.begin() as tx:
            kept = await records_of(tx).of(participant_id, limit=1)
        if not kept:
            return None
        counts = kept[0].report.counts
        return Activity(
            datasets_published=counts["datasetsOffered"],
            entities_published=frozenset(kept[0].report.entities),
            agreements_as_provider=counts["agreementsProvided"],
            agreements_as_consumer=counts["agreementsObtained"],
            streams=counts["streams"],
        )

    async def totals(self, principal: Principal, since: str) -> dict[str, Any]:
        """Month by month from ``since`` (YYYY-MM): members reporting and the sums of their counts (operator)."""
        require(principal, "hub.review")
        read_report({"month": since}, self.c.now(), self.zone)  # the same check of the month as a report's
        async with self.c.store.begin() as tx:
            found = await records_of(tx).totals(since)
        return {"months": [{"month": t.month, "members": t.members, **t.counts} for t in found]}
