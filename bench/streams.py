"""MQTT → canonical Parquet, sustained: how fast a stream lands QoS 1 messages that wait at the broker, beside
how fast the same broker delivers them to a bare subscriber (which acknowledges each at once and does nothing
else), measured in the same run, with the same messages.

A throwaway Mosquitto (unlimited queue and inflight window, no persistence) holds N realistic JSON messages for
a persistent session; then the session's client connects and drains it. Rates are taken between the first and
the last landed commit (ours) or the first and last message (bare), so process start-up is not counted. Ours
runs as the real command, ``sangsaeng stream mqtt``, in its own process; every message must land, once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import mqtt5
import orjson
import psutil
from tests.streamtools import Publisher, throwaway_broker, wait_until

from bench.common import Figure, PeakRss
from sangsaeng.streams import landing
from sangsaeng.streams import sparkplug as spb

MESSAGES = int(os.environ.get("SANGSAENG_BENCH_MESSAGES", "500000"))
MACHINES = 100


def _messages(n: int) -> list[tuple[str, bytes]]:
    start = int(time.time() * 1000) - n
    return [
        (
            f"factory/line{i % 4}/press{i % MACHINES}/telemetry",
            orjson.dumps(
                {
                    "ts": start + i,
                    "temp": 70.0 + (i % 97) / 10,
                    "p": {"value": 10.0 + (i % 13), "unit": "kW"},
                    "q": "good",
                }
            ),
        )
        for i in range(n)
    ]


async def _session(port: int, client_id: str, topic: str) -> None:
    """Make the persistent session (and its subscription) the messages will wait in."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(mqtt5.ConnectPacket(client_id, clean_start=True, session_expiry_interval=3600).write())
    writer.write(mqtt5.SubscribePacket(1, [mqtt5.TopicFilter(topic, max_qos=mqtt5.QoS.AT_LEAST_ONCE)]).write())
    await writer.drain()
    await _read_until(reader, mqtt5.SubAckPacket)
    writer.close()


async def _read_until(reader: asyncio.StreamReader, kind: type) -> None:
    buffer = bytearray()
    while True:
        buffer += await reader.read(65536)
        while True:
            try:
                packet, size = mqtt5.read(memoryview(buffer))
            except IndexError:
                break
            del buffer[:size]
            if isinstance(packet, kind):
                return


async def _publish(port: int, messages: list[tuple[str, bytes]]) -> float:
    """Publish at QoS 1 with a window of unacknowledged messages; messages/s until the broker has them all."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(mqtt5.ConnectPacket("bench-publisher", clean_start=True).write())
    await writer.drain()
    await _read_until(reader, mqtt5.ConnAckPacket)
    window = 10_000
    acked = 0
    begun = time.perf_counter()
    buffer = bytearray()

    async def acknowledgements(goal: int) -> None:
        nonlocal acked
        while acked < goal:
            buffer.extend(await reader.read(1 << 20))
            while True:
                try:
                    packet, size = mqtt5.read(memoryview(buffer))
                except IndexError:
                    break
                del buffer[:size]
                if isinstance(packet, mqtt5.PubAckPacket):
                    acked += 1

    chunk: list[bytes] = []
    for i, (topic, payload) in enumerate(messages):
        pid = i % 65535 + 1
        chunk.append(mqtt5.PublishPacket(topic, payload, qos=mqtt5.QoS.AT_LEAST_ONCE, packet_id=pid).write())
        if len(chunk) == 2000:
            writer.write(b"".join(chunk))
            chunk.clear()
            await writer.drain()
            if i + 1 - acked > window:
                await acknowledgements(i + 1 - window // 2)
    writer.write(b"".join(chunk))
    await writer.drain()
    await acknowledgements(len(messages))
    rate = len(messages) / (time.perf_counter() - begun)
    writer.write(mqtt5.DisconnectPacket().write())
    await writer.drain()
    writer.close()
    return rate


async def _bare(port: int, client_id: str, n: int) -> float:
    """The broker's delivery rate: a subscriber that acknowledges each message as it arrives, nothing else."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        mqtt5.ConnectPacket(client_id, clean_start=False, session_expiry_interval=3600, receive_max=65535).write()
    )
    await writer.drain()
    buffer = bytearray()
    got = 0
    first = last = 0.0
    while got < n:
        buffer += await reader.read(1 << 20)
        view = memoryview(buffer)
        used = 0
        acks = []
        while True:
            try:
                packet, size = mqtt5.read(view[used:])
            except IndexError:
                break
            used += size
            if type(packet) is mqtt5.PublishPacket:
                got += 1
                acks.append(mqtt5.PubAckPacket(packet.packet_id).write())
        view.release()
        del buffer[:used]
        if acks:
            last = time.perf_counter()
            first = first or last
            writer.write(b"".join(acks))
    writer.close()
    return (n - 1) / (last - first)


MAPPING = """
stream: bench
source:
  mqtt: {{port: {port}, client_id: bench-stream}}
batch: {{rows: 20000, seconds: 1}}
rules:
  - topic: "factory/{{line}}/{{machine}}/telemetry"
    equipment: "{{line}}-{{machine}}"
    timestamp: {{path: $.ts, format: epoch_ms}}
    signals:
      - {{signal: spindle_temperature, value: $.temp, unit: °F}}
      - {{signal: power, value: $.p.value, unit_path: $.p.unit, quality_path: $.q}}
"""


def run(folder: Path) -> Figure:
    messages = _messages(MESSAGES)
    with throwaway_broker(folder, max_inflight_messages=0, max_queued_bytes=0) as port:
        asyncio.run(_session(port, "bench-bare", "factory/#"))
        published = asyncio.run(_publish(port, messages))
        bare = asyncio.run(_bare(port, "bench-bare", len(messages)))

        mapping = folder / "bench.yaml"
        mapping.write_text(MAPPING.format(port=port))
        asyncio.run(_session(port, "bench-stream", "factory/+/+/telemetry"))
        asyncio.run(_publish(port, messages))
        data_dir = folder / "connector"
        root = data_dir / "datasets" / "streams" / "bench"
        command = [sys.executable, "-m", "sangsaeng", "stream", "mqtt", "--mapping", str(mapping)]
        process = subprocess.Popen(
            [*command, "--data-dir", str(data_dir), "--quiet", "--no-register"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        with PeakRss({"ingester": process.pid}) as peak:
            wait_until(
                lambda: process.poll() is not None or sum(p.rows for p in landing.landed(root)) >= 2 * len(messages),
                600,
                what="every message to land",
            )
            process.send_signal(signal.SIGINT)
            process.wait(30)
        commits = landing.commits(root)
        rows = sum(c.rows for c in commits)
        rejected = sum(p.rows for c in commits for p in c.rejected)
        first, last = datetime.fromisoformat(commits[0].at), datetime.fromisoformat(commits[-1].at)
        landed_messages = (rows - commits[0].rows) / 2  # after the first commit, two readings per message
        ours = landed_messages / (last - first).total_seconds()
        status = orjson.loads((root / "status.json").read_bytes())
    lost = 2 * len(messages) - rows
    return Figure(
        name="MQTT QoS 1 → canonical Parquet (sustained, durable before acknowledgement)",
        value=ours,
        unit="messages/s",
        baseline=bare,
        baseline_name="the same broker delivering the same messages to a bare subscriber",
        ratio=ours / bare,
        aim="≥ 50,000 messages/s and ratio ≥ 0.5, nothing lost",
        memory=peak.report(),
        notes=[
            f"{len(messages):,} messages of ~{sum(len(p) for _, p in messages) // len(messages)} bytes, "
            f"{MACHINES} machines × 2 signals; {len(commits)} commits, {rows:,} rows, {rejected} rejected, "
            f"{lost} lost, {status['counters']['duplicates']} duplicates recognised",
            f"publisher into the broker: {published:,.0f} messages/s",
        ],
    )


# ---- Sparkplug: ingester memory for a large birth certificate, beside a small one --------------------------------
METRICS = int(os.environ.get("SANGSAENG_BENCH_METRICS", "10000"))
SPARKPLUG = """
stream: bench-spb-{metrics}
source:
  sparkplug: {{port: {port}, group: Bench, client_id: bench-spb-{metrics}, session_hours: 0.01}}
batch: {{rows: 20000, seconds: 1}}
sparkplug: {{equipment: "{{node}}.{{device}}"}}
"""


def _birth_rss(folder: Path, port: int, metrics: int) -> tuple[int, int, int]:
    """(idle RSS, peak RSS, bytes of the birth) of an ingester landing one NBIRTH with ``metrics`` metrics."""
    mapping = folder / f"spb-{metrics}.yaml"
    mapping.write_text(SPARKPLUG.format(port=port, metrics=metrics))
    data_dir = folder / f"connector-{metrics}"
    root = data_dir / "datasets" / "streams" / f"bench-spb-{metrics}"
    command = [sys.executable, "-m", "sangsaeng", "stream", "mqtt", "--mapping", str(mapping)]
    process = subprocess.Popen(
        [*command, "--data-dir", str(data_dir), "--quiet", "--no-register"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def connected() -> bool:
        try:
            return bool(orjson.loads((root / "status.json").read_bytes()).get("connected"))
        except (FileNotFoundError, orjson.JSONDecodeError):
            return False

    try:
        wait_until(lambda: process.poll() is not None or connected(), 60, what="the ingester to connect")
        publisher = Publisher(port, f"bench-edge-{metrics}")
        # a first small birth: what every first commit loads (Parquet writer, units) is in the idle figure
        publisher.publish_all([("spBv1.0/Bench/NBIRTH/warm", _bench_birth(10))])
        wait_until(lambda: sum(p.rows for p in landing.landed(root)) >= 10, 60, what="the warm-up birth")
        time.sleep(0.5)
        idle = psutil.Process(process.pid).memory_info().rss
        birth = _bench_birth(metrics)
        with PeakRss({"ingester": process.pid}, interval=0.005) as peak:
            publisher.publish_all([("spBv1.0/Bench/NBIRTH/edge1", birth)])
            wait_until(
                lambda: process.poll() is not None or sum(p.rows for p in landing.landed(root)) >= 10 + metrics,
                300,
                what="the birth's metrics to land",
            )
        publisher.close()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
    return idle, peak.peak["ingester"], len(birth)


def _bench_birth(metrics: int) -> bytes:
    return spb.encode(
        [{"name": "bdSeq", "datatype": spb.INT64, "value": 0}]
        + [
            {
                "name": f"Line/Machine{i // 10}/Signal{i % 10}",
                "alias": i + 1,
                "datatype": spb.DOUBLE,
                "value": float(i),
                "properties": {"engUnit": "kW"},
            }
            for i in range(metrics)
        ],
        seq=0,
        timestamp=int(time.time() * 1000),
    )


def births(folder: Path) -> Figure:
    """Ingester memory for one Sparkplug birth of METRICS metrics beside one of 100: it should grow linearly
    (before, each reading kept a copy of the whole payload: a 409 KB birth of 10,000 metrics took 3.9 GB)."""
    with throwaway_broker(folder, max_inflight_messages=0) as port:
        small_idle, small_peak, small_bytes = _birth_rss(folder, port, 100)
        large_idle, large_peak, large_bytes = _birth_rss(folder, port, METRICS)
    small_growth, large_growth = max(small_peak - small_idle, 1), max(large_peak - large_idle, 1)
    linear = small_growth * METRICS / 100
    return Figure(
        name=f"Sparkplug: ingester memory for a {METRICS:,}-metric birth",
        value=large_growth / 2**20,
        unit="MB above idle",
        baseline=linear / 2**20,
        baseline_name="the growth for a 100-metric birth, scaled linearly",
        ratio=large_growth / linear,
        aim="ratio ≤ 1 (linear or better); far below the 3.9 GB seen when readings copied the payload",
        memory=f"ingester {large_peak / 2**20:.0f} MB ({METRICS:,} metrics), {small_peak / 2**20:.0f} MB (100)",
        notes=[
            f"births of {large_bytes:,} and {small_bytes:,} bytes; idle RSS {large_idle / 2**20:.0f} MB and "
            f"{small_idle / 2**20:.0f} MB; growth {large_growth / 2**20:.1f} MB and {small_growth / 2**20:.2f} MB"
        ],
    )
