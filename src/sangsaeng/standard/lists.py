"""List cells: one cell holding several values (``AR5, AR6``; ``ISO 14067; PACT-2.0``; ids one per line), read
over whole Arrow columns; no I/O.

A list cell's items are separated by ``,``, ``;``, ``|`` or a line break — any of them, mixed as people type
them (full-width ``，`` ``；`` ``｜`` are the same after NFKC); each item is trimmed, and empty items are dropped,
so ``a,,b;`` is two items. A cell with no item left is an empty cell. An item itself can therefore hold none of
these characters (no list field of the standard needs one: ids are URNs, factors ``AR6``, standards tokens).
The same rule reads a constant written as one string in a mapping (``value: "AR5, AR6"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SEPARATORS = "[,;|\r\n\u2028\u2029]"  # the characters themselves: RE2 reads no \u escapes
_SEPARATORS = re.compile(SEPARATORS)


def split_text(text: str) -> list[str]:
    """One string as the items it lists (the rule of ``split_cells``)."""
    return [item.strip() for item in _SEPARATORS.split(text) if item.strip()]


@dataclass(frozen=True)
class Items:
    """Cells split into items: ``lists`` (list<string>, null where a cell has no item), and the items flat with
    the row each came from (``parents``), in row order."""

    lists: pa.Array
    items: pa.Array
    parents: np.ndarray[Any, np.dtype[np.int64]]


def split_cells(text: pa.Array) -> Items:
    """Readable cells (NFKC, trimmed, markers null) as lists of items."""
    parts = pc.split_pattern_regex(text, pattern=SEPARATORS)
    flat = pc.utf8_trim_whitespace(pc.list_flatten(parts))
    parents = pc.list_parent_indices(parts).to_numpy(zero_copy_only=False)
    keep = pc.fill_null(pc.not_equal(flat, ""), False)
    return _assembled(flat.filter(keep), parents[keep.to_numpy(zero_copy_only=False)], len(text))


def _assembled(items: pa.Array, parents: np.ndarray[Any, np.dtype[np.int64]], rows: int) -> Items:
    counts = np.bincount(parents, minlength=rows) if len(parents) else np.zeros(rows, dtype=np.int64)
    offsets = np.zeros(rows + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    lists = pa.ListArray.from_arrays(pa.array(offsets), items, mask=pa.array(counts == 0))
    return Items(lists, items, parents)


def written(text: pa.Array, read: Callable[[str], str | None], fast: str) -> pa.Array:
    """Text as ``read`` writes it, null where it refuses (or the text is null): a column whose every value
    matches ``fast`` (already as ``read`` writes it) is taken as it is; otherwise ``read`` once per distinct
    value."""
    if pc.all(pc.fill_null(pc.match_substring_regex(text, fast), True)).as_py() is not False:
        return text
    encoded = pc.dictionary_encode(text)
    distinct = [None if v is None else read(v) for v in encoded.dictionary.to_pylist()]
    return pc.take(pa.array(distinct, pa.string()), encoded.indices)


def normalised(found: Items, read: Callable[[str], str | None], fast: str) -> tuple[Items, pa.Array]:
    """Each item as ``read`` writes it (see ``written``), repeats within a cell dropped (the first kept); and a
    mask over the items of ``found`` of those ``read`` refused (None). A cell with a refused item is left
    empty: it cannot be read as a whole."""
    items = written(found.items, read, fast)
    refused = pc.is_null(items)
    bad = pc.fill_null(refused, True).to_numpy(zero_copy_only=False)
    kept = ~np.isin(found.parents, found.parents[bad])
    items, parents = items.filter(pa.array(kept)), found.parents[kept]
    if len(parents):
        # A repeat is the same (row, item) pair met before: numbered per distinct item, first seen kept.
        codes = pc.dictionary_encode(items).indices.to_numpy(zero_copy_only=False).astype(np.int64)
        pairs = parents.astype(np.int64) * (int(codes.max()) + 1) + codes
        _, first = np.unique(pairs, return_index=True)
        if len(first) < len(pairs):
            chosen = np.sort(first)
            items, parents = items.take(pa.array(chosen)), parents[chosen]
    return _assembled(items, parents, len(found.lists)), refused
