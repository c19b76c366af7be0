"""A member's activity in one month, in counts only — what a connector may report to its hub (issue 18 § 5: the
operator's figures of datasets, agreements and exchanges over time; § 2: what a member already does, for its plan).

Pure: counting what a connector holds (``Tally``) and reading a report as the hub receives it (``read_report``).
Counts and entity names only — never a partner's name, a dataset's title or a value — so a report tells the hub
how much a company shares, not what or with whom."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sangsaeng.i18n.refusals import refusal

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
ENTITY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MOST = 10**9  # no count of one member's month is larger; more is a mistake or an attack
MAX_ENTITIES = 64
COUNTS = (
    "datasetsOffered",
    "agreementsProvided",
    "agreementsObtained",
    "transfersProvided",
    "transfersObtained",
    "partners",
    "streams",
)
FIELDS = frozenset({"month", "entities", *COUNTS})
KNOWN = ", ".join(sorted(FIELDS))
EXCHANGED = frozenset({"STARTED", "SUSPENDED", "COMPLETED"})  # a transfer whose data was made available


def month_of(at: datetime, zone: ZoneInfo) -> str:
    """The calendar month ``at`` falls in, in the company's time zone."""
    local = at.astimezone(zone)
    return f"{local.year:04d}-{local.month:02d}"


@dataclass(frozen=True)
class Report:
    month: str
    counts: dict[str, int]  # by the names of ``COUNTS``
    entities: tuple[str, ...]  # standard entities of the datasets it offers, sorted

    def to_dict(self) -> dict[str, Any]:
        return {"month": self.month, **self.counts, "entities": list(self.entities)}


@dataclass
class Tally:
    """A month's report counted from what a connector holds, fed one record at a time (the records are paged)."""

    month: str
    zone: ZoneInfo
    own: str  # the connector's participant id
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    entities: set[str] = field(default_factory=set)
    _partners: set[str] = field(default_factory=set)

    def _in_month(self, at: datetime) -> bool:
        return month_of(at, self.zone) == self.month

    def offered(self, entity: str | None) -> None:
        """One dataset it offers now (with the standard entity it holds, if any)."""
        self.counts["datasetsOffered"] += 1
        if entity and ENTITY.match(entity):
            self.entities.add(entity)

    def agreement(self, provider: str, consumer: str, created_at: datetime) -> None:
        if not self._in_month(created_at):
            return
        providing = provider == self.own
        self.counts["agreementsProvided" if providing else "agreementsObtained"] += 1
        self._partners.add(consumer if providing else provider)
        self.counts["partners"] = len(self._partners)

    def transfer(self, role: str, state: str, created_at: datetime) -> None:
        if state in EXCHANGED and self._in_month(created_at):
            self.counts["transfersProvided" if role == "provider" else "transfersObtained"] += 1

    def streaming(self, streams: int) -> None:
        self.counts["streams"] = streams

    def report(self) -> Report:
        return Report(self.month, dict(self.counts), tuple(sorted(self.entities))[:MAX_ENTITIES])


def read_report(body: Any, now: datetime, zone: ZoneInfo) -> Report:
    """A report as a hub receives it, checked whole: the month (not after this one), every count a whole number
    from 0 to 10⁹, entity ids, and nothing else (an unknown field is refused, not ignored)."""
    if not isinstance(body, dict):
        raise refusal("hub", "activity.shape", at="$")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise refusal("hub", "activity.unknown", at=f"$.{unknown[0]}", fields=", ".join(unknown), known=KNOWN)
    month = body.get("month")
    if not isinstance(month, str) or not MONTH.match(month):
        raise refusal("hub", "activity.month", at="$.month", given=str(month)[:20])
    if month > month_of(now, zone):
        raise refusal("hub", "activity.future", at="$.month", given=month)
    counts: dict[str, int] = {}
    for name in COUNTS:
        value = body.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MOST:
            raise refusal("hub", "activity.count", at=f"$.{name}", name=name, most=f"{MOST:,}")
        counts[name] = value
    entities = body.get("entities", [])
    if not isinstance(entities, list) or len(entities) > MAX_ENTITIES:
        raise refusal("hub", "activity.entities", at="$.entities", most=MAX_ENTITIES)
    for i, entity in enumerate(entities):
        if not isinstance(entity, str) or not ENTITY.match(entity):
            raise refusal("hub", "activity.entity", at=f"$.entities[{i}]", index=i)
    return Report(month, counts, tuple(sorted(set(entities))))


def months(reports: Iterable[Report]) -> list[str]:
    return sorted({r.month for r in reports})
