"""Records that repeat a key, found in bounded memory however long the file.

Each checked row's key hash (and, on a later pass, its whole row's hash) is buffered, then spilled to
``KeyHashes.PARTS`` files by the hash's top bits; at the end each part is sorted on its own, so only a part of the
file's hashes is in memory at a time. Rows of one key always fall in the same part. ``KeyHashes.plan`` turns the
hashes into a ``Plan``: for every row whose key is shared with another row, sorted by row, its sample number or
what is wrong with it, and the row it refers to. Nearly all files have no repeated key: then one sort of each
part says so, and nothing else is done.

Decisions per group of rows sharing a key (``resolve``):
- with whole-row hashes (the caller's: ``validation`` hashes every cell of the source row), a row equal to an
  earlier row of its group is a ``DUPLICATE_ROW`` of the first such row and takes no rank; the others are
  distinct rows, ranked 1, 2, … in file order (a row set aside for another error keeps its rank);
- ``numbered`` entities (repeated samples): the distinct records are samples, numbered by that rank;
- other entities: a group with two or more distinct rows is a conflict, every distinct row of it a
  ``DUPLICATE_KEY`` (the first refers to the second, the others to the first);
- without row hashes (after the first pass) it assumes the common case: numbered rows are all distinct
  samples, other repeats are all exact repeats of the group's first row. ``Plan.differs`` says when the exact
  plan of a second pass found otherwise, and so whether a third pass is needed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

NONE, DUPLICATE_ROW, DUPLICATE_KEY = 0, 1, 2

Ints = np.ndarray[Any, np.dtype[np.int64]]
Hashes = np.ndarray[Any, np.dtype[np.uint64]]


@dataclass
class PartPlan:
    rows: Ints  # sorted
    sample: Ints  # 1, 2, … for numbered entities; 0 otherwise
    kind: np.ndarray[Any, np.dtype[np.int8]]
    ref: Ints  # the row a duplicate refers to (0 when none)


@dataclass
class Plan:
    parts: list[PartPlan] = field(default_factory=list)
    referenced: Ints = field(default_factory=lambda: np.zeros(0, np.int64))  # rows a finding refers to, sorted
    differs: bool = False  # (exact plans) not what a plan made without record hashes assumed
    folder: tempfile.TemporaryDirectory[str] | None = None

    def __bool__(self) -> bool:
        return any(len(p.rows) for p in self.parts)

    def within(self, first_row: int, count: int) -> PartPlan:
        """The plan's rows in ``first_row`` … ``first_row + count - 1``, sorted by row."""
        pieces = []
        for part in self.parts:
            start, end = np.searchsorted(part.rows, [first_row, first_row + count])
            if end > start:
                pieces.append((part.rows[start:end], part.sample[start:end], part.kind[start:end], part.ref[start:end]))
        if not pieces:
            empty = np.zeros(0, np.int64)
            return PartPlan(empty, empty, np.zeros(0, np.int8), empty)
        rows, sample, kind, ref = (np.concatenate([np.asarray(p[i]) for p in pieces]) for i in range(4))
        order = np.argsort(rows, kind="stable")
        return PartPlan(rows[order], sample[order], kind[order], ref[order])

    def referenced_within(self, first_row: int, count: int) -> Ints:
        start, end = np.searchsorted(self.referenced, [first_row, first_row + count])
        return self.referenced[start:end]

    def close(self) -> None:
        self.parts = []
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None


class KeyHashes:
    """Key hashes (and record hashes, when ``records``) of rows, spilled to disk by parts past ``BUFFER`` rows."""

    PARTS = 16
    BUFFER = 1 << 21  # rows kept in memory before spilling

    def __init__(self, records: bool = False) -> None:
        self.records = records
        self._buffers: list[list[np.ndarray[Any, Any]]] = [[], [], []]  # key hashes, rows, record hashes
        self._buffered = 0
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def add(self, hashes: Hashes, rows: Ints, records: Hashes | None = None) -> None:
        assert (records is not None) == self.records, "record hashes are given exactly when the hashes hold them"
        self._buffers[0].append(hashes)
        self._buffers[1].append(rows)
        if records is not None:
            self._buffers[2].append(records)
        self._buffered += len(hashes)
        if self._buffered >= self.BUFFER:
            self._spill()

    def _names(self) -> tuple[str, ...]:
        return ("keys", "rows", "records") if self.records else ("keys", "rows")

    def _spill(self) -> None:
        if not self._buffered:
            return
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="sangsaeng-keys-")
        arrays = [np.concatenate(b) for b in self._buffers[: len(self._names())]]
        self._buffers, self._buffered = [[], [], []], 0
        part = (arrays[0] >> np.uint64(60)).astype(np.uint8)
        order = np.argsort(part, kind="stable")  # a radix sort on bytes; rows stay in file order within a part
        bounds = np.cumsum(np.bincount(part, minlength=self.PARTS))[:-1]
        for index, chunk in enumerate(np.split(order, bounds)):
            if len(chunk):
                for name, array in zip(self._names(), arrays, strict=True):
                    with open(Path(self._folder.name) / f"{index}.{name}", "ab") as handle:
                        array[chunk].tofile(handle)

    def _parts(self) -> Iterator[tuple[Hashes, Ints, Hashes | None]]:
        if self._folder is None:
            if self._buffered:
                hashes, rows = np.concatenate(self._buffers[0]), np.concatenate(self._buffers[1])
                yield hashes, rows, np.concatenate(self._buffers[2]) if self.records else None
            return
        self._spill()
        folder = Path(self._folder.name)
        for index in range(self.PARTS):
            if (folder / f"{index}.keys").exists():
                hashes = np.fromfile(folder / f"{index}.keys", np.uint64)
                rows = np.fromfile(folder / f"{index}.rows", np.int64)
                records = np.fromfile(folder / f"{index}.records", np.uint64) if self.records else None
                for name in self._names():
                    (folder / f"{index}.{name}").unlink()
                yield hashes, rows, records

    def plan(self, numbered: bool) -> Plan:
        """What every row sharing its key is (see the module's description); the hashes are used up."""
        plan = Plan(folder=self._folder)
        self._folder = None
        referenced: list[Ints] = []
        try:
            for index, (hashes, rows, records) in enumerate(self._parts_of(plan)):
                if not (np.diff(np.sort(hashes)) == 0).any():  # the common case: nothing repeats
                    continue
                part, differs = resolve(hashes, rows, records, numbered)
                plan.differs |= differs
                referenced.append(np.unique(part.ref[part.kind != NONE]))
                plan.parts.append(_kept(part, plan.folder, index))
        except BaseException:
            plan.close()
            raise
        if referenced:
            plan.referenced = np.unique(np.concatenate(referenced))
        if not plan:
            plan.close()
        return plan

    def _parts_of(self, plan: Plan) -> Iterator[tuple[Hashes, Ints, Hashes | None]]:
        self._folder = plan.folder  # read the spilled parts from the folder the plan now owns
        try:
            yield from self._parts()
        finally:
            self._folder = None
            self._buffers, self._buffered = [[], [], []], 0


def _kept(part: PartPlan, folder: tempfile.TemporaryDirectory[str] | None, index: int) -> PartPlan:
    """A part's plan on disk (memory-mapped) when the hashes were spilled, else in memory."""
    if folder is None:
        return part
    arrays = []
    for name in ("rows", "sample", "kind", "ref"):
        path = Path(folder.name) / f"{index}.plan.{name}.npy"
        np.save(path, getattr(part, name))
        arrays.append(np.load(path, mmap_mode="r"))
    return PartPlan(*arrays)


def resolve(hashes: Hashes, rows: Ints, records: Hashes | None, numbered: bool) -> tuple[PartPlan, bool]:
    """The plan of one part's rows (see the module's description) and whether it differs from what a plan
    without record hashes assumes. Vectorised: sorts, cumulative sums and scatters, no loop over rows."""
    order = np.lexsort((rows, hashes))
    keys, at = hashes[order], rows[order]
    starts = np.empty(len(keys), dtype=bool)
    starts[:1] = True
    starts[1:] = keys[1:] != keys[:-1]
    sizes = np.bincount(np.cumsum(starts) - 1)
    shared = sizes[np.cumsum(starts) - 1] > 1
    keys, at = keys[shared], at[shared]
    whole = records[order][shared] if records is not None else None
    count = len(at)
    starts = np.empty(count, dtype=bool)
    starts[:1] = True
    starts[1:] = keys[1:] != keys[:-1]
    group = np.cumsum(starts) - 1
    first_at = np.flatnonzero(starts)
    first = at[first_at][group]
    if whole is not None:  # exact: the first row holding the same record, within the group
        by_record = np.lexsort((at, whole, group))
        same_group, same_record = group[by_record], whole[by_record]
        new = np.empty(count, dtype=bool)
        new[:1] = True
        new[1:] = (same_group[1:] != same_group[:-1]) | (same_record[1:] != same_record[:-1])
        same = np.empty(count, dtype=np.int64)
        same[by_record] = at[by_record][np.maximum.accumulate(np.where(new, np.arange(count), 0))]
        repeat = same != at
    elif numbered:  # assumed: every sample distinct
        same, repeat = at.copy(), np.zeros(count, dtype=bool)
    else:  # assumed: every repeat an exact repeat of the group's first row
        same, repeat = first, ~starts
    distinct = ~repeat
    running = np.cumsum(distinct)
    rank = np.where(distinct, running - (running - distinct)[first_at][group], 0)
    distinct_in_group = np.bincount(group, weights=distinct).astype(np.int64)
    if numbered:
        kind = np.where(repeat, DUPLICATE_ROW, NONE)
        ref = np.where(repeat, same, 0)
        sample = rank
        differs = bool(repeat.any())
    else:
        conflict = distinct_in_group[group] >= 2
        kind = np.where(repeat, DUPLICATE_ROW, np.where(conflict, DUPLICATE_KEY, NONE))
        second = np.zeros(len(first_at), dtype=np.int64)
        seconds = distinct & (rank == 2)
        second[group[seconds]] = at[seconds]
        ref = np.where(repeat, same, np.where(rank == 1, second[group], first))
        ref = np.where(kind == NONE, 0, ref)
        sample = np.zeros(count, dtype=np.int64)
        differs = bool(conflict.any())
    by_row = np.argsort(at, kind="stable")
    part = PartPlan(
        at[by_row].astype(np.int64),
        sample[by_row].astype(np.int64),
        kind[by_row].astype(np.int8),
        ref[by_row].astype(np.int64),
    )
    return part, differs
