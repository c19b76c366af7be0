"""Checks of canonical record batches: findings are data (``findings.Finding``), computed over whole Arrow batches
(vectorised compute), never cell by cell in Python; only the rows that fail become Python objects.

    report = check_all(QualityResult, lambda: batches())  # a fresh iterator each call: repeats may need more passes
    report.flatten(["row", "field", "code"])  # → [[3, "unit", "unknown-unit"], …]

Repeated keys need the whole file. The first pass records every key's hash; only when some key repeats does a
second pass follow, which numbers repeated samples (entities with a ``sample_field``) or reports repeats, and
hashes the whole rows of the repeating records; only when that shows the second pass assumed wrong (an exact
repeat among samples, a conflict among repeats) does a third pass follow (see ``repeats``). A file whose keys
never repeat is read once and pays for nothing else.

Duplicates are rows, not records: given the rows as the file has them (``review(…, source=…)``: every column of
the file after its layout is read, mapped or not), two records are an exact repeat only when their rows are equal
in every cell. Rows that differ in a column the mapping leaves out (a time, a pad, a cavity) are separate samples
even when their records read alike. Without the source rows, the canonical records are compared instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import annotated_types
import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.standard.entities import Entity, arrow_schema, literal_values
from sangsaeng.standard.findings import HINTS, MESSAGES, Finding, Report, expected_ko
from sangsaeng.standard.repeats import DUPLICATE_KEY, DUPLICATE_ROW, NONE, KeyHashes, Plan

__all__ = [
    "HINTS",
    "MESSAGES",
    "Checker",
    "Finding",
    "KeyHashes",
    "Report",
    "check_all",
    "expected_ko",
]


def check_all(
    model: type[Entity], batches: Callable[[], Iterable[pa.RecordBatch]], *, numbered: bool | None = None
) -> Report:
    """Every finding over batches that ``batches()`` yields afresh each time it is called (more than once only
    when keys repeat); see ``Checker`` for ``numbered``."""
    checker = Checker(model, numbered=numbered)
    try:
        while True:
            report, row = Report(), 1
            for batch in batches():
                report.extend(checker.check(batch, first_row=row))
                report.rows += batch.num_rows
                row += batch.num_rows
            if not checker.another_pass():
                return report
    finally:
        checker.close()


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


def _digest(values: Iterable[Any]) -> bytes:
    return hashlib.blake2b(repr(tuple(values)).encode(), digest_size=16).digest()


class Checker:
    """Checks record batches already cast to an entity's Arrow schema, pass after pass (see the module's
    description): call ``review`` (or ``check``) for every batch in file order, then ``another_pass()``; while it
    says True, read the file again through the same checker.

    ``numbered``: records repeating their key are samples, numbered in the entity's ``sample_field`` (default:
    whenever the entity has one). Give False when the source has its own sample column: then the sample is part
    of the key like any other field.
    """

    def __init__(self, model: type[Entity], *, numbered: bool | None = None) -> None:
        self.model = model
        self.schema = arrow_schema(model)
        sample = model.sample_field
        self.numbered = sample is not None and (numbered is None or numbered)
        self.key = tuple(k for k in model.key if not (self.numbered and k == sample))
        self.passes = 1
        self._keys: KeyHashes | None = KeyHashes()
        self._records: KeyHashes | None = None
        self._plan = Plan()
        self._seen: dict[int, tuple[bytes, bytes, int | None]] = {}  # referenced row → key, record digests, line
        self._duck: duckdb.DuckDBPyConnection | None = None

    def another_pass(self) -> bool:
        """After a pass: whether the file must be read again (and the checker is ready for it)."""
        self._seen = {}
        if self.passes == 1:
            assert self._keys is not None
            plan, self._keys = self._keys.plan(self.numbered), None
            if not plan:
                return False
            self._plan, self._records = plan, KeyHashes(records=True)
        elif self.passes == 2 and self._records is not None:
            exact, self._records = self._records.plan(self.numbered), None
            if not exact.differs:
                exact.close()
                return False
            self._plan.close()
            self._plan = exact
        else:
            return False
        self.passes += 1
        return True

    def close(self) -> None:
        self._plan.close()
        if self._duck is not None:
            self._duck.close()
            self._duck = None

    def check(self, batch: pa.RecordBatch, first_row: int = 1) -> Iterator[Finding]:
        yield from self.review(batch, first_row)[1]

    def review(
        self,
        batch: pa.RecordBatch,
        first_row: int = 1,
        lines: np.ndarray[Any, Any] | None = None,
        source: pa.RecordBatch | None = None,
    ) -> tuple[pa.RecordBatch, list[Finding]]:
        """The batch with its samples numbered, and what is wrong with its rows (``lines``: each row's sheet row,
        to name where a repeated row was first seen; ``source``: the rows the records were read from, one per
        record, which alone say whether two records are an exact repeat — give them on every pass or on none)."""
        if source is not None and source.num_rows != batch.num_rows:
            raise ValueError(f"{source.num_rows} source rows for {batch.num_rows} records: give one row per record")
        findings = [*self._fields(batch, first_row), *self._measurements(batch, first_row)]
        batch, repeated = self._repeats(batch, first_row, lines, source)
        return batch, findings + repeated

    def _fields(self, batch: pa.RecordBatch, first_row: int) -> Iterator[Finding]:
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

    def _measurements(self, batch: pa.RecordBatch, first_row: int) -> Iterator[Finding]:
        """A record with limits, a nominal value or a unit is a measurement: without its value it is incomplete."""
        measured, names = self.model.measured, batch.schema.names
        context = [c for c in self.model.measurement_context if c in names]
        if not context or measured is None or measured not in names or batch.num_rows == 0:
            return
        described = pc.is_valid(batch.column(context[0]))
        for name in context[1:]:
            described = pc.or_(described, pc.is_valid(batch.column(name)))
        for row in _rows(pc.and_(described, pc.is_null(batch.column(measured))), first_row):
            yield Finding("missing-measurement", row, measured, None, "a measured value")

    # ---- repeated keys -------------------------------------------------------------------------------
    def _repeats(
        self,
        batch: pa.RecordBatch,
        first_row: int,
        lines: np.ndarray[Any, Any] | None,
        source: pa.RecordBatch | None,
    ) -> tuple[pa.RecordBatch, list[Finding]]:
        names = [k for k in self.key if k in batch.schema.names]
        if not names or batch.num_rows == 0:
            return self._numbered(batch, None), []
        if self.passes == 1:
            assert self._keys is not None
            # Only required key fields must be present; an optional one left empty is a value like any other.
            valid = np.ones(batch.num_rows, dtype=bool)
            for name in names:
                if self.model.model_fields[name].is_required():
                    valid &= pc.is_valid(batch.column(name)).to_numpy(zero_copy_only=False)
            rows = np.nonzero(valid)[0]
            if len(rows):
                self._keys.add(self._hash(batch, names)[rows], rows + first_row)
            return self._numbered(batch, None), []
        planned = self._plan.within(first_row, batch.num_rows)
        local = planned.rows - first_row
        whole = self._whole(batch, source)
        if self._records is not None and len(local):  # second pass: the whole rows of repeating records
            taken = pa.array(local, pa.int64())
            keys = self._hash(batch.take(taken), names)
            records = self._hash(whole.take(taken), list(whole.schema.names), salt=True)
            self._records.add(keys, planned.rows.copy(), records)
        self._remember(batch, whole, first_row, names, lines)
        findings = []
        for index in np.flatnonzero(planned.kind != NONE).tolist():
            found = self._repeat(batch, whole, names, int(planned.rows[index]), first_row, planned, index)
            if found is not None:
                findings.append(found)
        return self._numbered(batch, planned if self.numbered else None, first_row), findings

    def _whole(self, batch: pa.RecordBatch, source: pa.RecordBatch | None) -> pa.RecordBatch:
        """What makes two records an exact repeat: their source rows (every column); without them, the records'
        columns but the sample being numbered."""
        if source is not None:
            return source
        return batch.select([n for n in batch.schema.names if not (self.numbered and n == self.model.sample_field)])

    def _remember(
        self,
        batch: pa.RecordBatch,
        whole: pa.RecordBatch,
        first_row: int,
        names: list[str],
        lines: np.ndarray[Any, Any] | None,
    ) -> None:
        """Digests of the rows a later duplicate refers to, to check it is equal in values, not just in hashes."""
        referenced = self._plan.referenced_within(first_row, batch.num_rows)
        if not len(referenced):
            return
        local = referenced - first_row
        taken = pa.array(local, pa.int64())
        keys = batch.select(names).take(taken).to_pylist()
        rows = whole.take(taken).to_pylist()
        for offset, (key, row) in enumerate(zip(keys, rows, strict=True)):
            line = int(lines[local[offset]]) if lines is not None else None
            self._seen[int(referenced[offset])] = (_digest(key.values()), _digest(row.values()), line)

    def _repeat(
        self,
        batch: pa.RecordBatch,
        whole: pa.RecordBatch,
        names: list[str],
        row: int,
        first_row: int,
        planned: Any,
        index: int,
    ) -> Finding | None:
        kind, ref = int(planned.kind[index]), int(planned.ref[index])
        values = {k: batch.column(k)[row - first_row].as_py() for k in names}
        named = [k for k in names if values[k] is not None]  # an optional key field left empty is not named
        key = ", ".join(f"{k}={values[k]}" for k in named)
        earlier = self._seen.get(ref)
        if ref < row:  # the row referred to was met: equal in values, not only in hashes?
            if earlier is None:
                return None
            if kind == DUPLICATE_ROW:
                same, mine = earlier[1], _digest(whole.slice(row - first_row, 1).to_pylist()[0].values())
            else:
                same, mine = earlier[0], _digest(values[k] for k in names)
            if mine != same:
                return None
        where = f"row {ref}" + (f" (line {earlier[2]})" if earlier and earlier[2] is not None else "")
        if kind == DUPLICATE_ROW:
            return Finding("duplicate-row", row, "+".join(named), key, f"no exact repeat; first seen in {where}")
        assert kind == DUPLICATE_KEY
        words = f"unique; first seen in {where}" if ref < row else f"unique; seen again in row {ref}"
        return Finding("duplicate-key", row, "+".join(named), key, words)

    def _numbered(self, batch: pa.RecordBatch, planned: Any, first_row: int = 1) -> pa.RecordBatch:
        """Samples numbered: 1 for a row whose key is its own, the plan's number for the others; none for an
        exact repeat (it is set aside)."""
        sample = self.model.sample_field
        if not self.numbered or sample is None or sample not in batch.schema.names:
            return batch
        numbers = np.ones(batch.num_rows, dtype=np.int64)
        valid = np.ones(batch.num_rows, dtype=bool)
        if planned is not None and len(planned.rows):
            local = planned.rows - first_row
            numbers[local] = np.maximum(planned.sample, 1)
            valid[local] = planned.kind == NONE
        column = pa.array(numbers, mask=~valid)
        return batch.set_column(batch.schema.get_field_index(sample), batch.schema.field(sample), column)

    def _hash(
        self, batch: pa.RecordBatch, columns: list[str], salt: bool = False
    ) -> np.ndarray[Any, np.dtype[np.uint64]]:
        """Each row's hash of ``columns`` (``salt``: along another path, for whole rows beside their keys)."""
        if not columns:
            return np.zeros(batch.num_rows, dtype=np.uint64)
        if self._duck is None:
            self._duck = duckdb.connect()
        self._duck.register("batch_keys", pa.Table.from_batches([batch]))
        try:
            quoted = ['"' + n.replace('"', '""') + '"' for n in columns]
            lead = "'whole row', " if salt else ""
            found = self._duck.execute(f"SELECT hash({lead}{', '.join(quoted)}) AS h FROM batch_keys").fetchnumpy()
        finally:
            self._duck.unregister("batch_keys")
        return np.asarray(found["h"], dtype=np.uint64)
