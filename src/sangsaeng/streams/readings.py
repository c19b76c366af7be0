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
        return len(self.rows)


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


def measurements(readings: Readings, rejects: Rejects, now_us: int) -> pa.Table:
    """The readings as Measurement rows in canonical units; what cannot be one is added to ``rejects``."""
    n = len(readings)
    if n == 0:
        return MEASUREMENT.empty_table()
    columns = readings.columns()
    values = columns.value
    raw = np.fromiter((v if type(v) is float else _number_or_nan(v) for v in values), np.float64, n)
    bad_value = ~np.isfinite(raw)  # no number, or a NaN or an infinity that was sent
    units_seen = pa.array(columns.unit, pa.string()).dictionary_encode()
    distinct: list[str] = units_seen.dictionary.to_pylist()
    factor = np.empty(len(distinct))
    offset = np.empty(len(distinct))
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
    index = units_seen.indices.to_numpy(zero_copy_only=False)
    converted = raw * factor[index] + offset[index]
    stamps = np.fromiter(columns.timestamp, np.int64, n)
    bad_time = (stamps < EARLIEST_US) | (stamps > now_us + AHEAD_US)
    bad = bad_value | np.isnan(converted) | bad_time
    quality = columns.quality
    for i in np.flatnonzero(bad).tolist() if bad.any() else ():
        why = _why(columns, i, float(raw[i]), problem.get(int(index[i])))
        rejects.add(columns.received_at[i], columns.source[i], why, columns.payload[i])
    empty_name = [i for i in range(n) if not columns.equipment[i] or not columns.signal[i]]
    odd_quality = [i for i in range(n) if quality[i] not in QUALITIES] if set(quality) - set(QUALITIES) else []
    if empty_name or odd_quality:
        keep = ~bad
        for i in empty_name:
            if keep[i]:
                rejects.add(
                    columns.received_at[i], columns.source[i], "no equipment or signal name", columns.payload[i]
                )
                keep[i] = False
        for i in odd_quality:
            if keep[i]:
                rejects.add(
                    columns.received_at[i],
                    columns.source[i],
                    f"quality {quality[i]!r} is not one of {', '.join(QUALITIES)}",
                    columns.payload[i],
                )
                keep[i] = False
        bad = ~keep
    canonical_units = pa.array(canonical, pa.string()).take(pa.array(index))
    table = pa.Table.from_arrays(
        [
            pa.array(columns.equipment, pa.string()),
            pa.array(columns.signal, pa.string()),
            pa.array(stamps).cast(pa.timestamp("us", tz="UTC")),
            pa.array(converted),
            canonical_units,
            pa.array(raw),
            pa.array(columns.unit, pa.string()),
            pa.array(quality, pa.string()),
            pa.array(columns.source, pa.string()),
        ],
        schema=MEASUREMENT,
    )
    if bad.any():
        table = table.filter(pa.array(~bad))
    return table


def _why(readings: Columns, i: int, raw: float, unit_problem: str | None) -> str:
    what = f"{readings.equipment[i]}/{readings.signal[i]}"
    value = readings.value[i]
    if _number(value) is None:
        return f"{what}: value {str(value)[:40]!r} is not a number"
    if not math.isfinite(raw):
        return f"{what}: value {value!r} is not a finite number"
    if unit_problem:
        return f"{what}: {unit_problem}"
    stamp = readings.timestamp[i]
    return f"{what}: timestamp {stamp} µs since 1970 is implausible (before 1990 or more than a day ahead)"


def sorted_for_landing(table: pa.Table) -> pa.Table:
    """Rows by equipment, signal and time: what readers filter on, and what compresses best."""
    if table.num_rows < 2:
        return table
    order = pc.sort_indices(table, [("equipment", "ascending"), ("signal", "ascending"), ("timestamp", "ascending")])
    return table.take(order)
