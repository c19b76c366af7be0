"""An application's states: applied → approved | declined (with a reason); approved → suspended (with a reason)
→ reinstated, which is approved again. Any other step is refused with the state the application is in."""

from __future__ import annotations

from typing import Final, Literal

from sangsaeng.errors import Conflict
from sangsaeng.i18n import catalogs
from sangsaeng.i18n.refusals import PerLanguage, refused_as

State = Literal["applied", "approved", "declined", "suspended"]
Step = Literal["approve", "decline", "suspend", "reinstate"]
STATES: Final = ("applied", "approved", "declined", "suspended")

# step → (the state it starts from, the state it leads to)
STEPS: Final[dict[Step, tuple[State, State]]] = {
    "approve": ("applied", "approved"),
    "decline": ("applied", "declined"),
    "suspend": ("approved", "suspended"),
    "reinstate": ("suspended", "approved"),
}
NEEDS_REASON: Final = frozenset({"decline", "suspend"})
LISTED: Final = frozenset({"approved", "suspended"})  # what the directory lists (active or suspended)


def state_word(state: str) -> PerLanguage:
    return PerLanguage(lambda language: catalogs.text("hub", f"state.{state}", language))


def step(state: str, action: Step, application: str) -> State:
    """The state ``action`` leads to from ``state``, or ``Conflict`` (409) naming the state in words."""
    start, end = STEPS[action]
    if state != start:
        raise refused_as(
            Conflict,
            "hub",
            f"step.{action}.refused",
            extra={"state": state, "application": application},
            application=application,
            state=state_word(state),
        )
    return end
