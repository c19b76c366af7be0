"""Sparkplug B payloads: the protobuf message types, read by Google's protobuf runtime.

The message types are declared here from the Sparkplug B 3.0 specification's field numbers (no generated code,
no protoc at build time). DataSet, Template and extension values are kept as opaque bytes: they are not
time-series values and are refused as measurements.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

# Sparkplug B data types (specification § 6.4.16)
INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FLOAT, DOUBLE, BOOLEAN, STRING = range(1, 13)
NUMERIC = {INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FLOAT, DOUBLE, BOOLEAN}
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
