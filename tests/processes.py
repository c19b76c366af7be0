"""Connectors as real processes on loopback, and a TCP relay the tests can cut to partition the network."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sangsaeng.client import Client
from sangsaeng.launch import ConnectorProcess, free_port
from sangsaeng.setup import Initialized, init_connector


class Relay:
    """Forwards 127.0.0.1:listen_port to 127.0.0.1:target_port until cut; healing reopens it."""

    def __init__(self, listen_port: int, target_port: int) -> None:
        self.listen_port = listen_port
        self.target_port = target_port
        self._server: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()

    def heal(self) -> None:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.listen_port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            if self._server is not None:
                try:  # wakes the thread blocked in accept(); close() alone leaves it listening on Linux
                    self._server.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self._server.close()
                self._server = None
            for conn in self._connections:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            self._connections.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@dataclass
class Node:
    init: Initialized
    process: ConnectorProcess
    client: Client

    @property
    def id(self) -> str:
        return self.init.participant.id

    def restart(self) -> None:
        self.process.stop()
        self.process.start()


@contextmanager
def two_processes(root: Path, relay_oem: bool = False, **settings: object) -> Iterator[tuple[Node, Node, Relay | None]]:
    """A supplier and an OEM as processes. With ``relay_oem``, others reach the OEM only through a Relay."""
    directory = root / "directory.json"
    fast = {"outbox_base_delay": 0.05, "outbox_max_delay": 0.5, "outbox_max_attempts": 500, **settings}
    supplier_port, oem_port = free_port(), free_port()
    relay: Relay | None = None
    oem_public = ""
    if relay_oem:
        relay = Relay(free_port(), oem_port)
        relay.heal()
        oem_public = f"http://127.0.0.1:{relay.listen_port}"
    nodes = []
    for name, port, public in (("supplier", supplier_port, ""), ("oem", oem_port, oem_public)):
        made = init_connector(
            root / name,
            f"urn:sangsaeng:participant:{name}",
            name.title(),
            port=port,
            public_url=public,
            directory=directory,
            extra=fast,
        )
        nodes.append((made, port))
    started: list[Node] = []
    try:
        for made, port in nodes:
            process = ConnectorProcess(made.settings.data_dir, port).start()
            started.append(Node(made, process, Client(f"http://127.0.0.1:{port}", made.api_key)))
        yield started[0], started[1], relay
    finally:
        for node in started:
            node.client.close()
            node.process.stop()
        if relay is not None:
            relay.cut()
