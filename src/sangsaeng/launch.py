"""Run connectors as real processes on loopback (the demo, end-to-end tests and benchmarks use this)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from sangsaeng.client import Client
from sangsaeng.setup import Initialized, init_connector


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ConnectorProcess:
    """``sangsaeng serve`` for one connector (``HostProcess``: ``sangsaeng host`` for several)."""

    def __init__(self, data_dir: Path, port: int, log_path: Path | None = None) -> None:
        self.data_dir = data_dir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path or data_dir / "connector.log"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return ["serve", "--data-dir", str(self.data_dir), "--port", str(self.port)]

    def environment(self) -> dict[str, str]:
        return {**os.environ, "SANGSAENG_DATA_DIR": str(self.data_dir)}

    def start(self, timeout: float = 30.0) -> ConnectorProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sangsaeng", *self.command()],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.environment(),
            start_new_session=True,
        )
        log.close()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"connector exited with {self.process.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/.well-known/dspace-version", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"connector on port {self.port} did not answer within {timeout}s; see {self.log_path}")

    def kill(self) -> None:
        """kill -9: no shutdown handlers, no flushing: what a crash looks like."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def pid(self) -> int | None:
        return self.process.pid if self.process else None


class HubProcess(ConnectorProcess):
    """``sangsaeng hub serve`` for a hub made by ``sangsaeng hub init``."""

    def command(self) -> list[str]:
        return ["hub", "serve", "--data-dir", str(self.data_dir)]


class HostProcess(ConnectorProcess):
    """``sangsaeng host``: every connector initialised in ``root/<name>/``, served at ``/c/<name>`` by one process.
    ``url`` is the first context's (ready when it answers)."""

    def __init__(self, root: Path, port: int, first: str, log_path: Path | None = None) -> None:
        super().__init__(root, port, log_path or root / "host.log")
        self.url = f"http://127.0.0.1:{port}/c/{first}"

    def command(self) -> list[str]:
        return ["host", "--root", str(self.data_dir), "--port", str(self.port)]

    def environment(self) -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if k != "SANGSAENG_DATA_DIR"}


@dataclass
class Node:
    """One connector process with its identity and a management client."""

    init: Initialized
    process: ConnectorProcess  # hosted nodes share one
    client: Client

    @property
    def id(self) -> str:
        return self.init.participant.id


@contextmanager
def running(
    root: Path,
    names: list[str],
    public_urls: dict[str, str] | None = None,
    **settings: object,
) -> Iterator[dict[str, Node]]:
    """Connectors ``urn:sangsaeng:participant:<name>`` as processes sharing ``root/directory.json``.

    ``public_urls`` lets another address stand for a connector (a relay in front of it, say)."""
    directory = root / "directory.json"
    made: dict[str, tuple[Initialized, int]] = {}
    for name in names:
        port = free_port()
        public = (public_urls or {}).get(name, "")
        init = init_connector(
            root / name,
            f"urn:sangsaeng:participant:{name}",
            name.title(),
            port=port,
            public_url=public,
            directory=directory,
            extra=dict(settings),
        )
        made[name] = (init, port)
    nodes: dict[str, Node] = {}
    try:
        for name, (init, port) in made.items():
            process = ConnectorProcess(init.settings.data_dir, port).start()
            nodes[name] = Node(init, process, Client(f"http://127.0.0.1:{port}", init.api_key))
        yield nodes
    finally:
        for node in nodes.values():
            node.client.close()
            node.process.stop()


@contextmanager
def hosted(root: Path, names: list[str], **settings: object) -> Iterator[dict[str, Node]]:
    """Connectors ``urn:sangsaeng:participant:<name>`` as participant contexts of ONE process (``sangsaeng
    host``), each at ``/c/<name>``, sharing ``root/directory.json``."""
    port = free_port()
    directory = root / "directory.json"
    inits = {
        name: init_connector(
            root / name,
            f"urn:sangsaeng:participant:{name}",
            name.title(),
            port=port,
            public_url=f"http://127.0.0.1:{port}/c/{name}",
            directory=directory,
            extra=dict(settings),
        )
        for name in names
    }
    process = HostProcess(root, port, sorted(names)[0])
    nodes: dict[str, Node] = {}
    try:
        process.start()
        for name, init in inits.items():
            nodes[name] = Node(init, process, Client(init.settings.public_url, init.api_key))
        yield nodes
    finally:
        for node in nodes.values():
            node.client.close()
        process.stop()
