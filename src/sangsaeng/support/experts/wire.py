"""The directory's values as the API answers them (JSON-ready dicts, ``docs/support/experts.md``): every code with
its Korean and English name beside it, every time in the hub's time zone, reasons with their words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sangsaeng.hub.members.ksic import Named, name_of
from sangsaeng.hub.members.regions import REGIONS, SIZES
from sangsaeng.support.experts import said, vocabulary
from sangsaeng.support.experts.matching import ExpertMatch, Ineligible, ProgramMatch, Reason
from sangsaeng.support.experts.model import (
    Availability,
    Case,
    Contact,
    Eligibility,
    Expert,
    ExpertRequest,
    Funding,
    Program,
    Result,
)


def named(value: Named) -> dict[str, str]:
    return {"ko": value.ko, "en": value.en}


def coded(code: str, table: Mapping[str, Named], key: str = "code") -> dict[str, str]:
    found = table.get(code, Named(code, code))
    return {key: code, "ko": found.ko, "en": found.en}


def sector(code: str) -> dict[str, str]:
    return {"code": code, **named(name_of(code))}


def when(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return None if moment is None else moment.astimezone(zone).isoformat()


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def contact(value: Contact) -> dict[str, str | None]:
    return {"name": value.name, "email": value.email, "phone": value.phone}


def availability(value: Availability) -> dict[str, str | None]:
    return {"state": value.state, "until": day(value.until)}


def expert(item: Expert, zone: ZoneInfo, with_contact: bool) -> dict[str, Any]:
    """An expert; its contact only for the operator (a member gets it once its request is accepted)."""
    f = item.facts
    found: dict[str, Any] = {
        "id": item.id,
        "name": f.name,
        "organisation": f.organisation,
        "sectors": [sector(c) for c in f.sectors],
        "regions": [coded(c, REGIONS) for c in f.regions],
        "skills": [coded(s, vocabulary.SKILLS, "id") for s in f.skills],
        "languages": [coded(s, vocabulary.LANGUAGES) for s in f.languages],
        "availability": availability(f.availability),
        "updatedAt": when(item.updated_at, zone),
        "retiredAt": when(item.retired_at, zone),
    }
    if with_contact:
        found["contact"] = contact(f.contact)
    return found


def eligibility(value: Eligibility) -> dict[str, Any]:
    return {
        "sizes": [coded(s, SIZES) for s in value.sizes],
        "sectors": [sector(c) for c in value.sectors],
        "regions": [coded(c, REGIONS) for c in value.regions],
        "minLevel": value.min_level,
        "maxLevel": value.max_level,
    }


def funding(value: Funding) -> dict[str, int | None]:
    if value.amount_krw is not None:
        return {"amountKrw": value.amount_krw}
    return {"sharePercent": value.share_percent, "capKrw": value.cap_krw}


def program(item: Program, zone: ZoneInfo) -> dict[str, Any]:
    f = item.facts
    return {
        "id": item.id,
        "name": named(f.name),
        "agency": named(f.agency),
        "eligibility": eligibility(f.eligibility),
        "funding": funding(f.funding),
        "deadline": day(f.deadline),
        "link": f.link,
        "updatedAt": when(item.updated_at, zone),
        "retiredAt": when(item.retired_at, zone),
    }


def result(value: Result) -> dict[str, Any]:
    return {"metric": dict(value.metric), "before": value.before, "after": value.after, "unit": value.unit}


def case(item: Case, zone: ZoneInfo) -> dict[str, Any]:
    f = item.facts
    return {
        "id": item.id,
        "title": dict(f.title),
        "company": item.company,
        "publisher": item.publisher,
        "sector": sector(f.sector),
        "levelBefore": f.level_before,
        "levelAfter": f.level_after,
        "problem": dict(f.problem),
        "done": dict(f.done),
        "results": [result(r) for r in f.results],
        "technologies": list(f.technologies),
        "contact": contact(f.contact),
        "languages": list(f.languages),
        "state": item.state,
        "publishedAt": when(item.published_at, zone),
        "updatedAt": when(item.updated_at, zone),
    }


def request(item: ExpertRequest, of: Expert | None, member: str | None, zone: ZoneInfo) -> dict[str, Any]:
    """A request for an expert, with the expert's name (and its contact once accepted) and the member's name."""
    found: dict[str, Any] = {
        "id": item.id,
        "expert": {"id": item.expert_id, "name": of.facts.name if of else None},
        "member": {"id": item.participant_id, "name": member},
        "message": item.message,
        "state": item.state,
        "note": item.note,
        "requestedAt": when(item.requested_at, zone),
        "decidedAt": when(item.decided_at, zone),
        "doneAt": when(item.done_at, zone),
    }
    if of is not None and item.state in ("accepted", "done"):
        found["expert"]["contact"] = contact(of.facts.contact)
    return found


def _value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    return value


def reason(value: Reason) -> dict[str, Any]:
    return {
        "key": value.key,
        "values": {name: _value(v) for name, v in value.values.items()},
        "points": value.points,
        "text": said.both(value),
    }


def expert_match(match: ExpertMatch, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "expert": expert(match.expert, zone, with_contact=False),
        "points": match.points,
        "reasons": [reason(r) for r in match.reasons],
    }


def program_match(match: ProgramMatch, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "program": program(match.program, zone),
        "points": match.points,
        "reasons": [reason(r) for r in match.reasons],
    }


def ineligible(item: Ineligible, zone: ZoneInfo) -> dict[str, Any]:
    return {"program": program(item.program, zone), "reasons": [reason(r) for r in item.reasons]}
