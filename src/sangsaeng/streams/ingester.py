"""The part of every stream that does not depend on the protocol: micro-batches, commits, counters, status.

Messages wait in the current batch as they arrived (nothing is decoded on the receiving path). A batch closes
when it holds ``batch.rows`` messages or its oldest has waited ``batch.seconds``, whichever comes first; it is
then decoded, checked, converted and landed in a worker thread while the next batch fills. Only when
``Lander.commit`` has returned — files, state and manifest line on disk — does the caller learn which of its
messages are durable (MQTT acknowledges them then).
"""

from __future__ import annotations

import collections
import os
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import orjson
import structlog

from sangsaeng.streams.landing import Commit, Lander
from sangsaeng.streams.mapping import StreamMapping
from sangsaeng.streams.readings import Readings, Rejects, measurements, sorted_for_landing

log = structlog.get_logger(__name__)
STATUS = "status.json"
MAPPING = "mapping.json"


class Decoder(Protocol):
    def receive(self, topic: str, payload: Any, arrived: int, readings: Readings, rejects: Rejects) -> None: ...

    def state(self) -> dict[str, Any]: ...

    def restore(self, state: dict[str, Any]) -> None: ...


def now_us() -> int:
    return time.time_ns() // 1000


@dataclass
class Batch:
    topics: list[str] = field(default_factory=list)
    payloads: list[Any] = field(default_factory=list)  # bytes; (value, time, status) from OPC UA
    arrived: list[int] = field(default_factory=list)
    identities: list[int] = field(default_factory=list)  # of each message to acknowledge once landed (0: none)
    acks: list[int] = field(default_factory=list)  # its packet id (0: QoS 0, nothing to acknowledge)
    connection: int = 0  # the connection they came on: acknowledgements go back only on it

    LISTS = ("topics", "payloads", "arrived", "identities", "acks")

    def __len__(self) -> int:
        return len(self.topics)


@dataclass
class Counters:
    messages: int = 0
    duplicates: int = 0
    rows: int = 0
    rejected: int = 0
    commits: int = 0
    bytes: int = 0
    rebirths: int = 0
    gaps: int = 0
    reconnects: int = 0


class Ingester:
    """One stream's batches and commits; ``Lander`` does the writing."""

    RATE_WINDOW = 5.0

    def __init__(self, mapping: StreamMapping, root: Path, decoder: Decoder, *, remember: int = 65535) -> None:
        self.mapping = mapping
        self.root = root
        self.decoder = decoder
        self.lander = Lander(root, mapping.partition)
        self.batch = Batch()
        self.counters = Counters()
        self.remember = remember
        self._landed: collections.deque[np.ndarray[Any, np.dtype[np.uint64]]] = collections.deque()
        self._remembered: np.ndarray[Any, np.dtype[np.uint64]] = np.empty(0, np.uint64)
        self._remembered_set: set[int] | None = None
        self.started = datetime.now(UTC)
        self.connected = False
        self.stopped = False  # set when the ingester ends: its last status says so at once
        self.error: str | None = None
        self.events: collections.deque[dict[str, Any]] = collections.deque(maxlen=50)
        self.last_commit: Commit | None = None
        self.newest_measurement: int | None = None
        self._rates: collections.deque[tuple[float, int]] = collections.deque()
        self.dataset_id: str | None = None

    # ---- start and stop ----------------------------------------------------------------------------
    def open(self) -> None:
        """Take the stream's folder, undo an interrupted commit, resume from the last commit's state."""
        self.lander.lock()
        saved = self.lander.recover()
        if saved:
            (size,) = struct.unpack_from("<Q", saved)
            identities = np.frombuffer(saved, np.uint64, size, 8)
            state = orjson.loads(saved[8 + 8 * size :])
            self.decoder.restore(state.get("decoder", {}))
            self.counters = Counters(**state.get("counters", {}))
            self._landed.append(identities.copy())
            self._remembered = identities.copy()
        (self.root / MAPPING).write_bytes(orjson.dumps(self.mapping.model_dump(mode="json")))

    def close(self) -> None:
        self.lander.close()

    # ---- messages ----------------------------------------------------------------------------------
    def add(self, topic: str, payload: Any, arrived: int, identity: int | None = None, ack: int = 0) -> None:
        b = self.batch
        b.topics.append(topic)
        b.payloads.append(payload)
        b.arrived.append(arrived)
        b.identities.append(identity or 0)
        b.acks.append(ack)
        self.counters.messages += 1

    QUIET_US = 25_000

    def due(self, now: float | None = None) -> bool:
        """Whether the batch should be landed now: full, old enough, or waiting on a stream gone quiet (a
        broker that lets only a few unacknowledged messages out at a time stops sending until they are landed)."""
        b = self.batch
        if not b.topics:
            return False
        if len(b) >= self.mapping.batch.rows:
            return True
        at = (now or time.time()) * 1e6
        return at - b.arrived[0] >= self.mapping.batch.seconds * 1e6 or at - b.arrived[-1] >= self.QUIET_US

    def take(self) -> Batch:
        """The messages due for landing: at most ``batch.rows`` (what arrived meanwhile waits for the next)."""
        limit = self.mapping.batch.rows
        whole = self.batch
        if len(whole) <= limit:
            self.batch = Batch(connection=whole.connection)
            return whole
        taken = Batch(connection=whole.connection)
        self.batch = Batch(connection=whole.connection)
        for name in Batch.LISTS:
            items = getattr(whole, name)
            setattr(taken, name, items[:limit])
            setattr(self.batch, name, items[limit:])
        return taken

    def put_back(self, batch: Batch) -> None:
        """A batch that could not be landed waits again, ahead of what came since (nothing is acknowledged)."""
        later = self.batch
        for name in Batch.LISTS:
            setattr(batch, name, getattr(batch, name) + getattr(later, name))
        batch.connection = later.connection
        self.batch = batch

    # ---- landing (in a worker thread) --------------------------------------------------------------
    def land(self, batch: Batch) -> Commit:
        """Decode, check and commit a batch; after this returns, every message in it is durable."""
        readings, rejects = Readings(), Rejects()
        many = getattr(self.decoder, "receive_batch", None)
        if many is not None:
            many(batch.topics, batch.payloads, batch.arrived, readings, rejects)
        else:
            receive = self.decoder.receive
            for topic, payload, arrived in zip(batch.topics, batch.payloads, batch.arrived, strict=True):
                receive(topic, payload, arrived, readings, rejects)
        table = sorted_for_landing(measurements(readings, rejects, now_us()))
        identities = np.array(batch.identities, np.uint64)
        identities = identities[identities != 0]
        self._landed.append(identities)
        kept = sum(len(a) for a in self._landed)
        while self._landed and kept - len(self._landed[0]) >= self.remember:
            kept -= len(self._landed.popleft())
        remembered = np.concatenate(list(self._landed)) if self._landed else np.empty(0, np.uint64)
        counters = self.counters
        counters.rows += table.num_rows
        counters.rejected += len(rejects)
        counters.commits += 1
        state = orjson.dumps({"decoder": self.decoder.state(), "counters": counters.__dict__})
        blob = struct.pack("<Q", len(remembered)) + remembered.tobytes() + state
        try:
            commit = self.lander.commit(table, rejects.table(), blob)
        except BaseException:
            counters.rows -= table.num_rows
            counters.rejected -= len(rejects)
            counters.commits -= 1
            self._landed.pop()
            raise
        self._remembered, self._remembered_set = remembered, None
        counters.bytes += sum(p.bytes for p in commit.parts)
        if table.num_rows:
            newest = max(p.last or 0 for p in commit.parts)
            self.newest_measurement = max(self.newest_measurement or 0, newest)
        self.last_commit = commit
        return commit

    def is_landed(self, identity: int) -> bool:
        """Whether a message delivered again was landed already (asked only of redeliveries)."""
        if self._remembered_set is None:
            self._remembered_set = set(self._remembered.tolist())
        return identity in self._remembered_set

    def event(self, kind: str, **details: Any) -> None:
        self.events.append({"at": datetime.now(UTC).isoformat(), "kind": kind, **details})

    # ---- status ------------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        now = time.time()
        self._rates.append((now, self.counters.messages))
        while len(self._rates) > 1 and now - self._rates[0][0] > self.RATE_WINDOW:
            self._rates.popleft()
        first_t, first_n = self._rates[0]
        rate = (self.counters.messages - first_n) / (now - first_t) if now > first_t else 0.0
        waiting = self.batch.arrived[0] if self.batch.arrived else None
        return {
            "stream": self.mapping.stream,
            "kind": self.mapping.kind,
            "title": self.mapping.title,
            "pid": os.getpid(),
            "started_at": self.started.isoformat(),
            "updated_at": datetime.now(UTC).isoformat(),
            "connected": self.connected,
            "stopped": self.stopped,
            "error": self.error,
            "counters": dict(self.counters.__dict__),
            "messages_per_second": round(rate, 1),
            "lag_seconds": round(now - waiting / 1e6, 3) if waiting else 0.0,
            "waiting": len(self.batch),
            "newest_measurement": (
                datetime.fromtimestamp(self.newest_measurement / 1e6, UTC).isoformat()
                if self.newest_measurement
                else None
            ),
            "last_commit": None
            if self.last_commit is None
            else {"number": self.last_commit.number, "at": self.last_commit.at, "rows": self.last_commit.rows},
            "dataset_id": self.dataset_id,
            "events": list(self.events),
        }

    def write_status(self) -> dict[str, Any]:
        shown = self.status()
        path = self.root / STATUS
        temporary = path.with_name(f".{STATUS}.tmp")
        temporary.write_bytes(orjson.dumps(shown, option=orjson.OPT_INDENT_2))
        os.replace(temporary, path)
        return shown


async def land(ingester: Ingester, batch: Batch) -> bool:
    """Land a batch in a worker thread. If it cannot be (a full disk, a folder gone, a fault), say so, keep the
    batch to try again, and wait a moment: nothing is acknowledged that is not on disk."""
    import asyncio

    try:
        await asyncio.to_thread(ingester.land, batch)
    except Exception as exc:  # a full disk, or a fault of ours: said, the batch kept, never acknowledged
        ingester.put_back(batch)
        ingester.error = f"cannot land in {ingester.root}: {exc}"
        ingester.event("landing-failed", reason=str(exc))
        log.exception("stream.landing_failed", stream=ingester.mapping.stream)
        await asyncio.sleep(1.0)
        return False
    if ingester.error and ingester.error.startswith("cannot land"):
        ingester.error = None
    return True


async def supervise(
    ingester: Ingester,
    stop: Any,
    session: Callable[[], Any],
    commit_due: Callable[[bool], Any],
    committer: Callable[[], Any],
    errors: tuple[type[BaseException], ...],
    ended: Callable[[], None] | None = None,
) -> None:
    """Run ``session`` until ``stop``; when it fails with one of ``errors``, say why, land what arrived, and start
    it again after a back-off (0.2 s doubling to 10 s). ``committer`` lands batches as they fall due meanwhile."""
    import asyncio
    import contextlib

    running = asyncio.create_task(committer(), name="stream-committer")
    delay = 0.2
    try:
        while not stop.is_set():
            try:
                await session()
                delay = 0.2
            except errors as exc:
                reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
                ingester.error = reason
                ingester.event("disconnected", reason=reason)
                log.warning("stream.disconnected", stream=ingester.mapping.stream, reason=reason)
            ingester.connected = False
            if ended is not None:
                ended()
            # Land all that arrived before talking to the source again: what it delivers anew is then either
            # landed (and recognised) or new.
            await commit_due(True)
            if stop.is_set():
                break
            ingester.counters.reconnects += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 10.0)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await commit_due(True)
