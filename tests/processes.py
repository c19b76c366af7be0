"""Connectors as real processes on loopback, and a TCP relay the tests can cut to partition the network."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sangsaeng.launch import Node, free_port, running


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


@contextmanager
def two_processes(root: Path, relay_oem: bool = False, **settings: object) -> Iterator[tuple[Node, Node, Relay | None]]:
    """A supplier and an OEM as processes. With ``relay_oem``, others reach the OEM only through a Relay."""
    fast = {"outbox_base_delay": 0.05, "outbox_max_delay": 0.5, "outbox_max_attempts": 500, **settings}
    relay: Relay | None = None
    public: dict[str, str] = {}
    if relay_oem:
        relay = Relay(free_port(), target_port=0)  # pointed at the OEM once it runs
        relay.heal()
        public["oem"] = f"http://127.0.0.1:{relay.listen_port}"
    try:
        with running(root, ["supplier", "oem"], public_urls=public, **fast) as nodes:
            if relay is not None:
                relay.target_port = nodes["oem"].process.port
            yield nodes["supplier"], nodes["oem"], relay
    finally:
        if relay is not None:
            relay.cut()
