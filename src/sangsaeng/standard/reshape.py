"""A sheet's rows made records, batch by batch and vectorised: rows that are not records (blank, totals, notes)
left out, merged cells filled down, wide columns made long, and each record's sheet row kept in ``LINE``.

The rules are ``layout``'s (``is_blank_row``, ``is_total_row``, ``is_note_row``) applied to whole Arrow batches.
A tidy export pays almost nothing for them: a batch where two columns are filled in every row can hold no blank
and no note row, and its total rows are found from the last byte of each row's two label cells (no total word
ends like a lot number, a date or a measurement) before any text is compared.

``unpivot(batch, spec, no_value)`` is the wide-to-long step on its own, for a caller that wants it on a batch;
``Shaper`` runs the whole pass for a source and keeps what crosses batches (the value filled down, the line).
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.standard.layout import LINE as LINE  # sources takes the column name from here too
from sangsaeng.standard.layout import NO_VALUE, Reading, Unpivot
from sangsaeng.standard.said import PerLanguage, refusal, words
from sangsaeng.standard.sheet_text import TOTAL_WORDS, _folded, is_note, is_total_word, split_unit


def _endings() -> tuple[np.ndarray, np.ndarray]:
    """How a total word can end, however it is spelled (case, full width, trailing blanks): its last byte, and its
    last two bytes as one number."""
    spellings = {w for word in TOTAL_WORDS for w in (word, word.upper(), word.title())}
    spellings |= {"".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in w) for w in spellings}
    last, pair = np.zeros(256, dtype=bool), np.zeros(1 << 16, dtype=bool)
    for word in spellings:
        encoded = word.encode()
        last[encoded[-1]] = True
        pair[encoded[-2] << 8 | encoded[-1]] = True
    for blank in (" ", "\t", "\r", "\n", "\u3000", "\u00a0"):  # a word with blanks after it
        encoded = blank.encode()
        last[encoded[-1]] = True
        if len(encoded) > 1:
            pair[encoded[-2] << 8 | encoded[-1]] = True
        else:
            pair[np.arange(256) << 8 | encoded[0]] = True
    return last, pair


_LAST, _PAIR = _endings()
_SHORTEST_TOTAL = min(len(w.encode()) for w in TOTAL_WORDS)


def _empty(column: pa.Array) -> pa.Array:
    """Cells with nothing in them: null or ''."""
    return pc.fill_null(pc.equal(pc.binary_length(column), 0), True)


def _full(column: pa.Array) -> bool:
    """Whether every cell of a column holds something (cheap: the null count and the shortest length)."""
    if column.null_count:
        return False
    shortest = pc.min(pc.binary_length(column)).as_py() if len(column) else 1
    return shortest is not None and shortest > 0


def _labels(columns: Sequence[pa.Array]) -> tuple[list[pa.Array], np.ndarray]:
    """Each row's first and second non-empty cells (null where it has none), and how many non-empty cells."""
    length = len(columns[0])
    filled = np.column_stack([~np.asarray(_empty(c), dtype=bool) for c in columns])
    counts = filled.sum(axis=1)
    rows = np.arange(length)
    first = filled.argmax(axis=1)
    rest = filled.copy()
    rest[rows, first] = False
    second = rest.argmax(axis=1)
    together = pa.concat_arrays([c.cast(pa.string()) for c in columns])
    labels = []
    for chosen, present in ((first, counts >= 1), (second, counts >= 2)):
        taken = together.take(pa.array(chosen * length + rows))
        labels.append(pc.if_else(pa.array(present), taken, pa.scalar(None, pa.string())))
    return labels, counts


def _total_labels(labels: pa.Array) -> np.ndarray:
    """Rows whose label is a total word. Most cannot be one by their last byte (a lot number, a date, a
    measurement), told by two NumPy gathers over the column's buffers; the rest by their last two bytes; only what
    is left is compared as text, one distinct value at a time."""
    labels = labels.fill_null("") if labels.null_count else labels
    if pa.types.is_large_string(labels.type):
        labels = labels.cast(pa.string())
    count = len(labels)
    found = np.zeros(count, dtype=bool)
    buffers = labels.buffers()
    if not count or buffers[2] is None or not buffers[2].size:
        return found
    offsets = np.frombuffer(buffers[1], dtype=np.int32, count=count + 1, offset=labels.offset * 4)
    data = np.frombuffer(buffers[2], dtype=np.uint8)
    ends = offsets[1:]
    candidates = np.flatnonzero(_LAST.take(data.take(ends - 1)))  # an empty first cell reads the last byte: harmless
    if not len(candidates):
        return found
    tails = ends[candidates]
    long_enough = tails - offsets[candidates] >= _SHORTEST_TOTAL
    pairs = data.take(tails - 2, mode="wrap").astype(np.int32) << 8 | data.take(tails - 1, mode="wrap")
    candidates = candidates[long_enough & _PAIR.take(pairs)]
    if not len(candidates):
        return found
    texts = labels.take(pa.array(candidates))
    totals = [t for t in pc.unique(texts).to_pylist() if is_total_word(t)]
    if totals:
        found[candidates[np.asarray(pc.is_in(texts, value_set=pa.array(totals, pa.string())))]] = True
    return found


def _notes(cells: pa.Array) -> np.ndarray:
    """Which cells start like a note: those that might by their first letter, then each distinct one by the rule."""
    maybe = pc.fill_null(pc.match_substring_regex(cells, _NOTE_START, ignore_case=True), False)
    found = np.zeros(len(cells), dtype=bool)
    candidates = np.flatnonzero(np.asarray(maybe))
    if len(candidates):
        texts = cells.take(pa.array(candidates))
        notes = [t for t in pc.unique(texts).to_pylist() if is_note(t)]
        if notes:
            found[candidates[np.asarray(pc.is_in(texts, value_set=pa.array(notes, pa.string())))]] = True
    return found


_NOTE_START = r"^\s*(※|\*|＊|주|비|n|ｎ)"  # a superset of what layout.is_note reads as a note


def not_records(batch: pa.RecordBatch, skip_totals: bool = True) -> np.ndarray | None:
    """The rows of a batch that are not records — blank, a total (when ``skip_totals``), a note — or None when
    there are none."""
    columns = [batch.column(i) for i, n in enumerate(batch.schema.names) if n != LINE]
    if not columns or not batch.num_rows:
        return None
    drop = np.zeros(batch.num_rows, dtype=bool)
    if len(columns) >= 2 and _full(columns[0]) and _full(columns[1]):
        # two cells filled in every row: no blank row, no note row, and the labels are those two cells
        if not skip_totals:
            return None
        labels = [columns[0], columns[1]]
    else:
        labels, counts = _labels(columns)
        drop |= counts == 0
        ones = np.flatnonzero(counts == 1)
        if len(ones):
            drop[ones[_notes(labels[0].take(pa.array(ones)))]] = True
    if skip_totals:
        for label in labels:
            drop |= _total_labels(label)
    return drop if drop.any() else None


def _markers(values: pa.Array, no_value: Sequence[str]) -> np.ndarray:
    """Wide cells that make no record: empty, blank, or a no-value marker (full width read as half width)."""
    trimmed = pc.utf8_trim_whitespace(values)
    marked = pc.or_(_empty(trimmed), pc.fill_null(pc.is_in(trimmed, value_set=pa.array(list(no_value))), False))
    found = np.asarray(marked, dtype=bool).copy()
    odd = np.flatnonzero(~np.asarray(pc.fill_null(pc.string_is_ascii(trimmed), True), dtype=bool) & ~found)
    if len(odd):
        texts = trimmed.take(pa.array(odd)).to_pylist()
        wanted = set(no_value)
        found[odd[[unicodedata.normalize("NFKC", t).strip() in wanted for t in texts]]] = True
    return found


def unpivot(batch: pa.RecordBatch, spec: Unpivot, no_value: Sequence[str] = NO_VALUE) -> pa.RecordBatch:
    """Wide columns made long (see ``layout.Unpivot``): each row gives one record per wide cell that holds a value,
    in sheet order, with every other column (``LINE`` too) repeated; the new columns stand where the first wide
    column stood. ``spec.columns`` must be columns of ``batch``."""
    names = batch.schema.names
    count, width = batch.num_rows, len(spec.columns)
    wide = [names.index(c) for c in spec.columns]
    cells = pa.concat_arrays([batch.column(i).cast(pa.string()) for i in wide])  # column j's row i at j*count + i
    order = (np.arange(count)[:, None] + np.arange(width)[None, :] * count).ravel()  # row by row
    keep = order[~_markers(cells, no_value)[order]] if len(order) else order
    rows, which = keep % max(count, 1), keep // max(count, 1)
    split = [split_unit(c) for c in spec.columns]
    made: dict[str, pa.Array] = {
        spec.name: pa.array([s[0] if spec.unit else c for s, c in zip(split, spec.columns, strict=True)]).take(
            pa.array(which)
        ),
        spec.value: cells.take(pa.array(keep)),
    }
    if spec.unit:
        made[spec.unit] = pa.array([s[1] for s in split], pa.string()).take(pa.array(which))
    arrays: list[pa.Array] = []
    fields: list[str] = []
    take = pa.array(rows)
    for index, name in enumerate(names):
        if index == wide[0]:
            fields += list(made)
            arrays += list(made.values())
        if index not in wide:
            fields.append(name)
            arrays.append(batch.column(index).take(take))
    return pa.RecordBatch.from_arrays(arrays, names=fields)


def _resolve(wanted: str, headers: Sequence[str], where: str, key: str) -> str:
    """A column named in a mapping's layout keys, found among the headers (spaces, case and full width aside)."""
    if wanted in headers:
        return wanted
    same = [h for h in headers if _folded(h) == _folded(wanted)]
    if len(same) == 1:
        return same[0]
    close = difflib.get_close_matches(wanted, list(headers), n=3, cutoff=0.5)

    def close_ones(language: str) -> str:
        names = words("word.or", language).join(map(repr, close))
        return words("reshape.did-you-mean", language, names=names) if close else ""

    raise refusal(
        "reshape.unknown-column",
        at=key,
        where=where,
        key=key,
        wanted=wanted,
        close=PerLanguage(close_ones),
        headers=", ".join(headers),
    )


@dataclass
class Shaper:
    """One pass over a source's named batches (``headers``, then ``LINE``): rows that are not records out, fill
    down, unpivot. ``headers`` after it is what the source offers."""

    columns: list[str]  # the batches' columns as named from the header, without LINE
    reading: Reading
    where: str  # the file (and sheet) for messages
    _carry: dict[str, str | None] = field(default_factory=dict)
    _spec: Unpivot | None = None
    _fill: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self._fill = tuple(_resolve(c, self.columns, self.where, "fill_down") for c in self.reading.fill_down)
        self._carry = dict.fromkeys(self._fill)
        spec = self.reading.unpivot
        if spec is None:
            return
        wide = tuple(_resolve(c, self.columns, self.where, "unpivot.columns") for c in spec.columns)
        kept = [c for c in self.columns if c not in wide]
        new = [n for n in (spec.name, spec.value, spec.unit) if n]
        clash = [n for n in new if n in kept] + [n for n in set(new) if new.count(n) > 1]
        if clash:
            raise refusal("reshape.unpivot-clash", at="unpivot", where=self.where, column=clash[0])
        self._spec = Unpivot(wide, spec.name, spec.value, spec.unit)

    @property
    def headers(self) -> list[str]:
        if self._spec is None:
            return list(self.columns)
        out: list[str] = []
        new = [n for n in (self._spec.name, self._spec.value, self._spec.unit) if n]
        for name in self.columns:
            if name == self._spec.columns[0]:
                out += new
            if name not in self._spec.columns:
                out.append(name)
        return out

    def shape(self, batch: pa.RecordBatch, first_line: int | np.ndarray) -> pa.RecordBatch:
        """A batch of the header's columns (all text) as records, with ``LINE`` last; ``first_line`` is the sheet
        row of its first row (rows consecutive) or each row's own."""
        lines = (
            np.arange(first_line, first_line + batch.num_rows, dtype=np.int64)
            if isinstance(first_line, int)
            else np.asarray(first_line, dtype=np.int64)
        )
        batch = batch.append_column(pa.field(LINE, pa.int64()), pa.array(lines))
        drop = not_records(batch, self.reading.skip_totals)
        if drop is not None:
            batch = batch.filter(pa.array(~drop))
        for name in self._fill:
            batch = self._filled(batch, name)
        if self._spec is not None:
            batch = unpivot(batch, self._spec, self.reading.no_value)
        return batch

    def _filled(self, batch: pa.RecordBatch, name: str) -> pa.RecordBatch:
        """Empty cells of a column take the value above them (a cell merged down), across batches."""
        index = batch.schema.get_field_index(name)
        column = batch.column(index)
        if not column.null_count and _full(column):
            self._carry[name] = column[-1].as_py() if len(column) else self._carry[name]
            return batch
        column = pc.if_else(_empty(column), pa.scalar(None, pa.string()), column)
        column = pc.fill_null_forward(column)
        if self._carry[name] is not None and column.null_count:
            column = pc.fill_null(column, self._carry[name])
        if len(column) and column[-1].is_valid:
            self._carry[name] = column[-1].as_py()
        return batch.set_column(index, batch.schema.field(index), column)


class Sourced(Protocol):
    @property
    def headers(self) -> list[str]: ...

    def batches(self) -> Iterator[pa.RecordBatch]: ...


def sample_of(source: Sourced, rows: int = 200) -> dict[str, list[str]]:
    """Up to ``rows`` non-empty values of each of a source's columns, from its first batches."""
    taken: dict[str, list[str]] = {h: [] for h in source.headers}
    for batch in source.batches():
        for header in source.headers:
            taken[header].extend(v for v in batch.column(header).to_pylist()[: rows - len(taken[header])] if v)
        if all(len(v) >= rows for v in taken.values()) or batch.num_rows >= rows:
            break
    return taken
