"""Every data access is in the log, whole or cut off, and the data plane serves a bounded number at once.

The clients here speak ASGI to the provider's app directly, as a server does: ``httpx.ASGITransport`` collects a
whole answer before handing it over, so it cannot leave in the middle of one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import pyarrow as pa
import pytest
from fastapi import FastAPI

from sangsaeng.dataplane import serve as dataplane
from sangsaeng.dataplane.access import Slots
from sangsaeng.dataplane.serve import read_ahead
from tests.helpers import Dataspace, dataspace, negotiate, offer_policy, publish, start_transfer

pytestmark = pytest.mark.anyio
ROWS = 20_000


def big_csv() -> str:
    return "lot_no,part_no,measured,result\n" + "".join(f"L{i},BRK-{i % 7},{i / 7:.3f},PASS\n" for i in range(ROWS))


@pytest.fixture
async def space(tmp_path: Path) -> AsyncIterator[Dataspace]:
    settings = {"batch_rows": 1024, "data_streams": 1, "data_stream_wait": 0}
    async with dataspace(tmp_path, ["supplier", "oem"], extra={"supplier": settings}) as made:
        yield made


async def agreed_transfer(space: Dataspace, **constraints: Any) -> tuple[str, str, str, str]:
    """An agreement and a started transfer: (agreement, the provider's data path, the token, the transfer)."""
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    dataset_id, offer_id = await publish(supplier, big_csv(), offer_policy(oem.id, **constraints))
    negotiation = await negotiate(oem, supplier, dataset_id, offer_id)
    transfer = await start_transfer(oem, negotiation["agreementId"])
    async with oem.connector.store.begin() as tx:
        held = await tx.transfers.get(transfer["id"])
    assert held is not None and held.data_endpoint and held.data_token
    return negotiation["agreementId"], urlsplit(held.data_endpoint).path, held.data_token, transfer["id"]


class Reader:
    """An HTTP client as an ASGI server presents it: it reads ``leave_after`` bytes, then goes away."""

    def __init__(self, leave_after: int | None = None, *, spec: str = "2.3", breaks: bool = False) -> None:
        self.leave_after = leave_after
        self.spec = spec
        self.breaks = breaks  # the connection breaks (send raises) instead of an http.disconnect
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = bytearray()
        self.gone = anyio.Event()
        self.started = anyio.Event()
        self._asked = False

    async def receive(self) -> dict[str, Any]:
        if not self._asked:
            self._asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = {k.decode(): v.decode() for k, v in message["headers"]}
            self.started.set()
            return
        if self.gone.is_set():
            if self.breaks:
                raise OSError("connection reset by peer")
            return  # a server drops what is sent after the client left
        self.body += message.get("body", b"")
        if self.leave_after is not None and len(self.body) >= self.leave_after:
            self.gone.set()

    async def get(self, app: FastAPI, path: str, token: str) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": self.spec},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {token}".encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        try:
            await app(scope, self.receive, self.send)  # type: ignore[arg-type]
        except OSError:
            if not self.breaks:
                raise  # not the broken connection this reader made: the server's own failure
            # else: what the server sees of a broken connection


async def accesses(space: Dataspace, agreement_id: str) -> list[dict[str, Any]]:
    supplier = space.parties["supplier"]
    await supplier.connector.audit.record("test.mark")  # everything queued before it is written
    found = await supplier.api.get("/api/audit/entries", params={"agreement": agreement_id, "limit": 1000})
    return [e for e in found.json() if e["kind"].startswith("data.access")]


async def uses(space: Dataspace, agreement_id: str) -> int:
    return int((await space.parties["supplier"].api.get(f"/api/agreements/{agreement_id}")).json()["uses"])


async def test_a_whole_pull_is_logged_when_it_begins_and_when_it_ends(space: Dataspace) -> None:
    agreement_id, path, token, _ = await agreed_transfer(space)
    reader = Reader()
    await reader.get(space.parties["supplier"].app, path, token)
    assert reader.status == 200
    assert pa.ipc.open_stream(bytes(reader.body)).read_all().num_rows == ROWS
    begun, ended = await accesses(space, agreement_id)
    assert begun["kind"] == "data.access.begun" and begun["use"] == 1 and begun["operation"] == "read"
    assert ended["kind"] == "data.access" and ended["complete"] is True and "cause" not in ended
    assert ended["rows"] == ROWS and ended["bytes"] == len(reader.body) and ended["use"] == 1


@pytest.mark.parametrize(("spec", "breaks"), [("2.3", False), ("2.4", True)], ids=["disconnect", "broken-pipe"])
async def test_a_pull_the_client_leaves_is_logged_as_cut_off_with_what_was_sent(
    space: Dataspace, spec: str, breaks: bool
) -> None:
    agreement_id, path, token, _ = await agreed_transfer(space)
    reader = Reader(leave_after=1, spec=spec, breaks=breaks)
    with anyio.fail_after(10):
        await reader.get(space.parties["supplier"].app, path, token)
    entries = await accesses(space, agreement_id)
    assert [e["kind"] for e in entries] == ["data.access.begun", "data.access"]
    ended = entries[1]
    assert ended["complete"] is False and ended["cause"] == "the client went away before the end"
    assert len(reader.body) <= ended["bytes"] and 0 < ended["rows"] < ROWS  # a few batches at most left
    assert await uses(space, agreement_id) == 1  # counted, and logged as such
    # The slot came back: the next pull is served (the connector serves one at a time here).
    again = Reader()
    await again.get(space.parties["supplier"].app, path, token)
    assert again.status == 200


async def test_beyond_the_cap_a_pull_is_answered_busy_with_retry_after_and_counts_no_use(space: Dataspace) -> None:
    agreement_id, path, token, _ = await agreed_transfer(space)
    app = space.parties["supplier"].app
    # Reads the first chunk, then stalls without leaving. (It must not be given ``leave_after``: a reader that
    # has read enough goes away, its slot comes back, and the second pull may then be served.)
    holder = Reader()
    stall = anyio.Event()

    async def stalled_send(message: dict[str, Any]) -> None:
        await Reader.send(holder, message)
        if message["type"] == "http.response.body":
            await stall.wait()

    holder.send = stalled_send  # type: ignore[method-assign]
    async with anyio.create_task_group() as group:
        group.start_soon(holder.get, app, path, token)
        with anyio.fail_after(10):
            await holder.started.wait()
        second = Reader()
        await second.get(app, path, token)
        assert second.status == 503
        assert second.headers["retry-after"] == "1"
        error = json.loads(bytes(second.body))["error"]
        assert error["code"] == "busy" and "Retry-After" in error["hint"]
        assert await uses(space, agreement_id) == 1  # the refused one cost nothing
        stall.set()
        holder.gone.set()
    assert [e["kind"] for e in await accesses(space, agreement_id)] == ["data.access.begun", "data.access"]


@pytest.mark.xdist_group("s3")
async def test_an_aggregate_is_logged_when_it_begins_and_when_it_ends(each_store: str, space: Dataspace) -> None:
    agreement_id, path, _, transfer_id = await agreed_transfer(space, aggregateOnly=True)
    answer = await space.parties["oem"].api.post(
        f"/api/transfers/{transfer_id}/aggregate", json={"groupBy": ["part_no"], "measures": [{"op": "count"}]}
    )
    assert answer.status_code == 200, answer.text
    begun, ended = await accesses(space, agreement_id)
    assert begun["kind"] == "data.access.begun" and begun["operation"] == "aggregate" and begun["use"] == 1
    assert ended["complete"] is True and ended["groups"] == 7 and ended["process"] == path.rsplit("/", 1)[-1]


def test_read_ahead_holds_at_most_depth_chunks_ahead_of_a_stalled_reader() -> None:
    produced: list[int] = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    reader = read_ahead(endless(), depth=2)
    assert next(reader) == 0
    end = time.monotonic() + 0.5
    while time.monotonic() < end and len(produced) < 10:
        time.sleep(0.01)
    # One handed over, two queued, one made and waiting to be queued: memory is bounded by depth, not the data.
    assert len(produced) <= 1 + 2 + 1
    reader.close()


async def test_a_pull_beyond_the_cap_waits_for_a_slot_and_is_served() -> None:
    slots = Slots(1, wait=5.0)
    await slots.take()
    served = anyio.Event()

    async def second() -> None:
        await slots.take()
        served.set()

    async with anyio.create_task_group() as group:
        group.start_soon(second)
        await anyio.sleep(0.05)
        assert not served.is_set() and slots.waiting == 1  # queued, not refused
        slots.give_back()
        with anyio.fail_after(5):
            await served.wait()
    assert slots.active == 1
    slots.give_back()


def test_a_connector_process_allocates_arrow_memory_from_jemalloc() -> None:
    # mimalloc, Arrow's default, kept 40-70 MB after a load of concurrent pulls; the C library's malloc gave memory
    # back but pulled ~20 % slower (bench/concurrent.py, bench/pull.py).
    code = "import sangsaeng, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert found.stdout.strip() == "jemalloc"


async def test_a_pull_whose_stream_fails_is_logged_as_cut_off_with_the_cause(
    space: Dataspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreement_id, path, token, _ = await agreed_transfer(space)
    read = dataplane._read

    def failing_after_two_batches(*args: Any) -> Iterator[pa.RecordBatch]:
        for index, batch in enumerate(read(*args)):
            if index == 2:  # the disk fails under the stream (corrupting the file raced the read-ahead)
                raise OSError("Couldn't deserialize thrift: page header")
            yield batch

    monkeypatch.setattr(dataplane, "_read", failing_after_two_batches)
    with pytest.raises(OSError, match="deserialize"):  # what the reader raised reaches the server
        await Reader().get(space.parties["supplier"].app, path, token)
    ended = (await accesses(space, agreement_id))[-1]
    assert ended["kind"] == "data.access" and ended["complete"] is False
    assert ended["cause"].startswith("the stream failed: ") and 0 < ended["bytes"] and ended["rows"] < ROWS
