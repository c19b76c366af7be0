"""Transfer process (DSP 2025-1, Transfer Process Protocol, § 4): its states, its transition table and its
messages, typed as in ``dsp/negotiation.py``. Field names are those of the official schemas
(``transfer/*-schema.json``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sangsaeng.dsp.machine import BOTH, CONSUMER, PROVIDER, Machine, Transition
from sangsaeng.dsp.messages import PULL_FORMAT, message, path_segment, read, read_data_address

__all__ = ["CONSUMER", "PROVIDER"]  # the roles, re-exported: a transfer's code names them from here

REQUESTED, STARTED, SUSPENDED = "REQUESTED", "STARTED", "SUSPENDED"
COMPLETED, TERMINATED = "COMPLETED", "TERMINATED"

REQUEST = "TransferRequestMessage"
START = "TransferStartMessage"
SUSPENSION = "TransferSuspensionMessage"
COMPLETION = "TransferCompletionMessage"
TERMINATION = "TransferTerminationMessage"

TRANSFER = Machine(
    name="transfer",
    transitions={
        REQUEST: Transition(frozenset({None}), REQUESTED, frozenset({CONSUMER})),
        # Only the provider starts a transfer; either side may resume a suspended one.
        START: Transition(frozenset({REQUESTED, SUSPENDED}), STARTED, BOTH),
        SUSPENSION: Transition(frozenset({STARTED}), SUSPENDED, BOTH),
        COMPLETION: Transition(frozenset({STARTED}), COMPLETED, BOTH),
        TERMINATION: Transition(frozenset({REQUESTED, STARTED, SUSPENDED}), TERMINATED, BOTH),
    },
    rank={REQUESTED: 1, STARTED: 2, SUSPENDED: 2, COMPLETED: 3},
    terminal=frozenset({COMPLETED, TERMINATED}),
    terminated=TERMINATED,
)


@dataclass(frozen=True)
class TransferProcess:
    """The process as either side shows it (``TransferProcess``)."""

    provider_pid: str
    consumer_pid: str
    state: str

    def body(self) -> dict[str, Any]:
        return message(
            "TransferProcess", providerPid=self.provider_pid, consumerPid=self.consumer_pid, state=self.state
        )


@dataclass(frozen=True)
class TransferRequest:
    """A consumer asks for the data of an agreement, in a format (ours: ``HttpData-PULL``)."""

    TYPE: ClassVar[str] = REQUEST
    SUFFIX: ClassVar[str] = "request"
    consumer_pid: str
    agreement_id: str
    format: str = PULL_FORMAT
    callback_address: str | None = None

    def body(self) -> dict[str, Any]:
        return message(
            REQUEST,
            consumerPid=self.consumer_pid,
            agreementId=self.agreement_id,
            format=self.format,
            callbackAddress=self.callback_address,
        )

    @classmethod
    def read(cls, body: Any) -> TransferRequest:
        msg = read(body, REQUEST, ("consumerPid", "agreementId", "format"))
        path_segment(msg["consumerPid"], "consumerPid")  # it goes into our URLs: refused now, not at sending
        callback = msg.get("callbackAddress")
        return cls(
            msg["consumerPid"], msg["agreementId"], msg["format"], callback if isinstance(callback, str) else None
        )


ABSENT: Any = object()  # a start message without a dataAddress (not the same as one whose dataAddress is null)


@dataclass(frozen=True)
class TransferStart:
    """The provider starts (or either side resumes) a transfer; a pull's start carries the data address, which the
    provider's outbox adds when it sends the message (the token in it is minted then)."""

    TYPE: ClassVar[str] = START
    SUFFIX: ClassVar[str] = "start"
    provider_pid: str
    consumer_pid: str
    data_address: Any = ABSENT

    def body(self) -> dict[str, Any]:
        address = None if self.data_address is ABSENT else self.data_address
        return message(START, providerPid=self.provider_pid, consumerPid=self.consumer_pid, dataAddress=address)

    @classmethod
    def read(cls, body: Any) -> TransferStart:
        msg = read(body, START, ("providerPid", "consumerPid"))
        return cls(msg["providerPid"], msg["consumerPid"], msg["dataAddress"] if "dataAddress" in msg else ABSENT)

    def endpoint_and_token(self) -> tuple[str, str] | None:
        """The data address's endpoint and token; None when the message has none. A malformed one is refused."""
        return None if self.data_address is ABSENT else read_data_address(self.data_address)


@dataclass(frozen=True)
class TransferChange:
    """Completion, suspension or termination: the same shape from either side."""

    TYPE: ClassVar[str]
    SUFFIX: ClassVar[str]
    provider_pid: str
    consumer_pid: str
    code: str | None = None
    reason: Any = None  # a list of reasons as sent; anything else is no reason

    def body(self) -> dict[str, Any]:
        return message(
            self.TYPE, providerPid=self.provider_pid, consumerPid=self.consumer_pid, code=self.code, reason=self.reason
        )

    @classmethod
    def read(cls, body: Any) -> TransferChange:
        msg = read(body, cls.TYPE, ("providerPid", "consumerPid"))
        code = msg.get("code")
        return cls(msg["providerPid"], msg["consumerPid"], code if isinstance(code, str) else None, msg.get("reason"))

    def reasons(self) -> str | None:
        """The reasons joined into one sentence, or None when the sender gave none as a list."""
        return "; ".join(map(str, self.reason)) if isinstance(self.reason, list) else None


@dataclass(frozen=True)
class TransferCompletion(TransferChange):
    TYPE: ClassVar[str] = COMPLETION
    SUFFIX: ClassVar[str] = "completion"


@dataclass(frozen=True)
class TransferSuspension(TransferChange):
    TYPE: ClassVar[str] = SUSPENSION
    SUFFIX: ClassVar[str] = "suspension"


@dataclass(frozen=True)
class TransferTermination(TransferChange):
    TYPE: ClassVar[str] = TERMINATION
    SUFFIX: ClassVar[str] = "termination"


CHANGES: dict[str, type[TransferChange]] = {
    c.TYPE: c for c in (TransferCompletion, TransferSuspension, TransferTermination)
}
