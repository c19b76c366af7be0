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

from sangsaeng.datasets.port import DatasetStore
from sangsaeng.streams.landing import Commit, Lander
from sangsaeng.streams.mapping import StreamMapping
from sangsaeng.streams.readings import Readings, Rejects, measurements, sorted_for_landing

log = structlog.get_logger(__name__)
STATUS = "status.json"
MAPPING = "mapping.json"
LANDING = "_landing.bin"  # the identities of the batch being decoded: found on start, the last run died on them
MAX_PAYLOAD = 4 << 20  # bytes: a larger message is refused unread (its first KEPT bytes kept with the reason)
KEPT = 4096
QUEUE = 100_000  # QoS 0 messages waiting beyond this (and beyond 4 batches) are dropped, and counted


class Decoder(Protocol):
    """Turns messages into readings. A decoder may also have ``counts()`` (shown with the stream's counters),
    ``deadline()`` (µs: when it must look at the time even if nothing arrives) and ``tick(now_us)`` (called in
    every landing, before its commit, so what it notices then is saved with the commit)."""

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
    reconnects: int = 0
    dropped: int = 0  # QoS 0 messages dropped because too many were waiting
    quarantined: int = 0  # messages rejected unread because the ingester died on them twice


class Ingester:
    """One stream's batches and commits; ``Lander`` does the writing."""

    RATE_WINDOW = 5.0

    def __init__(
        self,
        mapping: StreamMapping,
        root: Path,
        decoder: Decoder,
        *,
        remember: int = 65535,
        store: DatasetStore | None = None,
        prefix: str = "",
    ) -> None:
        """``root`` is the stream's folder; its parts go to ``store`` under ``prefix`` (default: the folder)."""
        self.mapping = mapping
        self.root = root
        self.decoder = decoder
        self.lander = Lander(root, mapping.partition, store, prefix)
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
        self.problem: dict[str, Any] | None = None  # the last thing that went wrong: kind, message, at
        self.queue_limit = max(QUEUE, 4 * mapping.batch.rows)
        self._saved: bytes = b'{"decoder": {}}'  # the state as of the last commit: what a failed batch undoes
        self._suspects: set[int] = set()  # messages the last run died among: decoded one at a time
        self._quarantined: set[int] = set()  # messages it died on, decoded alone: rejected unread

    # ---- start and stop ----------------------------------------------------------------------------
    def open(self) -> None:
        """Take the stream's folder, undo an interrupted commit, resume from the last commit's state."""
        self.lander.lock()
        saved = self.lander.recover()
        if saved:
            (size,) = struct.unpack_from("<Q", saved)
            identities = np.frombuffer(saved, np.uint64, size, 8)
            self._saved = saved[8 + 8 * size :]
            state = orjson.loads(self._saved)
            self.decoder.restore(state.get("decoder", {}))
            known = Counters.__dataclass_fields__
            # a count kept elsewhere now is dropped (Sparkplug's seq gaps: the host keeps them, reorders apart)
            self.counters = Counters(**{k: v for k, v in state.get("counters", {}).items() if k in known})
            self._landed.append(identities.copy())
            self._remembered = identities.copy()
        (self.root / MAPPING).write_bytes(orjson.dumps(self.mapping.model_dump(mode="json")))
        self._remember_crash()

    def _remember_crash(self) -> None:
        """The last run died while decoding a batch (a process is not killed between batches by bad input):
        its messages are suspects, decoded one at a time; one it died on when decoded alone is quarantined."""
        marker = self.root / LANDING
        try:
            found = marker.read_bytes()
        except FileNotFoundError:
            return
        marker.unlink()
        if len(found) < 8 or len(found) % 8:
            return
        marked = np.frombuffer(found, np.uint64)
        alone, suspects = int(marked[0]), set(marked[1:].tolist())
        if alone:
            self._quarantined.add(alone)
        self._suspects = suspects - {alone}
        what = "one message, decoded alone" if alone else f"a batch of {len(suspects)} messages"
        self.note(
            "crashed",
            f"the last run of the ingester died while decoding {what}; "
            + ("it is rejected unread when it comes again" if alone else "they are decoded one at a time"),
        )

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
        if not b.topics:  # nothing waits, but the decoder may have a moment to notice (an empty landing)
            deadline = getattr(self.decoder, "deadline", lambda: None)()
            return deadline is not None and (now or time.time()) * 1e6 >= deadline
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
        """Decode, check and commit a batch; after this returns, every message in it is durable.

        No message can stop the stream: one that breaks its decoder is rejected with the reason; a batch
        whose landing fails otherwise than on the disk (``OSError``, raised: the caller tries again) is split
        in halves until the message that fails it is alone, and rejected; a batch the process died on (a crash
        in a C library) is decoded one message at a time on the next start, and the message it dies on alone
        is rejected unread after that."""
        identities = np.array(batch.identities, np.uint64)
        identities = identities[identities != 0]
        careful = bool(self._suspects or self._quarantined) and bool(
            (self._suspects | self._quarantined).intersection(identities.tolist())
        )
        if not careful:
            self._mark(0, identities)
        try:
            if careful:
                try:
                    commit = self._land_careful(batch)
                except OSError:
                    raise
                except Exception:  # not a crash: the usual search for the message at fault
                    self.decoder.restore(orjson.loads(self._saved).get("decoder", {}))
                    commit = self._land_split(batch)
            else:
                commit = self._land_split(batch)
        except BaseException:
            self.decoder.restore(orjson.loads(self._saved).get("decoder", {}))
            raise
        finally:
            (self.root / LANDING).unlink(missing_ok=True)
        if careful:
            self._suspects.difference_update(identities.tolist())
        return commit

    def _mark(self, alone: int, identities: Any) -> None:
        """Say on disk which messages are being decoded (not fsync'd: it must outlive a crash, not the machine)."""
        if not len(identities) and not alone:
            return
        marker = np.concatenate([np.array([alone], np.uint64), np.asarray(identities, np.uint64)])
        (self.root / LANDING).write_bytes(marker.tobytes())

    def _land_split(self, batch: Batch) -> Commit:
        try:
            return self._land_once(batch)
        except OSError:
            raise
        except Exception as exc:  # a fault that some message of the batch causes: find it, land the rest
            self.decoder.restore(orjson.loads(self._saved).get("decoder", {}))
            self.note("landing-fault", f"{type(exc).__name__}: {exc}"[:500], messages=len(batch))
            log.warning("stream.landing_fault", stream=self.mapping.stream, messages=len(batch), error=str(exc))
            if len(batch) <= 1:
                return self._land_once(batch, refused=f"cannot be landed ({type(exc).__name__}: {exc})"[:500])
            half = len(batch) // 2
            first, second = _part(batch, 0, half), _part(batch, half, len(batch))
            try:
                self._land_split(first)
            except PartlyLanded as failed:
                raise PartlyLanded(_join(failed.rest, second), failed.reason) from failed
            try:
                return self._land_split(second)
            except PartlyLanded:
                raise
            except OSError as failed:  # the first half is landed: only the second waits for the disk
                raise PartlyLanded(second, str(failed)) from failed

    def _land_careful(self, batch: Batch) -> Commit:
        """A batch holding messages the last run died among: each suspect decoded alone, marked on disk first."""
        readings, rejects = Readings(batch.payloads), Rejects()
        suspects = np.array(sorted(self._suspects), np.uint64)
        for i in range(len(batch)):
            identity = batch.identities[i]
            if identity in self._quarantined:
                self.counters.quarantined += 1
                reason = "quarantined: the ingester died twice while decoding this message; it is not decoded again"
                rejects.add(batch.arrived[i], f"{self.mapping.kind}:{batch.topics[i]}", reason, readings.payload(i))
                self.note("quarantined", reason, source=batch.topics[i][:200])
                continue
            if identity in self._suspects:  # alone and marked so: if it kills the process, it is the one
                self._mark(identity, suspects)
            else:  # not suspected yet: if it kills the process, it is suspected next time
                self._mark(0, np.append(suspects, np.uint64(identity)) if identity else suspects)
            self._decode([batch.topics[i]], [batch.payloads[i]], [batch.arrived[i]], readings, rejects, i)
        self._tick()
        return self._commit(batch, readings, rejects)

    def _land_once(self, batch: Batch, refused: str | None = None) -> Commit:
        readings, rejects = Readings(batch.payloads), Rejects()
        if refused is None:
            self._decode(batch.topics, batch.payloads, batch.arrived, readings, rejects)
            self._tick()
        else:
            for i, (topic, arrived) in enumerate(zip(batch.topics, batch.arrived, strict=True)):
                rejects.add(arrived, f"{self.mapping.kind}:{topic}", refused, readings.payload(i))
        return self._commit(batch, readings, rejects)

    def _tick(self) -> None:
        tick = getattr(self.decoder, "tick", None)
        if tick is not None:
            tick(now_us())

    def _decode(
        self,
        topics: list[str],
        payloads: list[Any],
        arrived: list[int],
        readings: Readings,
        rejects: Rejects,
        at: int = 0,
    ) -> None:
        """The messages' readings and rejects (``at``: the first one's index in the batch)."""
        if payloads and type(payloads[0]) is bytes and max(map(len, payloads)) > MAX_PAYLOAD:
            big = [i for i, p in enumerate(payloads) if len(p) > MAX_PAYLOAD]
            for i in big:
                why = f"payload of {len(payloads[i]):,} bytes, more than {MAX_PAYLOAD:,}; its first {KEPT} kept"
                rejects.add(arrived[i], f"{self.mapping.kind}:{topics[i]}", why, payloads[i][:KEPT])
            small = sorted(set(range(len(payloads))) - set(big))
            for start, stop in _runs(small):
                self._decode(
                    topics[start:stop], payloads[start:stop], arrived[start:stop], readings, rejects, at + start
                )
            return
        many = getattr(self.decoder, "receive_batch", None)
        if many is not None and at == 0 and len(readings.payloads) == len(payloads):
            rows, tables, refused = len(readings.rows), len(readings.tables), len(rejects)
            try:
                many(topics, payloads, arrived, readings, rejects)
                return
            except Exception as exc:  # a fault of the batch path: one at a time says which message
                del readings.rows[rows:], readings.tables[tables:]
                rejects.truncate(refused)
                log.warning("stream.batch_decoding_fault", stream=self.mapping.stream, error=str(exc))
        receive = self.decoder.receive
        kind = self.mapping.kind
        for i, (topic, payload, when) in enumerate(zip(topics, payloads, arrived, strict=True)):
            readings.message = at + i
            rows, refused = len(readings.rows), len(rejects)
            try:
                receive(topic, payload, when, readings, rejects)
            except Exception as exc:  # a message its decoder cannot take: rejected, with what went wrong
                del readings.rows[rows:]
                rejects.truncate(refused)
                why = f"cannot be decoded ({type(exc).__name__}: {exc})"[:500]
                rejects.add(when, f"{kind}:{topic}", why, readings.payload(at + i))
                self.note("decoding-fault", why, source=topic[:200])

    def _commit(self, batch: Batch, readings: Readings, rejects: Rejects) -> Commit:
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
        self._saved = state
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

    def note(self, kind: str, message: str, **details: Any) -> None:
        """Something went wrong that the stream got past: an event, and the last problem in the status."""
        self.problem = {"kind": kind, "message": message, "at": datetime.now(UTC).isoformat()}
        self.event(kind, reason=message, **details)

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
            "problem": self.problem,
            "queue_limit": self.queue_limit,
            "counters": {**self.counters.__dict__, **getattr(self.decoder, "counts", dict)()},
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
        ingester.put_back(exc.rest if isinstance(exc, PartlyLanded) else batch)
        if isinstance(exc, OSError):
            where = ingester.lander.store.where
            ingester.error = f"cannot land in {where} (the disk or store: {type(exc).__name__}): {exc}"
        else:
            ingester.error = f"cannot land a batch ({type(exc).__name__}): {exc}"
        ingester.note("landing-failed", ingester.error)
        log.exception("stream.landing_failed", stream=ingester.mapping.stream)
        await asyncio.sleep(1.0)
        return False
    if ingester.error and ingester.error.startswith("cannot land"):
        ingester.error = None
    return True


class PartlyLanded(OSError):
    """The disk failed after part of a batch that was being split had landed: ``rest`` is what did not."""

    def __init__(self, rest: Batch, reason: str) -> None:
        super().__init__(reason)
        self.rest = rest
        self.reason = reason


def _join(first: Batch, second: Batch) -> Batch:
    joined = Batch(connection=first.connection)
    for name in Batch.LISTS:
        setattr(joined, name, getattr(first, name) + getattr(second, name))
    return joined


def _part(batch: Batch, start: int, stop: int) -> Batch:
    part = Batch(connection=batch.connection)
    for name in Batch.LISTS:
        setattr(part, name, getattr(batch, name)[start:stop])
    return part


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    """Consecutive indexes as (start, stop) ranges."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


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
