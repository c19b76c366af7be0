"""MQTT messages with JSON payloads → readings, by a mapping's rules.

What a topic means is worked out once per distinct topic (machines publish to a fixed set) and kept: the rule
it matches, its captures, the equipment and signal names filled in, and the functions that read each value,
unit, quality and moment from a payload. Per message there is then one JSON parse and a few dictionary reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.streams.mapping import Rule, Timestamp, fill, getter, json_path
from sangsaeng.streams.readings import READING, Readings, Rejects

MAX_TOPICS = 100_000  # distinct topics remembered; more are matched anew each time
FAR_US = 2**62  # µs: beyond this a moment would not fit the 64-bit column (year 146,000)
# Deepest nesting read: orjson's own limit. Arrow's JSON reader recurses without one and crashes the process
# at ~30,000 levels, so a payload that might be deeper never reaches it. Nesting needs a byte per level: only
# a payload longer than this, with more brackets than this, can be too deep, and only that one is parsed to see.
MAX_DEPTH = 1024


@dataclass(frozen=True)
class _Signal:
    signal: str
    value: Callable[[Any], Any]
    unit: str | None
    unit_of: Callable[[Any], Any] | None
    quality_of: Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Topic:
    equipment: str
    signals: tuple[_Signal, ...]
    moment: Callable[[Any], int | str] | None  # µs since the epoch, or a reason it could not be read
    source: str
    rule: int  # which rule of the mapping


def _moment(spec: Timestamp) -> Callable[[Any], int | str]:
    read = getter(json_path(spec.path))
    scale = {"epoch_s": 1_000_000, "epoch_ms": 1000, "epoch_us": 1}.get(spec.format)

    def epoch(doc: Any) -> int | str:
        value = read(doc)
        if type(value) is int or type(value) is float:
            micros = value * scale  # type: ignore[operator]
            if abs(micros) >= FAR_US:
                return f"timestamp at {spec.path} is {value!r}, far outside any moment ({spec.format})"
            return int(micros)
        return f"timestamp at {spec.path} is {value!r}, not a number ({spec.format})"

    def iso(doc: Any) -> int | str:
        value = read(doc)
        if not isinstance(value, str):
            return f"timestamp at {spec.path} is {value!r}, not an ISO 8601 text"
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return f"timestamp at {spec.path} is {value!r}, not ISO 8601 (2026-11-24T09:30:00+09:00)"
        if moment.tzinfo is None:
            return f"timestamp {value!r} has no time zone; write Z or an offset such as +09:00"
        return int(moment.timestamp() * 1_000_000)

    return epoch if scale else iso


def _matches(rule: Rule, levels: list[str]) -> dict[str, str] | None:
    pattern = rule.topic.split("/")
    captures: dict[str, str] = {}
    for at, part in enumerate(pattern):
        if part == "#":
            return captures
        if at >= len(levels):
            return None
        if part.startswith("{"):
            captures[part[1:-1]] = levels[at]
        elif part != "+" and part != levels[at]:
            return None
    return captures if len(levels) == len(pattern) else None


class JsonRules:
    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._topics: dict[str, _Topic | None] = {}

    def _compile(self, topic: str) -> _Topic | None:
        levels = topic.split("/")
        for number, rule in enumerate(self.rules):
            captures = _matches(rule, levels)
            if captures is None:
                continue
            signals = tuple(
                _Signal(
                    fill(s.signal, captures),
                    getter(json_path(s.value)),
                    s.unit,
                    getter(json_path(s.unit_path)) if s.unit_path else None,
                    getter(json_path(s.quality_path)) if s.quality_path else None,
                )
                for s in rule.signals
            )
            moment = _moment(rule.timestamp) if rule.timestamp else None
            return _Topic(fill(rule.equipment, captures), signals, moment, f"mqtt:{topic}", number)
        return None

    def state(self) -> dict[str, Any]:
        return {}

    def restore(self, state: dict[str, Any]) -> None:
        pass

    def topic(self, topic: str) -> _Topic | None:
        try:
            return self._topics[topic]
        except KeyError:
            found = self._compile(topic)
            if len(self._topics) < MAX_TOPICS:
                self._topics[topic] = found
            return found

    # ---- a batch at a time ------------------------------------------------------------------------------
    FEW = 64  # below this many messages of one rule, one at a time is as fast

    def receive_batch(
        self, topics: list[str], payloads: list[bytes], arrived: list[int], readings: Readings, rejects: Rejects
    ) -> None:
        """Many messages at once. The payloads of each rule's messages are parsed together by Arrow's JSON
        reader (C++, in threads) and the mapping's paths read as columns; a group Arrow cannot read that way
        (a payload that is no JSON object, a field that is a number here and a text there, ISO moments, a
        value that is a text …) goes one message at a time, which says exactly what is wrong where."""
        known = self._topics.get
        meanings = [known(t) or self.topic(t) for t in topics]
        groups: dict[int, list[int]] = {}
        deep = _too_deep(payloads)
        if deep:
            for i, reason in deep.items():
                rejects.add(arrived[i], f"mqtt:{topics[i]}", reason, payloads[i])
                meanings[i] = None
            for i, meaning in enumerate(meanings):
                if meaning is not None:
                    groups.setdefault(meaning.rule, []).append(i)
                elif i not in deep:
                    reason = "no rule of the mapping matches this topic"
                    rejects.add(arrived[i], f"mqtt:{topics[i]}", reason, payloads[i])
        elif len(self.rules) == 1 and None not in meanings:
            groups[0] = list(range(len(topics)))
        else:
            for i, meaning in enumerate(meanings):
                if meaning is None:
                    reason = "no rule of the mapping matches this topic"
                    rejects.add(arrived[i], f"mqtt:{topics[i]}", reason, payloads[i])
                else:
                    groups.setdefault(meaning.rule, []).append(i)
        for number, members in groups.items():
            rule = self.rules[number]
            table = None
            whole = len(members) == len(topics)
            if len(members) >= self.FEW and not (rule.timestamp and rule.timestamp.format == "iso"):
                table = _columns(rule, payloads if whole else [payloads[i] for i in members])
            if table is None:
                for i in members:
                    readings.message = i
                    self.receive(topics[i], payloads[i], arrived[i], readings, rejects)
                continue
            chosen = meanings if whole else [meanings[i] for i in members]
            got = _readings(
                rule,
                table,
                chosen,
                arrived if whole else [arrived[i] for i in members],
                members,
            )
            if got is None:
                for i in members:
                    readings.message = i
                    self.receive(topics[i], payloads[i], arrived[i], readings, rejects)
                continue
            found, refused = got
            readings.tables.append(found)
            for at, reason in refused:
                i = members[at]
                rejects.add(arrived[i], f"mqtt:{topics[i]}", reason, payloads[i])

    def receive(self, topic: str, payload: bytes, arrived: int, readings: Readings, rejects: Rejects) -> None:
        meaning = self.topic(topic)
        if meaning is None:
            rejects.add(arrived, f"mqtt:{topic}", "no rule of the mapping matches this topic", payload)
            return
        message = readings.message
        try:
            doc = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            rejects.add(arrived, meaning.source, f"payload is not JSON: {exc}", payload)
            return
        if meaning.moment is None:
            moment: int | str = arrived
        else:
            moment = meaning.moment(doc)
            if type(moment) is str:
                rejects.add(arrived, meaning.source, moment, payload)
                return
        for s in meaning.signals:
            value = s.value(doc)
            if value is None:
                what = f"{meaning.equipment}/{s.signal}"
                rejects.add(arrived, meaning.source, f"{what}: no value in the payload", payload)
                continue
            unit = s.unit if s.unit_of is None else s.unit_of(doc)
            if not isinstance(unit, str):
                rejects.add(arrived, meaning.source, f"{meaning.equipment}/{s.signal}: no unit in the payload", payload)
                continue
            quality = "good" if s.quality_of is None else s.quality_of(doc)
            if not isinstance(quality, str):
                quality = "good" if quality is None else str(quality)[:200]
            at: int = moment  # type: ignore[assignment]  # a reason (str) returned above
            readings.append((meaning.equipment, s.signal, at, value, unit, quality, meaning.source, arrived, message))


def _too_deep(payloads: list[bytes]) -> dict[int, str]:
    """The payloads nested deeper than ``MAX_DEPTH`` (by index), with the reason; cheap for ordinary payloads
    (one length each, in C)."""
    if not payloads or max(map(len, payloads)) <= MAX_DEPTH:
        return {}
    found: dict[int, str] = {}
    for i, payload in enumerate(payloads):
        if len(payload) > MAX_DEPTH and payload.count(b"[") + payload.count(b"{") > MAX_DEPTH:
            try:
                orjson.loads(payload)
            except orjson.JSONDecodeError as exc:  # too deep, or no JSON at all: refused here either way
                found[i] = f"payload is not JSON: {exc}"
    return found


def _columns(rule: Rule, payloads: list[bytes]) -> pa.Table | None:
    """The payloads as one table (a row each), or None when Arrow cannot read them all as JSON objects."""
    import pyarrow.json as pajson

    text = b"\n".join(payloads)
    if text.count(b"\n") != len(payloads) - 1 or b"\r" in text:
        # JSON allows no raw line break inside a string: making them spaces changes only whitespace
        text = b"\n".join(p.replace(b"\n", b" ").replace(b"\r", b" ") for p in payloads)
    try:  # an empty or blank payload makes a row fewer: the count below sends the batch one at a time
        table = pajson.read_json(
            pa.py_buffer(text),
            read_options=pajson.ReadOptions(use_threads=True, block_size=max(1 << 20, len(text) // 2 + 1)),
            parse_options=pajson.ParseOptions(newlines_in_values=False),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return table if table.num_rows == len(payloads) else None


def _path(table: pa.Table, path: tuple[str | int, ...]) -> pa.Array | None:
    """The column a JSON path leads to (all null where it leads nowhere); None when it cannot be read so."""
    first = path[0]
    if not isinstance(first, str):
        return None
    if first not in table.column_names:
        return pa.nulls(table.num_rows)
    column: pa.Array = table.column(first).combine_chunks()
    for step in path[1:]:
        kind = column.type
        if isinstance(step, str):
            if not pa.types.is_struct(kind):
                return None if not pa.types.is_null(kind) else pa.nulls(table.num_rows)
            if kind.get_field_index(step) < 0:
                return pa.nulls(table.num_rows)
            column = pc.struct_field(column, step)
        else:
            if not pa.types.is_list(kind):
                return None if not pa.types.is_null(kind) else pa.nulls(table.num_rows)
            lengths = pc.fill_null(pc.list_value_length(column), 0)
            if pc.any(pc.less_equal(lengths, step)).as_py():
                return None  # a list too short somewhere: one at a time says where
            column = pc.list_element(column, step)
    return column


def _number_column(column: pa.Array) -> pa.Array | None:
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind):
        return pc.cast(column, pa.float64())
    return None


def _readings(
    rule: Rule, table: pa.Table, meanings: list[_Topic | None], arrived: list[int], messages: list[int]
) -> tuple[pa.Table, list[tuple[int, str]]] | None:
    """The rule's readings from a table of its payloads, and (row, reason) for what is missing; None when a
    column is of a kind only the one-at-a-time path reads (a text where a number belongs …)."""
    n = table.num_rows
    refused: list[tuple[int, str]] = []
    keep_message = np.ones(n, bool)
    if rule.timestamp is not None:
        stamp_column = _path(table, json_path(rule.timestamp.path))
        if stamp_column is None or pa.types.is_boolean(stamp_column.type):
            return None  # a moment that is true or false: one at a time says so
        seconds = _number_column(stamp_column)
        if seconds is None:
            return None
        scale = {"epoch_s": 1_000_000, "epoch_ms": 1000, "epoch_us": 1}[rule.timestamp.format]
        missing = pc.is_null(seconds).to_numpy(zero_copy_only=False)
        for at in np.flatnonzero(missing).tolist():
            refused.append((at, f"timestamp at {rule.timestamp.path} is None, not a number ({rule.timestamp.format})"))
        far = pc.fill_null(pc.greater_equal(pc.abs(pc.multiply(seconds, float(scale))), float(FAR_US)), False)
        for at in np.flatnonzero(far.to_numpy(zero_copy_only=False)).tolist():
            shown = stamp_column[at].as_py()
            refused.append(
                (
                    at,
                    f"timestamp at {rule.timestamp.path} is {shown!r}, far outside any moment "
                    f"({rule.timestamp.format})",
                )
            )
        missing |= far.to_numpy(zero_copy_only=False)
        seconds = pc.if_else(far, 0.0, seconds)
        if pa.types.is_integer(stamp_column.type):  # whole numbers stay whole: no rounding through a float
            seconds = pc.if_else(far, 0, pc.cast(stamp_column, pa.int64()))
        keep_message &= ~missing
        if pa.types.is_integer(seconds.type):
            stamps = pc.multiply(pc.fill_null(seconds, 0), scale).to_numpy()
        else:
            stamps = pc.cast(pc.trunc(pc.multiply(pc.fill_null(seconds, 0.0), float(scale))), pa.int64()).to_numpy()
    else:
        stamps = np.asarray(arrived, np.int64)
    equipment = pa.array([m.equipment if m else "" for m in meanings], pa.string())
    sources = pa.array([m.source if m else "" for m in meanings], pa.string())
    received = pa.array(arrived, pa.int64())
    bodies = pa.array(messages, pa.int64())
    pieces: list[pa.Table] = []
    for number, spec in enumerate(rule.signals):
        value_column = _path(table, json_path(spec.value))
        values = None if value_column is None else _number_column(value_column)
        if values is None:
            return None
        if spec.unit_path is not None:
            unit_column = _path(table, json_path(spec.unit_path))
            if unit_column is None or not (pa.types.is_string(unit_column.type) or pa.types.is_null(unit_column.type)):
                return None
            units = pc.cast(unit_column, pa.string())
        else:
            units = pa.array(np.full(n, spec.unit, object), pa.string())
        if spec.quality_path is not None:
            quality_column = _path(table, json_path(spec.quality_path))
            if quality_column is None or not (
                pa.types.is_string(quality_column.type) or pa.types.is_null(quality_column.type)
            ):
                return None
            qualities = pc.fill_null(pc.cast(quality_column, pa.string()), "good")
        else:
            qualities = pa.array(np.full(n, "good", object), pa.string())
        no_value = pc.is_null(values).to_numpy(zero_copy_only=False)
        no_unit = pc.is_null(units).to_numpy(zero_copy_only=False)
        keep = keep_message & ~no_value & ~no_unit
        for at in np.flatnonzero(keep_message & (no_value | no_unit)).tolist():
            signal = meanings[at].signals[number].signal if meanings[at] else spec.signal  # type: ignore[union-attr]
            what = f"{equipment[at].as_py()}/{signal}"
            refused.append(
                (at, f"{what}: no value in the payload" if no_value[at] else f"{what}: no unit in the payload")
            )
        signals = pa.array([m.signals[number].signal if m else "" for m in meanings], pa.string())
        piece = pa.Table.from_arrays(
            [equipment, signals, pa.array(stamps), values, units, qualities, sources, received, bodies], schema=READING
        )
        pieces.append(piece if keep.all() else piece.filter(pa.array(keep)))
    refused.sort(key=lambda r: r[0])
    return pa.concat_tables(pieces), refused
