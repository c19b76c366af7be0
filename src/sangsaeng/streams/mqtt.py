"""MQTT 5 to the landing: a persistent session whose QoS 1 messages are acknowledged only once landed.

Packets are read and written by ``mqtt5`` (a sans-I/O codec in Rust); this module is the session around it on
asyncio: connect with ``clean_start = false`` and a session expiry (the broker keeps our messages while we are
away), subscribe, keep alive, reconnect with back-off. A QoS 1 message is acknowledged after the micro-batch
holding it is committed, so a crash before that makes the broker deliver it again. A redelivery (DUP set) of a
message already landed — its acknowledgement was lost with the crash — is recognised by its packet id and a CRC
of its content, and acknowledged without landing it twice. Why that is enough: the broker has at most
``Receive Maximum`` messages unacknowledged, so a redelivered message is one of the last that many landed, which
are kept (and saved with every commit).

paho-mqtt (and aiomqtt on it) parse packets in Python at ~26,000 messages/s here and acknowledge each message as
its callback returns; the codec reads ~280,000/s, and acknowledging after the commit is this module's job.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import zlib
from collections.abc import Callable
from typing import Any

import mqtt5
import structlog

from sangsaeng.streams.ingester import Ingester, land, supervise
from sangsaeng.streams.mapping import Broker

log = structlog.get_logger(__name__)
RECEIVE_MAXIMUM = 65535


class SessionError(Exception):
    """The broker refused or dropped the session; the message says why."""


class _Connection(asyncio.Protocol):
    def __init__(self, session: MqttSession) -> None:
        self.session = session
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.closed: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()
        self.connack: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.suback: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.last_heard = time.monotonic()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(exc)
        for waiting in (self.connack, self.suback):
            if not waiting.done():
                waiting.set_exception(SessionError(f"the broker closed the connection ({exc or 'no reason'})"))

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        self.last_heard = time.monotonic()
        buffer = self.buffer
        buffer += data
        view = memoryview(buffer)
        used = 0
        session = self.session
        arrived = time.time_ns() // 1000  # one moment for all that came in this read
        try:
            while True:
                try:
                    packet, size = mqtt5.read(view[used:])
                except IndexError:  # the rest of the packet is still on its way
                    break
                used += size
                if type(packet) is mqtt5.PublishPacket:
                    session.publish_received(packet, arrived)
                else:
                    self._control(packet)
        except ValueError as exc:
            view.release()
            self._fail(SessionError(f"the broker sent a malformed packet: {exc}"))
            return
        view.release()
        del buffer[:used]

    def _control(self, packet: Any) -> None:
        if isinstance(packet, mqtt5.ConnAckPacket):
            if not self.connack.done():
                self.connack.set_result(packet)
        elif isinstance(packet, mqtt5.SubAckPacket):
            if not self.suback.done():
                self.suback.set_result(packet)
        elif isinstance(packet, mqtt5.DisconnectPacket):
            reason = getattr(packet, "reason_str", None) or packet.reason_code.name
            self._fail(SessionError(f"the broker ended the session: {reason}"))
        # PINGRESP, PUBACK (of our rebirth requests at QoS 0: none), UNSUBACK: nothing to do

    def _fail(self, exc: BaseException) -> None:
        if not self.closed.done():
            self.closed.set_result(exc)
        if self.transport is not None:
            self.transport.close()


class MqttSession:
    """Runs one stream's MQTT session until ``stop`` is set; lands what arrives through ``ingester``."""

    def __init__(
        self,
        broker: Broker,
        client_id: str,
        topics: list[str],
        qos: int,
        ingester: Ingester,
        *,
        on_committed: Callable[[], None] | None = None,
    ) -> None:
        self.broker = broker
        self.client_id = client_id
        self.topics = topics
        self.qos = qos
        self.ingester = ingester
        self.on_committed = on_committed
        self.connection: _Connection | None = None
        self.generation = 0
        self._wake = asyncio.Event()
        self._committing: asyncio.Lock = asyncio.Lock()
        self._outgoing_id = 0
        self._topic_crc: dict[str, int] = {}

    # ---- receiving -------------------------------------------------------------------------------
    def publish_received(self, packet: Any, arrived: int) -> None:
        """One PUBLISH: into the waiting batch (this runs for every message: it does as little as it can)."""
        ingester = self.ingester
        topic, payload = packet.topic, packet.payload
        if packet.qos == 0:
            if len(ingester.batch.topics) >= ingester.queue_limit:  # landing is behind: drop the newest, counted
                if ingester.counters.dropped % 100_000 == 0:
                    limit = ingester.queue_limit
                    ingester.note("dropping", f"QoS 0 messages dropped: {limit:,} are waiting to land already")
                ingester.counters.dropped += 1
                return
            ingester.add(topic, payload, arrived)
        else:
            pid = packet.packet_id
            crc = self._topic_crc.get(topic)
            if crc is None:
                crc = zlib.crc32(topic.encode())
                if len(self._topic_crc) < 100_000:
                    self._topic_crc[topic] = crc
            # its identity while it may be delivered again: packet id and a CRC of topic and payload
            key = (pid << 32) | zlib.crc32(payload, crc)
            if packet.duplicate and ingester.is_landed(key):
                ingester.counters.duplicates += 1
                assert self.connection is not None
                self.connection.write(mqtt5.PubAckPacket(pid).write())
                return
            batch = ingester.batch  # Ingester.add, written out: this is the hottest line of a stream
            batch.topics.append(topic)
            batch.payloads.append(payload)
            batch.arrived.append(arrived)
            batch.identities.append(key)
            batch.acks.append(pid)
            ingester.counters.messages += 1
        if len(ingester.batch.topics) >= ingester.mapping.batch.rows:
            self._wake.set()

    # ---- committing ------------------------------------------------------------------------------
    async def commit_due(self, force: bool = False) -> None:
        """Land the waiting batch if it is due (or ``force``), then acknowledge its messages."""
        async with self._committing:
            if not (self.ingester.due() or (force and len(self.ingester.batch))):
                return
            batch = self.ingester.take()
            if not await land(self.ingester, batch):
                return
            if self.connection is not None and batch.connection == self.generation:
                acks = [mqtt5.PubAckPacket(pid).write() for pid in batch.acks if pid]
                if acks:
                    self.connection.write(b"".join(acks))
            if self.on_committed is not None:
                self.on_committed()

    async def _committer(self) -> None:
        period = min(self.ingester.mapping.batch.seconds / 4, 0.025)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), period)
            self._wake.clear()
            await self.commit_due()

    # ---- sending ---------------------------------------------------------------------------------
    def send(self, topic: str, payload: bytes) -> bool:
        """Publish at QoS 0 (rebirth requests); False when not connected."""
        if self.connection is None or self.connection.closed.done():
            return False
        self.connection.write(mqtt5.PublishPacket(topic, payload).write())
        return True

    # ---- the session -----------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        def forget() -> None:
            self.connection = None

        await supervise(
            self.ingester,
            stop,
            lambda: self._connected(stop),
            self.commit_due,
            self._committer,
            (OSError, SessionError, TimeoutError),
            forget,
        )

    async def _connected(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        b = self.broker
        transport, connection = await asyncio.wait_for(
            loop.create_connection(lambda: _Connection(self), b.host, b.port), timeout=10
        )
        self.generation += 1
        self.ingester.batch.connection = self.generation
        self.connection = connection
        try:
            connection.write(
                mqtt5.ConnectPacket(
                    self.client_id,
                    username=b.username,
                    password=b.password.encode() if b.password else None,
                    clean_start=False,
                    keep_alive=b.keepalive,
                    session_expiry_interval=int(b.session_hours * 3600),
                    receive_max=RECEIVE_MAXIMUM,
                ).write()
            )
            connack = await asyncio.wait_for(connection.connack, timeout=10)
            if connack.reason_code != mqtt5.ConnAckReasonCode.SUCCESS:
                raise SessionError(f"the broker refused the connection: {connack.reason_code.name}")
            filters = [
                mqtt5.TopicFilter(
                    t,
                    max_qos=mqtt5.QoS(self.qos),
                    no_local=True,
                    retain_handling=mqtt5.RetainHandling.SEND_IF_SUBSCRIPTION_NOT_EXISTS,
                )
                for t in self.topics
            ]
            connection.write(mqtt5.SubscribePacket(self._next_id(), filters).write())
            suback = await asyncio.wait_for(connection.suback, timeout=10)
            refused = [t for t, code in zip(self.topics, suback.reason_codes, strict=False) if int(code.value) >= 0x80]
            if refused:
                raise SessionError(f"the broker refused the subscription to {', '.join(refused)}")
            self.ingester.connected = True
            self.ingester.error = None
            self.ingester.event("connected", broker=f"{b.host}:{b.port}", session_present=connack.session_present)
            log.info("stream.connected", stream=self.ingester.mapping.stream, session=connack.session_present)
            await self._alive(connection, stop)
        finally:
            transport.close()

    async def _alive(self, connection: _Connection, stop: asyncio.Event) -> None:
        """Ping within the keep-alive; a broker silent for 1.5 keep-alives is gone."""
        keepalive = self.broker.keepalive
        ping = mqtt5.PingReqPacket().write()
        stopping: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
        closed: asyncio.Future[Any] = connection.closed
        try:
            while True:
                done, _ = await asyncio.wait(
                    {closed, stopping}, timeout=keepalive / 2, return_when=asyncio.FIRST_COMPLETED
                )
                if stopping in done:
                    await self.commit_due(force=True)
                    connection.write(mqtt5.DisconnectPacket().write())
                    return
                if closed in done:
                    reason = connection.closed.result()
                    raise (
                        reason
                        if isinstance(reason, SessionError)
                        else SessionError(f"the connection to the broker was lost ({reason or 'closed'})")
                    )
                if time.monotonic() - connection.last_heard > keepalive * 1.5:
                    raise SessionError(f"the broker did not answer for {keepalive * 1.5:.0f} s")
                connection.write(ping)
        finally:
            stopping.cancel()

    def _next_id(self) -> int:
        self._outgoing_id = self._outgoing_id % 65535 + 1
        return self._outgoing_id
