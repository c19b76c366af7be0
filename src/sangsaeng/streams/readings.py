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
from sangsaeng.standard.units import Unit, recognize

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


@dataclass
class Rejects:
    received_at: list[int] = field(default_factory=list)  # µs since the epoch
    source: list[str] = field(default_factory=list)
    reason: list[str] = field(default_factory=list)
    payload: list[bytes | None] = field(default_factory=list)

    def add(self, received_at: int, source: str, reason: str, payload: bytes | None = None) -> None:
        self.received_at.append(received_at)
        self.source.append(source)
        self.reason.append(reason)
        self.payload.append(payload)

    def __len__(self) -> int:
        return len(self.reason)

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
    payload: list[bytes | None]


Reading = tuple[str, str, int, Any, str, str, str, int, "bytes | None"]
FIELDS = ("equipment", "signal", "timestamp", "value", "unit", "quality", "source", "received_at", "payload")


class Readings:
    """Readings not yet landed, one tuple each (one append per reading is the cheapest thing Python does);
    turned into columns once per batch. ``payload`` is the message each came from (kept for rejects)."""

    def __init__(self) -> None:
        self.rows: list[Reading] = []
        self.append = self.rows.append  # decoders call this with a whole tuple
        self.tables: list[pa.Table] = []  # readings decoded a batch at a time (schema READING)

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
        payload: bytes | None = None,
    ) -> None:
        self.rows.append((equipment, signal, timestamp, value, unit, quality, source, received_at, payload))

    def columns(self) -> Columns:
        if not self.rows:
            return Columns(*([] for _ in FIELDS))
        return Columns(*(list(column) for column in zip(*self.rows, strict=True)))

    def __len__(self) -> int:
        return len(self.rows) + sum(int(t.num_rows) for t in self.tables)


def _number(value: Any) -> float | None:
    kind = type(value)
    if kind is float or kind is int:
        return float(value)
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
        ("payload", pa.binary()),
    ]
)


def _rows_table(readings: Readings, rejects: Rejects) -> pa.Table:
    """The one-at-a-time readings as a table; values that are no number are rejected here, with the value."""
    c = readings.columns()
    raw = np.fromiter((v if type(v) is float else _number_or_nan(v) for v in c.value), np.float64, len(c.value))
    keep = np.ones(len(raw), bool)
    for i in np.flatnonzero(np.isnan(raw)).tolist():
        if _number(c.value[i]) is None:
            why = f"{c.equipment[i]}/{c.signal[i]}: value {str(c.value[i])[:40]!r} is not a number"
            rejects.add(c.received_at[i], c.source[i], why, c.payload[i])
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
            pa.array(c.payload, pa.binary()),
        ],
        schema=READING,
    )
    return table if keep.all() else table.filter(pa.array(keep))


def _units(units: pa.ChunkedArray) -> tuple[Any, Any, pa.Array, Any, dict[int, str]]:
    """Per row: factor, offset, canonical unit (None where unknown), the rows' unit indexes, and the problems."""
    encoded = units.combine_chunks().dictionary_encode()
    distinct: list[str] = encoded.dictionary.to_pylist()
    factor, offset = np.empty(len(distinct)), np.empty(len(distinct))
    canonical: list[str | None] = []
    problem: dict[int, str] = {}
    for at, text in enumerate(distinct):
        try:
            unit: Unit = recognize(text)
        except SangsaengError as exc:
            problem[at] = f"unknown unit {text!r}: {exc.hint}"
            factor[at], offset[at] = math.nan, math.nan
            canonical.append(None)
            continue
        factor[at], offset[at] = unit.factor, unit.offset
        canonical.append(unit.canonical)
    index = encoded.indices.to_numpy(zero_copy_only=False)
    return factor[index], offset[index], pa.array(canonical, pa.string()).take(encoded.indices), index, problem


def measurements(readings: Readings, rejects: Rejects, now_us: int) -> pa.Table:
    """The readings as Measurement rows in canonical units; what cannot be one is added to ``rejects``.

    Everything is done a column at a time; only the rows that are rejected are looked at one by one."""
    parts = ([_rows_table(readings, rejects)] if readings.rows else []) + readings.tables
    if not parts or sum(t.num_rows for t in parts) == 0:
        return MEASUREMENT.empty_table()
    table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
    raw = table.column("value").to_numpy()
    factor, offset, canonical, index, problem = _units(table.column("unit"))
    converted = raw * factor + offset
    stamps = table.column("timestamp").to_numpy()
    quality = table.column("quality")
    unnamed = pc.or_(pc.equal(table.column("equipment"), ""), pc.equal(table.column("signal"), ""))
    odd = pc.invert(pc.is_in(quality, value_set=pa.array(QUALITIES)))
    bad = (
        ~np.isfinite(converted)
        | (stamps < EARLIEST_US)
        | (stamps > now_us + AHEAD_US)
        | pc.fill_null(pc.or_(unnamed, odd), True).to_numpy(zero_copy_only=False)
    )
    if bad.any():
        for i in np.flatnonzero(bad).tolist():
            row = table.slice(i, 1).to_pylist()[0]
            why = _why(row, float(raw[i]), problem.get(int(index[i])), now_us)
            rejects.add(row["received_at"], row["source"], why, row["payload"])
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


def _why(row: dict[str, Any], raw: float, unit_problem: str | None, now_us: int) -> str:
    what = f"{row['equipment']}/{row['signal']}"
    if not math.isfinite(raw):
        return f"{what}: value {raw!r} is not a finite number"
    if unit_problem:
        return f"{what}: {unit_problem}"
    stamp = row["timestamp"]
    if stamp < EARLIEST_US or stamp > now_us + AHEAD_US:
        return f"{what}: timestamp {stamp} µs since 1970 is implausible (before 1990 or more than a day ahead)"
    if not row["equipment"] or not row["signal"]:
        return "no equipment or signal name"
    return f"quality {row['quality']!r} is not one of {', '.join(QUALITIES)}"


def sorted_for_landing(table: pa.Table) -> pa.Table:
    """Rows by equipment, signal and time: what readers filter on, and what compresses best."""
    if table.num_rows < 2:
        return table
    order = pc.sort_indices(table, [("equipment", "ascending"), ("signal", "ascending"), ("timestamp", "ascending")])
    return table.take(order)
