"""An idle outbox looks at its store ever less often, and still looks at once when there is something to send.

A process hosting hundreds of connectors runs one outbox worker per connector on one event loop; a worker that
polled its empty outbox every second cost the loop hundreds of queries a second (the hosting benchmark's
negotiations between two of 500 hosted connectors ran at a third of two separate connectors' rate)."""

from __future__ import annotations

import asyncio
import math
import time
from pathlib import Path

import pytest

from sangsaeng.dsp.outbox import Outbox
from tests.helpers import dataspace

pytestmark = pytest.mark.anyio


async def _rounds_until(outbox: Outbox, more_than: int, deadline: float) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if outbox.rounds > more_than:
            return True
        await asyncio.sleep(0.01)
    return False


async def test_an_idle_outbox_backs_off_to_its_longest_wait(tmp_path: Path) -> None:
    async with dataspace(tmp_path, ["oem"]) as space:
        connector = space.parties["oem"].connector
        poll, longest = 0.01, 0.16
        outbox = Outbox(connector, {}, poll_seconds=poll, idle_longest=longest)
        started = time.monotonic()
        task = asyncio.create_task(outbox.run())
        try:
            await asyncio.sleep(1.5)
        finally:
            await outbox.stop()
            await asyncio.gather(task, return_exceptions=True)
        elapsed = time.monotonic() - started
        # Doubling from `poll` to `longest`, then one look per `longest`: a load on the machine only lowers it.
        growing = math.ceil(math.log2(longest / poll)) + 1
        bound = growing + math.ceil(elapsed / longest) + 2
        assert 2 <= outbox.rounds <= bound, (outbox.rounds, bound)  # polling every `poll` would be ~150


async def test_an_idle_outbox_looks_at_once_when_told_or_when_a_retry_falls_due(tmp_path: Path) -> None:
    async with dataspace(tmp_path, ["oem"]) as space:
        connector = space.parties["oem"].connector
        outbox = Outbox(connector, {}, poll_seconds=0.01, idle_longest=60.0)
        task = asyncio.create_task(outbox.run())
        try:
            # Idle for 3 s, its looks fall at 0.02, 0.06, … 1.26, 2.54 and next at 5.10 s: none in [3, 3.5].
            await asyncio.sleep(3.0)
            seen = outbox.rounds
            connector.notify_outbox()  # a message written by this process
            assert await _rounds_until(outbox, seen, deadline=0.5)
            await asyncio.sleep(3.0)  # idle again: the wait started over from poll_seconds and grew
            seen = outbox.rounds
            outbox._wake_in(0.05)  # a retry scheduled to fall due in 50 ms
            assert await _rounds_until(outbox, seen, deadline=0.5)
        finally:
            await outbox.stop()
            await asyncio.gather(task, return_exceptions=True)
