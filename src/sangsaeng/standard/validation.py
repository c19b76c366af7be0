"""Validation findings are data: a stable code, the row and field, the value, what was expected, and a message
in English and Korean. Checks run over whole Arrow batches (vectorised compute), never cell by cell in Python;
only the rows that fail become Python objects.

    report = Report()
    checker = Checker(QualityResult)
    for batch in batches:
        report.extend(checker.check(batch, first_row=…))
    report.flatten(["row", "field", "code"])  # → [[3, "unit", "unknown-unit"], …]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
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
EXPECTED_KO_PREFIX = {"a column named ": "열 이름 ", "convertible to ": "다음으로 변환 가능: "}


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


class Checker:
    """Checks record batches already cast to an entity's Arrow schema; remembers keys across batches."""

    def __init__(self, model: type[Entity]) -> None:
        self.model = model
        self.schema = arrow_schema(model)
        self._seen = np.empty(0, dtype=np.uint64)  # key hashes seen so far, sorted
        self._seen_rows = np.empty(0, dtype=np.int64)  # the row each was first seen in
        self._duck: duckdb.DuckDBPyConnection | None = None

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
        """Rows whose key was seen before, in this batch or an earlier one.

        Keys are hashed to 64 bits by DuckDB, whole batch at once; the hashes seen so far are kept sorted in a
        NumPy array (8 bytes a key, with the row each was first seen in), so memory stays small and every batch
        is looked up with one binary search. Two different keys share a hash with a chance of about n²/2⁶⁵
        (1 in 10,000 for 60 million keys).
        """
        names = [k for k in self.model.key if k in batch.schema.names]
        if not names or batch.num_rows == 0:
            return
        valid = np.ones(batch.num_rows, dtype=bool)
        for name in names:
            valid &= pc.is_valid(batch.column(name)).to_numpy(zero_copy_only=False)
        rows = np.nonzero(valid)[0]
        if len(rows) == 0:
            return
        every_hash = self._hashes(batch, names)
        hashes = every_hash[rows]
        distinct, first_index = np.unique(hashes, return_index=True)
        repeated = np.ones(len(hashes), dtype=bool)
        repeated[first_index] = False
        position = np.searchsorted(self._seen, distinct)
        inside = position < len(self._seen)
        earlier = np.zeros(len(distinct), dtype=bool)
        earlier[inside] = self._seen[position[inside]] == distinct[inside]
        first_seen = dict(zip(distinct[earlier].tolist(), self._seen_rows[position[earlier]].tolist(), strict=True))
        first_seen.update(
            zip(distinct[~earlier].tolist(), (first_row + rows[first_index[~earlier]]).tolist(), strict=True)
        )
        if earlier.any():
            repeated |= np.isin(hashes, distinct[earlier])
        for offset in rows[repeated].tolist():
            shown = ", ".join(f"{k}={batch.column(k)[offset].as_py()}" for k in names)
            key_hash = int(every_hash[offset])
            yield Finding(
                "duplicate-key",
                first_row + offset,
                "+".join(names),
                shown,
                f"unique; first seen in row {first_seen[key_hash]}",
            )
        fresh = ~earlier
        at = position[fresh]  # where each new hash goes among those seen: one linear merge, no sort
        self._seen = np.insert(self._seen, at, distinct[fresh])
        self._seen_rows = np.insert(self._seen_rows, at, first_row + rows[first_index[fresh]])

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
