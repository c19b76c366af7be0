"""Everything one running connector holds, built once by ``create_app`` (the composition root)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sangsaeng.clock import Clock
from sangsaeng.errors import InvalidMessage
from sangsaeng.identity.credentials import Wallet
from sangsaeng.identity.directory import Directory
from sangsaeng.peer import PeerClient
from sangsaeng.policy.decide import PolicyCache
from sangsaeng.policy.model import PURPOSES
from sangsaeng.settings import Settings
from sangsaeng.store.ports import Store

if TYPE_CHECKING:
    from sangsaeng.audit.log import AuditLog


def new_pid() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


@dataclass
class Connector:
    settings: Settings
    participant_id: str
    key: Ed25519PrivateKey
    directory: Directory
    store: Store
    clock: Clock
    peer: PeerClient
    wallet: Wallet
    wake_outbox: list[Callable[[], None]] = field(default_factory=list)  # set by the outbox worker
    policies: PolicyCache = field(init=False)
    audit: AuditLog = field(init=False)  # set by create_app: the log needs the connector

    def __post_init__(self) -> None:
        self.policies = PolicyCache(self.purposes)

    @property
    def purposes(self) -> frozenset[str]:
        """The purposes this connector's policies may name: the built-in vocabulary and its own additions."""
        return PURPOSES | frozenset(self.settings.extra_purposes)

    @property
    def protocol_url(self) -> str:
        return self.settings.protocol_url

    def now(self) -> datetime:
        return self.clock.now()

    def notify_outbox(self) -> None:
        for wake in self.wake_outbox:
            wake()

    def check_callback(self, caller: str, callback: object) -> str:
        """A callback address must lie under the caller's registered endpoint.

        Otherwise any member could make this connector send requests to an address of its choosing.
        """
        if not isinstance(callback, str) or not callback:
            raise InvalidMessage("the message needs a 'callbackAddress'", position="callbackAddress")
        registered = self.directory.get(caller).endpoint.rstrip("/")
        if callback.rstrip("/") != registered and not callback.startswith(registered + "/"):
            raise InvalidMessage(
                "callbackAddress is not under the endpoint the directory lists for the caller",
                position="callbackAddress",
                hint=f"use {registered}",
            )
        return callback.rstrip("/")
