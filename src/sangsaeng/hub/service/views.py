"""What the hub's API answers about an application or a member (JSON), and a member's directory entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sangsaeng.hub.members.facts import read_company
from sangsaeng.hub.members.ksic import name_of
from sangsaeng.hub.members.regions import REGIONS, SIZES
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.identity.directory import Participant, RetiredKey


def attributes_of(member: MemberRecord) -> dict[str, list[str]]:
    return read_company(member.company).attributes()


def participant_of(member: MemberRecord) -> Participant:
    retired = tuple(RetiredKey(dict(r["key"]), datetime.fromisoformat(r["until"])) for r in member.retired_keys or [])
    return Participant(
        member.participant_id,
        member.name,
        member.public_key,
        member.endpoint,
        member.data_endpoint,
        retired_keys=retired,
    )


def entry_of(member: MemberRecord) -> dict[str, Any]:
    """The member's entry in the signed directory (docs/hub.md)."""
    entry = participant_of(member).to_dict()
    entry["status"] = "active" if member.state == "approved" else "suspended"
    if member.next_key is not None:
        entry["nextKey"] = member.next_key
    entry["attributes"] = attributes_of(member)
    return entry


def application_view(member: MemberRecord) -> dict[str, Any]:
    company = member.company
    return {
        "id": member.id,
        "state": member.state,
        "reason": member.reason,
        "appliedAt": member.applied_at.isoformat(),
        "updatedAt": member.updated_at.isoformat(),
        "company": company,
        "names": {  # the codes in words, for people
            "sector": {code: vars(name_of(code)) for code in company["ksic"]},
            "region": vars(REGIONS[company["region"]]),
            "size": vars(SIZES[company["size"]]),
        },
        "participant": participant_of(member).to_dict() | ({"nextKey": member.next_key} if member.next_key else {}),
    }
