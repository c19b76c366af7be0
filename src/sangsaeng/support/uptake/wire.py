"""A take-up as the API answers it: the program by name (``retired`` when no longer listed), the state with its
words in Korean and English, the note, and each state it was in with when, times in the hub's zone."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sangsaeng.i18n import catalogs
from sangsaeng.support.experts.model import Program
from sangsaeng.support.experts.wire import named, when
from sangsaeng.support.uptake.model import Uptake


def state(value: str) -> dict[str, str]:
    return {"code": value, **{lang: catalogs.text("experts", f"uptake.state.{value}", lang) for lang in ("ko", "en")}}


def taken(item: Uptake, program: Program | None, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "program": {
            "id": item.program_id,
            "name": None if program is None else named(program.facts.name),
            "retired": program is None or program.retired_at is not None,
        },
        "state": state(item.state),
        "note": item.note,
        "updatedAt": when(item.updated_at, zone),
        "history": [{"state": c.state, "at": when(c.at, zone)} for c in item.history],
    }
