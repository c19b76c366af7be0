"""OPC UA against an asyncua test server in this process: browse, map, subscribe, server restart, values land."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from asyncua import ua
from asyncua.server.server import Server

from sangsaeng.settings import Settings
from sangsaeng.streams.mapping import load_stream_mapping
from sangsaeng.streams.opcua import eu_unit, unece_code
from sangsaeng.streams.runner import Runner
from tests.streamtools import Running, free_port, part_rows, running, wait_until


def code(text: str) -> int:
    return int.from_bytes(text.encode(), "big")


class Plant:
    """An OPC UA server on its own thread and loop: Line2/Press1..2 with Temperature (°C) and Force (kN)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: Server | None = None
        self.nodes: dict[str, Any] = {}

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(15)

    async def _start(self) -> None:
        server = Server()
        await server.init()
        server.set_endpoint(f"opc.tcp://127.0.0.1:{self.port}/plant/")
        index = await server.register_namespace("urn:sangsaeng:test:plant")
        line = await server.nodes.objects.add_object(index, "Line2")
        for press in ("Press1", "Press2"):
            machine = await line.add_object(index, press)
            for signal, value, unit in (("Temperature", 20.0, "CEL"), ("Force", 1.0, "B47")):
                variable = await machine.add_variable(ua.NodeId(f"{press}.{signal}", index), signal, value)
                info = ua.EUInformation(
                    NamespaceUri="http://www.opcfoundation.org/UA/units/un/cefact",
                    UnitId=code(unit),
                    DisplayName=ua.LocalizedText(unit),
                )
                await variable.add_property(
                    ua.NodeId(f"{press}.{signal}.EU", index), ua.QualifiedName("EngineeringUnits", 0), info
                )
                self.nodes[f"{press}.{signal}"] = variable
        counter = await machine.add_variable(ua.NodeId("Press2.Strokes", index), "Strokes", 0)
        self.nodes["Press2.Strokes"] = counter  # no EngineeringUnits: the mapping gives it
        await server.start()
        self.server = server

    def start(self) -> None:
        self.call(self._start())

    def stop(self) -> None:
        assert self.server is not None
        self.call(self.server.stop())
        self.server = None

    def write(self, name: str, value: float) -> None:
        self.call(self.nodes[name].write_value(value))

    async def _cancel_the_rest(self) -> None:
        current = asyncio.current_task()
        rest = [t for t in asyncio.all_tasks(self.loop) if t is not current]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    def close(self) -> None:
        if self.server is not None:
            self.stop()
        self.call(self._cancel_the_rest())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def plant() -> Any:
    made = Plant(free_port())
    made.start()
    yield made
    made.close()


def rows(root: Path) -> list[dict[str, Any]]:
    return part_rows(root)


def test_units_come_from_euinformation_codes() -> None:
    assert unece_code(code("CEL")) == "CEL"
    assert eu_unit(ua.EUInformation(UnitId=code("KWH"), DisplayName=ua.LocalizedText("kWh"))) == "KWH"
    assert eu_unit(ua.EUInformation(UnitId=-1, DisplayName=ua.LocalizedText("°F"))) == "°F"
    assert eu_unit(ua.EUInformation(UnitId=-1, DisplayName=ua.LocalizedText("zorkmids"))) is None


def test_browse_map_subscribe_restart_and_values_land(tmp_path: Path, plant: Plant) -> None:
    mapping = load_stream_mapping(
        f"""
stream: line2-opcua
source:
  opcua: {{endpoint: "opc.tcp://127.0.0.1:{plant.port}/plant/", publishing_ms: 50}}
batch: {{rows: 100, seconds: 0.1}}
nodes:
  - browse: "Line2/{{equipment}}/{{signal}}"
  - node: "ns=2;s=Press2.Strokes"
    equipment: Press2
    signal: strokes
    unit: "1"
"""
    )
    runner = Runner(Settings(data_dir=tmp_path), mapping, register=False)

    def landed(equipment: str, signal: str, value: float) -> bool:
        return any(
            r["equipment"] == equipment and r["signal"] == signal and r["raw_value"] == value for r in rows(runner.root)
        )

    with running(runner) as stream:
        wait_until(lambda: landed("Press1", "Temperature", 20.0), what="the values at subscription")
        plant.write("Press1.Temperature", 25.5)
        plant.write("Press2.Force", 3.0)
        plant.write("Press2.Strokes", 7)
        wait_until(lambda: landed("Press1", "Temperature", 25.5) and landed("Press2", "strokes", 7.0))
        assert len(stream.runner.session.targets) == 5

        plant.stop()
        wait_until(lambda: not stream.ingester.connected, what="the stream to notice the server went away")
        plant.start()
        wait_until(lambda: stream.ingester.connected, 30, what="the stream to reconnect")
        plant.write("Press1.Temperature", 30.25)
        plant.write("Press2.Force", 4.5)
        wait_until(lambda: landed("Press1", "Temperature", 30.25) and landed("Press2", "Force", 4.5), 30)
        assert stream.ingester.counters.reconnects >= 1

    found = rows(runner.root)
    temperature = [r for r in found if r["equipment"] == "Press1" and r["signal"] == "Temperature"]
    assert {r["unit"] for r in temperature} == {"kelvin"}
    assert {round(r["value"] - 273.15, 3) for r in temperature} >= {25.5, 30.25}
    force = [r for r in found if r["signal"] == "Force" and r["raw_value"] == 4.5]
    assert force and force[0]["unit"] == "newton" and force[0]["value"] == pytest.approx(4500.0)
    assert all(r["source"].startswith("opcua:ns=2;s=") for r in found)
    keys = [(r["equipment"], r["signal"], r["timestamp"]) for r in found]
    assert len(keys) == len(set(keys)), "a value the server repeated on resubscribing landed twice"


def test_a_browse_path_that_matches_nothing_is_reported(tmp_path: Path, plant: Plant) -> None:
    mapping = load_stream_mapping(
        f"""
stream: wrong
source:
  opcua: {{endpoint: "opc.tcp://127.0.0.1:{plant.port}/plant/"}}
nodes:
  - browse: "Line9/{{equipment}}/{{signal}}"
"""
    )
    runner = Runner(Settings(data_dir=tmp_path), mapping, register=False)
    handle = Running(runner)
    try:
        wait_until(lambda: runner.ingester.error, what="the error")
        assert "no variable on the server matches 'Line9/{equipment}/{signal}'" in runner.ingester.error
    finally:
        handle.close()
