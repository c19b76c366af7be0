"""A pure transition table shared by the negotiation and transfer state machines (DSP 2025-1 §§ 3, 4).

``advance(state, event)`` returns the next state, or the same state with ``duplicate=True`` when the event was
already applied (a re-sent message, or an acknowledgement that arrives after the counter-party moved on), or
raises ``InvalidTransition``; a process in a terminal state takes only the repeat of the event that ended it.
The same table serves the receiver of a message and its sender, who applies the
event once the counter-party acknowledged it; this is what makes retries and reordering harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sangsaeng.errors import InvalidTransition

# The two roles of every process; a transition names the roles that may send the message causing it.
CONSUMER, PROVIDER = "consumer", "provider"
BOTH = frozenset({CONSUMER, PROVIDER})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str | None]  # None: the process does not exist yet
    target: str
    senders: frozenset[str]  # roles allowed to send the message that causes it


@dataclass(frozen=True)
class Outcome:
    state: str
    duplicate: bool


@dataclass(frozen=True)
class Machine:
    name: str
    transitions: Mapping[str, Transition]
    rank: Mapping[str, int]  # position on the happy path; equal ranks alternate (REQUESTED ⇄ OFFERED)
    terminal: frozenset[str]
    terminated: str

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self.rank) | {self.terminated}

    def advance(self, state: str | None, event: str, sender: str) -> Outcome:
        try:
            transition = self.transitions[event]
        except KeyError:
            raise InvalidTransition(f"{self.name}: unknown event {event!r}") from None
        if sender not in transition.senders:
            raise InvalidTransition(f"{self.name}: the {sender} may not send {event}")
        if state == transition.target:
            return Outcome(state, duplicate=True)
        if state in self.terminal:
            # An ended process takes only the repeat of the message that ended it (a retry whose answer was
            # lost); anything else — a start after completion, say — would act on what is over.
            raise InvalidTransition(f"{self.name}: the process is {state} and takes no {event}")
        if state in transition.sources:
            return Outcome(transition.target, duplicate=False)
        if (
            state is not None
            and state != self.terminated
            and transition.target != self.terminated
            and self.rank[state] > self.rank[transition.target]
        ):
            # Already beyond this step: a late or repeated message changes nothing.
            return Outcome(state, duplicate=True)
        where = "no process" if state is None else f"state {state}"
        raise InvalidTransition(f"{self.name}: {event} is not allowed in {where}")
