"""A member's ``Profile`` from what the hub admitted: its company facts (sectors, region, size, tiers). Maturity and
activity are left to their parts (the assessment, the hub's catalog) to add."""

from __future__ import annotations

from typing import Any

from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.support.profile import Profile


def profile_of(member: MemberRecord) -> Profile:
    company: dict[str, Any] = member.company
    tiers = tuple(dict.fromkeys(str(t["tier"]) for t in company.get("tiers", ())))
    return Profile(
        participant_id=member.participant_id,
        name=member.name,
        sectors=tuple(company.get("ksic", ())),
        region=str(company.get("region", "")),
        size=str(company.get("size", "")),
        tiers=tiers,
    )
