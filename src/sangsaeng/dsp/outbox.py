"""The outbox: protocol messages are first written beside the state change that causes them, then sent.

A message is retried with exponential backoff until the peer acknowledges it (2xx), refuses it (4xx) or the
attempts run out. Only then does the sender's process move (DSP: a state changes when the counter-party
acknowledged the message). Messages of one process leave in order, one at a time. Because intent is persisted
first, a connector killed at any point resumes every process on restart.

Lock order, everywhere: a process's row before its outbox messages. A request settling an implied
acknowledgement holds its process when it marks our message sent; the worker, settling the same message, takes
the process first too (``Handler.hold``), so the two queue behind each other instead of deadlocking (PostgreSQL
locks rows; SQLite runs one transaction at a time anyway).
"""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any, Protocol

import httpx
import orjson
import structlog

from sangsaeng.connector import Connector
from sangsaeng.store.ports import Tx
from sangsaeng.store.records import OutboxMessage

log = structlog.get_logger(__name__)


class Handler(Protocol):
    async def hold(self, tx: Tx, process_id: str) -> None: ...
    def prepare(self, message: OutboxMessage) -> dict[str, Any]: ...
    async def acknowledged(self, tx: Tx, message: OutboxMessage, response: Any) -> None: ...
    async def refused(self, tx: Tx, message: OutboxMessage, reason: str, answered: bool) -> None: ...


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        reasons = body.get("reason") or body.get("error", {}).get("message")
        if isinstance(reasons, list):
            return f"HTTP {response.status_code}: " + "; ".join(str(r) for r in reasons)
        if reasons:
            return f"HTTP {response.status_code}: {reasons}"
    return f"HTTP {response.status_code}"


RETRY_AFTER_LONGEST = 3600.0  # a peer may not park our messages for longer than this per attempt


def _retry_after(response: httpx.Response) -> float:
    """Seconds the peer asked us to wait (``Retry-After`` as delta-seconds; an HTTP date is read as 'soon')."""
    value = response.headers.get("retry-after", "").strip()
    if not value.isdigit():
        return 0.0
    return min(float(value), RETRY_AFTER_LONGEST)


IDLE_LONGEST = 30.0  # seconds an idle worker may go without looking (a message due later, written by another process)


class Outbox:
    """Sends what is due. It looks when woken — a message written by this process (``notify_outbox``), a send that
    ended, a retry falling due (a timer set when the retry is scheduled) — and otherwise polls, at ``poll_seconds``
    while there is work and ever less often while there is none (doubling up to ``idle_longest``): a process
    hosting hundreds of idle connectors would otherwise spend its event loop asking their empty outboxes every
    second. What only polling finds — a message another process wrote, one whose retry was scheduled before a
    restart — waits at most ``idle_longest``."""

    def __init__(
        self,
        connector: Connector,
        handlers: dict[str, Handler],
        poll_seconds: float = 1.0,
        idle_longest: float = IDLE_LONGEST,
    ) -> None:
        self.connector = connector
        self.handlers = handlers
        self.poll_seconds = poll_seconds
        self.idle_longest = max(idle_longest, poll_seconds)
        self._wake = asyncio.Event()
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        self._stopping = False
        self._timers: set[asyncio.TimerHandle] = set()
        self.rounds = 0  # looks at the store so far (a test counts them while idle)
        connector.wake_outbox.append(self._wake.set)

    async def run(self) -> None:
        wait = self.poll_seconds
        while not self._stopping:
            # Clear before looking, so that a wake-up arriving while we look is never lost.
            self._wake.clear()
            started = 0
            try:
                started = await self.dispatch()
            except Exception:  # keep the worker alive through a database hiccup; retried next round
                log.exception("outbox.dispatch_failed")
            busy = started > 0 or bool(self._in_flight)
            wait = self.poll_seconds if busy else min(wait * 2, self.idle_longest)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
                wait = self.poll_seconds  # woken: something happened, look again soon
            except TimeoutError:
                pass

    def _wake_in(self, seconds: float) -> None:
        """Look again in ``seconds`` (a retry falls due then), however long the idle wait has grown."""

        def ring() -> None:
            self._timers.discard(handle)
            self._wake.set()

        handle = asyncio.get_running_loop().call_later(seconds, ring)
        self._timers.add(handle)

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def drain(self) -> None:
        """Wait until every send in flight has ended (how it ended is logged, not raised)."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight.values(), return_exceptions=True)

    async def dispatch(self) -> int:
        """Start sending every due message whose process has nothing earlier pending or in flight."""
        self.rounds += 1
        async with self.connector.store.begin() as tx:
            due = await tx.outbox.due(self.connector.now(), limit=200)
        busy = {m for m in (t.get_name() for t in self._in_flight.values())}
        started = 0
        for message in due:
            if message.id in self._in_flight or message.process_id in busy:
                continue
            busy.add(message.process_id)
            task = asyncio.create_task(self._guarded(message), name=message.process_id)
            self._in_flight[message.id] = task
            task.add_done_callback(self._done)
            started += 1
        return started

    def _done(self, task: asyncio.Task[None]) -> None:
        for message_id, running in list(self._in_flight.items()):
            if running is task:
                del self._in_flight[message_id]
        self._wake.set()

    async def _guarded(self, message: OutboxMessage) -> None:
        try:
            await self._send(message)
        except asyncio.CancelledError:
            raise
        except Exception:  # the message stays pending and is tried again at the next round
            log.exception("outbox.send_failed", step=message.event, process=message.process_id)

    async def _send(self, message: OutboxMessage) -> None:
        handler = self.handlers[message.process_kind]
        try:
            body = handler.prepare(message)
            response = await self.connector.peer.post(message.url, message.audience, body)
        except httpx.TransportError as exc:
            await self._retry(message, f"{type(exc).__name__}: {exc}")
            return
        status = response.status_code
        self.connector.audit.note(
            "protocol.sent",
            counterparty=message.audience,
            process=message.process_id,
            step=message.event,
            url=message.url,
            status=status,
        )
        if 200 <= status < 300:
            try:
                payload = orjson.loads(response.content) if response.content else None
            except orjson.JSONDecodeError:
                # Raised here, the attempt went uncounted and the message was sent again each round, for ever.
                await self._give_up(message, f"its acknowledgement (HTTP {status}) is not JSON")
                return
            async with self.connector.store.begin() as tx:
                await handler.hold(tx, message.process_id)
                current = await tx.outbox.get(message.id, for_update=True)
                if current is None or current.status != "pending":
                    return  # an implied acknowledgement settled it already
                current.status = "sent"
                current.attempts += 1
                await tx.outbox.save(current)
                await handler.acknowledged(tx, current, payload)
            self.connector.notify_outbox()
            log.debug("outbox.acknowledged", step=message.event, process=message.process_id)
        elif status in (408, 425, 429) or status >= 500 or (status == 401 and message.attempts < 2):
            # Not a refusal: the peer is busy or limits how fast we may start processes; try again later,
            # no sooner than it asked (Retry-After).
            await self._retry(message, _reason(response), _retry_after(response))
        else:
            await self._give_up(message, _reason(response))

    async def _retry(self, message: OutboxMessage, error: str, not_before: float = 0.0) -> None:
        settings = self.connector.settings
        async with self.connector.store.begin() as tx:
            await self.handlers[message.process_kind].hold(tx, message.process_id)
            current = await tx.outbox.get(message.id, for_update=True)
            if current is None or current.status != "pending":
                return
            current.attempts += 1
            current.last_error = error
            if current.attempts >= settings.outbox_max_attempts:
                current.status = "failed"
                await tx.outbox.save(current)
                reason = f"gave up after {current.attempts} attempts: {error}"
                await self.handlers[current.process_kind].refused(tx, current, reason, answered=False)
                log.warning("outbox.gave_up", step=current.event, process=current.process_id, error=error)
                return
            delay = min(settings.outbox_max_delay, settings.outbox_base_delay * 2 ** (current.attempts - 1))
            delay = delay * random.uniform(0.8, 1.2)
            if not_before > delay:  # what the peer asked for, and a little more so that many do not return at once
                delay = not_before * random.uniform(1.0, 1.2)
            current.next_attempt_at = self.connector.now() + timedelta(seconds=delay)
            await tx.outbox.save(current)
        self._wake_in(delay)
        log.info("outbox.retry", step=message.event, process=message.process_id, error=error, delay=delay)

    async def _give_up(self, message: OutboxMessage, reason: str) -> None:
        async with self.connector.store.begin() as tx:
            await self.handlers[message.process_kind].hold(tx, message.process_id)
            current = await tx.outbox.get(message.id, for_update=True)
            if current is None or current.status != "pending":
                return
            current.status = "failed"
            current.attempts += 1
            current.last_error = reason
            await tx.outbox.save(current)
            await self.handlers[current.process_kind].refused(
                tx, current, f"the peer refused it: {reason}", answered=True
            )
        log.warning("outbox.refused", step=message.event, process=message.process_id, reason=reason)


async def settle_implied(tx: Tx, handler: Handler, process_id: str, event: str, response: Any = None) -> None:
    """A message from the peer can prove it received one of ours still marked pending (its acknowledgement is
    on its way): apply that acknowledgement now, so the two never race."""
    for message in await tx.outbox.pending(process_id):
        if message.event == event:
            message.status = "sent"
            await tx.outbox.save(message)
            await handler.acknowledged(tx, message, response)
