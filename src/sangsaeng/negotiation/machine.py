"""The negotiation's states, events and transition table now live with its messages in ``sangsaeng.dsp.negotiation``;
this name is kept for the protocol tests that import it unchanged. Nothing under ``src/`` imports it."""

from sangsaeng.dsp.negotiation import (
    ACCEPT,
    ACCEPTED,
    AGREED,
    AGREEMENT,
    CONSUMER,
    FINALIZE,
    FINALIZED,
    NEGOTIATION,
    OFFER,
    OFFERED,
    PROVIDER,
    REQUEST,
    REQUESTED,
    TERMINATED,
    TERMINATION,
    VERIFICATION,
    VERIFIED,
)

__all__ = [
    "ACCEPT",
    "ACCEPTED",
    "AGREED",
    "AGREEMENT",
    "CONSUMER",
    "FINALIZE",
    "FINALIZED",
    "NEGOTIATION",
    "OFFER",
    "OFFERED",
    "PROVIDER",
    "REQUEST",
    "REQUESTED",
    "TERMINATED",
    "TERMINATION",
    "VERIFICATION",
    "VERIFIED",
]
