"""A member's request for an expert: requested → accepted | declined (the operator's answer); accepted → done
(the operator, once the expert has helped). Any other step is refused with the state the request is in."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Final, Literal

from sangsaeng.errors import Conflict
from sangsaeng.i18n import catalogs
from sangsaeng.i18n.refusals import PerLanguage, refused_as
from sangsaeng.support.experts.model import ExpertRequest

Step = Literal["accept", "decline", "done"]
STATES: Final = ("requested", "accepted", "declined", "done")
# step → (the state it starts from, the state it leads to)
STEPS: Final[dict[str, tuple[str, str]]] = {
    "accept": ("requested", "accepted"),
    "decline": ("requested", "declined"),
    "done": ("accepted", "done"),
}
OPEN: Final = frozenset({"requested", "accepted"})  # a member has at most one open request per expert


def state_word(state: str) -> PerLanguage:
    return PerLanguage(lambda language: catalogs.text("experts", f"request.state.{state}", language))


def step(item: ExpertRequest, action: str, note: str | None, now: datetime) -> ExpertRequest:
    """The request after ``action``, with its time and the operator's note; ``Conflict`` from another state."""
    start, end = STEPS[action]
    if item.state != start:
        raise refused_as(
            Conflict,
            "experts",
            f"request.{action}.refused",
            extra={"state": item.state, "request": item.id},
            state=state_word(item.state),
        )
    if action == "done":
        return replace(item, state=end, note=note if note is not None else item.note, done_at=now)
    return replace(item, state=end, note=note, decided_at=now)
