"""Readings as decoders collect them, and how a micro-batch of them becomes standard measurements.

Decoders (JSON rules, Sparkplug B, OPC UA) append plain values to column lists — the cheapest thing to do per
message. Once per micro-batch, ``measurements`` turns the lists into the Measurement entity's Arrow table:
units recognised once per distinct unit and converted a whole column at a time, every row checked; a row that
cannot be a measurement becomes a rejected row with its reason instead, so the stream never stops.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.errors import SangsaengError
from sangsaeng.standard.entities import Measurement, arrow_schema
from sangsaeng.standard.units import MAX_UNIT_LENGTH, Unit, recognize

MEASUREMENT = arrow_schema(Measurement)
REJECTED = pa.schema(
    [
        pa.field("received_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("payload", pa.binary()),
    ]
)
QUALITIES = ("good", "uncertain", "bad")
# Plausible moments: a reading before 1990 or more than a day ahead is a clock or format mistake.
EARLIEST_US = 631_152_000_000_000
AHEAD_US = 86_400_000_000
# Plausible values: an equipment or signal name longer than this is no name; a magnitude beyond LARGEST (in the
# canonical unit) is a fault, not a measurement; per canonical unit, its physical range.
MAX_NAME = 256
LARGEST = 1e15
RANGES = {"kelvin": (0.0, 10_000.0)}  # above absolute zero, below any furnace
SHOWN = 80  # characters of a value shown in a reason


@dataclass
class Rejects:
    received_at: list[int] = field(default_factory=list)  # µs since the epoch
    source: list[str] = field(default_factory=list)
    reason: list[str] = field(default_factory=list)
    payload: list[bytes | None] = field(default_factory=list)

    _kept: set[tuple[int, int]] = field(default_factory=set)  # messages (payload identity, arrival) kept

    def add(self, received_at: int, source: str, reason: str, payload: bytes | None = None) -> None:
        """A rejected row; a message's payload is kept with its first reject only (a birth certificate with
        10,000 bad metrics is stored once, not 10,000 times)."""
        if payload is not None:
            key = (id(payload), received_at)
            if key in self._kept:
                payload = None
            else:
                self._kept.add(key)  # kept alive by ``self.payload``: the identity cannot be reused
        self.received_at.append(received_at)
        self.source.append(source)
        self.reason.append(reason)
        self.payload.append(payload)

    def __len__(self) -> int:
        return len(self.reason)

    def truncate(self, size: int) -> None:
        """Forget the rejects after the first ``size`` (a message whose decoding failed halfway)."""
        for received_at, payload in zip(self.received_at[size:], self.payload[size:], strict=True):
            if payload is not None:
                self._kept.discard((id(payload), received_at))
        for column in (self.received_at, self.source, self.reason, self.payload):
            del column[size:]

    def table(self) -> pa.Table:
        return pa.Table.from_arrays(
            [
                pa.array(self.received_at, pa.int64()).cast(pa.timestamp("us", tz="UTC")),
                pa.array(self.source, pa.string()),
                pa.array(self.reason, pa.string()),
                pa.array(self.payload, pa.binary()),
            ],
            schema=REJECTED,
        )


@dataclass
class Columns:
    equipment: list[str]
    signal: list[str]
    timestamp: list[int]  # µs since the epoch, UTC
    value: list[Any]
    unit: list[str]
    quality: list[str]
    source: list[str]
    received_at: list[int]
    message: list[int]


Reading = tuple[str, str, int, Any, str, str, str, int, int]
FIELDS = ("equipment", "signal", "timestamp", "value", "unit", "quality", "source", "received_at", "message")


class Readings:
    """Readings not yet landed, one tuple each (one append per reading is the cheapest thing Python does);
    turned into columns once per batch. ``message`` is the index, in the batch's ``payloads``, of the message
    each came from: a reading holds no copy of its payload, which is looked up only for a reading rejected."""

    def __init__(self, payloads: list[Any] | None = None) -> None:
        self.rows: list[Reading] = []
        self.append = self.rows.append  # decoders call this with a whole tuple
        self.tables: list[pa.Table] = []  # readings decoded a batch at a time (schema READING)
        self.payloads: list[Any] = payloads if payloads is not None else []
        self.message = -1  # the message being decoded (set by the ingester before each)

    def payload(self, message: int) -> bytes | None:
        """The payload of the batch's ``message``-th message, to keep with a reject (OPC UA: its value shown)."""
        if not 0 <= message < len(self.payloads):
            return None
        found = self.payloads[message]
        if found is None or isinstance(found, bytes):
            return found
        return repr(found).encode()[:200]

    def add(
        self,
        equipment: str,
        signal: str,
        timestamp: int,
        value: Any,
        unit: str,
        quality: str,
        source: str,
        received_at: int,
        message: int | None = None,
    ) -> None:
        at = self.message if message is None else message
        self.rows.append((equipment, signal, timestamp, value, unit, quality, source, received_at, at))

    def columns(self) -> Columns:
        if not self.rows:
            return Columns(*([] for _ in FIELDS))
        return Columns(*(list(column) for column in zip(*self.rows, strict=True)))

    def __len__(self) -> int:
        return len(self.rows) + sum(int(t.num_rows) for t in self.tables)


def _number(value: Any) -> float | None:
    kind = type(value)
    if kind is float:
        return value  # type: ignore[no-any-return]
    if kind is int:
        try:
            return float(value)
        except OverflowError:  # an integer beyond any float: refused as not finite
            return math.inf
    if kind is bool:
        return 1.0 if value else 0.0
    if kind is str:
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _number_or_nan(value: Any) -> float:
    number = _number(value)
    return math.nan if number is None else number


READING = pa.schema(
    [
        ("equipment", pa.string()),
        ("signal", pa.string()),
        ("timestamp", pa.int64()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("quality", pa.string()),
        ("source", pa.string()),
        ("received_at", pa.int64()),
        ("message", pa.int64()),  # index of the message in the batch (-1: none)
    ]
)


def _rows_table(readings: Readings, rejects: Rejects) -> pa.Table:
    """The one-at-a-time readings as a table; values that are no number are rejected here, with the value."""
    c = readings.columns()
    raw = np.fromiter((v if type(v) is float else _number_or_nan(v) for v in c.value), np.float64, len(c.value))
    keep = np.ones(len(raw), bool)
    for i in np.flatnonzero(np.isnan(raw)).tolist():
        if _number(c.value[i]) is None:
            why = f"{c.equipment[i][:SHOWN]}/{c.signal[i][:SHOWN]}: value {str(c.value[i])[:40]!r} is not a number"
            rejects.add(c.received_at[i], c.source[i], why, readings.payload(c.message[i]))
            keep[i] = False
    table = pa.Table.from_arrays(
        [
            pa.array(c.equipment, pa.string()),
            pa.array(c.signal, pa.string()),
            pa.array(c.timestamp, pa.int64()),
            pa.array(raw),
            pa.array(c.unit, pa.string()),
            pa.array(c.quality, pa.string()),
            pa.array(c.source, pa.string()),
            pa.array(c.received_at, pa.int64()),
            pa.array(c.message, pa.int64()),
        ],
        schema=READING,
    )
    return table if keep.all() else table.filter(pa.array(keep))


# Units read so far (or why not): parsing one takes about a millisecond, so a batch reads at most NEW_UNITS it has
# not seen before (10,000 distinct made-up units would otherwise hold a batch up for seconds).
_READ: dict[str, Unit | str] = {}
REMEMBERED_UNITS = 10_000
NEW_UNITS = 1_000


def _read_unit(text: str, budget: list[int]) -> Unit | str:
    """The unit, or the reason it cannot be read."""
    found = _READ.get(text)
    if found is not None:
        return found
    if budget[0] <= 0:
        return f"unit {text[:SHOWN]!r} not read: more than {NEW_UNITS:,} units new to the stream in one batch"
    budget[0] -= 1
    try:
        found = recognize(text)
    except SangsaengError as exc:
        found = f"{exc.message if len(text) > MAX_UNIT_LENGTH else f'unknown unit {text!r}'}: {exc.hint}"
    if len(_READ) >= REMEMBERED_UNITS:
        _READ.clear()
    _READ[text] = found
    return found


def _units(units: pa.ChunkedArray) -> tuple[Any, Any, pa.Array, Any, dict[int, str], Any, Any]:
    """Per row: factor, offset, canonical unit (None where unknown), the rows' unit indexes, the problems, and
    the plausible range of canonical values (lowest, highest)."""
    encoded = units.combine_chunks().dictionary_encode()
    distinct: list[str] = encoded.dictionary.to_pylist()
    factor, offset = np.empty(len(distinct)), np.empty(len(distinct))
    lowest, highest = np.full(len(distinct), -LARGEST), np.full(len(distinct), LARGEST)
    canonical: list[str | None] = []
    problem: dict[int, str] = {}
    budget = [NEW_UNITS]
    for at, text in enumerate(distinct):
        unit = _read_unit(text, budget)
        if isinstance(unit, str):
            problem[at] = unit
            factor[at], offset[at] = math.nan, math.nan
            canonical.append(None)
            continue
        factor[at], offset[at] = unit.factor, unit.offset
        canonical.append(unit.canonical)
        if unit.canonical in RANGES:
            lowest[at], highest[at] = RANGES[unit.canonical]
    index = encoded.indices.to_numpy(zero_copy_only=False)
    kinds = pa.array(canonical, pa.string()).take(encoded.indices)
    return factor[index], offset[index], kinds, index, problem, lowest[index], highest[index]


def measurements(readings: Readings, rejects: Rejects, now_us: int) -> pa.Table:
    """The readings as Measurement rows in canonical units; what cannot be one is added to ``rejects``.

    Everything is done a column at a time; only the rows that are rejected are looked at one by one."""
    parts = ([_rows_table(readings, rejects)] if readings.rows else []) + readings.tables
    if not parts or sum(t.num_rows for t in parts) == 0:
        return MEASUREMENT.empty_table()
    table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
    raw = table.column("value").to_numpy()
    factor, offset, canonical, index, problem, lowest, highest = _units(table.column("unit"))
    with np.errstate(over="ignore", invalid="ignore"):
        converted = raw * factor + offset
    stamps = table.column("timestamp").to_numpy()
    quality = table.column("quality")
    unnamed = pc.or_(pc.equal(table.column("equipment"), ""), pc.equal(table.column("signal"), ""))
    unnamed = pc.or_(
        unnamed,
        pc.or_(
            pc.greater(pc.utf8_length(table.column("equipment")), MAX_NAME),
            pc.greater(pc.utf8_length(table.column("signal")), MAX_NAME),
        ),
    )
    odd = pc.invert(pc.is_in(quality, value_set=pa.array(QUALITIES)))
    bad = (
        ~np.isfinite(converted)
        | (converted < lowest)
        | (converted > highest)
        | (stamps < EARLIEST_US)
        | (stamps > now_us + AHEAD_US)
        | pc.fill_null(pc.or_(unnamed, odd), True).to_numpy(zero_copy_only=False)
    )
    if bad.any():
        for i in np.flatnonzero(bad).tolist():
            row = table.slice(i, 1).to_pylist()[0]
            limits = (float(converted[i]), float(lowest[i]), float(highest[i]), canonical[i].as_py())
            why = _why(row, float(raw[i]), problem.get(int(index[i])), limits, now_us)
            rejects.add(row["received_at"], row["source"], why, readings.payload(row["message"]))
    result = pa.Table.from_arrays(
        [
            table.column("equipment"),
            table.column("signal"),
            pa.array(stamps).cast(pa.timestamp("us", tz="UTC")),
            pa.array(converted),
            canonical,
            pa.array(raw),
            table.column("unit"),
            quality,
            table.column("source"),
        ],
        schema=MEASUREMENT.remove_metadata(),
    ).replace_schema_metadata(MEASUREMENT.metadata)
    if bad.any():
        result = result.filter(pa.array(~bad))
    return result.cast(MEASUREMENT)


def _why(
    row: dict[str, Any], raw: float, unit_problem: str | None, limits: tuple[float, float, float, Any], now_us: int
) -> str:
    equipment, signal = row["equipment"] or "", row["signal"] or ""
    what = f"{equipment[:SHOWN]}/{signal[:SHOWN]}"
    if not math.isfinite(raw):
        return f"{what}: value {raw!r} is not a finite number"
    if unit_problem:
        return f"{what}: {unit_problem}"
    converted, lowest, highest, canonical = limits
    if not math.isfinite(converted) or not lowest <= converted <= highest:
        return (
            f"{what}: value {raw!r} {row['unit'][:SHOWN]} is {converted!r} {canonical}, outside the plausible "
            f"range {lowest:g} to {highest:g} {canonical}"
        )
    stamp = row["timestamp"]
    if stamp < EARLIEST_US or stamp > now_us + AHEAD_US:
        return f"{what}: timestamp {stamp} µs since 1970 is implausible (before 1990 or more than a day ahead)"
    if not equipment or not signal:
        return "no equipment or signal name"
    if len(equipment) > MAX_NAME or len(signal) > MAX_NAME:
        return f"{what}…: an equipment or signal name is longer than {MAX_NAME} characters"
    return f"quality {row['quality'][:SHOWN]!r} is not one of {', '.join(QUALITIES)}"


def sorted_for_landing(table: pa.Table) -> pa.Table:
    """Rows by equipment, signal and time: what readers filter on, and what compresses best."""
    if table.num_rows < 2:
        return table
    order = pc.sort_indices(table, [("equipment", "ascending"), ("signal", "ascending"), ("timestamp", "ascending")])
    return table.take(order)
