"""Sparkplug B edge cases through a real Mosquitto: a will delivered when an edge node's socket dies is dated by its
delivery; QoS 0 data overtaking QoS 1 messages the broker holds back is reordered, not lost; a stale death is
counted, kept across a restart and shown by `stream status` (Korean and English) and the API."""

from __future__ import annotations

import socket
import time
import uuid
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from typer.testing import CliRunner

from sangsaeng.settings import Settings
from sangsaeng.streams import sparkplug as spb
from sangsaeng.streams.mapping import load_stream_mapping
from sangsaeng.streams.runner import Runner
from tests.helpers import dataspace
from tests.streamtools import Publisher, running, throwaway_broker, wait_until
from tests.test_streams_mqtt import broker, landed_rows

__all__ = ["broker"]  # the fixture


def mapping(group: str, port: int, *, reorder_seconds: float = 2.0, batch_seconds: float = 0.1) -> str:
    return f"""
stream: spb-{group.lower()}
source:
  sparkplug: {{port: {port}, group: {group}, client_id: host-{group}, session_hours: 0.01}}
batch: {{rows: 1000, seconds: {batch_seconds}}}
sparkplug:
  reorder: {{seconds: {reorder_seconds}}}
"""


def nbirth(bd_seq: int, seq: int = 0) -> bytes:
    temp = {"name": "Temp", "alias": 1, "datatype": spb.DOUBLE, "value": 20.0, "properties": {"engUnit": "°C"}}
    return spb.encode(
        [{"name": "bdSeq", "datatype": spb.INT64, "value": bd_seq}, temp], seq=seq, timestamp=int(time.time() * 1000)
    )


def ndata(seq: int, value: float, at_ms: int) -> bytes:
    return spb.encode([{"alias": 1, "datatype": spb.DOUBLE, "value": value, "timestamp": at_ms}], seq=seq)


def test_a_will_delivered_when_the_edge_node_s_socket_dies_is_dated_by_its_delivery(
    tmp_path: Path, broker: int
) -> None:
    group = f"G{uuid.uuid4().hex[:8]}"
    base = f"spBv1.0/{group}"
    runner = Runner(Settings(data_dir=tmp_path), load_stream_mapping(mapping(group, broker)), register=False)
    edge = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"edge-{group}", protocol=paho.MQTTv5)
    registered = int(time.time() * 1000)  # the will's payload is written now, at connect (Sparkplug § 5)
    will = spb.encode([{"name": "bdSeq", "datatype": spb.INT64, "value": 1}], timestamp=registered)
    edge.will_set(f"{base}/NDEATH/n1", will, qos=1, retain=False)
    with running(runner) as stream:
        edge.connect("127.0.0.1", broker)
        edge.loop_start()
        edge.publish(f"{base}/NBIRTH/n1", nbirth(1), qos=0).wait_for_publish(10)
        wait_until(lambda: stream.ingester.counters.rows >= 1, what="the birth landed")
        edge.loop_stop()
        killed = time.time_ns() // 1000
        sock = edge.socket()
        assert isinstance(sock, socket.socket)
        sock.shutdown(socket.SHUT_RDWR)  # no DISCONNECT: the broker delivers the will
        sock.close()
        wait_until(lambda: any(r["quality"] == "bad" for r in landed_rows(runner.root)), what="the death")
        seen = time.time_ns() // 1000
    (bad,) = [r for r in landed_rows(runner.root) if r["quality"] == "bad"]
    died = int(bad["timestamp"].timestamp() * 1_000_000)
    assert registered * 1000 < killed <= died <= seen  # when the broker delivered it, not when it was written
    assert bad["raw_value"] == 20.0 and bad["equipment"] == "n1"


def test_qos0_data_overtaking_qos1_messages_held_by_the_broker_is_reordered_not_lost(tmp_path: Path) -> None:
    """Mosquitto sends a QoS 0 message at once, but holds QoS 1 messages beyond max_inflight_messages until the
    subscriber acknowledges — which this host does only after landing (here, after 2 s)."""
    group = f"G{uuid.uuid4().hex[:8]}"
    base = f"spBv1.0/{group}/NDATA/n1"
    now = int(time.time() * 1000)
    with throwaway_broker(tmp_path, max_inflight_messages=1) as port:
        text = mapping(group, port, reorder_seconds=30, batch_seconds=2.0)
        runner = Runner(Settings(data_dir=tmp_path), load_stream_mapping(text), register=False)
        runner.ingester.QUIET_US = 2_000_000  # land (and acknowledge) no sooner than 2 s after the last message
        edge = Publisher(port, f"edge-{group}")
        try:
            with running(runner) as stream:
                edge.publish_all([(f"spBv1.0/{group}/NBIRTH/n1", nbirth(1))], qos=0)
                edge.publish_all([(base, ndata(1, 1.0, now + 1)), (base, ndata(2, 2.0, now + 2))], qos=1)
                edge.publish_all([(base, ndata(3, 3.0, now + 3)), (base, ndata(4, 4.0, now + 4))], qos=0)
                wait_until(lambda: stream.ingester.counters.rows >= 5, what="every reading")
                counters = stream.ingester.status()["counters"]
        finally:
            edge.close()
    assert (counters["reordered"], counters["gaps"], counters["late"], counters["rebirths"]) == (1, 0, 0, 0)
    values = sorted(r["raw_value"] for r in landed_rows(runner.root))
    assert values == [1.0, 2.0, 3.0, 4.0, 20.0]  # each once


@pytest.mark.anyio
async def test_a_stale_death_is_counted_kept_and_shown_in_korean_and_english(tmp_path: Path, broker: int) -> None:
    from sangsaeng.cli.main import app

    group = f"G{uuid.uuid4().hex[:8]}"
    base = f"spBv1.0/{group}"
    async with dataspace(tmp_path, ["supplier"]) as space:
        supplier = space.parties["supplier"]
        text = mapping(group, broker, reorder_seconds=0.2)
        first = Runner(supplier.settings, load_stream_mapping(text), register=False)
        edge = Publisher(broker, f"edge-{group}")
        try:
            with running(first) as stream:
                edge.publish_all([(f"{base}/NBIRTH/n1", nbirth(5))], qos=0)
                edge.publish_all([(f"{base}/NDATA/n1", ndata(2, 1.0, int(time.time() * 1000)))], qos=0)  # 1 lost
                will = spb.encode([{"name": "bdSeq", "datatype": spb.INT64, "value": 4}])  # the session before
                edge.publish_all([(f"{base}/NDEATH/n1", will)])
                wait_until(lambda: stream.ingester.status()["counters"]["stale_deaths"] == 1, what="the stale death")
                wait_until(lambda: stream.ingester.status()["counters"]["gaps"] == 1, what="the lost message")
                assert any(e["kind"] == "stale-death" and e["bdSeq"] == 4 for e in stream.ingester.events)
                assert first.decoder.nodes[(group, "n1")].alive  # the node lives on
            second = Runner(supplier.settings, load_stream_mapping(text), register=False)
            with running(second) as stream:  # a restart: the counts come back with the host's state
                shown = stream.ingester.status()["counters"]
                assert (shown["stale_deaths"], shown["gaps"]) == (1, 1)
        finally:
            edge.close()

        name = f"spb-{group.lower()}"
        answer = (await supplier.api.get(f"/api/streams/{name}")).json()
        assert answer["sparkplug"]["staleDeaths"] == 1 and answer["sparkplug"]["gaps"] == 1
        assert answer["sparkplug"]["reorderWindow"] == {"seconds": 0.2, "messages": 127}
        cli = CliRunner()
        args = ["stream", "status", "--data-dir", str(supplier.settings.data_dir)]
        english = cli.invoke(app, args, env={"COLUMNS": "200", "LANG": "C.UTF-8"}).output
        korean = cli.invoke(app, [*args, "--ko"], env={"COLUMNS": "200"}).output
        assert "stale deaths ignored 1" in english and "lost (seq gaps) 1" in english
        assert "무시한 지난 세션 NDEATH 1" in korean and "유실(seq 누락) 1" in korean and "스트림" in korean


@pytest.mark.parametrize("upgrade", [False, True])
def test_qos0_data_sent_while_the_host_is_away_is_lost_and_counted_unless_the_broker_upgrades_it(
    tmp_path: Path, upgrade: bool
) -> None:
    """What docs/streams.md says of QoS 0: the broker keeps nothing at QoS 0 for a persistent session that is
    away, so the host's seq numbers show the loss when it returns; with Mosquitto's upgrade_outgoing_qos the
    same messages reach a QoS 1 subscription at QoS 1, are queued, and land."""
    group = f"G{uuid.uuid4().hex[:8]}"
    base = f"spBv1.0/{group}/NDATA/n1"
    now = int(time.time() * 1000)
    with throwaway_broker(tmp_path, upgrade_outgoing_qos=str(upgrade).lower()) as port:
        text = mapping(group, port, reorder_seconds=0.2)
        edge = Publisher(port, f"edge-{group}")
        try:
            with running(Runner(Settings(data_dir=tmp_path), load_stream_mapping(text), register=False)) as first:
                edge.publish_all([(f"spBv1.0/{group}/NBIRTH/n1", nbirth(1)), (base, ndata(1, 1.0, now + 1))], qos=0)
                wait_until(lambda: first.ingester.counters.rows >= 2, what="birth and data")
            edge.publish_all([(base, ndata(2, 2.0, now + 2)), (base, ndata(3, 3.0, now + 3))], qos=0)  # away
            second = Runner(Settings(data_dir=tmp_path), load_stream_mapping(text), register=False)
            with running(second) as stream:
                edge.publish_all([(base, ndata(4, 4.0, now + 4))], qos=0)
                wait_until(lambda: 4.0 in {r["raw_value"] for r in landed_rows(second.root)}, what="seq 4")
                if not upgrade:
                    wait_until(lambda: stream.ingester.status()["counters"]["gaps"] == 2, what="the loss counted")
                    wait_until(lambda: stream.ingester.counters.rebirths == 1, what="the rebirth a gap asks for")
                counters = stream.ingester.status()["counters"]
                holes = second.decoder.nodes[(group, "n1")].seq.holes
        finally:
            edge.close()
    values = sorted(r["raw_value"] for r in landed_rows(second.root))
    if upgrade:
        assert values == [1.0, 2.0, 3.0, 4.0, 20.0] and counters["gaps"] == 0 and holes == []
        assert counters["rebirths"] == 0
    else:
        assert values == [1.0, 4.0, 20.0] and counters["gaps"] == 2
        assert any(e["kind"] == "seq-gap" and (e["expected"], e["lost"]) == (2, 2) for e in stream.ingester.events)
