"""Duties of an agreement over time: when each is due, and whether it is overdue — the same answer on the
provider's side and on the consumer's, since both hold the agreement and its date."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sangsaeng.policy.model import Duty


def due(duty: Duty, agreed_at: datetime) -> datetime | None:
    if duty.within is not None:
        return agreed_at + duty.within
    return duty.by


def status(
    duties: tuple[Duty, ...], agreed_at: datetime, now: datetime, fulfilled: dict[str, str]
) -> list[dict[str, Any]]:
    """One entry a duty: what, when due, and ``open``, ``overdue`` or ``fulfilled`` (with when)."""
    shown = []
    for duty in duties:
        when = due(duty, agreed_at)
        done = fulfilled.get(duty.path)
        state = "fulfilled" if done else ("overdue" if when is not None and when < now else "open")
        shown.append(
            {
                "duty": duty.path,
                "action": duty.action,
                "what": duty.describe(),
                "due": when.isoformat() if when else None,
                "state": state,
                "fulfilledAt": done,
            }
        )
    return shown
