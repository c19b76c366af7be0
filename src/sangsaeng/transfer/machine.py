"""The transfer's states, events and transition table now live with its messages in ``sangsaeng.dsp.transfer``;
this name is kept for the protocol tests that import it unchanged. Nothing under ``src/`` imports it."""

from sangsaeng.dsp.transfer import (
    COMPLETED,
    COMPLETION,
    CONSUMER,
    PROVIDER,
    REQUEST,
    REQUESTED,
    START,
    STARTED,
    SUSPENDED,
    SUSPENSION,
    TERMINATED,
    TERMINATION,
    TRANSFER,
)

__all__ = [
    "COMPLETED",
    "COMPLETION",
    "CONSUMER",
    "PROVIDER",
    "REQUEST",
    "REQUESTED",
    "START",
    "STARTED",
    "SUSPENDED",
    "SUSPENSION",
    "TERMINATED",
    "TERMINATION",
    "TRANSFER",
]
