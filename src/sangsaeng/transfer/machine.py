"""Transfer process states and transitions (DSP 2025-1, Transfer Process Protocol, § 4)."""

from __future__ import annotations

from sangsaeng.dsp.machine import Machine, Transition

REQUESTED, STARTED, SUSPENDED = "REQUESTED", "STARTED", "SUSPENDED"
COMPLETED, TERMINATED = "COMPLETED", "TERMINATED"

REQUEST = "TransferRequestMessage"
START = "TransferStartMessage"
SUSPENSION = "TransferSuspensionMessage"
COMPLETION = "TransferCompletionMessage"
TERMINATION = "TransferTerminationMessage"

CONSUMER, PROVIDER = "consumer", "provider"
_both = frozenset({CONSUMER, PROVIDER})

TRANSFER = Machine(
    name="transfer",
    transitions={
        REQUEST: Transition(frozenset({None}), REQUESTED, frozenset({CONSUMER})),
        # Only the provider starts a transfer; either side may resume a suspended one.
        START: Transition(frozenset({REQUESTED, SUSPENDED}), STARTED, _both),
        SUSPENSION: Transition(frozenset({STARTED}), SUSPENDED, _both),
        COMPLETION: Transition(frozenset({STARTED}), COMPLETED, _both),
        TERMINATION: Transition(frozenset({REQUESTED, STARTED, SUSPENDED}), TERMINATED, _both),
    },
    rank={REQUESTED: 1, STARTED: 2, SUSPENDED: 2, COMPLETED: 3},
    terminal=frozenset({COMPLETED, TERMINATED}),
    terminated=TERMINATED,
)
