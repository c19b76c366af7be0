"""For stream tests and the benchmark: brokers (the machine's Mosquitto, or a throwaway one from its binary),
publishers written with paho-mqtt (another MQTT implementation than the one under test), and waiting helpers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
SYSTEM_BROKER = ("127.0.0.1", int(os.environ.get("SANGSAENG_TEST_MQTT_PORT", "1883")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_until(check: Callable[[], Any], timeout: float = 20.0, every: float = 0.05, what: str = "") -> Any:
    """Poll ``check`` until it returns something true, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
        time.sleep(every)


@contextmanager
def throwaway_broker(folder: Path, **settings: Any) -> Iterator[int]:
    """A Mosquitto of our own on a free loopback port: settings the machine's broker should not be given
    (unlimited queues for a persistent session, no persistence on disk)."""
    port = free_port()
    lines = [f"listener {port} 127.0.0.1", "allow_anonymous true", "persistence false", "max_queued_messages 0"]
    lines += [f"{k} {v}" for k, v in settings.items()]
    conf = folder / f"mosquitto-{port}.conf"
    conf.write_text("\n".join(lines) + "\n")
    process = subprocess.Popen(
        [MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        wait_until(lambda: reachable("127.0.0.1", port) or process.poll() is not None, 10, what="mosquitto")
        if process.poll() is not None:
            raise RuntimeError(f"mosquitto exited with {process.returncode}")
        yield port
    finally:
        process.terminate()
        process.wait(5)


class Publisher:
    """A paho-mqtt client (MQTT 5) that publishes and waits for the broker's acknowledgements."""

    def __init__(self, port: int, client_id: str, host: str = "127.0.0.1") -> None:
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
        self.client.max_inflight_messages_set(200)
        self.client.max_queued_messages_set(0)
        self.received: list[tuple[str, bytes]] = []
        self.client.on_message = lambda c, u, m: self.received.append((m.topic, bytes(m.payload)))
        self.client.connect(host, port)
        self.client.loop_start()

    def subscribe(self, topic: str) -> None:
        result, mid = self.client.subscribe(topic, qos=1)
        assert result == paho.MQTT_ERR_SUCCESS

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> Any:
        info = self.client.publish(topic, payload, qos=qos)
        return info

    def publish_all(self, messages: list[tuple[str, bytes]], qos: int = 1) -> None:
        infos = [self.publish(t, p, qos) for t, p in messages]
        for info in infos:
            info.wait_for_publish(10)
            assert info.is_published()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


class Running:
    """A stream ``Runner`` on an event loop of its own thread, so that a plain test can publish and wait."""

    def __init__(self, runner: Any) -> None:
        import asyncio
        import threading

        self.runner = runner
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.error: BaseException | None = None

        def run() -> None:
            try:
                self.loop.run_until_complete(runner.run(self.stop))
            except BaseException as exc:  # shown by close()
                self.error = exc

        self.thread = threading.Thread(target=run, name="stream-runner", daemon=True)
        self.thread.start()

    @property
    def ingester(self) -> Any:
        return self.runner.ingester

    def connected(self, timeout: float = 10.0) -> None:
        wait_until(lambda: self.ingester.connected or self.error, timeout, what="the stream to connect")
        if self.error:
            raise self.error

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(15)
        assert not self.thread.is_alive(), "the stream did not stop"
        self.loop.close()
        if self.error:
            raise self.error


@contextmanager
def running(runner: Any) -> Iterator[Running]:
    handle = Running(runner)
    try:
        handle.connected()
        yield handle
    finally:
        handle.close()


def stream_parts(root: Path, which: str = "parts") -> tuple[Any, list[str]]:
    """The dataset store a stream's parts are in, and the keys of its committed parts (``parts`` or ``rejected``).
    A stream folder ``DATA_DIR/datasets/streams/NAME`` lands in the store its connector's settings name (a folder
    or S3, as ``--datasets`` chose); a folder anywhere else keeps its parts itself (a bare ``Lander``)."""
    from sangsaeng.datasets.configured import open_store
    from sangsaeng.datasets.local import LocalDatasets
    from sangsaeng.settings import Settings
    from sangsaeng.streams import landing

    landed = landing.landed(root, which)
    if root.parent.name == "streams" and root.parents[1].name == "datasets":
        store = open_store(Settings(data_dir=root.parents[2]))
        return store, [f"streams/{root.name}/{p.path}" for p in landed]
    return LocalDatasets(root), [p.path for p in landed]


def part_rows(root: Path, which: str = "parts", columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Every row of a stream's committed parts (see ``stream_parts``), oldest commit first."""
    import pyarrow.parquet as pq

    store, keys = stream_parts(root, which)
    rows: list[dict[str, Any]] = []
    for key in keys:
        with store.open(key) as source:
            rows += pq.read_table(source, columns=columns).to_pylist()
    return rows
