"""A moment as signed documents write it: an ISO 8601 time with its offset."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def moment(value: Any) -> datetime | None:
    """``value`` read as an ISO 8601 time with its offset, else None (a time without an offset names no moment)."""
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo is not None else None
