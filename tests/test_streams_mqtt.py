"""MQTT streams against the real Mosquitto broker: JSON payloads and Sparkplug B, published by paho-mqtt."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest

from sangsaeng.settings import Settings
from sangsaeng.standard.units import convert
from sangsaeng.streams import sparkplug as spb
from sangsaeng.streams.mapping import load_stream_mapping
from sangsaeng.streams.runner import Runner
from tests.conftest import IN_CI
from tests.streamtools import SYSTEM_BROKER, Publisher, part_rows, reachable, running, wait_until


@pytest.fixture(scope="module")
def broker() -> int:
    host, port = SYSTEM_BROKER
    if not reachable(host, port):
        message = f"Mosquitto is not reachable at {host}:{port} (mosquitto -d -c /etc/mosquitto/mosquitto.conf)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return port


def landed_rows(root: Path) -> list[dict[str, Any]]:
    return part_rows(root)


def rejected_rows(root: Path) -> list[dict[str, Any]]:
    return part_rows(root, "rejected")


def json_mapping(prefix: str, port: int, **batch: Any) -> str:
    return f"""
stream: presses-{prefix}
title: Line 2 presses
source:
  mqtt: {{port: {port}, client_id: test-{prefix}, session_hours: 0.01}}
batch: {orjson.dumps(batch or {"rows": 50, "seconds": 0.2}).decode()}
rules:
  - topic: "{prefix}/{{line}}/{{machine}}/telemetry"
    equipment: "{{line}}-{{machine}}"
    timestamp: {{path: $.ts, format: epoch_ms}}
    signals:
      - {{signal: spindle_temperature, value: $.temp, unit: °F}}
      - {{signal: power, value: $.p.value, unit_path: $.p.unit, quality_path: $.q}}
"""


def test_json_messages_land_as_measurements_in_canonical_units(tmp_path: Path, broker: int) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    mapping = load_stream_mapping(json_mapping(prefix, broker))
    runner = Runner(Settings(data_dir=tmp_path), mapping, register=False)
    start = int(time.time() * 1000)
    sent = []
    for i in range(120):
        machine = f"press{i % 3}"
        payload = {"ts": start + i, "temp": 68.0 + i, "p": {"value": 1.5 * i, "unit": "kW"}, "q": "good"}
        sent.append((f"{prefix}/line2/{machine}/telemetry", payload))
    bad = [
        (f"{prefix}/line2/press0/telemetry", b"{not json"),
        (f"{prefix}/line2/press0/telemetry", orjson.dumps({"ts": start - 9, "p": {"value": 1, "unit": "kW"}})),
        (
            f"{prefix}/line2/press0/telemetry",
            orjson.dumps({"ts": start - 9, "temp": 1, "p": {"value": 1, "unit": "zz"}}),
        ),
        (f"{prefix}/line2/press0/other", b"{}"),
    ]
    publisher = Publisher(broker, f"pub-{prefix}")
    try:
        with running(runner) as stream:
            publisher.publish_all([(t, orjson.dumps(p)) for t, p in sent] + bad)
            wait_until(lambda: stream.ingester.counters.rows >= 240 and stream.ingester.counters.rejected >= 3)
    finally:
        publisher.close()

    rows = landed_rows(runner.root)
    assert len(rows) == 242  # a message without "temp" still lands its power; one in unit zz its temperature
    got = {(r["equipment"], r["signal"], int(r["timestamp"].timestamp() * 1000)): r for r in rows}
    for topic, payload in sent:
        equipment = "line2-" + topic.split("/")[2]
        temperature = got[(equipment, "spindle_temperature", payload["ts"])]
        assert temperature["value"] == pytest.approx(convert(payload["temp"], "°F", "K"))
        assert (temperature["unit"], temperature["raw_unit"], temperature["raw_value"]) == (
            "kelvin",
            "°F",
            payload["temp"],
        )
        power = got[(equipment, "power", payload["ts"])]
        assert (power["value"], power["unit"], power["quality"]) == (payload["p"]["value"], "kilowatt", "good")
        assert power["source"] == f"mqtt:{topic}"
    reasons = [r["reason"] for r in rejected_rows(runner.root)]
    assert any("not JSON" in r for r in reasons)
    assert any("spindle_temperature: no value" in r for r in reasons)
    assert any("unknown unit 'zz'" in r for r in reasons)
    assert any("no rule of the mapping matches" in r for r in reasons) is False  # not subscribed: never arrives
    status = orjson.loads((runner.root / "status.json").read_bytes())
    assert status["counters"]["messages"] == 123 and status["connected"] is False
    from sangsaeng.streams.status import describe

    assert describe(runner.root)["running"] is False  # stopped: said at once, not after the status goes stale


def sparkplug_mapping(group: str, port: int, reorder_seconds: float = 2.0) -> str:
    return f"""
stream: spb-{group.lower()}
source:
  sparkplug: {{port: {port}, group: {group}, client_id: host-{group}, session_hours: 0.01}}
batch: {{rows: 20, seconds: 0.1}}
sparkplug:
  equipment: "{{node}}.{{device}}"
  metrics:
    "Motor/Temp": {{signal: motor_temperature}}
  ignore: ["Properties/*"]
  reorder: {{seconds: {reorder_seconds}}}
"""


def test_sparkplug_births_aliases_gaps_rebirth_and_death(tmp_path: Path, broker: int) -> None:
    group = f"G{uuid.uuid4().hex[:8]}"
    mapping = load_stream_mapping(sparkplug_mapping(group, broker, reorder_seconds=0.3))
    runner = Runner(Settings(data_dir=tmp_path), mapping, register=False)
    node, device = "edge1", "press7"
    base = f"spBv1.0/{group}"
    now = int(time.time() * 1000)
    nbirth = spb.encode(
        [
            {"name": "bdSeq", "datatype": spb.INT64, "value": 3},
            {"name": "Node Control/Rebirth", "datatype": spb.BOOLEAN, "value": False},
            {"name": "Uptime", "alias": 1, "datatype": spb.INT32, "value": 5, "properties": {"engUnit": "s"}},
        ],
        seq=0,
        timestamp=now,
    )
    dbirth = spb.encode(
        [
            {"name": "Motor/Temp", "alias": 10, "datatype": spb.FLOAT, "value": 20.0, "properties": {"engUnit": "°C"}},
            {"name": "Speed", "alias": 11, "datatype": spb.INT16, "value": -5, "properties": {"engUnit": "rpm"}},
            {"name": "Properties/Serial", "alias": 12, "datatype": spb.STRING, "value": "SN-1"},
            {"name": "Running", "alias": 13, "datatype": spb.BOOLEAN, "value": True},
        ],
        seq=1,
        timestamp=now,
    )

    def ddata(seq: int, at: int, temp: float, alias: int = 10) -> bytes:
        return spb.encode([{"alias": alias, "datatype": spb.FLOAT, "value": temp, "timestamp": at}], seq=seq)

    watcher = Publisher(broker, f"watch-{group}")
    watcher.subscribe(f"{base}/NCMD/#")
    publisher = Publisher(broker, f"edge-{group}")
    try:
        with running(runner) as stream:
            publisher.publish_all([(f"{base}/NBIRTH/{node}", nbirth), (f"{base}/DBIRTH/{node}/{device}", dbirth)])
            publisher.publish_all(
                [
                    (f"{base}/DDATA/{node}/{device}", ddata(2, now + 1, 21.5)),
                    (f"{base}/DDATA/{node}/{device}", ddata(3, now + 2, 22.5)),
                    (f"{base}/DDATA/{node}/{device}", ddata(6, now + 3, 23.5)),  # seq 4 and 5 lost
                    (f"{base}/DDATA/{node}/{device}", ddata(7, now + 4, 1.0, alias=99)),  # unknown alias
                ]
            )
            wait_until(lambda: watcher.received, what="a rebirth request")
            publisher.publish_all(
                [(f"{base}/NDEATH/{node}", spb.encode([{"name": "bdSeq", "datatype": spb.INT64, "value": 3}]))]
            )
            wait_until(lambda: any(r["quality"] == "bad" for r in landed_rows(runner.root)), what="death rows")
            # seq 4 and 5 are lost once the reorder window (0.3 s) has passed, even on a stream gone quiet
            wait_until(lambda: any(e["kind"] == "seq-gap" for e in stream.ingester.events), what="the gap")
            events = list(stream.ingester.events)
    finally:
        publisher.close()
        watcher.close()

    topic, request = watcher.received[0]
    assert topic == f"{base}/NCMD/{node}"
    asked = spb.Payload.FromString(request).metrics[0]
    assert (asked.name, asked.boolean_value) == ("Node Control/Rebirth", True)
    gaps = [e for e in events if e["kind"] == "seq-gap"]
    assert [(g["expected"], g["lost"]) for g in gaps] == [(4, 2)]
    assert stream.ingester.status()["counters"]["gaps"] == 2
    rows = landed_rows(runner.root)
    good = sorted((r["signal"], r["raw_value"], r["unit"]) for r in rows if r["quality"] == "good")
    assert ("motor_temperature", 21.5, "kelvin") in good and ("motor_temperature", 23.5, "kelvin") in good
    assert ("Speed", -5.0, "hertz") in good and ("Running", 1.0, "dimensionless") in good
    assert ("Uptime", 5.0, "second") in good
    temps = [r for r in rows if r["signal"] == "motor_temperature" and r["quality"] == "good"]
    assert [round(r["value"] - 273.15, 3) for r in sorted(temps, key=lambda r: r["timestamp"])] == [
        20,
        21.5,
        22.5,
        23.5,
    ]
    assert {r["equipment"] for r in rows if r["signal"] == "motor_temperature"} == {f"{node}.{device}"}
    dead = {(r["equipment"], r["signal"]) for r in rows if r["quality"] == "bad"}
    assert (f"{node}.{device}", "motor_temperature") in dead and (node, "Uptime") in dead
    assert not any(r["signal"].startswith("Properties/") or r["signal"] == "bdSeq" for r in rows)
    reasons = [r["reason"] for r in rejected_rows(runner.root)]
    assert any("alias 99 is unknown" in r and "rebirth requested" in r for r in reasons)


def test_a_sparkplug_host_resumes_its_aliases_after_a_restart(tmp_path: Path, broker: int) -> None:
    """The aliases learnt from a birth are saved with each commit: data after a restart needs no rebirth."""
    group = f"G{uuid.uuid4().hex[:8]}"
    mapping = load_stream_mapping(sparkplug_mapping(group, broker))
    base, now = f"spBv1.0/{group}", int(time.time() * 1000)
    birth = spb.encode(
        [{"name": "Power", "alias": 1, "datatype": spb.DOUBLE, "value": 1.0, "properties": {"engUnit": "kW"}}],
        seq=0,
        timestamp=now,
    )
    publisher = Publisher(broker, f"edge-{group}")
    try:
        first = Runner(Settings(data_dir=tmp_path), mapping, register=False)
        with running(first) as stream:
            publisher.publish_all([(f"{base}/NBIRTH/n1", birth)])
            wait_until(lambda: stream.ingester.counters.rows >= 1)
        second = Runner(Settings(data_dir=tmp_path), mapping, register=False)
        with running(second) as stream:
            payload = spb.encode([{"alias": 1, "datatype": spb.DOUBLE, "value": 2.0, "timestamp": now + 1}], seq=1)
            publisher.publish_all([(f"{base}/NDATA/n1", payload)])
            wait_until(lambda: stream.ingester.counters.rows >= 2)
            assert stream.ingester.counters.rebirths == 0
    finally:
        publisher.close()
    assert sorted(r["value"] for r in landed_rows(first.root)) == [1.0, 2.0]


def test_messages_landed_but_not_acknowledged_are_recognised_when_delivered_again(
    tmp_path: Path, broker: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a crash between commit and acknowledgement leaves: the broker delivers again (DUP), the new
    ingester finds the messages among those its last commits saved, acknowledges them and lands nothing twice."""
    from sangsaeng.streams import mqtt as session_module

    class Forgetful:  # the real codec, except that acknowledgements never leave
        def __getattr__(self, name: str) -> Any:
            return getattr(session_module.__dict__["_codec"], name)

        class PubAckPacket:
            def __init__(self, packet_id: int) -> None:
                pass

            def write(self) -> bytes:
                return b""

    prefix = f"t{uuid.uuid4().hex[:8]}"
    mapping = load_stream_mapping(json_mapping(prefix, broker))
    start = int(time.time() * 1000)
    messages = [
        (f"{prefix}/l1/m1/telemetry", orjson.dumps({"ts": start + i, "temp": i, "p": {"value": i, "unit": "W"}}))
        for i in range(15)  # fewer than the broker lets out unacknowledged (max_inflight_messages, 20)
    ]
    publisher = Publisher(broker, f"pub-{prefix}")
    try:
        monkeypatch.setitem(session_module.__dict__, "_codec", session_module.mqtt5)
        monkeypatch.setattr(session_module, "mqtt5", Forgetful())
        first = Runner(Settings(data_dir=tmp_path), mapping, register=False)
        with running(first) as stream:
            publisher.publish_all(messages)
            wait_until(lambda: stream.ingester.counters.rows >= 30)
        monkeypatch.undo()
        second = Runner(Settings(data_dir=tmp_path), mapping, register=False)
        with running(second) as stream:
            wait_until(lambda: stream.ingester.counters.duplicates >= 15, what="the redeliveries")
            time.sleep(0.3)
            assert stream.ingester.counters.rows == 30
    finally:
        publisher.close()
    assert len(landed_rows(first.root)) == 30
