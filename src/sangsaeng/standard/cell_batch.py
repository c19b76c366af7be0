"""One batch of source text being read by a mapping (``mapping.Applier``): each column made readable once, the
no-value markers noted once per column, and what was found, with its record number and sheet row; no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.standard.cells import Markers, Readable, read_text
from sangsaeng.standard.layout import LINE
from sangsaeng.standard.lists import Items, normalised, split_cells, written
from sangsaeng.standard.prefixes import prefixed
from sangsaeng.standard.validation import Finding
from sangsaeng.standard.value_rules import ValueRule


@dataclass
class CellBatch:
    """One batch being read: its text once per column, and what was found, with rows and sheet lines."""

    source: pa.RecordBatch
    first_row: int
    markers: Markers
    findings: list[Finding] = field(default_factory=list)
    _readable: dict[str, Readable] = field(default_factory=dict)
    _coded: dict[str, tuple[pa.Array, pa.Array]] = field(default_factory=dict)
    _noted: set[str] = field(default_factory=set)
    units: dict[tuple[str, str | None], tuple[pa.Array, pa.Array, pa.Array, pa.Array]] = field(default_factory=dict)

    @cached_property
    def lines(self) -> Any:
        """The sheet row of each record (an array), when the source says."""
        names = self.source.schema.names
        if LINE not in names:
            return None
        return self.source.column(names.index(LINE)).to_numpy(zero_copy_only=False)

    def raw(self, column: str) -> pa.Array:
        return pc.cast(self.source.column(column), pa.string())

    def text(self, column: str, name: str) -> pa.Array:
        """A column's cells readable, markers made null (each noted once, for the first field that reads it)."""
        if column not in self._readable:
            self._readable[column] = read_text(self.raw(column), self.markers)
        self._note(column, name)
        return self._readable[column].text

    def listed(self, column: str, name: str, rule: ValueRule | None, prefix: str | None = None) -> pa.Array:
        """A column of list cells as lists (``lists``), each item with the field's ``prefix`` and read by its
        ``rule`` where it has them: an item the rule refuses is a finding, and its cell stays empty."""
        found = split_cells(self.text(column, name))
        if not len(found.items):
            return found.lists
        if prefix is not None:
            found = Items(found.lists, prefixed(found.items, prefix), found.parents)
        read, refused = normalised(found, *((rule.read, rule.fast) if rule else (_as_written, ".*")))
        if rule is None:
            return read.lists
        for index in indices(refused):
            self.add(rule.code, int(found.parents[index]), name, found.items[index].as_py(), rule.expected, column)
        return read.lists

    def ruled(self, column: str, name: str, rule: ValueRule | None, prefix: str | None = None) -> pa.Array:
        """A column of text with the field's ``prefix`` and as its ``rule`` writes it, where it has them; a cell
        the rule refuses is a finding (showing the cell as written), and stays empty."""
        text = self.text(column, name)
        given = text if prefix is None else prefixed(text, prefix)
        if rule is None:
            return given
        read = written(given, rule.read, rule.fast)
        self.add_all(rule.code, pc.and_(pc.is_valid(given), pc.is_null(read)), name, column, rule.expected, text)
        return read

    def coded(self, column: str, name: str) -> tuple[pa.Array, pa.Array]:
        """A column of few distinct values (units) as its distinct values made readable and each row's index
        into them: one pass over the rows instead of several."""
        if column not in self._coded:
            encoded = pc.dictionary_encode(self.raw(column))
            distinct = read_text(encoded.dictionary, self.markers)
            marker = None if distinct.marker is None else pc.take(distinct.marker, encoded.indices)
            self._readable[column] = Readable(pc.take(distinct.text, encoded.indices), marker)
            self._coded[column] = (distinct.text, encoded.indices)
        self._note(column, name)
        return self._coded[column]

    def _note(self, column: str, name: str) -> None:
        read = self._readable[column]
        if read.marker is not None and column not in self._noted:
            self._noted.add(column)
            written, raw = self.markers.written, self.raw(column)
            for index in indices(pc.is_valid(read.marker)):
                self.add("no-value", index, name, raw[index].as_py(), written[read.marker[index].as_py()], column)

    def add(self, code: str, index: int, name: str, value: Any, expected: str, column: str | None) -> None:
        line = int(self.lines[index]) if self.lines is not None else None
        text = None if value is None else str(value)
        self.findings.append(Finding(code, self.first_row + index, name, text, expected, line=line, column=column))

    def add_all(self, code: str, mask: pa.Array, name: str, column: str, expected: str, shown: pa.Array) -> None:
        for index in indices(mask):
            self.add(code, index, name, shown[index].as_py(), expected, column)


def _as_written(item: str) -> str:
    return item


def indices(mask: pa.Array) -> list[int]:
    return list(pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist())
