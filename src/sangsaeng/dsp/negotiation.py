"""Contract negotiation (DSP 2025-1, Contract Negotiation Protocol, § 3): its states, its transition table and
its messages, typed.

Each message is a frozen dataclass that writes itself (``body``, JSON-LD in compact form, fields in the order of
the schema) and reads itself strictly (``read``: the DSP ``@context``, its ``@type``, the ids it needs; what our
profile needs more is refused with the position). Field names are those of the official schemas
(``negotiation/*-schema.json``); the two ``sangsaeng…`` keys are our profile's extensions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sangsaeng.dsp.machine import BOTH, CONSUMER, PROVIDER, Machine, Transition
from sangsaeng.dsp.messages import SIGNATURE_KEY, message, path_segment, read
from sangsaeng.errors import InvalidMessage

__all__ = ["CONSUMER", "PROVIDER"]  # the roles, re-exported: a negotiation's code names them from here

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
EVENT = "ContractNegotiationEventMessage"

PURPOSE_KEY = "sangsaengPurpose"  # our profile: the purpose a consumer declares for what it requests

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
        TERMINATION: Transition(_non_terminal, TERMINATED, BOTH),
    },
    rank={REQUESTED: 1, OFFERED: 1, ACCEPTED: 2, AGREED: 3, VERIFIED: 4, FINALIZED: 5},
    terminal=frozenset({FINALIZED, TERMINATED}),
    terminated=TERMINATED,
)


def _offer(msg: dict[str, Any], missing: str) -> dict[str, Any]:
    offer = msg.get("offer")
    if not isinstance(offer, dict) or not isinstance(offer.get("@id"), str):
        raise InvalidMessage(missing, position="offer")
    return offer


@dataclass(frozen=True)
class ContractNegotiation:
    """The process as either side shows it (``ContractNegotiation``)."""

    provider_pid: str
    consumer_pid: str
    state: str

    def body(self) -> dict[str, Any]:
        return message(
            "ContractNegotiation", providerPid=self.provider_pid, consumerPid=self.consumer_pid, state=self.state
        )


@dataclass(frozen=True)
class ContractRequest:
    """A consumer's request: new (no ``providerPid``, a ``callbackAddress``) or countering an offer."""

    TYPE: ClassVar[str] = REQUEST
    SUFFIX: ClassVar[str] = "request"
    consumer_pid: str
    offer: dict[str, Any]
    provider_pid: str | None = None
    callback_address: str | None = None
    purpose: str | None = None

    def body(self) -> dict[str, Any]:
        extension = {PURPOSE_KEY: self.purpose} if self.purpose else {}
        return message(
            REQUEST,
            consumerPid=self.consumer_pid,
            providerPid=self.provider_pid,
            offer=self.offer,
            callbackAddress=self.callback_address,
            **extension,
        )

    @classmethod
    def read(cls, body: Any) -> ContractRequest:
        msg = read(body, REQUEST, ("consumerPid",))
        path_segment(msg["consumerPid"], "consumerPid")  # it goes into our URLs: refused now, not at sending
        offer = _offer(msg, "the request needs an 'offer' with an '@id'")
        provider_pid, callback, purpose = msg.get("providerPid"), msg.get("callbackAddress"), msg.get(PURPOSE_KEY)
        return cls(
            consumer_pid=msg["consumerPid"],
            offer=offer,
            provider_pid=None if provider_pid is None else str(provider_pid),
            callback_address=callback if isinstance(callback, str) else None,
            purpose=purpose if isinstance(purpose, str) else None,
        )


@dataclass(frozen=True)
class ContractOffer:
    """A provider's offer: new (no ``consumerPid``) or countering a request. We record its terms as they are."""

    TYPE: ClassVar[str] = OFFER
    provider_pid: str
    offer: dict[str, Any]
    consumer_pid: str | None = None
    callback_address: str | None = None

    @classmethod
    def read(cls, body: Any) -> ContractOffer:
        msg = read(body, OFFER, ("providerPid",))
        path_segment(msg["providerPid"])
        offer = _offer(msg, "the message needs an 'offer' with an '@id'")
        consumer_pid, callback = msg.get("consumerPid"), msg.get("callbackAddress")
        return cls(
            provider_pid=msg["providerPid"],
            offer=offer,
            consumer_pid=consumer_pid if isinstance(consumer_pid, str) else None,
            callback_address=callback if isinstance(callback, str) else None,
        )


@dataclass(frozen=True)
class ContractAgreementMessage:
    """The provider's agreement, signed by it (``sangsaengSignature``)."""

    TYPE: ClassVar[str] = AGREEMENT
    SUFFIX: ClassVar[str] = "agreement"
    provider_pid: str
    consumer_pid: str
    agreement: dict[str, Any]
    callback_address: str | None = None
    signature: Any = None

    def body(self) -> dict[str, Any]:
        return message(
            AGREEMENT,
            providerPid=self.provider_pid,
            consumerPid=self.consumer_pid,
            agreement=self.agreement,
            callbackAddress=self.callback_address,
            **{SIGNATURE_KEY: self.signature},
        )

    @classmethod
    def read(cls, body: Any) -> ContractAgreementMessage:
        msg = read(body, AGREEMENT, ("providerPid", "consumerPid"))
        agreement = msg.get("agreement")
        if not isinstance(agreement, dict) or agreement.get("@type") != "Agreement" or not agreement.get("@id"):
            raise InvalidMessage(
                "the message needs an 'agreement' of @type Agreement with an @id", position="agreement"
            )
        callback = msg.get("callbackAddress")
        return cls(
            msg["providerPid"],
            msg["consumerPid"],
            agreement,
            callback if isinstance(callback, str) else None,
            msg.get(SIGNATURE_KEY),
        )


@dataclass(frozen=True)
class ContractVerification:
    """The consumer's verification of the agreement, countersigned (``sangsaengSignature``)."""

    TYPE: ClassVar[str] = VERIFICATION
    SUFFIX: ClassVar[str] = "agreement/verification"
    provider_pid: str
    consumer_pid: str
    signature: Any = None

    def body(self) -> dict[str, Any]:
        return message(
            VERIFICATION,
            providerPid=self.provider_pid,
            consumerPid=self.consumer_pid,
            **{SIGNATURE_KEY: self.signature},
        )

    @classmethod
    def read(cls, body: Any) -> ContractVerification:
        msg = read(body, VERIFICATION, ("providerPid", "consumerPid"))
        return cls(msg["providerPid"], msg["consumerPid"], msg.get(SIGNATURE_KEY))


@dataclass(frozen=True)
class ContractNegotiationEvent:
    """ACCEPTED (from a consumer) or FINALIZED (from a provider)."""

    TYPE: ClassVar[str] = EVENT
    SUFFIX: ClassVar[str] = "events"
    provider_pid: str
    consumer_pid: str
    event_type: str

    def body(self) -> dict[str, Any]:
        return message(EVENT, providerPid=self.provider_pid, consumerPid=self.consumer_pid, eventType=self.event_type)

    @classmethod
    def read(cls, body: Any) -> ContractNegotiationEvent:
        msg = read(body, EVENT, ("providerPid", "consumerPid", "eventType"))
        return cls(msg["providerPid"], msg["consumerPid"], msg["eventType"])


@dataclass(frozen=True)
class ContractTermination:
    """Either side ends the negotiation, with a code and reasons."""

    TYPE: ClassVar[str] = TERMINATION
    SUFFIX: ClassVar[str] = "termination"
    provider_pid: str
    consumer_pid: str
    code: str | None = None
    reason: Any = None  # a list of reasons as sent; anything else is no reason

    def body(self) -> dict[str, Any]:
        return message(
            TERMINATION,
            providerPid=self.provider_pid,
            consumerPid=self.consumer_pid,
            code=self.code,
            reason=self.reason,
        )

    @classmethod
    def read(cls, body: Any) -> ContractTermination:
        msg = read(body, TERMINATION, ("providerPid", "consumerPid"))
        code = msg.get("code")
        return cls(msg["providerPid"], msg["consumerPid"], code if isinstance(code, str) else None, msg.get("reason"))

    def reasons(self) -> str | None:
        """The reasons joined into one sentence, or None when the sender gave none as a list."""
        return "; ".join(map(str, self.reason)) if isinstance(self.reason, list) else None
