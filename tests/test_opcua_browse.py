"""OPC UA browsing of a server whose references make cycles: each node once, within a budget of nodes and time.

The server (asyncua, in this process on its own thread and loop, on 127.0.0.1) has a cell of eight machines
that each organise every other machine and the cell itself: walked path by path, six levels deep, that is
9^6 paths — a browse that never ends in practice.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from asyncua import ua
from asyncua.client.client import Client
from asyncua.server.server import Server
from typer.testing import CliRunner

from sangsaeng.cli.main import app
from sangsaeng.cli.main import console as cli_console
from sangsaeng.streams.opcua import browse, browse_within
from tests.streamtools import free_port

MACHINES = 8


class CyclicPlant:
    """Objects/Cell/Machine1..8, each with a Temperature; every machine Organizes every other one and the cell."""

    def __init__(self) -> None:
        self.endpoint = f"opc.tcp://127.0.0.1:{free_port()}/cyclic/"
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = Server()
        self.call(self._start())

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    async def _start(self) -> None:
        await self.server.init()
        self.server.set_endpoint(self.endpoint)
        index = await self.server.register_namespace("urn:sangsaeng:test:cyclic")
        cell = await self.server.nodes.objects.add_object(index, "Cell")
        machines = [await cell.add_object(index, f"Machine{n}") for n in range(1, MACHINES + 1)]
        for n, machine in enumerate(machines, 1):
            await machine.add_variable(ua.NodeId(f"Machine{n}.Temperature", index), "Temperature", 20.0)
            for other in [cell, *machines]:
                if other is not machine:
                    await machine.add_reference(other.nodeid, ua.ObjectIds.Organizes, True, False)
        await self.server.start()

    async def _stop(self) -> None:
        await self.server.stop()
        current = asyncio.current_task()
        rest = [t for t in asyncio.all_tasks(self.loop) if t is not current]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    def close(self) -> None:
        self.call(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def plant() -> Iterator[CyclicPlant]:
    made = CyclicPlant()
    yield made
    made.close()


async def _with_client(endpoint: str, work: Any) -> Any:
    client = Client(endpoint, timeout=5)
    await client.connect()
    try:
        return await work(client)
    finally:
        await client.disconnect()


def test_a_cyclic_server_is_browsed_once_per_node_by_the_shortest_paths(plant: CyclicPlant) -> None:
    async def run() -> Any:
        # The old walk followed every path around the cycles; 20 s is far more than visiting each node once needs.
        return await asyncio.wait_for(_with_client(plant.endpoint, browse), 20)

    found = [v for v in asyncio.run(run()) if v[0].startswith("Cell/")]  # not the server's standard Aliases
    assert sorted(path for path, _, _ in found) == [f"Cell/Machine{n}/Temperature" for n in range(1, MACHINES + 1)]
    assert len({node for _, node, _ in found}) == MACHINES


def test_a_browse_stopped_by_its_node_budget_says_so(plant: CyclicPlant) -> None:
    found = asyncio.run(_with_client(plant.endpoint, lambda c: browse_within(c, max_nodes=5)))
    assert found.cut == "nodes" and found.nodes == 5
    whole = asyncio.run(_with_client(plant.endpoint, browse_within))
    assert whole.cut is None and sum(p.startswith("Cell/") for p, _, _ in whole.variables) == MACHINES


def test_a_browse_stopped_by_its_time_budget_says_so(plant: CyclicPlant) -> None:
    found = asyncio.run(_with_client(plant.endpoint, lambda c: browse_within(c, seconds=1e-6)))
    assert found.cut == "time" and found.variables == []


def test_the_cli_lists_what_it_found_and_says_when_the_budget_cut_it_short(
    plant: CyclicPlant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Wide enough that no path wraps: the console is made once, at import, with whatever width was known then.
    monkeypatch.setattr(cli_console, "_width", 200)
    runner = CliRunner()
    whole = runner.invoke(app, ["stream", "browse", plant.endpoint], env={"COLUMNS": "200"})
    assert whole.exit_code == 0, whole.output
    assert len(re.findall(r"Cell/Machine\d/Temperature", whole.output)) == MACHINES
    assert "incomplete" not in whole.output
    cut = runner.invoke(app, ["stream", "browse", plant.endpoint, "--max-nodes", "3"], env={"COLUMNS": "200"})
    assert cut.exit_code == 0, cut.output
    assert re.search(r"incomplete: the browse stopped after 3 nodes", cut.output), cut.output
