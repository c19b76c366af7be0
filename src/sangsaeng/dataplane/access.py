"""What the data plane keeps about each access, and how many it serves at once.

Every access leaves two entries in the tamper-evident log: ``data.access.begun`` as soon as it is authorized (the
use is counted in the same moment, and ``record`` returns once the entry is durable), and ``data.access`` when it
ends in any way — whole, cut off by the client, failed — with the rows and bytes that left. A provider killed
mid-stream leaves the first: no counted use is ever missing from the log.

Memory is bounded by design rather than by hope: at most ``data_streams`` accesses run at once (each holds a few
record batches: see ``read_ahead``), others wait up to ``data_stream_wait`` seconds for a slot and are then
answered ``busy`` with ``Retry-After``, before any use is counted. When the last access ends, what Arrow's pool
(jemalloc) and the C library's allocator hold but no longer use goes back to the system.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import math
from dataclasses import dataclass, field
from typing import Any

import anyio
import pyarrow as pa

from sangsaeng.connector import Connector
from sangsaeng.dataplane.serve import Grant, describe
from sangsaeng.errors import Busy

IDLE_BEFORE_RELEASE = 0.5  # seconds without an access before freed memory is handed back


@dataclass
class Access:
    """One read or aggregate: logged when it begins and when it ends."""

    connector: Connector
    grant: Grant
    process: str
    operation: str
    details: dict[str, Any] = field(default_factory=dict)
    ended: bool = False

    def _common(self) -> dict[str, Any]:
        g = self.grant
        return {
            "counterparty": g.consumer,
            "agreement": g.agreement_id,
            "process": self.process,
            "operation": self.operation,
            "use": g.use,
            "restrictions": describe(g.restrictions),
            **self.details,
        }

    async def begin(self) -> None:
        await self.connector.audit.record("data.access.begun", **self._common())

    async def end(self, *, complete: bool, sent: int | None, cause: str | None = None, **outcome: Any) -> None:
        """Log how the access ended (once); shielded, so that a cancelled request still leaves its entry."""
        if self.ended:
            return
        self.ended = True
        with anyio.CancelScope(shield=True):
            await self.connector.audit.record(
                "data.access",
                **self._common(),
                rows=self.grant.rows_served,
                bytes=sent,
                complete=complete,
                cause=cause,
                **outcome,
            )


class Slots:
    """At most ``size`` accesses at once; a request waits ``wait`` seconds for a slot, then gets ``Busy``."""

    def __init__(self, size: int, wait: float) -> None:
        self.size = size
        self.wait = wait
        self.active = 0
        self.waiting = 0
        self._free = anyio.Semaphore(size)
        self._release: asyncio.TimerHandle | None = None
        bound_memory()

    async def take(self) -> None:
        try:
            self._free.acquire_nowait()
        except anyio.WouldBlock:
            self.waiting += 1
            try:
                with anyio.move_on_after(self.wait) as waited:
                    await self._free.acquire()
            finally:
                self.waiting -= 1
            if waited.cancelled_caught:
                raise Busy(
                    f"the data plane is serving {self.size} accesses at once, its limit ({self.waiting} more waiting)",
                    hint="try again after the seconds in Retry-After; no use of the agreement was counted",
                    details={"retryAfter": max(1, math.ceil(self.wait / 2))},
                ) from None
        self.active += 1
        if self._release is not None:
            self._release.cancel()
            self._release = None

    def give_back(self) -> None:
        self.active -= 1
        self._free.release()
        if self.active == 0 and self._release is None:
            loop = asyncio.get_running_loop()
            self._release = loop.call_later(IDLE_BEFORE_RELEASE, self._release_when_idle)

    def _release_when_idle(self) -> None:
        self._release = None
        if self.active == 0:
            # In a thread: trimming a large heap takes milliseconds the event loop should not wait for.
            asyncio.get_running_loop().run_in_executor(None, release_memory)


def _glibc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    # Only glibc has both (musl and macOS do not): elsewhere there is nothing to tune.
    return libc if libc is not None and hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


_libc = _glibc()
M_ARENA_MAX = -8  # glibc's mallopt parameter
ARENAS = 2


def bound_memory() -> None:
    """Let memory freed after a load go back to the system (measured with ``bench/concurrent.py``).

    glibc gives each thread that allocates an arena of its own, up to eight per core, and what one arena freed
    stays with it; two arenas serve a two-core machine as fast and keep little. The limit counts for arenas made
    after it, and glibc fixes it once the ninth would be made: this runs at the data plane's first access, long
    before. (Arrow's own pool is jemalloc: ``sangsaeng/__init__.py`` says why.)
    """
    if _libc is not None:
        _libc.mallopt(M_ARENA_MAX, ARENAS)


def release_memory() -> None:
    """Hand back what the allocators keep after a load: Arrow's pool, then free pages in glibc's arenas."""
    pa.default_memory_pool().release_unused()
    if _libc is not None:
        _libc.malloc_trim(0)
