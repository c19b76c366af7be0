"""A stream survives any message: hostile payloads are rejected with their reason and never stop, crash or stall
the stream, or land an implausible value. Decoders that could crash the process run in a subprocess here, so the
suite survives if that regresses."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import mqtt5
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sangsaeng.errors import UnknownUnit
from sangsaeng.settings import Settings
from sangsaeng.standard.units import recognize
from sangsaeng.streams import ingester as ingesting
from sangsaeng.streams import sparkplug as spb
from sangsaeng.streams.ingester import Batch, Ingester
from sangsaeng.streams.jsonrules import JsonRules
from sangsaeng.streams.mapping import load_stream_mapping
from sangsaeng.streams.readings import Readings, Rejects, _rows_table, measurements
from sangsaeng.streams.runner import Runner, decoder_for
from tests.streamtools import Publisher, running, wait_until
from tests.test_streams_mqtt import broker, json_mapping, landed_rows, rejected_rows

__all__ = ["broker"]  # the fixture, used by the broker tests below

NOW = int(time.time() * 1_000_000)
ROOT = Path(__file__).resolve().parents[1]
JSON_MAPPING = """
stream: hostile
source: {mqtt: {port: 1}}
rules:
  - topic: "f/{machine}"
    equipment: "{machine}"
    timestamp: {path: $.ts, format: epoch_ms}
    signals:
      - {signal: temperature, value: $.temp, unit: °C}
"""
SPARKPLUG_MAPPING = """
stream: hostile-spb
source: {sparkplug: {port: 1, group: G}}
sparkplug: {equipment: "{node}.{device}"}
"""


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def _deep(levels: int) -> bytes:
    return b'{"ts": 1, "a": ' * levels + b"1" + b"}" * levels


# ---- 1. one deeply nested JSON message --------------------------------------------------------------------------
def test_a_deeply_nested_json_message_is_rejected_without_crashing_its_batch() -> None:
    """Arrow's JSON reader crashes the process at ~30,000 levels; it must never see such a payload."""
    script = f"""
        import json, time
        from sangsaeng.streams.jsonrules import JsonRules
        from sangsaeng.streams.mapping import load_stream_mapping
        from sangsaeng.streams.readings import Readings, Rejects, measurements
        mapping = load_stream_mapping({JSON_MAPPING!r})
        now = int(time.time() * 1000)
        payloads = [json.dumps({{"ts": now - i, "temp": 20 + i % 7}}).encode() for i in range(90)]
        payloads.insert(45, b'{{"ts": 1, "a": ' * 30000 + b"1" + b"}}" * 30000)
        topics = ["f/m1"] * len(payloads)
        readings, rejects = Readings(payloads), Rejects()
        JsonRules(mapping.rules).receive_batch(topics, payloads, [now * 1000] * len(payloads), readings, rejects)
        table = measurements(readings, rejects, now * 1000)
        print(json.dumps({{"rows": table.num_rows, "reasons": rejects.reason}}))
    """
    done = _run(script)
    assert done.returncode == 0, f"the decoder died ({done.returncode}): {done.stderr[-500:]}"
    found = json.loads(done.stdout)
    assert found["rows"] == 90
    assert len(found["reasons"]) == 1 and "payload is not JSON" in found["reasons"][0]


def test_only_payloads_that_could_be_too_deep_are_parsed_twice() -> None:
    """Ordinary payloads (short, or with few brackets) are not looked at again; a deep one is refused the same
    way one at a time and in a batch."""
    rules = JsonRules(load_stream_mapping(JSON_MAPPING).rules)
    now = NOW // 1000
    payloads = [orjson.dumps({"ts": now, "temp": 1, "list": list(range(2000))})] * 70 + [_deep(1100)]
    readings, rejects = Readings(payloads), Rejects()
    rules.receive_batch(["f/m1"] * len(payloads), payloads, list(range(len(payloads))), readings, rejects)
    assert len(readings) == 70 and len(rejects) == 1
    one, refused = Readings(payloads), Rejects()
    rules.receive("f/m1", payloads[-1], 0, one, refused)
    assert refused.reason == rejects.reason


# ---- 2. Sparkplug messages that escaped the decoder --------------------------------------------------------------
def _birth() -> bytes:
    return spb.encode(
        [
            {"name": "bdSeq", "datatype": spb.INT64, "value": 0},
            {"name": "Temp", "alias": 1, "datatype": spb.DOUBLE, "value": 20.0, "properties": {"engUnit": "°C"}},
        ],
        seq=0,
        timestamp=NOW // 1000,
    )


def _text_in_a_double() -> bytes:
    payload = spb.Payload()
    payload.seq = 1
    metric = payload.metrics.add()
    metric.alias = 1  # no datatype: the birth's DOUBLE applies, but the value is a text
    metric.string_value = "hot"
    out: bytes = payload.SerializeToString()
    return out


def _far_moment() -> bytes:
    return spb.encode([{"alias": 1, "datatype": spb.DOUBLE, "value": 21.0, "timestamp": 2**63}], seq=2)


def _ingester(tmp_path: Path, text: str, decoder: Any = None, rows: int = 1000) -> Ingester:
    mapping = load_stream_mapping(text)
    mapping.batch.rows = rows
    found = Ingester(mapping, tmp_path / "stream", decoder or decoder_for(mapping))
    found.root.mkdir(parents=True)
    found.open()
    return found


def _batch(messages: list[tuple[str, Any]], first_identity: int = 1) -> Batch:
    batch = Batch()
    for i, (topic, payload) in enumerate(messages):
        batch.topics.append(topic)
        batch.payloads.append(payload)
        batch.arrived.append(NOW)
        batch.identities.append(first_identity + i)
        batch.acks.append(first_identity + i)
    return batch


@pytest.mark.parametrize("poison", [_text_in_a_double(), _far_moment()], ids=["text-in-double", "timestamp-2^63"])
def test_a_small_sparkplug_message_is_rejected_and_the_stream_lands_the_rest(tmp_path: Path, poison: bytes) -> None:
    assert len(poison) <= 32
    stream = _ingester(tmp_path, SPARKPLUG_MAPPING)
    good = spb.encode([{"alias": 1, "datatype": spb.DOUBLE, "value": 22.0, "timestamp": NOW // 1000}], seq=3)
    data = "spBv1.0/G/NDATA/n1"
    stream.land(_batch([("spBv1.0/G/NBIRTH/n1", _birth()), (data, poison), (data, good)]))
    assert stream.counters.rows == 2 and stream.counters.rejected == 1
    assert stream.error is None


class _Fragile:
    """A decoder with faults: ``raise`` breaks it, ``overflow`` makes a reading the landing cannot take."""

    def __init__(self) -> None:
        self.seen = 0

    def receive(self, topic: str, payload: Any, arrived: int, readings: Readings, rejects: Rejects) -> None:
        self.seen += 1
        if payload == b"raise":
            raise RuntimeError("decoder fault")
        stamp = 2**70 if payload == b"overflow" else arrived
        readings.add("m1", "s", stamp, 1.0, "kWh", "good", f"test:{topic}", arrived)

    def state(self) -> dict[str, Any]:
        return {"seen": self.seen}

    def restore(self, state: dict[str, Any]) -> None:
        self.seen = state.get("seen", 0)


def test_a_message_that_breaks_the_landing_is_isolated_and_rejected(tmp_path: Path) -> None:
    stream = _ingester(tmp_path, JSON_MAPPING, _Fragile())
    payloads = [b"ok"] * 6 + [b"overflow"] + [b"ok"] * 3 + [b"raise"]
    stream.land(_batch([(f"t{i}", p) for i, p in enumerate(payloads)]))
    assert stream.counters.rows == 9 and stream.counters.rejected == 2
    rejected = {r["source"]: r["reason"] for r in rejected_rows(stream.root)}
    assert "cannot be landed (" in rejected["mqtt:t6"]
    assert rejected["mqtt:t10"] == "cannot be decoded (RuntimeError: decoder fault)"
    assert stream.problem is not None and stream.problem["kind"] in ("landing-fault", "decoding-fault")
    assert stream.decoder.seen == stream.counters.rows + 1  # undone and redone: each decoded message counted once


def test_a_landing_that_fails_for_another_reason_than_the_disk_does_not_blame_the_disk(tmp_path: Path) -> None:
    stream = _ingester(tmp_path, JSON_MAPPING, _Fragile())

    def broken(*args: Any) -> Any:
        raise ValueError("no such thing")

    stream.lander.commit = broken  # type: ignore[method-assign]
    stream.batch = _batch([("t", b"ok")])
    batch = stream.take()
    assert asyncio.run(ingesting.land(stream, batch)) is False
    assert "ValueError" in (stream.error or "") and "disk" not in (stream.error or "")
    assert stream.status()["problem"]["kind"] == "landing-failed" and len(stream.batch) == 1


# ---- a crash-looping message -------------------------------------------------------------------------------------
CRASHER = """
    import os, signal, sys, time, json
    from pathlib import Path
    from sangsaeng.streams.ingester import Batch, Ingester
    from sangsaeng.streams.mapping import load_stream_mapping

    class Crasher:
        def receive(self, topic, payload, arrived, readings, rejects):
            if payload == b"poison":
                os.kill(os.getpid(), signal.SIGSEGV)  # as a C library would
            readings.add("m1", topic, arrived, 1.0, "kWh", "good", "test:" + topic, arrived)
        def state(self): return {}
        def restore(self, state): pass

    mapping = load_stream_mapping(sys.argv[1])
    stream = Ingester(mapping, Path(sys.argv[2]), Crasher())
    stream.root.mkdir(parents=True, exist_ok=True)
    stream.open()
    now = int(time.time() * 1_000_000)
    batch = Batch()
    for i, payload in enumerate([b"ok", b"ok", b"poison", b"ok"]):  # redelivered alike after every crash
        batch.topics.append(f"s{i}"); batch.payloads.append(payload); batch.arrived.append(now)
        batch.identities.append(100 + i); batch.acks.append(i + 1)
    stream.land(batch)
    print(json.dumps({"rows": stream.counters.rows, "quarantined": stream.counters.quarantined,
                      "problem": stream.problem}))
"""


def test_a_message_that_crashes_the_ingester_is_quarantined_after_it_crashed_it_alone(tmp_path: Path) -> None:
    root = tmp_path / "stream"
    first = _run(CRASHER, JSON_MAPPING, str(root))
    assert first.returncode != 0  # died on the batch
    second = _run(CRASHER, JSON_MAPPING, str(root))
    assert second.returncode != 0  # died again, on the poison alone: the others were decoded before it
    third = _run(CRASHER, JSON_MAPPING, str(root))
    assert third.returncode == 0, third.stderr[-800:]
    found = json.loads(third.stdout)
    assert found["rows"] == 3 and found["quarantined"] == 1
    reasons = [r["reason"] for r in rejected_rows(root)]
    assert len(reasons) == 1 and "quarantined" in reasons[0]
    assert [r["signal"] for r in landed_rows(root)] == ["s0", "s1", "s3"]


# ---- 3. memory and time linear in the message -----------------------------------------------------------------
def test_readings_of_a_large_sparkplug_birth_hold_no_copy_of_its_payload() -> None:
    host = decoder_for(load_stream_mapping(SPARKPLUG_MAPPING))
    metrics = [
        {"name": f"M{i}", "alias": i, "datatype": spb.DOUBLE, "value": float(i), "properties": {"engUnit": "°C"}}
        for i in range(2000)
    ]
    birth = spb.encode(metrics, seq=0, timestamp=NOW // 1000)
    readings, rejects = Readings([birth]), Rejects()
    readings.message = 0
    host.receive("spBv1.0/G/NBIRTH/n1", birth, NOW, readings, rejects)
    table = _rows_table(readings, rejects)
    assert table.num_rows == 2000
    assert table.nbytes < 10 * len(birth)  # not 2000 × the payload


def test_a_sparkplug_birth_with_many_bad_metrics_keeps_its_payload_once(tmp_path: Path) -> None:
    stream = _ingester(tmp_path, SPARKPLUG_MAPPING)
    data = spb.encode([{"alias": 1000 + i, "datatype": spb.DOUBLE, "value": 1.0} for i in range(500)], seq=1)
    stream.land(_batch([("spBv1.0/G/NBIRTH/n1", _birth()), ("spBv1.0/G/NDATA/n1", data)]))
    rows = rejected_rows(stream.root)
    assert len(rows) == 500 and sum(r["payload"] is not None for r in rows) == 1


def test_a_long_unit_is_refused_at_once() -> None:
    began = time.perf_counter()
    with pytest.raises(UnknownUnit, match="characters long"):
        recognize("k" * 20_000)
    assert time.perf_counter() - began < 0.2
    assert recognize("kWh").canonical == "kilowatt_hour"


def test_a_sparkplug_unit_of_megabytes_is_rejected_quickly_and_not_kept(tmp_path: Path) -> None:
    stream = _ingester(tmp_path, SPARKPLUG_MAPPING)
    birth = spb.encode(
        [{"name": "Temp", "alias": 1, "datatype": spb.DOUBLE, "value": 20.0, "properties": {"engUnit": "m" * 2**21}}],
        seq=0,
        timestamp=NOW // 1000,
    )
    began = time.perf_counter()
    stream.land(_batch([("spBv1.0/G/NBIRTH/n1", birth)]))
    assert time.perf_counter() - began < 2
    (reason,) = [r["reason"] for r in rejected_rows(stream.root)]
    assert "characters long" in reason
    assert len(orjson.dumps(stream.decoder.state())) < 1000


def test_a_payload_over_the_size_limit_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingesting, "MAX_PAYLOAD", 1000)
    stream = _ingester(tmp_path, JSON_MAPPING)
    big = orjson.dumps({"ts": NOW // 1000, "temp": 1, "pad": "x" * 5000})
    small = orjson.dumps({"ts": NOW // 1000, "temp": 2})
    stream.land(_batch([("f/m1", small), ("f/m1", big), ("f/m1", small)]))
    assert stream.counters.rows == 2
    (row,) = rejected_rows(stream.root)
    assert "more than 1,000" in row["reason"] and len(row["payload"]) == ingesting.KEPT


def test_qos0_messages_beyond_the_queue_limit_are_dropped_and_counted(tmp_path: Path) -> None:
    from sangsaeng.streams.mqtt import MqttSession

    stream = _ingester(tmp_path, JSON_MAPPING)
    stream.queue_limit = 100
    session = MqttSession(stream.mapping.source.mqtt, "c", ["f/#"], 0, stream)  # type: ignore[arg-type]
    packet = mqtt5.PublishPacket("f/m1", b"{}")
    for _ in range(250):
        session.publish_received(packet, NOW)
    assert len(stream.batch) == 100 and stream.counters.dropped == 150
    assert stream.status()["counters"]["dropped"] == 150


# ---- 4. plausibility ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("equipment", "value", "unit", "complaint"),
    [
        ("m1", 1e308, "°C", "outside the plausible range"),
        ("m1", -300.0, "°C", "outside the plausible range"),
        ("m1", 2e15, "kWh", "outside the plausible range"),
        ("m" * 60_000, 1.0, "kWh", "longer than 256 characters"),
        ("m1", 1.0, "k" * 5000, "characters long"),
    ],
)
def test_implausible_values_and_names_are_rejected(equipment: str, value: float, unit: str, complaint: str) -> None:
    r = Readings([b"p"])
    r.add(equipment, "s", NOW, value, unit, "good", "x", NOW, 0)
    r.add("m1", "s", NOW, 21.0, "°C", "good", "x", NOW, 0)
    rejects = Rejects()
    table = measurements(r, rejects, NOW)
    assert table.num_rows == 1 and len(rejects) == 1
    assert complaint in rejects.reason[0] and len(rejects.reason[0]) < 500


# ---- garbage interleaved with good messages, through the real broker ---------------------------------------------
GARBAGE = st.one_of(
    st.binary(max_size=80).map(lambda b: b"\xff" + b),  # no UTF-8, so no JSON
    st.integers(1100, 3000).map(_deep),
    st.sampled_from([b'{"ts": 1e400, "temp": 1}', b'{"ts": "soon"}', b"[]", b"", b'{"ts": 1, "temp": "x"}']),
    st.floats(1e16, 1e300).map(lambda v: orjson.dumps({"ts": NOW // 1000, "temp": v})),
)


@given(st.lists(GARBAGE, min_size=1, max_size=12), st.randoms(use_true_random=False))
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_garbage_among_good_messages_lands_every_good_one_once_and_rejects_every_bad_one(
    tmp_path: Path, broker: int, garbage: list[bytes], order: Any
) -> None:
    prefix = f"h{uuid.uuid4().hex[:8]}"
    mapping = load_stream_mapping(json_mapping(prefix, broker, rows=300, seconds=0.3))
    runner = Runner(Settings(data_dir=tmp_path / prefix), mapping, register=False)
    start = int(time.time() * 1000) - 1000
    topic = f"{prefix}/line2/press1/telemetry"
    good = [
        (topic, orjson.dumps({"ts": start + i, "temp": 68.0, "p": {"value": 1.0, "unit": "kW"}})) for i in range(80)
    ]
    bad = [(topic, g) for g in garbage]
    messages = good + bad
    order.shuffle(messages)
    publisher = Publisher(broker, f"pub-{prefix}")
    try:
        with running(runner) as stream:
            publisher.publish_all(messages)
            wait_until(lambda: stream.ingester.counters.commits and not len(stream.ingester.batch), 20)
            wait_until(lambda: stream.ingester.counters.rows >= 2 * len(good), 20, what="every good message")
    finally:
        publisher.close()
    rows = landed_rows(runner.root)
    stamps = sorted(int(r["timestamp"].timestamp() * 1000) for r in rows)
    assert stamps == sorted([start + i for i in range(80)] * 2)  # each good message once, with both its signals
    rejected = [r["payload"] for r in rejected_rows(runner.root)]
    for payload in garbage:
        assert payload in rejected


def test_a_batch_reads_only_so_many_units_it_has_not_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a unit takes about a millisecond: 10,000 made-up units in a birth must not hold a batch up."""
    from sangsaeng.streams import readings as module

    monkeypatch.setattr(module, "NEW_UNITS", 11)
    monkeypatch.setattr(module, "_READ", {})
    r = Readings([b"p"])
    r.add("m1", "s", NOW, 1.0, "kWh", "good", "x", NOW, 0)  # first: one of the 11
    for i in range(30):
        r.add("m1", "s", NOW, 1.0, f"made-up-{i}", "good", "x", NOW, 0)
    rejects = Rejects()
    assert measurements(r, rejects, NOW).num_rows == 1
    reasons = rejects.reason
    assert sum("unknown unit" in why for why in reasons) == 10
    assert sum("units new to the stream in one batch" in why for why in reasons) == 20
    again = Rejects()  # the next batch reads 11 more, and remembers the first
    measurements(r, again, NOW)
    assert sum("unknown unit" in why for why in again.reason) == 21


def test_stream_status_says_what_a_stream_struggled_with(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sangsaeng.cli.main import app

    stream = _ingester(tmp_path / "datasets" / "streams", JSON_MAPPING, _Fragile())
    stream.land(_batch([("t0", b"raise"), ("t1", b"ok")]))
    stream.write_status()
    stream.close()
    shown = CliRunner().invoke(app, ["stream", "status", "--data-dir", str(tmp_path)], env={"COLUMNS": "200"}).output
    assert "last problem (decoding-fault" in shown and "RuntimeError: decoder fault" in shown
    assert "disk" not in shown
