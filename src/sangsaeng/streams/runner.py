"""Run one stream: the protocol session, the landing, the status file, and the dataset it is offered as.

``sangsaeng stream mqtt|opcua`` runs this in its own process beside the connector (one per stream). It writes
its counters to ``status.json`` in the stream's folder every second — the management API reads them from
there — and asks the connector's management API to register the stream as a dataset, so it can be offered like
any other; if the connector is not running yet it keeps landing and asks again later.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import structlog

from sangsaeng.datasets.configured import open_store
from sangsaeng.datasets.port import join
from sangsaeng.settings import Settings
from sangsaeng.streams.ingester import Decoder, Ingester
from sangsaeng.streams.jsonrules import JsonRules
from sangsaeng.streams.mapping import StreamMapping
from sangsaeng.streams.sparkplug import NAMESPACE, Host, rebirth_request

log = structlog.get_logger(__name__)
STREAMS = "streams"


def stream_root(streams_dir: Path, name: str) -> Path:
    """The stream's folder on this machine: its lock, state, manifest and status."""
    return streams_dir / name


def decoder_for(mapping: StreamMapping) -> Decoder:
    if mapping.kind == "mqtt":
        return JsonRules(mapping.rules)
    if mapping.kind == "sparkplug":
        assert mapping.sparkplug is not None
        return Host(mapping.sparkplug)
    from sangsaeng.streams.opcua import OpcuaDecoder

    return OpcuaDecoder()


class Runner:
    def __init__(
        self,
        settings: Settings,
        mapping: StreamMapping,
        *,
        register: bool = True,
        on_status: Callable[[dict[str, Any]], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.mapping = mapping
        self.root = stream_root(settings.streams_dir, mapping.stream)
        self.decoder = decoder_for(mapping)
        store = open_store(settings)  # its parts are dataset files, where the connector keeps its datasets
        self.ingester = Ingester(mapping, self.root, self.decoder, store=store, prefix=join(STREAMS, mapping.stream))
        self.register = register
        self.on_status = on_status
        self.transport = transport
        self.session: Any = None
        self._asked: dict[tuple[str, str], float] = {}

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.to_thread(self.ingester.open)
        tasks = [asyncio.create_task(self._status(stop), name="stream-status")]
        if self.register:
            tasks.append(asyncio.create_task(self._register(stop), name="stream-register"))
        try:
            if self.mapping.kind == "opcua":
                from sangsaeng.streams.opcua import OpcuaDecoder, OpcuaStream

                assert isinstance(self.decoder, OpcuaDecoder)
                self.session = OpcuaStream(self.mapping, self.ingester, self.decoder)
            else:
                from sangsaeng.streams.mqtt import MqttSession

                if self.mapping.source.sparkplug is not None:
                    source = self.mapping.source.sparkplug
                    topics = [f"{NAMESPACE}/{source.group}/#"]
                else:
                    assert self.mapping.source.mqtt is not None and self.mapping.source.mqtt.topics
                    source, topics = self.mapping.source.mqtt, self.mapping.source.mqtt.topics  # type: ignore[assignment]
                self.session = MqttSession(
                    source, self.mapping.client_id, topics, source.qos, self.ingester, on_committed=self._committed
                )
            await self.session.run(stop)
        except Exception as exc:  # said in the status it leaves: why the stream stopped
            self.ingester.error = f"the stream stopped: {type(exc).__name__}: {exc}"[:500]
            self.ingester.note("stopped", self.ingester.error)
            raise
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self.ingester.connected = False
            self.ingester.stopped = True
            self._show(self.ingester.write_status())
            self.ingester.close()

    # ---- after each commit (Sparkplug): ask for rebirths, say what was lost or ignored -------------------
    def _committed(self) -> None:
        host = self.decoder
        if not isinstance(host, Host):
            return
        now = time.time()
        for group, node in host.rebirths:
            if now - self._asked.get((group, node), 0.0) < 5.0:
                continue
            topic, body = rebirth_request(group, node, int(now * 1000))
            if self.session.send(topic, body):
                self._asked[(group, node)] = now
                self.ingester.counters.rebirths += 1
                self.ingester.event("rebirth-requested", group=group, node=node)
                log.info("stream.rebirth_requested", group=group, node=node)
        host.rebirths.clear()
        for gap in host.gaps:  # counted by the host (saved with its state); said here, once committed
            self.ingester.event("seq-gap", group=gap.group, node=gap.node, expected=gap.first, lost=gap.lost)
            log.warning("stream.seq_gap", group=gap.group, node=gap.node, expected=gap.first, lost=gap.lost)
        host.gaps.clear()
        for death in host.stale:
            self.ingester.event("stale-death", group=death.group, node=death.node, bdSeq=death.bd_seq)
            log.info("stream.stale_death", group=death.group, node=death.node, bd_seq=death.bd_seq)
        host.stale.clear()

    # ---- status and registration ---------------------------------------------------------------------
    def _show(self, status: dict[str, Any]) -> None:
        if self.on_status is not None:
            self.on_status(status)

    async def _status(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._show(self.ingester.write_status())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)

    async def _register(self, stop: asyncio.Event) -> None:
        """Make the stream a dataset of the connector (once it answers)."""
        key = self.settings.api_key.get_secret_value()
        url = f"{self.settings.public_url.rstrip('/')}/api/streams/{self.mapping.stream}"
        body = {"title": self.mapping.title, "description": self.mapping.description}
        delay = 1.0
        async with httpx.AsyncClient(transport=self.transport, timeout=10) as client:
            while not stop.is_set():
                try:
                    answer = await client.put(url, json=body, headers={"X-API-Key": key})
                    if answer.status_code < 300:
                        self.ingester.dataset_id = answer.json()["datasetId"]
                        self.ingester.event("registered", dataset=self.ingester.dataset_id)
                        return
                    reason = f"the connector refused to register the stream (HTTP {answer.status_code}): "
                    reason += answer.text[:200]
                except httpx.HTTPError as exc:
                    reason = f"the connector at {self.settings.public_url} is not reachable ({type(exc).__name__})"
                self.ingester.event("not-registered", reason=reason)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, 30.0)
