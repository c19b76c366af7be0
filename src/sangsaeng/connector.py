"""Everything one running connector holds, built once by ``create_app`` (the composition root)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sangsaeng.clock import Clock
from sangsaeng.datasets.port import DatasetStore
from sangsaeng.errors import InvalidMessage
from sangsaeng.identity.credentials import Wallet
from sangsaeng.identity.directory import Directory, UnsafeAddress, under
from sangsaeng.policy.decide import PolicyCache
from sangsaeng.policy.model import PURPOSES
from sangsaeng.settings import Settings
from sangsaeng.store.ports import Store

if TYPE_CHECKING:
    from sangsaeng.audit.log import AuditLog


class Peer(Protocol):
    """The port through which this connector calls others (the adapter: ``dsp/peer.py``): every request carries
    a fresh self-issued token, answers are read to a bound, redirects are never followed."""

    http: httpx.AsyncClient
    # (our latest signed log head as a header value, keep a partner's head): set by create_app
    heads: tuple[Callable[[], str | None], Callable[[str | None, str | None], Awaitable[None]]] | None

    def bearer(self, audience: str, lifetime: timedelta = ...) -> str: ...
    async def post(
        self, url: str, audience: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response: ...
    async def get(self, url: str, audience: str) -> httpx.Response: ...
    async def close(self) -> None: ...


def new_pid() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


@dataclass(frozen=True)
class Quota:
    """What a connector may keep and ask of the process that serves it, when that process sets it (a hub, for each
    connector it hosts: its ``hosted_…`` settings); None: no cap, as for a connector of its own."""

    max_bytes: int | None = None  # its datasets' versions together
    max_datasets: int | None = None
    requests_per_minute: int | None = None  # every request under its prefix


@dataclass
class Connector:
    settings: Settings
    participant_id: str
    key: Ed25519PrivateKey
    directory: Directory
    store: Store
    clock: Clock
    peer: Peer
    wallet: Wallet
    datasets: DatasetStore  # where dataset files live (a folder, an S3 bucket)
    wake_outbox: list[Callable[[], None]] = field(default_factory=list)  # set by the outbox worker
    quota: Quota = field(default_factory=Quota)  # set by the host that serves it (tenants/)
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
        """A callback address must lie under the caller's registered endpoint (after its path is normalised).

        Otherwise any member could make this connector send requests to an address of its choosing.
        """
        if not isinstance(callback, str) or not callback:
            raise InvalidMessage("the message needs a 'callbackAddress'", position="callbackAddress")
        registered = self.directory.get(caller).endpoint.rstrip("/")
        return _checked(callback, registered, "callbackAddress", "the endpoint the directory lists for the caller")

    def check_data_address(self, provider: str, endpoint: str) -> str:
        """A data address is followed only under the provider's data-plane endpoint in the directory: the
        consumer sends the provider's token there and shows what comes back, so it must be the provider."""
        plane = self.directory.get(provider).data_plane
        if plane is None:
            raise InvalidMessage(
                f"the directory lists no data-plane endpoint for {provider}",
                position="dataAddress.endpoint",
                hint="add a 'dataEndpoint' to the participant's directory entry",
            )
        return _checked(endpoint, plane, "dataAddress.endpoint", "the provider's data-plane endpoint")


def _checked(url: str, base: str, position: str, what: str) -> str:
    try:
        inside = under(url, base)
    except UnsafeAddress as exc:
        refused = f"{position} is refused: {exc}"
        raise InvalidMessage(refused, position=position, hint=f"use an address under {base}") from None
    if inside is None:
        raise InvalidMessage(f"{position} is not under {what}", position=position, hint=f"use an address under {base}")
    return inside.rstrip("/")
