"""A member's take-up of one support program: its state now, its note, and each state it was in since, with when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sangsaeng.i18n.refusals import refusal
from sangsaeng.support.experts import fields as f
from sangsaeng.support.experts.read import MAX_MESSAGE

STATES: Final = ("applied", "granted", "declined", "withdrawn")  # the order the figures show them in
FIELDS: Final = ("state", "note")


@dataclass(frozen=True)
class Change:
    state: str
    at: datetime


@dataclass(frozen=True)
class Uptake:
    participant_id: str
    program_id: str
    state: str
    note: str | None
    updated_at: datetime
    history: tuple[Change, ...]  # oldest first; the last is ``state``


def read_uptake(body: Any) -> tuple[str, str | None]:
    """``{"state": "applied" | "granted" | "declined" | "withdrawn", "note"?: …}``, read whole."""
    entry = f.document(body, "$", FIELDS, ("state",))
    state = entry["state"]
    if state not in STATES:
        raise refusal(f.DOMAIN, "uptake.state", at="state", given=str(state)[:20], known=", ".join(STATES))
    return state, f.optional_text(entry.get("note"), "note", MAX_MESSAGE)


def moved(
    found: Uptake | None, participant_id: str, program_id: str, state: str, note: str | None, at: datetime
) -> Uptake:
    """The take-up after the member says ``state``: a new state is added to the history, the same one only
    changes the note (saying it twice is once)."""
    if found is None:
        return Uptake(participant_id, program_id, state, note, at, (Change(state, at),))
    if found.state == state:
        return Uptake(
            participant_id, program_id, state, note, at if note != found.note else found.updated_at, found.history
        )
    return Uptake(participant_id, program_id, state, note, at, (*found.history, Change(state, at)))
