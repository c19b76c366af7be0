"""Validation findings are data: a stable code, the row and field, the value, what was expected, and a message
in English and Korean. Checks run over whole Arrow batches (vectorised compute), never cell by cell in Python;
only the rows that fail become Python objects.

    report = check_all(QualityResult, lambda: batches())  # a fresh iterator each call: keys may need two passes
    report.flatten(["row", "field", "code"])  # → [[3, "unit", "unknown-unit"], …]
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import annotated_types
import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.standard.entities import Entity, arrow_schema, literal_values

MESSAGES: dict[str, tuple[str, str]] = {
    "missing-value": ("{field} is required but empty", "{field} 값이 비어 있습니다 (필수 항목)"),
    "type-error": ("{field}: {value!r} is not {expected}", "{field}: {value!r}은(는) {expected} 형식이 아닙니다"),
    "bad-date": (
        "{field}: {value!r} is not a date/time ({expected})",
        "{field}: {value!r}은(는) 날짜/시간이 아닙니다 ({expected})",
    ),
    "out-of-range": (
        "{field}: {value} is out of range ({expected})",
        "{field}: {value} 값이 허용 범위를 벗어났습니다 ({expected})",
    ),
    "unknown-code": (
        "{field}: {value!r} is not one of {expected}",
        "{field}: {value!r}은(는) 허용된 코드가 아닙니다 ({expected})",
    ),
    "duplicate-key": ("{field}: {value} appears more than once", "{field}: {value} 이(가) 중복되었습니다"),
    "unknown-unit": (
        "{field}: unit {value!r} is unknown ({expected})",
        "{field}: 단위 {value!r}을(를) 알 수 없습니다 ({expected})",
    ),
    "unit-mismatch": (
        "{field}: unit {value!r} does not fit ({expected})",
        "{field}: 단위 {value!r}은(는) 맞지 않습니다 ({expected})",
    ),
}


# The expectations the checks write, in Korean; the rest (formats, codes, units) read the same in both.
EXPECTED_KO = {
    "a number": "숫자",
    "a whole number": "정수",
    "a value": "값",
    "e.g. kWh, kg, mm, °C": "예: kWh, kg, mm, °C",
}
EXPECTED_KO_PREFIX = {
    "a column named ": "열 이름 ",
    "convertible to ": "다음으로 변환 가능: ",
    "did you mean: ": "다음 중 하나가 아닌가요: ",
}


def expected_ko(expected: str) -> str:
    if expected in EXPECTED_KO:
        return EXPECTED_KO[expected]
    for english, korean in EXPECTED_KO_PREFIX.items():
        if expected.startswith(english):
            return korean + expected.removeprefix(english)
    return expected


@dataclass(frozen=True)
class Finding:
    code: str
    row: int  # 1-based number of the data row in the source (the header is row 0)
    field: str
    value: str | None
    expected: str

    @property
    def message(self) -> str:
        return MESSAGES[self.code][0].format(field=self.field, value=self.value, expected=self.expected)

    @property
    def message_ko(self) -> str:
        return MESSAGES[self.code][1].format(field=self.field, value=self.value, expected=expected_ko(self.expected))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "message": self.message, "message_ko": self.message_ko}


@dataclass
class Report:
    """All findings counted per code; the first ``examples`` of each code kept in full."""

    examples: int = 20
    counts: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    rows: int = 0

    def extend(self, found: Iterable[Finding]) -> None:
        for finding in found:
            self.counts[finding.code] += 1
            if self.counts[finding.code] <= self.examples:
                self.findings.append(finding)

    @property
    def valid(self) -> bool:
        return not self.counts

    @property
    def errors(self) -> int:
        return sum(self.counts.values())

    def flatten(self, keys: list[str]) -> list[list[Any]]:
        return [[getattr(f, k) for k in keys] for f in sorted(self.findings, key=lambda f: (f.row, f.field, f.code))]

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "rows": self.rows,
            "errors": self.errors,
            "counts": dict(sorted(self.counts.items())),
            "findings": [f.to_dict() for f in sorted(self.findings, key=lambda f: (f.row, f.field, f.code))],
        }


def check_all(model: type[Entity], batches: Callable[[], Iterable[pa.RecordBatch]], examples: int = 20) -> Report:
    """Every finding over batches that ``batches()`` yields afresh each time it is called (twice when keys
    repeat); the report keeps the first ``examples`` findings of each code."""
    checker = Checker(model)
    report = _check_pass(checker, batches(), examples)
    repeated = checker.repeated_keys()
    return _check_pass(Checker(model, repeated), batches(), examples) if repeated else report


def _check_pass(checker: Checker, batches: Iterable[pa.RecordBatch], examples: int) -> Report:
    report, row = Report(examples=examples), 1
    for batch in batches:
        report.extend(checker.check(batch, first_row=row))
        report.rows += batch.num_rows
        row += batch.num_rows
    return report


def _rows(mask: pa.Array, first_row: int) -> list[int]:
    """Row numbers where a boolean mask is true (nulls count as false)."""
    return [first_row + i for i in pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()]


def _shown(value: Any) -> str | None:
    return None if value is None else str(value)


def _bounds(info: Any) -> list[tuple[str, Any, str]]:
    """(operator for a violation, bound, words) from a field's ge/gt/le/lt constraints."""
    checks: list[tuple[str, Any, str]] = []
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            checks.append(("less", item.ge, f"≥ {item.ge}"))
        elif isinstance(item, annotated_types.Gt):
            checks.append(("less_equal", item.gt, f"> {item.gt}"))
        elif isinstance(item, annotated_types.Le):
            checks.append(("greater", item.le, f"≤ {item.le}"))
        elif isinstance(item, annotated_types.Lt):
            checks.append(("greater_equal", item.lt, f"< {item.lt}"))
    return checks


class KeyHashes:
    """Every row's key hash, to find repeated keys once the whole file has been seen, in bounded memory.

    Hashes and rows are buffered, then spilled to 16 files by the hash's top bits; at the end each part is
    sorted on its own (1/16 of the file's keys in memory at a time). Nearly all files have no repeated key:
    then one sort of each part says so, and nothing else is done.
    """

    PARTS = 16
    BUFFER = 1 << 21  # rows kept in memory before spilling

    def __init__(self) -> None:
        self._hashes: list[np.ndarray[Any, np.dtype[np.uint64]]] = []
        self._rows: list[np.ndarray[Any, np.dtype[np.int64]]] = []
        self._buffered = 0
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def add(self, hashes: np.ndarray[Any, np.dtype[np.uint64]], rows: np.ndarray[Any, np.dtype[np.int64]]) -> None:
        self._hashes.append(hashes)
        self._rows.append(rows)
        self._buffered += len(hashes)
        if self._buffered >= self.BUFFER:
            self._spill()

    def _spill(self) -> None:
        if not self._buffered:
            return
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="sangsaeng-keys-")
        hashes, rows = np.concatenate(self._hashes), np.concatenate(self._rows)
        self._hashes, self._rows, self._buffered = [], [], 0
        part = (hashes >> np.uint64(60)).astype(np.uint8)
        order = np.argsort(part, kind="stable")  # a radix sort on bytes; rows stay in file order within a part
        bounds = np.cumsum(np.bincount(part, minlength=self.PARTS))[:-1]
        for index, chunk in enumerate(np.split(order, bounds)):
            if len(chunk):
                with open(Path(self._folder.name) / f"{index}.keys", "ab") as handle:
                    hashes[chunk].tofile(handle)
                with open(Path(self._folder.name) / f"{index}.rows", "ab") as handle:
                    rows[chunk].tofile(handle)

    def _parts(self) -> Iterator[tuple[np.ndarray[Any, np.dtype[np.uint64]], np.ndarray[Any, np.dtype[np.int64]]]]:
        if self._folder is None:
            if self._buffered:
                yield np.concatenate(self._hashes), np.concatenate(self._rows)
            return
        self._spill()
        folder = Path(self._folder.name)
        for index in range(self.PARTS):
            if (folder / f"{index}.keys").exists():
                yield np.fromfile(folder / f"{index}.keys", np.uint64), np.fromfile(folder / f"{index}.rows", np.int64)

    def repeated(self) -> dict[int, int]:
        """{row: the row its key was first seen in} for every row whose key hash came before."""
        found: dict[int, int] = {}
        try:
            for hashes, rows in self._parts():
                if not (np.diff(np.sort(hashes)) == 0).any():  # the common case: nothing repeats
                    continue
                order = np.argsort(hashes, kind="stable")
                ordered, in_order = hashes[order], rows[order]
                starts = np.concatenate(([True], ordered[1:] != ordered[:-1]))
                first = in_order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
                later = ~starts
                found.update(zip(in_order[later].tolist(), first[later].tolist(), strict=True))
        finally:
            if self._folder is not None:
                self._folder.cleanup()
                self._folder = None
        return found


class Checker:
    """Checks record batches already cast to an entity's Arrow schema.

    Repeated keys need the whole file: a first pass (``repeated=None``) records every key's hash and
    ``repeated_keys()`` then tells which rows repeat an earlier key; only when there are any does a second
    pass, given them, report ``duplicate-key`` findings (checking that the keys are really equal, not just
    their hashes). ``check_all`` runs both passes.
    """

    def __init__(self, model: type[Entity], repeated: dict[int, int] | None = None) -> None:
        self.model = model
        self.schema = arrow_schema(model)
        self._keys = KeyHashes() if repeated is None else None
        self._repeated = repeated or {}
        self._firsts = set(self._repeated.values())
        self._first_keys: dict[int, tuple[Any, ...]] = {}  # the key of each first occurrence, as met
        self._duck: duckdb.DuckDBPyConnection | None = None

    def repeated_keys(self) -> dict[int, int]:
        """After a first pass: {row: first row} of every row whose key came before."""
        assert self._keys is not None, "only a first pass records keys"
        return self._keys.repeated()

    def check(self, batch: pa.RecordBatch, first_row: int = 1) -> Iterator[Finding]:
        for name, info in self.model.model_fields.items():
            if name not in batch.schema.names:
                if info.is_required():
                    yield Finding("missing-value", first_row, name, None, "a column named " + name)
                continue
            column = batch.column(name)
            if info.is_required() and column.null_count:
                for row in _rows(pc.is_null(column), first_row):
                    yield Finding("missing-value", row, name, None, "a value")
            choices = literal_values(info.annotation)
            if choices and pa.types.is_string(column.type):
                outside = pc.and_(pc.invert(pc.is_in(column, value_set=pa.array(choices))), pc.is_valid(column))
                for row in _rows(outside, first_row):
                    value = column[row - first_row].as_py()
                    yield Finding("unknown-code", row, name, _shown(value), ", ".join(choices))
            for operator, bound, words in _bounds(info):
                violates = getattr(pc, operator)(column, bound)
                for row in _rows(violates, first_row):
                    yield Finding("out-of-range", row, name, _shown(column[row - first_row].as_py()), words)
        yield from self._duplicates(batch, first_row)

    def _duplicates(self, batch: pa.RecordBatch, first_row: int) -> Iterator[Finding]:
        names = [k for k in self.model.key if k in batch.schema.names]
        if not names or batch.num_rows == 0:
            return
        if self._keys is not None:  # first pass: remember every complete key's hash
            valid = np.ones(batch.num_rows, dtype=bool)
            for name in names:
                valid &= pc.is_valid(batch.column(name)).to_numpy(zero_copy_only=False)
            rows = np.nonzero(valid)[0]
            if len(rows):
                self._keys.add(self._hashes(batch, names)[rows], rows + first_row)
            return
        last = first_row + batch.num_rows
        for row in sorted(r for r in self._firsts | self._repeated.keys() if first_row <= r < last):
            key = tuple(batch.column(k)[row - first_row].as_py() for k in names)
            first = self._repeated.get(row)
            if row in self._firsts:
                self._first_keys[row] = key
            if first is not None and self._first_keys.get(first) == key:  # equal keys, not only equal hashes
                yield Finding(
                    "duplicate-key",
                    row,
                    "+".join(names),
                    ", ".join(f"{k}={v}" for k, v in zip(names, key, strict=True)),
                    f"unique; first seen in row {first}",
                )

    def _hashes(self, batch: pa.RecordBatch, names: list[str]) -> np.ndarray[Any, np.dtype[np.uint64]]:
        if self._duck is None:
            self._duck = duckdb.connect()
        self._duck.register("batch_keys", pa.Table.from_batches([batch.select(names)]))
        try:
            columns = ", ".join('"' + n.replace('"', '""') + '"' for n in names)
            hashed = self._duck.execute(f"SELECT hash({columns}) AS h FROM batch_keys").fetchnumpy()["h"]
        finally:
            self._duck.unregister("batch_keys")
        return np.asarray(hashed, dtype=np.uint64)
