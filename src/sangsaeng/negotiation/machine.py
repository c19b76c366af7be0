"""Contract negotiation states and transitions (DSP 2025-1, Contract Negotiation Protocol, § 3)."""

from __future__ import annotations

from sangsaeng.dsp.machine import Machine, Transition

REQUESTED, OFFERED, ACCEPTED = "REQUESTED", "OFFERED", "ACCEPTED"
AGREED, VERIFIED, FINALIZED, TERMINATED = "AGREED", "VERIFIED", "FINALIZED", "TERMINATED"

# Events are message types; the two event-message variants are named by their eventType.
REQUEST = "ContractRequestMessage"
OFFER = "ContractOfferMessage"
ACCEPT = "ACCEPTED"
AGREEMENT = "ContractAgreementMessage"
VERIFICATION = "ContractAgreementVerificationMessage"
FINALIZE = "FINALIZED"
TERMINATION = "ContractNegotiationTerminationMessage"

CONSUMER, PROVIDER = "consumer", "provider"
_both = frozenset({CONSUMER, PROVIDER})
_non_terminal: frozenset[str | None] = frozenset({REQUESTED, OFFERED, ACCEPTED, AGREED, VERIFIED})

NEGOTIATION = Machine(
    name="negotiation",
    transitions={
        REQUEST: Transition(frozenset({None, OFFERED}), REQUESTED, frozenset({CONSUMER})),
        OFFER: Transition(frozenset({None, REQUESTED}), OFFERED, frozenset({PROVIDER})),
        ACCEPT: Transition(frozenset({OFFERED}), ACCEPTED, frozenset({CONSUMER})),
        AGREEMENT: Transition(frozenset({REQUESTED, ACCEPTED}), AGREED, frozenset({PROVIDER})),
        VERIFICATION: Transition(frozenset({AGREED}), VERIFIED, frozenset({CONSUMER})),
        # AGREED as a source: the provider finalizes only after it received the verification, so a FINALIZED
        # event that overtakes the acknowledgement of that verification at the consumer is still in order.
        FINALIZE: Transition(frozenset({VERIFIED, AGREED}), FINALIZED, frozenset({PROVIDER})),
        TERMINATION: Transition(_non_terminal, TERMINATED, _both),
    },
    rank={REQUESTED: 1, OFFERED: 1, ACCEPTED: 2, AGREED: 3, VERIFIED: 4, FINALIZED: 5},
    terminal=frozenset({FINALIZED, TERMINATED}),
    terminated=TERMINATED,
)
