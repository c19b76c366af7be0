"""Property tests of the negotiation and transfer state machines (pure transition tables).

1. Any sequence of events applied to one side: the state is always a legal one, terminal states never change,
   and a repeated event changes nothing.
2. Two parties over a network that delays, duplicates and reorders messages and acknowledgements, each
   moving its own state only on acknowledgement (as the outbox does) and applying implied acknowledgements:
   no illegal state, terminal states stick, and once the network drains both sides reach the same end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import hypothesis.strategies as st
from hypothesis import given, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sangsaeng.errors import InvalidTransition
from sangsaeng.machine import Machine
from sangsaeng.negotiation import machine as nm
from sangsaeng.transfer import machine as tm

MACHINES = {"negotiation": nm.NEGOTIATION, "transfer": tm.TRANSFER}
ROLES = ["consumer", "provider"]


def events_of(machine: Machine) -> list[str]:
    return list(machine.transitions)


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(MACHINES)),
    steps=st.lists(st.tuples(st.integers(0, 10), st.sampled_from(ROLES)), max_size=40),
)
def test_no_event_sequence_reaches_an_illegal_state(name: str, steps: list[tuple[int, str]]) -> None:
    machine = MACHINES[name]
    events = events_of(machine)
    state: str | None = None
    for index, sender in steps:
        event = events[index % len(events)]
        before = state
        try:
            outcome = machine.advance(state, event, sender)
        except InvalidTransition:
            continue
        state = outcome.state
        assert state in machine.states
        if before in machine.terminal:
            assert state == before, f"{before} is terminal but moved to {state} on {event}"
        if outcome.duplicate:
            assert state == before
        else:  # applying the same event again is a no-op
            again = machine.advance(state, event, sender)
            assert again.duplicate and again.state == state


def test_the_happy_paths_are_allowed() -> None:
    n = nm.NEGOTIATION
    state: str | None = None
    for event, sender in [
        (nm.REQUEST, "consumer"),
        (nm.AGREEMENT, "provider"),
        (nm.VERIFICATION, "consumer"),
        (nm.FINALIZE, "provider"),
    ]:
        state = n.advance(state, event, sender).state
    assert state == nm.FINALIZED
    state = None
    for event, sender in [(nm.OFFER, "provider"), (nm.ACCEPT, "consumer"), (nm.AGREEMENT, "provider")]:
        state = n.advance(state, event, sender).state
    assert state == nm.AGREED
    t: str | None = None
    for event, sender in [
        (tm.REQUEST, "consumer"),
        (tm.START, "provider"),
        (tm.SUSPENSION, "consumer"),
        (tm.START, "consumer"),
        (tm.COMPLETION, "consumer"),
    ]:
        t = tm.TRANSFER.advance(t, event, sender).state
    assert t == tm.COMPLETED


def test_roles_may_only_send_their_own_messages() -> None:
    for event, wrong in [(nm.REQUEST, "provider"), (nm.AGREEMENT, "consumer"), (nm.FINALIZE, "consumer")]:
        try:
            nm.NEGOTIATION.advance(nm.REQUESTED, event, wrong)
        except InvalidTransition:
            continue
        raise AssertionError(f"{wrong} could send {event}")


# ---- two parties over an unreliable network -----------------------------------------------------
@dataclass(frozen=True)
class Protocol:
    machine: Machine
    first: str  # what the consumer sends to begin
    replies: dict[tuple[str, str], str]  # (receiving role, event) → the event it sends next
    implies: dict[str, str]  # receiving this event proves the peer received our pending one
    end: str


NEGOTIATION = Protocol(
    nm.NEGOTIATION,
    nm.REQUEST,
    {
        ("provider", nm.REQUEST): nm.AGREEMENT,
        ("consumer", nm.AGREEMENT): nm.VERIFICATION,
        ("provider", nm.VERIFICATION): nm.FINALIZE,
    },
    {nm.AGREEMENT: nm.REQUEST, nm.VERIFICATION: nm.AGREEMENT, nm.FINALIZE: nm.VERIFICATION},
    nm.FINALIZED,
)
TRANSFER = Protocol(
    tm.TRANSFER,
    tm.REQUEST,
    {("provider", tm.REQUEST): tm.START, ("consumer", tm.START): tm.COMPLETION},
    {tm.START: tm.REQUEST, tm.COMPLETION: tm.START},
    tm.COMPLETED,
)


@dataclass
class Side:
    role: str
    state: str | None = None
    pending: list[str] = field(default_factory=list)  # sent, not yet acknowledged


@dataclass
class Network:
    protocol: Protocol
    sides: dict[str, Side] = field(default_factory=lambda: {r: Side(r) for r in ROLES})
    messages: list[tuple[str, str]] = field(default_factory=list)  # (sender role, event) in flight
    acks: list[tuple[str, str]] = field(default_factory=list)  # (original sender role, event) in flight

    def other(self, role: str) -> str:
        return "provider" if role == "consumer" else "consumer"

    def enqueue(self, role: str, event: str) -> None:
        self.sides[role].pending.append(event)
        self.messages.append((role, event))

    def acknowledge(self, role: str, event: str) -> None:
        side = self.sides[role]
        if event not in side.pending:
            return  # a duplicate acknowledgement
        side.pending.remove(event)
        try:
            side.state = self.protocol.machine.advance(side.state, event, role).state
        except InvalidTransition:
            pass  # the process moved on meanwhile

    def deliver(self, index: int) -> None:
        sender, event = self.messages[index]
        receiver = self.sides[self.other(sender)]
        implied = self.protocol.implies.get(event)
        if implied is not None:
            self.acknowledge(receiver.role, implied)
        try:
            outcome = self.protocol.machine.advance(receiver.state, event, sender)
        except InvalidTransition:
            return  # a 4xx: no acknowledgement
        self.acks.append((sender, event))
        if outcome.duplicate:
            return
        receiver.state = outcome.state
        reply = self.protocol.replies.get((receiver.role, event))
        if reply is not None:
            self.enqueue(receiver.role, reply)

    def resend_pending(self) -> None:
        for side in self.sides.values():
            for event in side.pending:
                self.messages.append((side.role, event))

    def drain(self) -> None:
        for _ in range(200):
            if not self.messages and not self.acks:
                if not any(s.pending for s in self.sides.values()):
                    return
                self.resend_pending()
            while self.messages:
                self.deliver(0)
                self.messages.pop(0)
            while self.acks:
                self.acknowledge(*self.acks.pop(0))
        raise AssertionError("the network did not settle")


class UnreliableNetwork(RuleBasedStateMachine):
    @initialize(protocol=st.sampled_from([NEGOTIATION, TRANSFER]))
    def begin(self, protocol: Protocol) -> None:
        self.net = Network(protocol)
        self.net.enqueue("consumer", protocol.first)
        self.ends: dict[str, str] = {}

    @precondition(lambda self: bool(self.net.messages))
    @rule(data=st.data(), keep=st.booleans())
    def deliver_any_message(self, data: st.DataObject, keep: bool) -> None:
        index = data.draw(st.integers(0, len(self.net.messages) - 1))
        self.net.deliver(index)
        if not keep:  # keep=True: the same message arrives again later (a duplicate)
            self.net.messages.pop(index)

    @precondition(lambda self: bool(self.net.acks))
    @rule(data=st.data(), keep=st.booleans())
    def deliver_any_ack(self, data: st.DataObject, keep: bool) -> None:
        index = data.draw(st.integers(0, len(self.net.acks) - 1))
        self.net.acknowledge(*self.net.acks[index])
        if not keep:
            self.net.acks.pop(index)

    @precondition(lambda self: bool(self.net.messages))
    @rule(data=st.data())
    def lose_a_message(self, data: st.DataObject) -> None:
        self.net.messages.pop(data.draw(st.integers(0, len(self.net.messages) - 1)))

    @rule()
    def retry_pending(self) -> None:
        self.net.resend_pending()

    @invariant()
    def states_are_legal_and_terminal_states_stick(self) -> None:
        machine = self.net.protocol.machine
        for side in self.net.sides.values():
            assert side.state is None or side.state in machine.states
            if side.role in self.ends:
                assert side.state == self.ends[side.role]
            elif side.state in machine.terminal:
                self.ends[side.role] = side.state
        assert all(s.state != machine.terminated for s in self.net.sides.values())

    def teardown(self) -> None:
        self.net.drain()
        end = self.net.protocol.end
        assert [s.state for s in self.net.sides.values()] == [end, end]


TestUnreliableNetwork = UnreliableNetwork.TestCase
TestUnreliableNetwork.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)
