"""The operator's dashboard (issue 18 § 5): the figures a ministry's masterplan tracks, from what the hub already
holds — members by sector, region, size and tier (and by state: approved, suspended, applying), datasets its
federated catalog lists per sector, members' reported activity month by month, experts per sector beside members
per sector (with the sectors that have too few), requests for an expert by state, and programs taken up. Operator only
(``hub.review``); read, never written (``docs/support/dashboard.md``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from sangsaeng.activity import COUNTS, month_of
from sangsaeng.hub.members.regions import SIZES
from sangsaeng.hub.service.hub import Hub
from sangsaeng.hub.store.access import records_of as hub_records_of
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.roles import Principal, require
from sangsaeng.support.experts.model import Expert
from sangsaeng.support.experts.requests import STATES as REQUEST_STATES
from sangsaeng.support.service.activity import ActivityReports
from sangsaeng.support.service.experts import ExpertsService
from sangsaeng.support.service.uptake import ProgramUptake, UptakeService
from sangsaeng.support.store.assessment import records_of as assessment_records_of
from sangsaeng.support.store.dashboard import requests_by_state

STATES: Final = ("approved", "suspended", "applied")  # counted members: active, suspended, applying (not declined)
MONTHS: Final = 12  # the activity shown: this month and the eleven before it, in the hub's calendar
MEMBERS_PER_EXPERT: Final = 10  # more approved members per expert in a sector than this is "too few experts"
PAGE: Final = 1000


@dataclass(frozen=True)
class Tally:
    """Members with one value of a fact (a sector, a region, a size, a tier), by state."""

    code: str
    approved: int = 0
    suspended: int = 0
    applied: int = 0

    @property
    def total(self) -> int:
        return self.approved + self.suspended + self.applied


@dataclass(frozen=True)
class Month:
    """One calendar month of members' reports: how many reported, and the sums of their counts (``COUNTS``)."""

    month: str  # YYYY-MM
    members: int
    counts: dict[str, int]


@dataclass(frozen=True)
class Cover:
    """A sector's approved members beside the experts who work in it (a listed, not retired, expert)."""

    sector: str
    members: int
    experts: int
    too_few: bool


@dataclass(frozen=True)
class Levels:
    """Approved members of one sector (KSIC division) by their latest self-assessed level (0–5), and how many of
    them have assessed themselves at all."""

    sector: str
    counts: tuple[int, ...]  # members at level 0, 1, … 5
    members: int

    @property
    def assessed(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Figures:
    at: datetime  # when they were read (UTC; shown in the hub's zone)
    sectors: tuple[Tally, ...]
    regions: tuple[Tally, ...]
    sizes: tuple[Tally, ...]
    tiers: tuple[Tally, ...]
    datasets: tuple[tuple[str, int], ...]  # (KSIC division, datasets the catalog lists from its members)
    months: tuple[Month, ...]
    cover: tuple[Cover, ...]
    per_expert: int  # the rule ``cover`` flagged sectors by: more approved members per expert than this
    requests: tuple[tuple[str, int], ...]  # (request state, how many), in the states' order
    maturity: tuple[Levels, ...]  # members' smart-factory levels by sector (``maturity_by_sector``)
    uptake: tuple[ProgramUptake, ...] = ()  # programs taken up: members per program and state (``service/uptake``)


# ---- counting (pure) ------------------------------------------------------------------------------------------
def division(code: str) -> str:
    """A KSIC code as the dashboard groups it: its division (``C3030`` → ``C30``), or its section alone (``G``)."""
    return code[:3]


def tier_order(tier: str) -> tuple[int, str]:
    """OEM first, then 1차, 2차 … in number order."""
    digits = tier.removesuffix("차")
    return (0, "") if tier == "OEM" else (int(digits), "") if digits.isdigit() else (99, tier)


def tallies(members: Iterable[tuple[str, Iterable[str]]], order: Sequence[str] | None = None) -> tuple[Tally, ...]:
    """``(state, values)`` per member → one ``Tally`` per value (a member with two sectors counts in each, once).

    In ``order`` when given (every value of it, zeros included), else most members first, then by code."""
    counts: dict[str, Counter[str]] = {}
    for state, values in members:
        for value in set(values):
            counts.setdefault(value, Counter())[state] += 1
    made = {code: Tally(code, c["approved"], c["suspended"], c["applied"]) for code, c in counts.items()}
    if order is not None:
        return tuple(made.get(code, Tally(code)) for code in order) + tuple(
            t for code, t in sorted(made.items()) if code not in order
        )
    return tuple(sorted(made.values(), key=lambda t: (-t.total, t.code)))


def cover(members: Sequence[MemberRecord], experts: Sequence[Expert], per_expert: int) -> tuple[Cover, ...]:
    """Each sector with approved members or experts; too few where members outnumber ``per_expert`` × experts."""
    have: Counter[str] = Counter()
    for m in members:
        if m.state == "approved":
            have.update({division(code) for code in m.company["ksic"]})
    helping: Counter[str] = Counter()
    for e in experts:
        helping.update({division(code) for code in e.facts.sectors})
    rows = [Cover(s, have[s], helping[s], have[s] > per_expert * helping[s]) for s in set(have) | set(helping)]
    return tuple(sorted(rows, key=lambda c: (not c.too_few, -c.members, c.sector)))


def months_back(today: str, count: int) -> list[str]:
    """``count`` calendar months ending with ``today``'s (YYYY-MM), oldest first."""
    year, month = map(int, today.split("-"))
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


# ---- reading ---------------------------------------------------------------------------------------------------
class Dashboard:
    def __init__(self, hub: Hub, per_expert: int = MEMBERS_PER_EXPERT) -> None:
        self.hub = hub
        self.c = hub.connector
        self.zone = ZoneInfo(self.c.settings.timezone)
        self.per_expert = per_expert
        self.activity = ActivityReports(self.c, hub.membership)
        self.experts = ExpertsService(self.c)

    def today(self) -> date:
        return self.c.now().astimezone(self.zone).date()

    async def figures(self, principal: Principal) -> Figures:
        require(principal, "hub.review")
        now = self.c.now()
        members = await self._members()
        experts = await self._experts(principal)
        states = [(m.state, m.company) for m in members]
        tiers = tallies((s, [t["tier"] for t in c["tiers"]]) for s, c in states)
        return Figures(
            at=now,
            sectors=tallies((s, [division(k) for k in c["ksic"]]) for s, c in states),
            regions=tallies((s, [c["region"]]) for s, c in states),
            sizes=tallies(((s, [c["size"]]) for s, c in states), order=tuple(SIZES)),
            tiers=tuple(sorted(tiers, key=lambda t: tier_order(t.code))),
            datasets=self._datasets(principal),
            months=await self._months(principal, now),
            cover=cover(members, experts, self.per_expert),
            per_expert=self.per_expert,
            requests=await self._requests(),
            maturity=await self.maturity_by_sector(principal, members),
            uptake=await UptakeService(self.c).by_program(principal),
        )

    async def maturity_by_sector(self, principal: Principal, members: Sequence[MemberRecord]) -> tuple[Levels, ...]:
        """Approved members' smart-factory levels by sector, from each one's latest completed self-assessment (a
        member in two sectors counts in both); sectors in their order, those without members left out."""
        require(principal, "hub.review")
        async with self.c.store.begin() as tx:
            levels = await assessment_records_of(tx).latest_levels()
        counts: dict[str, list[int]] = {}
        members_of: Counter[str] = Counter()
        for member in members:
            if member.state != "approved":
                continue
            for sector in {division(code) for code in member.company["ksic"]}:
                members_of[sector] += 1
                row = counts.setdefault(sector, [0] * 6)
                level = levels.get(member.participant_id)
                if level is not None and 0 <= level <= 5:
                    row[level] += 1
        return tuple(Levels(sector, tuple(counts[sector]), members_of[sector]) for sector in sorted(counts))

    async def _members(self) -> list[MemberRecord]:
        found: list[MemberRecord] = []
        async with self.c.store.begin() as tx:
            records = hub_records_of(tx)
            while page := await records.listed(STATES, PAGE, len(found)):
                found += page
                if len(page) < PAGE:
                    break
        return found

    async def _experts(self, principal: Principal) -> list[Expert]:
        found: list[Expert] = []
        while page := await self.experts.experts(principal, limit=PAGE, offset=len(found)):
            found += page
            if len(page) < PAGE:
                break
        return found

    def _datasets(self, principal: Principal) -> tuple[tuple[str, int], ...]:
        """Datasets the federated catalog lists, per sector of their providers (the crawl's own count per member:
        no entry is read). A provider in two sectors counts in both."""
        per: Counter[str] = Counter()
        for status in self.hub.catalog.status(principal):
            for sector in {division(code) for code in status.member.sector}:
                per[sector] += status.state.datasets
        return tuple(sorted(per.items(), key=lambda p: (-p[1], p[0])))

    async def _months(self, principal: Principal, now: datetime) -> tuple[Month, ...]:
        shown = months_back(month_of(now, self.zone), MONTHS)
        reported = (await self.activity.totals(principal, shown[0]))["months"]
        by_month = {r["month"]: r for r in reported}
        return tuple(
            Month(
                m, int(by_month.get(m, {}).get("members", 0)), {k: int(by_month.get(m, {}).get(k, 0)) for k in COUNTS}
            )
            for m in shown
        )

    async def _requests(self) -> tuple[tuple[str, int], ...]:
        """Requests for an expert by state: one grouped count, every state shown (zeros too)."""
        async with self.c.store.begin() as tx:
            counted = await requests_by_state(tx)
        return tuple((state, counted.get(state, 0)) for state in REQUEST_STATES)
