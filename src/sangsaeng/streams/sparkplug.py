"""Sparkplug B: topics, the protobuf payload, and a host application's view of its edge nodes.

The payload's message types are declared here from the Sparkplug B 3.0 specification's field numbers and read
by Google's protobuf runtime (no generated code, no protoc at build time). DataSet, Template and extension
values are kept as opaque bytes: they are not time-series values and are refused as measurements.

``Host`` keeps what a host application must: per edge node its birth (``bdSeq``), the last ``seq`` (0–255,
every message after NBIRTH counts, NDEATH does not), the metric aliases and units announced in NBIRTH and
DBIRTH, and whether node and devices are alive. It turns messages into readings and tells the caller when to
ask a node for a rebirth (an alias or a node it does not know) and when a ``seq`` gap shows lost messages. Death
certificates mark every metric of the node (or device) ``bad`` at the moment of death; data from a node or
device that is dead is kept as ``uncertain`` and triggers a rebirth request.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message

from sangsaeng.streams.mapping import Sparkplug, fill
from sangsaeng.streams.readings import MAX_NAME, Readings, Rejects

NAMESPACE = "spBv1.0"
REBIRTH = "Node Control/Rebirth"
BD_SEQ = "bdSeq"
UNIT_PROPERTIES = ("engUnit", "engUnits", "EngUnit", "unit", "units")
# Sparkplug B data types (specification § 6.4.16)
INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FLOAT, DOUBLE, BOOLEAN, STRING = range(1, 13)
NUMERIC = {INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FLOAT, DOUBLE, BOOLEAN}
# Limits on what one message may carry: more metrics than this is no edge node's message; a unit longer than
# MAX_UNIT is kept only that far (it is refused as a unit anyway, and the host's memory is saved every commit);
# a moment at or beyond FAR_MS (ms since 1970) would not fit the 64-bit µs column.
MAX_METRICS = 100_000
MAX_UNIT = 65
FAR_MS = 2**62 // 1000
_F = descriptor_pb2.FieldDescriptorProto


def _file() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(name="sangsaeng_sparkplug_b.proto", package="sangsaeng.spb")
    proto.syntax = "proto2"

    def message(name: str, fields: list[tuple[str, int, int, str | None, bool, bool]]) -> None:
        """fields: (name, number, type, message type, repeated, in the 'value' oneof)"""
        msg = proto.message_type.add(name=name)
        if any(f[5] for f in fields):
            msg.oneof_decl.add(name="value")
        for fname, number, ftype, type_name, repeated, in_oneof in fields:
            f = msg.field.add(name=fname, number=number, type=ftype)
            f.label = _F.LABEL_REPEATED if repeated else _F.LABEL_OPTIONAL
            if type_name:
                f.type_name = f".sangsaeng.spb.{type_name}"
            if in_oneof:
                f.oneof_index = 0

    s, b, u32, u64 = _F.TYPE_STRING, _F.TYPE_BOOL, _F.TYPE_UINT32, _F.TYPE_UINT64
    fl, db, by, msg_t = _F.TYPE_FLOAT, _F.TYPE_DOUBLE, _F.TYPE_BYTES, _F.TYPE_MESSAGE
    message(
        "Payload",
        [
            ("timestamp", 1, u64, None, False, False),
            ("metrics", 2, msg_t, "Metric", True, False),
            ("seq", 3, u64, None, False, False),
            ("uuid", 4, s, None, False, False),
            ("body", 5, by, None, False, False),
        ],
    )
    message(
        "MetaData",
        [
            ("is_multi_part", 1, b, None, False, False),
            ("content_type", 2, s, None, False, False),
            ("size", 3, u64, None, False, False),
            ("seq", 4, u64, None, False, False),
            ("file_name", 5, s, None, False, False),
            ("file_type", 6, s, None, False, False),
            ("md5", 7, s, None, False, False),
            ("description", 8, s, None, False, False),
        ],
    )
    message(
        "PropertyValue",
        [
            ("type", 1, u32, None, False, False),
            ("is_null", 2, b, None, False, False),
            ("int_value", 3, u32, None, False, True),
            ("long_value", 4, u64, None, False, True),
            ("float_value", 5, fl, None, False, True),
            ("double_value", 6, db, None, False, True),
            ("boolean_value", 7, b, None, False, True),
            ("string_value", 8, s, None, False, True),
            ("propertyset_value", 9, msg_t, "PropertySet", False, True),
            ("propertysets_value", 10, by, None, False, True),
            ("extension_value", 11, by, None, False, True),
        ],
    )
    message(
        "PropertySet",
        [("keys", 1, s, None, True, False), ("values", 2, msg_t, "PropertyValue", True, False)],
    )
    message(
        "Metric",
        [
            ("name", 1, s, None, False, False),
            ("alias", 2, u64, None, False, False),
            ("timestamp", 3, u64, None, False, False),
            ("datatype", 4, u32, None, False, False),
            ("is_historical", 5, b, None, False, False),
            ("is_transient", 6, b, None, False, False),
            ("is_null", 7, b, None, False, False),
            ("metadata", 8, msg_t, "MetaData", False, False),
            ("properties", 9, msg_t, "PropertySet", False, False),
            ("int_value", 10, u32, None, False, True),
            ("long_value", 11, u64, None, False, True),
            ("float_value", 12, fl, None, False, True),
            ("double_value", 13, db, None, False, True),
            ("boolean_value", 14, b, None, False, True),
            ("string_value", 15, s, None, False, True),
            ("bytes_value", 16, by, None, False, True),
            ("dataset_value", 17, by, None, False, True),
            ("template_value", 18, by, None, False, True),
            ("extension_value", 19, by, None, False, True),
        ],
    )
    return proto


_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(_file())
Payload: Any = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("sangsaeng.spb.Payload"))


def metric_value(metric: Any) -> Any:
    """The metric's value as Python: signed integers restored from their two's-complement transport."""
    which = metric.WhichOneof("value")
    if which is None:
        return None
    value = getattr(metric, which)
    kind = metric.datatype
    if kind in (INT8, INT16, INT32) and which == "int_value":
        bits = {INT8: 8, INT16: 16, INT32: 32}[kind]
        if value >= 1 << 31:  # sign-extended to 32 bits
            value -= 1 << 32
        elif value >= 1 << (bits - 1) and bits < 32:  # two's complement in its own width
            value -= 1 << bits
    elif kind == INT64 and which == "long_value" and value >= 1 << 63:
        value -= 1 << 64
    return value


def properties(metric: Any) -> dict[str, Any]:
    if not metric.HasField("properties"):
        return {}
    found: dict[str, Any] = {}
    for key, value in zip(metric.properties.keys, metric.properties.values, strict=False):
        which = value.WhichOneof("value")
        found[key] = getattr(value, which) if which else None
    return found


def encode(metrics: list[dict[str, Any]], *, seq: int | None = None, timestamp: int | None = None) -> bytes:
    """A payload from plain dicts (name, alias, datatype, value, timestamp, properties) — for rebirth requests,
    the simulator and tests."""
    payload = Payload()
    if timestamp is not None:
        payload.timestamp = timestamp
    if seq is not None:
        payload.seq = seq
    for spec in metrics:
        m = payload.metrics.add()
        if "name" in spec:
            m.name = spec["name"]
        if "alias" in spec:
            m.alias = spec["alias"]
        if "timestamp" in spec:
            m.timestamp = spec["timestamp"]
        kind = spec.get("datatype", DOUBLE)
        m.datatype = kind
        value = spec.get("value")
        if value is None:
            m.is_null = True
        elif kind == BOOLEAN:
            m.boolean_value = bool(value)
        elif kind == FLOAT:
            m.float_value = float(value)
        elif kind == DOUBLE:
            m.double_value = float(value)
        elif kind in (INT64, UINT64):
            m.long_value = int(value) % (1 << 64)
        elif kind == STRING:
            m.string_value = str(value)
        else:
            m.int_value = int(value) % (1 << 32)
        for key, prop in spec.get("properties", {}).items():
            m.properties.keys.append(key)
            pv = m.properties.values.add()
            pv.type = STRING
            pv.string_value = str(prop)
    out: bytes = payload.SerializeToString()
    return out


@dataclass
class MetricInfo:
    name: str
    datatype: int
    unit: str | None
    last: float | None = None


@dataclass
class Node:
    bd_seq: int | None = None
    seq: int | None = None
    alive: bool = False
    rebirth_asked: bool = False
    aliases: dict[int, str] = field(default_factory=dict)  # alias → metric name, for the node and its devices
    metrics: dict[str, dict[str, MetricInfo]] = field(default_factory=dict)  # device ("" = node) → name → info
    devices: dict[str, bool] = field(default_factory=dict)  # device → alive


@dataclass(frozen=True)
class Gap:
    group: str
    node: str
    expected: int
    got: int
    at: int  # µs since the epoch, when noticed


class Host:
    """A Sparkplug host application's memory of its edge nodes; serialisable so a restart resumes it."""

    def __init__(self, mapping: Sparkplug) -> None:
        self.mapping = mapping
        self.nodes: dict[tuple[str, str], Node] = {}
        self.rebirths: list[tuple[str, str]] = []  # (group, node) to ask, taken by the caller
        self.gaps: list[Gap] = []  # taken by the caller
        self.stale_deaths = 0
        self.commands = 0
        self._overrides = list(mapping.metrics.items())
        self._asked_unknown: set[tuple[str, str]] = set()

    # ---- state that survives a restart -------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {
            f"{g}/{n}": {
                "bdSeq": node.bd_seq,
                "seq": node.seq,
                "alive": node.alive,
                "aliases": {str(a): name for a, name in node.aliases.items()},
                "metrics": {
                    device: {k: [v.datatype, v.unit, v.last] for k, v in infos.items()}
                    for device, infos in node.metrics.items()
                },
                "devices": node.devices,
            }
            for (g, n), node in self.nodes.items()
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.nodes.clear()
        for key, saved in state.items():
            group, node_id = key.split("/", 1)
            node = Node(
                bd_seq=saved["bdSeq"],
                seq=saved["seq"],
                alive=saved["alive"],
                aliases={int(a): name for a, name in saved["aliases"].items()},
                metrics={
                    device: {k: MetricInfo(k, v[0], v[1], v[2]) for k, v in infos.items()}
                    for device, infos in saved["metrics"].items()
                },
                devices=dict(saved["devices"]),
            )
            self.nodes[(group, node_id)] = node

    # ---- messages ------------------------------------------------------------------------------------
    def receive(self, topic: str, payload: bytes, arrived: int, readings: Readings, rejects: Rejects) -> None:
        """One message: readings for its metrics, rejects for what cannot be read, requests and gaps noted."""
        levels = topic.split("/")
        source = f"sparkplug:{topic}"
        if len(levels) < 2 or levels[0] != NAMESPACE:
            rejects.add(arrived, source, f"not a Sparkplug B topic (it starts with {NAMESPACE}/)", payload)
            return
        if levels[1] == "STATE":  # a host application's state: not machine data
            return
        if len(levels) not in (4, 5):
            rejects.add(arrived, source, "a Sparkplug topic is spBv1.0/group/TYPE/node[/device]", payload)
            return
        group, kind, node_id = levels[1], levels[2], levels[3]
        device = levels[4] if len(levels) == 5 else ""
        if kind in ("NCMD", "DCMD"):
            self.commands += 1
            return
        if kind not in ("NBIRTH", "NDEATH", "DBIRTH", "DDEATH", "NDATA", "DDATA"):
            rejects.add(arrived, source, f"unknown Sparkplug message type {kind!r}", payload)
            return
        if (kind[0] == "D") != bool(device):
            rejects.add(arrived, source, f"{kind} {'needs' if kind[0] == 'D' else 'takes no'} device id", payload)
            return
        try:
            message: Message = Payload.FromString(payload)
        except DecodeError as exc:
            rejects.add(arrived, source, f"not a Sparkplug B payload: {exc}", payload)
            return
        count = len(message.metrics)  # type: ignore[attr-defined]
        if count > MAX_METRICS:
            rejects.add(arrived, source, f"{count} metrics in one message, more than {MAX_METRICS:,}", payload)
            return
        key = (group, node_id)
        node = self.nodes.get(key)
        when = message.timestamp if message.HasField("timestamp") else arrived // 1000  # type: ignore[attr-defined]
        if when >= FAR_MS:
            rejects.add(arrived, source, f"payload timestamp {when} ms since 1970 is far outside any moment", payload)
            return
        if kind == "NBIRTH":
            self._node_birth(key, message, arrived, source, readings, rejects, payload)
            return
        if kind == "NDEATH":
            self._node_death(key, node, message, when, source, arrived, readings)
            return
        if node is None:
            self._ask(key)
            rejects.add(arrived, source, f"no birth certificate seen for node {node_id}; rebirth requested", payload)
            return
        self._check_seq(key, node, message, arrived)
        if kind == "DBIRTH":
            node.devices[device] = True
            infos = node.metrics.setdefault(device, {})
            for m in message.metrics:  # type: ignore[attr-defined]
                if len(m.name) > MAX_NAME:
                    continue
                if m.HasField("alias") and m.name:
                    node.aliases[m.alias] = m.name
                if m.name:
                    infos[m.name] = MetricInfo(m.name, m.datatype, _unit(m))
            self._metrics(key, node, device, message, "good", source, arrived, readings, rejects, payload)
        elif kind == "DDEATH":
            node.devices[device] = False
            self._mark_bad(key, node, device, when, source, arrived, readings)
        else:
            alive = node.alive and (not device or node.devices.get(device, False))
            if not alive:
                self._ask(key)
            quality = "good" if alive else "uncertain"
            self._metrics(key, node, device, message, quality, source, arrived, readings, rejects, payload)

    def _node_birth(
        self,
        key: tuple[str, str],
        message: Any,
        arrived: int,
        source: str,
        readings: Readings,
        rejects: Rejects,
        payload: bytes,
    ) -> None:
        node = Node(seq=message.seq if message.HasField("seq") else 0, alive=True)
        infos = node.metrics.setdefault("", {})
        for m in message.metrics:
            if m.name == BD_SEQ:
                node.bd_seq = metric_value(m)
            if len(m.name) > MAX_NAME:  # no name: not remembered (its reading is rejected for it)
                continue
            if m.HasField("alias") and m.name:
                node.aliases[m.alias] = m.name
            if m.name:
                infos[m.name] = MetricInfo(m.name, m.datatype, _unit(m))
        old = self.nodes.get(key)
        if old is not None:  # the devices must be born again under the new node session
            node.devices = {d: False for d in old.devices}
        self.nodes[key] = node
        self.rebirths = [k for k in self.rebirths if k != key]
        self._asked_unknown.discard(key)
        self._metrics(key, node, "", message, "good", source, arrived, readings, rejects, payload)

    def _node_death(
        self, key: tuple[str, str], node: Node | None, message: Any, when: int, source: str, arrived: int, r: Readings
    ) -> None:
        if node is None:
            self.stale_deaths += 1
            return
        bd_seq = next((metric_value(m) for m in message.metrics if m.name == BD_SEQ), None)
        if bd_seq is not None and node.bd_seq is not None and bd_seq != node.bd_seq:
            self.stale_deaths += 1  # the will of an earlier session, arriving late: this one lives on
            return
        node.alive = False
        node.seq = None
        for device in list(node.metrics):
            if device:
                node.devices[device] = False
            self._mark_bad(key, node, device, when, source, arrived, r)

    def _check_seq(self, key: tuple[str, str], node: Node, message: Any, arrived: int) -> None:
        if not message.HasField("seq"):
            return
        seq = message.seq
        if node.seq is not None:
            expected = (node.seq + 1) % 256
            if seq != expected:
                self.gaps.append(Gap(key[0], key[1], expected, seq, arrived))
        node.seq = seq

    def _ask(self, key: tuple[str, str]) -> None:
        node = self.nodes.get(key)
        if node is not None:
            if node.rebirth_asked:
                return
            node.rebirth_asked = True
        elif key in self._asked_unknown:
            return
        else:
            self._asked_unknown.add(key)
        self.rebirths.append(key)

    def _equipment(self, key: tuple[str, str], device: str) -> str:
        names = {"group": key[0], "node": key[1], "device": device}
        return fill(self.mapping.equipment if device else self.mapping.node_equipment, names)

    def _override(self, name: str) -> tuple[str | None, str | None, bool]:
        """(signal, unit, ignored) for a metric name from the mapping."""
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in self.mapping.ignore):
            return None, None, True
        for pattern, found in self._overrides:
            if fnmatch.fnmatchcase(name, pattern):
                return found.signal, found.unit, False
        return None, None, False

    def _metrics(
        self,
        key: tuple[str, str],
        node: Node,
        device: str,
        message: Any,
        quality: str,
        source: str,
        arrived: int,
        readings: Readings,
        rejects: Rejects,
        payload: bytes,
    ) -> None:
        equipment = self._equipment(key, device)
        infos = node.metrics.setdefault(device, {})
        default_ms = message.timestamp if message.HasField("timestamp") else arrived // 1000
        for m in message.metrics:
            name = m.name
            if not name:
                if not m.HasField("alias") or m.alias not in node.aliases:
                    self._ask(key)
                    rejects.add(
                        arrived,
                        source,
                        f"metric alias {m.alias} is unknown for node {key[1]}; rebirth requested",
                        payload,
                    )
                    continue
                name = node.aliases[m.alias]
            if name == BD_SEQ or name.startswith("Node Control/") or name.startswith("Device Control/"):
                continue
            signal, unit, ignored = self._override(name)
            if ignored:
                continue
            info = infos.get(name)
            kind = m.datatype or (info.datatype if info else 0)
            if m.is_null:
                continue  # no value at this moment: nothing to record
            if kind not in NUMERIC:
                rejects.add(
                    arrived,
                    source,
                    f"metric {name!r} is of Sparkplug type {kind}, not a number; list it under sparkplug.ignore",
                    None,
                )
                continue
            unit = unit or (info.unit if info else None) or _unit(m)
            if unit is None:
                rejects.add(
                    arrived,
                    source,
                    f"metric {name!r} has no unit: give engUnit in its birth certificate, or "
                    f"sparkplug.metrics.{name!r}.unit in the mapping (1 for counts)",
                    None,
                )
                continue
            value = metric_value(m)
            held = type(value)
            if held is not float and held is not int and held is not bool:  # a text where a DOUBLE belongs …
                which = m.WhichOneof("value")
                why = f"metric {name[:80]!r} is of Sparkplug type {kind} but carries {which or 'no value'}"
                rejects.add(arrived, source, why, payload)
                continue
            stamp = m.timestamp if m.HasField("timestamp") else default_ms
            if stamp >= FAR_MS:
                why = f"metric {name[:80]!r}: timestamp {stamp} ms since 1970 is far outside any moment"
                rejects.add(arrived, source, why, payload)
                continue
            if info is not None:
                info.last = float(value)
            readings.add(equipment, signal or name, stamp * 1000, value, unit, quality, source, arrived)

    def _mark_bad(
        self, key: tuple[str, str], node: Node, device: str, when: int, source: str, arrived: int, r: Readings
    ) -> None:
        """A death certificate: every metric of the node or device last seen with a value becomes bad now."""
        equipment = self._equipment(key, device)
        for name, info in node.metrics.get(device, {}).items():
            if info.last is None or name == BD_SEQ:
                continue
            signal, unit, ignored = self._override(name)
            unit = unit or info.unit
            if ignored or unit is None:
                continue
            r.add(equipment, signal or name, when * 1000, info.last, unit, "bad", source, arrived, -1)


def _unit(metric: Any) -> str | None:
    found = properties(metric)
    for key in UNIT_PROPERTIES:
        value = found.get(key)
        if isinstance(value, str) and value.strip():
            return value[: MAX_UNIT * 4].strip()[:MAX_UNIT]
    if metric.datatype == BOOLEAN:
        return "1"
    return None


def rebirth_request(group: str, node: str, now_ms: int) -> tuple[str, bytes]:
    """The NCMD that asks an edge node to publish its birth certificates again."""
    body = encode([{"name": REBIRTH, "datatype": BOOLEAN, "value": True, "timestamp": now_ms}], timestamp=now_ms)
    return f"{NAMESPACE}/{group}/NCMD/{node}", body
