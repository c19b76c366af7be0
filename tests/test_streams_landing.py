"""Landing, mappings and readings without a broker: commits are all or nothing, recovery undoes a half commit,
readers see whole batches; mappings refuse what they cannot mean; a landed stream is offered and pulled."""

from __future__ import annotations

import io
import math
import time
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.units import recognize
from sangsaeng.streams import landing
from sangsaeng.streams.ingester import Ingester
from sangsaeng.streams.jsonrules import JsonRules
from sangsaeng.streams.mapping import json_path, load_stream_mapping
from sangsaeng.streams.readings import LARGEST, RANGES, Readings, Rejects, measurements
from tests.helpers import Dataspace, negotiate, offer_policy, start_transfer
from tests.streamtools import part_rows

NOW = int(time.time() * 1_000_000)
MAPPING = """
stream: unit
source: {mqtt: {port: 1}}
batch: {rows: 10, seconds: 5}
rules:
  - topic: "f/{machine}/data"
    equipment: "{machine}"
    timestamp: {path: $.t, format: iso}
    signal: energy
    value: $.v[0]
    unit: kWh
"""


def readings(values: list[tuple[float, str]]) -> Readings:
    r = Readings()
    for i, (value, unit) in enumerate(values):
        r.add("m1", "s", NOW - i, value, unit, "good", "test", NOW)
    return r


@given(
    st.lists(
        st.tuples(
            st.floats(allow_nan=False, allow_infinity=False, width=32),
            st.sampled_from(["kWh", "MJ", "°C", "°F", "bar", "1", "kW", "mm"]),
        ),
        max_size=50,
    )
)
@settings(max_examples=60, deadline=None)
def test_every_finite_reading_lands_converted_by_its_unit(values: list[tuple[float, str]]) -> None:
    def plausible(value: float, unit: str) -> bool:
        u = recognize(unit)
        converted = value * u.factor + u.offset
        low, high = RANGES.get(u.canonical, (-LARGEST, LARGEST))
        return low <= converted <= high

    rejects = Rejects()
    table = measurements(readings(values), rejects, NOW)
    kept = [(v, u) for v, u in values if plausible(v, u)]
    assert table.num_rows == len(kept) and len(rejects) == len(values) - len(kept)
    assert all("outside the plausible range" in why for why in rejects.reason)
    for row, (value, unit) in zip(table.to_pylist(), kept, strict=True):
        u = recognize(unit)
        assert row["raw_value"] == value and row["raw_unit"] == unit and row["unit"] == u.canonical
        assert math.isclose(row["value"], value * u.factor + u.offset, rel_tol=1e-12, abs_tol=1e-9)


def test_what_is_no_measurement_is_rejected_with_its_reason() -> None:
    r = readings([(1.0, "kWh")])
    r.payloads = [b"p0", b"p1", b"p2", b"p3", b"p4", b"p5", b"p6", b"p7"]
    r.add("m1", "s", NOW, "12,5", "kWh", "good", "x", NOW, 1)
    r.add("m1", "s", NOW, float("nan"), "kWh", "good", "x", NOW, 2)
    r.add("m1", "s", NOW, 1, "zorkmids", "good", "x", NOW, 3)
    r.add("m1", "s", 12, 1, "kWh", "good", "x", NOW, 4)
    r.add("", "s", NOW, 1, "kWh", "good", "x", NOW, 5)
    r.add("m1", "s", NOW, 1, "kWh", "excellent", "x", NOW, 6)
    r.add("m1", "s", NOW, "7", "kWh", "uncertain", "x", NOW, 7)
    rejects = Rejects()
    table = measurements(r, rejects, NOW)
    assert table.column("raw_value").to_pylist() == [1.0, 7.0]
    why = dict(zip(rejects.payload, rejects.reason, strict=True))
    assert "'12,5' is not a number" in why[b"p1"]
    assert "not a finite number" in why[b"p2"]
    assert "unknown unit 'zorkmids'" in why[b"p3"]
    assert "implausible" in why[b"p4"]
    assert why[b"p5"] == "no equipment or signal name"
    assert "quality 'excellent'" in why[b"p6"]


def test_json_rules_read_paths_captures_and_iso_times() -> None:
    mapping = load_stream_mapping(MAPPING)
    rules = JsonRules(mapping.rules)
    r, rejects = Readings(), Rejects()
    rules.receive("f/press1/data", orjson.dumps({"t": "2026-11-24T09:00:00+09:00", "v": [3.5]}), NOW, r, rejects)
    rules.receive("f/press1/data", orjson.dumps({"t": "2026-11-24T09:00:00", "v": [3.5]}), NOW, r, rejects)
    rules.receive("f/press1/data", orjson.dumps({"t": "2026-11-24T00:00:01Z", "v": []}), NOW, r, rejects)
    c = r.columns()
    assert (c.equipment, c.signal, c.value, c.unit) == (["press1"], ["energy"], [3.5], ["kWh"])
    assert c.timestamp == [int(pa.scalar(1795478400, pa.timestamp("s")).value * 1_000_000)]
    assert "no time zone" in rejects.reason[0] and "no value" in rejects.reason[1]


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ("stream: Bad Name\nsource: {mqtt: {}}\nrules: []", "a stream name is"),
        ("stream: s\nsource: {mqtt: {}, opcua: {endpoint: 'opc.tcp://x'}}", "exactly one source"),
        ("stream: s\nsource: {mqtt: {}}", "needs 'rules'"),
        (
            "stream: s\nsource: {mqtt: {}}\n"
            "rules: [{topic: 'a/{m}', equipment: '{x}', signal: s, value: $.v, unit: kWh}]",
            "x not captured",
        ),
        (
            "stream: s\nsource: {mqtt: {}}\nrules: [{topic: 'a/#/b', equipment: e, signal: s, value: $.v, unit: kWh}]",
            "# may only end",
        ),
        (
            "stream: s\nsource: {mqtt: {}}\nrules: [{topic: a, equipment: e, signal: s, value: v, unit: kWh}]",
            "not a JSON path",
        ),
        (
            "stream: s\nsource: {mqtt: {}}\nrules: [{topic: a, equipment: e, signal: s, value: $.v}]",
            "give either 'unit'",
        ),
        (
            "stream: s\nsource: {mqtt: {}}\nrules: [{topic: a, equipment: e, signal: s, value: $.v, unit: zorkmid}]",
            "unknown unit",
        ),
        (
            "stream: s\nsource: {opcua: {endpoint: 'http://x'}}\nnodes: [{node: 'i=1', equipment: e, signal: s}]",
            "opc.tcp://",
        ),
        (
            "stream: s\nsource: {opcua: {endpoint: 'opc.tcp://x'}}\nnodes: [{browse: 'A/{equipment}'}]",
            "must capture signal",
        ),
        ("stream: s\nsource: {sparkplug: {group: 'a/b'}}", "one topic level"),
        (
            "stream: s\nsource: {mqtt: {}}\nrules: [{topic: a, equipment: e, signal: s, value: $.v, unit: kWh}]\n"
            "nodes: [{node: 'i=1', equipment: e, signal: s}]",
            "'nodes' are for OPC UA",
        ),
        ("- a list", "must be a mapping document"),
        ("stream: [", "not YAML"),
    ],
)
def test_mappings_that_cannot_mean_anything_are_refused_saying_where(document: str, complaint: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        load_stream_mapping(document)
    assert complaint in raised.value.message


def test_json_path_subset() -> None:
    assert json_path("$.a.b[2].c") == ("a", "b", 2, "c")
    with pytest.raises(ValueError):
        json_path("$..a")


def table_of(n: int, start: int = 0) -> pa.Table:
    r = Readings()
    for i in range(n):
        r.add("m", "s", NOW - (start + i) * 3_600_000_000, float(start + i), "kWh", "good", "t", NOW)
    return measurements(r, Rejects(), NOW)


def test_a_commit_cut_short_is_undone_and_readers_never_see_it(tmp_path: Path) -> None:
    lander = landing.Lander(tmp_path, "hour")
    lander.lock()
    assert lander.recover() is None
    first = lander.commit(table_of(30), Rejects().table(), b"one")
    assert len(first.parts) >= 24 and first.rows == 30  # 30 hours back: one file per hour partition
    lander.close()
    # a second commit that crashed after writing files and half its manifest line
    orphan = tmp_path / "data/date=2020-01-01/hour=00/part-000000002-0.parquet"
    orphan.parent.mkdir(parents=True)
    pq.write_table(table_of(2), orphan)
    (tmp_path / landing.STATE / "000000002.bin").write_bytes(b"two")
    with open(tmp_path / landing.MANIFEST, "ab") as f:
        f.write(b'{"n": 2, "at": "x", "add": [{"path": "data/date=2020')
    assert sum(p.rows for p in landing.landed(tmp_path)) == 30  # the reader ignores the cut line
    again = landing.Lander(tmp_path, "hour")
    again.lock()
    with pytest.raises(Exception, match="another ingester"):
        landing.Lander(tmp_path, "hour").lock()
    assert again.recover() == b"one"
    assert not orphan.exists() and not (tmp_path / landing.STATE / "000000002.bin").exists()
    assert (tmp_path / landing.MANIFEST).read_bytes().endswith(b"\n")
    second = again.commit(table_of(3, 40), Rejects().table(), b"two")
    assert second.number == 2
    rows = pa.Table.from_pylist(part_rows(tmp_path))
    assert sorted(rows.column("raw_value").to_pylist()) == [float(i) for i in [*range(30), 40, 41, 42]]
    again.close()


def test_an_ingester_resumes_its_counters_and_remembered_messages(tmp_path: Path) -> None:
    mapping = load_stream_mapping(MAPPING)
    ingester = Ingester(mapping, tmp_path, JsonRules(mapping.rules), remember=5)
    ingester.open()
    for i in range(8):
        ingester.add("f/m/data", orjson.dumps({"t": "2026-11-24T00:00:00Z", "v": [i]}), NOW, identity=100 + i, ack=i)
    ingester.land(ingester.take())
    ingester.close()
    again = Ingester(mapping, tmp_path, JsonRules(mapping.rules), remember=5)
    again.open()
    assert again.counters.messages == 8 and again.counters.rows == 8
    assert all(again.is_landed(100 + i) for i in range(8))  # one batch is kept whole, even past 'remember'
    assert not again.is_landed(99)
    again.close()


@pytest.mark.anyio
@pytest.mark.xdist_group("s3")
async def test_a_landed_stream_is_offered_and_pulled_like_any_dataset(each_store: str, two: Dataspace) -> None:
    """The stream's parts are in the connector's dataset store (a folder, or S3), its manifest in its folder."""
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    put = await supplier.api.put("/api/streams/line2", json={"title": "Line 2 energy"})
    assert put.status_code == 200 and put.json()["created"] is True
    again = await supplier.api.put("/api/streams/line2", json={"title": "Line 2 energy"})
    assert again.json() == {**put.json(), "created": False}
    assert (await supplier.api.put("/api/streams/No Such", json={})).status_code in (400, 404)
    dataset_id = put.json()["datasetId"]

    mapping = load_stream_mapping(MAPPING.replace("stream: unit", "stream: line2"))
    store = supplier.connector.datasets
    root = supplier.connector.settings.streams_dir / "line2"
    ingester = Ingester(mapping, root, JsonRules(mapping.rules), store=store, prefix="streams/line2")
    ingester.open()
    for i in range(25):
        ingester.add("f/press/data", orjson.dumps({"t": f"2026-11-24T00:00:{i:02d}Z", "v": [i]}), NOW)
    ingester.add("f/press/data", b"nonsense", NOW)
    while len(ingester.batch):  # at most batch.rows (10) messages a commit
        ingester.land(ingester.take())
    assert ingester.counters.commits == 3
    ingester.write_status()
    assert len(store.files_under("streams/line2/data")) == 3 and len(store.files_under("streams/line2/rejected")) == 1

    listed = (await supplier.api.get(f"/api/datasets/{dataset_id}")).json()
    assert (listed["stream"], listed["rows"], listed["entity"]) == ("line2", 25, "measurement")
    streams = (await supplier.api.get("/api/streams")).json()
    assert [(s["stream"], s["landed"]["rows"], s["landed"]["rejected"]) for s in streams] == [("line2", 25, 1)]
    assert streams[0]["running"] is True
    rejected = (await supplier.api.get("/api/streams/line2/rejected")).json()
    assert rejected[0]["payload"] == "nonsense" and "not JSON" in rejected[0]["reason"]
    assert (await supplier.api.get("/api/streams/nope")).status_code == 404

    offer = await supplier.api.post("/api/offers", json={"datasetId": dataset_id, "policy": offer_policy(oem.id)})
    assert offer.status_code == 201, offer.text
    final = await negotiate(oem, supplier, dataset_id, offer.json()["id"])
    transfer = await start_transfer(oem, final["agreementId"])
    pulled = await oem.api.get(f"/api/transfers/{transfer['id']}/data")
    table = pa.ipc.open_stream(io.BytesIO(pulled.content)).read_all()
    assert sorted(table.column("raw_value").to_pylist()) == [float(i) for i in range(25)]

    for i in range(25, 30):  # the stream goes on: the next pull sees what landed since
        ingester.add("f/press/data", orjson.dumps({"t": f"2026-11-24T00:01:{i:02d}Z", "v": [i]}), NOW)
    ingester.land(ingester.take())
    ingester.close()
    later = await start_transfer(oem, final["agreementId"])
    table = pa.ipc.open_stream(io.BytesIO((await oem.api.get(f"/api/transfers/{later['id']}/data")).content))
    assert table.read_all().num_rows == 30


def test_the_stream_commands_say_what_is_wrong_and_show_status(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sangsaeng.cli.main import app

    cli = CliRunner()
    broken = tmp_path / "broken.yaml"
    broken.write_text("stream: s\nsource: {mqtt: {}}\nrules: [{topic: a, equipment: e, signal: s, value: v, unit: W}]")
    result = cli.invoke(app, ["stream", "mqtt", "--mapping", str(broken), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "not a JSON path" in result.output
    opcua = tmp_path / "opcua.yaml"
    opcua.write_text(
        "stream: s\nsource: {opcua: {endpoint: 'opc.tcp://127.0.0.1:1'}}\n"
        "nodes: [{node: 'i=85', equipment: e, signal: s, unit: W}]"
    )
    result = cli.invoke(app, ["stream", "mqtt", "--mapping", str(opcua), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "sangsaeng stream opcua" in result.output
    assert "no streams yet" in cli.invoke(app, ["stream", "status", "--data-dir", str(tmp_path)]).output

    mapping = load_stream_mapping(MAPPING)
    ingester = Ingester(mapping, tmp_path / "datasets" / "streams" / "unit", JsonRules(mapping.rules))
    ingester.open()
    ingester.add("f/m/data", orjson.dumps({"t": "2026-11-24T00:00:00Z", "v": [1]}), NOW)
    ingester.land(ingester.take())
    ingester.close()
    shown = cli.invoke(app, ["stream", "status", "--data-dir", str(tmp_path)], env={"COLUMNS": "160"}).output
    assert "unit" in shown and "stopped" in shown and " 1 " in shown


SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from(["abc", "12.5", "", "kW"]),
)
PAYLOAD = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "ts": st.one_of(st.integers(1_700_000_000_000, 1_800_000_000_000), st.floats(1.7e12, 1.8e12), SCALAR),
            "temp": SCALAR,
            "p": st.one_of(
                SCALAR,
                st.fixed_dictionaries(
                    {},
                    optional={
                        "value": SCALAR,
                        "unit": st.one_of(st.sampled_from(["kW", "W", "MW", "zorkmid", "°F"]), SCALAR),
                    },
                ),
            ),
            "q": st.one_of(st.sampled_from(["good", "uncertain", "bad", "excellent"]), SCALAR),
        },
    ).map(orjson.dumps),
    st.sampled_from([b"{not json", b"[1, 2]", b"42", b"", b'{"ts": 1.75e12,\n "temp": 1}']),
)
BATCH_MAPPING = """
stream: fast
source: {mqtt: {port: 1}}
rules:
  - topic: "f/{line}/{machine}"
    equipment: "{line}-{machine}"
    timestamp: {path: $.ts, format: epoch_ms}
    signals:
      - {signal: temperature, value: $.temp, unit: °F}
      - {signal: "{machine}-power", value: $.p.value, unit_path: $.p.unit, quality_path: $.q}
"""


def _landed(readings: Readings, rejects: Rejects) -> tuple[list[Any], list[Any]]:
    table = measurements(readings, rejects, NOW)
    rows = sorted(map(tuple, (r.values() for r in table.to_pylist())), key=repr)
    refused = sorted(zip(rejects.source, rejects.reason, rejects.payload, strict=True), key=repr)
    return rows, refused


@given(st.lists(st.tuples(st.sampled_from(["f/l1/m1", "f/l2/m7", "g/x"]), PAYLOAD), max_size=40))
@settings(max_examples=150, deadline=None)
def test_a_batch_read_by_arrow_lands_what_one_at_a_time_lands(messages: list[tuple[str, bytes]]) -> None:
    mapping = load_stream_mapping(BATCH_MAPPING)
    topics, payloads = [t for t, _ in messages], [p for _, p in messages]
    arrived = [NOW - i for i in range(len(messages))]
    one, one_refused = Readings(payloads), Rejects()
    rules = JsonRules(mapping.rules)
    for i, (t, p, a) in enumerate(zip(topics, payloads, arrived, strict=True)):
        one.message = i
        rules.receive(t, p, a, one, one_refused)
    many, many_refused = Readings(payloads), Rejects()
    batch_rules = JsonRules(mapping.rules)
    batch_rules.FEW = 1  # every group through Arrow, however small
    batch_rules.receive_batch(topics, payloads, arrived, many, many_refused)
    assert _landed(many, many_refused) == _landed(one, one_refused)
