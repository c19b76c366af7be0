"""The skeleton every DSP process follows, written once for the contract negotiation (§ 3) and the transfer
process (§ 4): which process a message is about, moving it through its machine, the messages it sends, their
acknowledgements (also implied ones), and refusals that end it.

- **Ownership.** A message names one of *our* process ids in its path; it is ours only with the caller as our
  counter-party (in the role the path implies) and with the ids the message carries. Anything else is answered
  as an unknown process, so nobody learns which ids exist for someone else.
- **Advancing.** Receivers and senders move a process with the same transition table (``dsp/machine.py``): the
  receiver when a message arrives, the sender when the peer acknowledged it. A repeat changes nothing.
- **Outgoing messages** are written to the outbox in the transaction of the state change that causes them, to
  the counter-party's process (its own id, one path segment) under the address it gave.
- **Acknowledgements.** The outbox calls ``acknowledged`` on a 2xx; a peer's message that proves our pending one
  arrived settles it first (``settle``). The acknowledgement of our first message names the provider's id.
- **Refusals.** A 4xx (or attempts run out) ends the process here; a peer that answered is sent a termination,
  so that it does not wait for a message that will never come.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sangsaeng.connector import Connector
from sangsaeng.dsp.machine import CONSUMER, PROVIDER, Machine
from sangsaeng.dsp.messages import path_segment, segment_safe
from sangsaeng.dsp.outbox import settle_implied
from sangsaeng.errors import Conflict, InvalidTransition, NotFound
from sangsaeng.store.ports import Tx
from sangsaeng.store.records import OutboxMessage

INITIAL = "INITIAL"  # local only: our first message is not acknowledged yet, so DSP knows no state
REQUESTED = "REQUESTED"  # what a process in INITIAL is shown as: both machines start there


class Process(Protocol):
    """What the skeleton reads and writes of a process record (``Negotiation``, ``Transfer``)."""

    id: str
    role: str
    counterparty: str
    counterparty_address: str
    state: str
    updated_at: datetime
    provider_pid: str | None
    consumer_pid: str | None
    reason: str | None


class View(Protocol):
    def body(self) -> dict[str, Any]: ...


class Outgoing(Protocol):
    """A typed message we send within a running process: where it goes under the peer's process, and its body."""

    SUFFIX: ClassVar[str]

    def body(self) -> dict[str, Any]: ...


class Ending(Protocol):
    """A peer's message that only moves a process, with reasons (a termination; completion, suspension)."""

    TYPE: ClassVar[str]

    @property
    def provider_pid(self) -> str: ...
    @property
    def consumer_pid(self) -> str: ...
    def reasons(self) -> str | None: ...


@dataclass(frozen=True)
class Kind:
    """What tells one kind of process from the other."""

    name: str  # the outbox's process kind
    noun: str  # in refusals: "no such <noun>"
    path: str  # where a connector keeps processes of this kind, under its protocol endpoint
    machine: Machine
    view: Callable[[str, str, str], View]  # the process object (providerPid, consumerPid, state)
    request: str  # the consumer's first message; its acknowledgement names the provider's process id
    termination: str  # the message type that ends a process from either side


P = TypeVar("P", bound=Process)


def machine_state(state: str) -> str | None:
    """The state the transition table knows: none before the provider acknowledged our first message."""
    return None if state == INITIAL else state


def other(role: str) -> str:
    """The counter-party's role: the sender of what we receive."""
    return CONSUMER if role == PROVIDER else PROVIDER


class ProcessService(Generic[P]):
    """Both roles of one kind of process. A subclass names its ``KIND``, how its records are loaded and saved,
    and handles the messages particular to it with the steps below."""

    KIND: ClassVar[Kind]

    def __init__(self, connector: Connector) -> None:
        self.c = connector

    @property
    def kind(self) -> str:
        return self.KIND.name

    # ---- the records --------------------------------------------------------------------------------------------
    async def _load(self, tx: Tx, pid: str, for_update: bool = False) -> P | None:
        raise NotImplementedError

    async def _save(self, tx: Tx, process: P) -> None:
        raise NotImplementedError

    def view(self, process: P) -> dict[str, Any]:
        """The process object (``ContractNegotiation``, ``TransferProcess``) as either side shows it."""
        state = process.state if process.state != INITIAL else REQUESTED
        return self.KIND.view(process.provider_pid or "", process.consumer_pid or "", state).body()

    def _unknown(self) -> NotFound:
        return NotFound(f"no such {self.KIND.noun}")  # the same answer whether it exists for someone else or not

    # ---- ownership ----------------------------------------------------------------------------------------------
    async def _own(self, tx: Tx, pid: str, role: str | None, caller: str) -> P:
        """Our process ``pid`` with ``caller`` as counter-party (in ``role``, when given), locked for change."""
        process = await self._load(tx, pid, for_update=True)
        if process is None or role not in (None, process.role) or process.counterparty != caller:
            raise self._unknown()
        return process

    def _same_pids(self, process: P, provider_pid: str | None, consumer_pid: str | None) -> None:
        """The message must name the process by both its ids, as we know them."""
        if provider_pid != process.provider_pid or consumer_pid != process.consumer_pid:
            raise self._unknown()

    async def get(self, caller: str, pid: str, role: str) -> dict[str, Any]:
        async with self.c.store.begin() as tx:
            process = await self._load(tx, pid)
        if process is None or process.role != role or process.counterparty != caller:
            raise self._unknown()
        return self.view(process)

    async def _created_once(
        self,
        create: Callable[[Tx], Awaitable[tuple[dict[str, Any], bool]]],
        find: Callable[[Tx], Awaitable[P | None]],
    ) -> tuple[dict[str, Any], bool]:
        """Create a process for a peer's first message; the same message twice at once creates it once, and the
        second is answered with what the first created."""
        try:
            async with self.c.store.begin() as tx:
                answer = await create(tx)
        except Conflict:
            async with self.c.store.begin() as tx:
                again = await find(tx)
            if again is None:
                raise
            return self.view(again), False
        self.c.notify_outbox()
        return answer

    # ---- advancing ----------------------------------------------------------------------------------------------
    def _advance(self, process: P, event: str, sender: str) -> bool:
        """Move the process; False when the event was already applied (a duplicate)."""
        outcome = self.KIND.machine.advance(machine_state(process.state), event, sender)
        if outcome.duplicate:
            return False
        process.state = outcome.state
        process.updated_at = self.c.now()
        return True

    def _check(self, process: P, event: str, sender: str) -> bool:
        """Whether ``event`` would move the process (False for a duplicate), without moving it; refused if it may
        not happen at all."""
        return not self.KIND.machine.advance(machine_state(process.state), event, sender).duplicate

    async def on_end(self, caller: str, pid: str, msg: Ending, default_reason: str | None = None) -> None:
        """A peer's message that only moves the process (a termination; for transfers also a completion or a
        suspension): owned, the same ids, moved, its reasons kept."""
        async with self.c.store.begin() as tx:
            process = await self._own(tx, pid, None, caller)
            self._same_pids(process, msg.provider_pid, msg.consumer_pid)
            if self._advance(process, msg.TYPE, other(process.role)):
                reasons = msg.reasons()
                if reasons is not None or default_reason is not None:
                    process.reason = reasons if reasons is not None else default_reason
                await self._save(tx, process)

    # ---- outgoing messages --------------------------------------------------------------------------------------
    def _peer_path(self, process: P) -> str:
        """Where the counter-party keeps this process: its own process id, as one path segment."""
        if process.role == PROVIDER:
            return f"{self.KIND.path}/{path_segment(process.consumer_pid or '', 'consumerPid')}"
        return f"{self.KIND.path}/{path_segment(process.provider_pid or '')}"

    def _outgoing(self, process: P, event: str, path: str, body: dict[str, Any], **extra: Any) -> OutboxMessage:
        return OutboxMessage(
            id=str(uuid.uuid4()),
            process_kind=self.kind,
            process_id=process.id,
            event=event,
            url=f"{process.counterparty_address}{path}",
            audience=process.counterparty,
            body=body,
            next_attempt_at=self.c.now(),
            extra=extra,
        )

    async def _send(self, tx: Tx, process: P, msg: Outgoing, event: str, **extra: Any) -> None:
        """Queue ``msg`` to the counter-party's process; ``event`` is the transition its acknowledgement applies."""
        path = f"{self._peer_path(process)}/{msg.SUFFIX}"
        await tx.outbox.enqueue(self._outgoing(process, event, path, msg.body(), **extra))

    async def _first(self, tx: Tx, process: P, msg: Outgoing, event: str) -> None:
        """Queue our first message of a process, to the peer's endpoint for new ones."""
        path = f"{self.KIND.path}/{msg.SUFFIX}"
        await tx.outbox.enqueue(self._outgoing(process, event, path, msg.body()))

    def _termination(self, process: P, code: str, reasons: list[str]) -> Outgoing:
        raise NotImplementedError

    async def _terminate_with(self, tx: Tx, process: P, code: str, reasons: list[str]) -> None:
        """End the process and tell the counter-party why (its state moves when the peer acknowledges)."""
        process.reason = "; ".join(reasons)
        process.updated_at = self.c.now()
        await self._save(tx, process)
        await self._send(tx, process, self._termination(process, code, reasons), self.KIND.termination)

    # ---- acknowledgements ---------------------------------------------------------------------------------------
    def prepare(self, msg: OutboxMessage) -> dict[str, Any]:
        """The body to send now (the outbox calls this at each attempt)."""
        return msg.body

    async def settle(self, tx: Tx, process_id: str, event: str, response: Any = None) -> None:
        """A peer's message proved that our pending ``event`` arrived: apply its acknowledgement now."""
        await settle_implied(tx, self, process_id, event, response)

    async def hold(self, tx: Tx, process_id: str) -> None:
        """Lock the process before the outbox locks one of its messages (see the lock order in ``dsp/outbox``)."""
        await self._load(tx, process_id, for_update=True)

    async def acknowledged(self, tx: Tx, msg: OutboxMessage, response: Any) -> None:
        process = await self._load(tx, msg.process_id, for_update=True)
        if process is None:
            return
        first = msg.event == self.KIND.request
        if first and process.provider_pid is None:
            provider_pid = response.get("providerPid") if isinstance(response, dict) else None
            if not isinstance(provider_pid, str) or not segment_safe(provider_pid):
                await self.refused(tx, msg, "the provider's answer named no usable providerPid", answered=False)
                return
            process.provider_pid = provider_pid
        try:
            if self._advance(process, msg.event, process.role) or first:
                await self._save(tx, process)
        except InvalidTransition:
            pass  # the process moved on meanwhile (e.g. the peer terminated it): nothing to apply

    async def refused(self, tx: Tx, msg: OutboxMessage, reason: str, answered: bool) -> None:
        """The peer refused a message (or never answered): the process cannot go on. A peer that answered is
        told, so that its side does not wait for a message that will never come."""
        process = await self._load(tx, msg.process_id, for_update=True)
        if process is None or process.state in self.KIND.machine.terminal:
            return
        known = process.provider_pid is not None and process.consumer_pid is not None
        if answered and msg.event != self.KIND.termination and known:
            await self._terminate_with(tx, process, "refused", [f"{msg.event} was refused: {reason}"])
        process.state = self.KIND.machine.terminated
        process.reason = f"{msg.event}: {reason}"
        process.updated_at = self.c.now()
        await self._save(tx, process)
