"""Cells as people type them, made readable over whole Arrow columns; no I/O.

- Text is NFKC-normalised (full-width ``１２．５`` ``Ｌ２６０３`` ``３５％`` ``（주）`` become ``12.5`` ``L2603``
  ``35%`` ``(주)``) and trimmed; an empty cell is a missing one. Only columns with non-ASCII text pay for it, and
  then only once per distinct value.
- A no-value marker (``-``, ``N/A``, ``#DIV/0!``, ``측정불가`` …) is a missing cell, never a number or a code.
- A number may carry thousands separators (``1,234.5``; ``1.234,5`` where the decimal separator is ``,``), a
  sign, spaces and a unit (``12.5mm``, ``1,200 kWh``, ``35%``, ``45 HRC``): ``split_numbers`` parts the number
  from its unit; the mapping decides what the unit means for the field. ``plain_numbers`` is the fast path of a
  column of plain numbers, one Arrow cast.
- Codes (``Codes``) are looked up as written first, then readable, then in lower case; a marker is never one.
- ``unit_of`` reads a unit as ``units.recognize`` does, except that percent stays percent (12 % is 12).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.standard.units import Unit, recognize

# What "no value" is written as, when a mapping does not say (`no_value`).
NO_VALUE = (
    "-",
    "–",
    "—",
    "N/A",
    "n/a",
    "NA",
    "#N/A",
    "#VALUE!",
    "#DIV/0!",
    "없음",
    "해당없음",
    "측정불가",
    "미측정",
    "미검사",
    "null",
    "NULL",
    "(blank)",
)
_NULL_TEXT = pa.scalar(None, pa.string())


def normal_form(text: str) -> str:
    """One cell's text as it is compared: NFKC, trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


@dataclass(frozen=True)
class Markers:
    """A mapping's no-value markers: as written (for messages) and as compared."""

    written: tuple[str, ...]

    @cached_property
    def compared(self) -> pa.Array:
        return pa.array([normal_form(m) for m in self.written], pa.string())

    @cached_property
    def _longest(self) -> tuple[int, int]:
        """The longest marker in bytes: of all, and of those in ASCII (the only ones an ASCII column can hold)."""
        lengths = [(len(m.encode()), m.isascii()) for m in self.compared.to_pylist()]
        return max((n for n, _ in lengths), default=-1), max((n for n, plain in lengths if plain), default=-1)

    @cached_property
    def castable(self) -> bool:
        """Whether a marker reads as a number or a moment (-999, 1900-01-01): then no column is cast at once."""
        return any(_casts(m, kind) for m in self.compared.to_pylist() for kind in (pa.float64(), pa.timestamp("us")))

    def find(self, text: pa.Array, ascii: bool = False) -> pa.Array | None:
        """For readable text: the index of the marker each cell is (null where none), or None if no cell is one."""
        longest = self._longest[1 if ascii else 0]
        if longest < 0 or not len(text):
            return None
        shortest = pc.min(pc.binary_length(text)).as_py()
        if shortest is None or shortest > longest:  # lot numbers, dates, long words: no marker is that long
            return None
        found = pc.index_in(text, value_set=self.compared)
        return found if found.null_count < len(found) else None


def _casts(text: str, kind: pa.DataType) -> bool:
    try:
        pc.cast(pa.array([text]), kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


@dataclass(frozen=True)
class Readable:
    """A column's cells as they are read: ``text`` NFKC-normalised and trimmed, empty cells and no-value markers
    null; ``marker`` the index of the marker each cell was (null where none), None if no cell was one."""

    text: pa.Array
    marker: pa.Array | None


def read_text(raw: pa.Array, markers: Markers) -> Readable:
    """A column made readable. A column all in ASCII is only trimmed; in any other each distinct value is
    normalised (and compared with the markers) once."""
    if pc.all(pc.string_is_ascii(raw)).as_py() is not False:
        text = _emptied(pc.ascii_trim_whitespace(raw))
        found = markers.find(text, ascii=True)
        return Readable(text if found is None else _unmarked(text, found), found)
    encoded = pc.dictionary_encode(raw)
    values = _emptied(pc.utf8_trim_whitespace(pc.utf8_normalize(encoded.dictionary, "NFKC")))
    found = markers.find(values)
    if found is not None:
        values = _unmarked(values, found)
    unchanged = values.null_count == 0 and pc.all(pc.equal(values, encoded.dictionary)).as_py() is not False
    text = raw if unchanged else pc.take(values, encoded.indices)
    return Readable(text, None if found is None else pc.take(found, encoded.indices))


def readable(raw: pa.Array) -> pa.Array:
    """Cells NFKC-normalised and trimmed, empty ones missing (no markers)."""
    return read_text(raw, Markers(())).text


def _unmarked(text: pa.Array, found: pa.Array) -> pa.Array:
    return pc.if_else(pc.is_valid(found), _NULL_TEXT, text)


def _emptied(text: pa.Array) -> pa.Array:
    shortest = pc.min(pc.binary_length(text)).as_py()
    return pc.if_else(pc.equal(text, ""), _NULL_TEXT, text) if shortest == 0 else text


# A number as typed: sign, digits in groups of three or not, decimal part, exponent; then perhaps a unit, which
# starts with something that cannot continue a number. Where the decimal separator is ",", a "." that cannot
# separate thousands (1.5, 0.25) is a decimal point all the same.
_GROUPED = {
    ".": r"(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)",
    ",": r"(?:(?P<number>(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?|,\d+)|(?P<dotted>\d*\.\d+))",
}
_NUMBER = r"^(?P<sign>[-+−]?)\s*{grouped}(?P<exponent>[eE][-+]?\d+)?\s*(?P<unit>[^\d\s,.+\-−].*?)?\s*$"


@dataclass(frozen=True)
class Split:
    """Numbers parted from units: ``values`` (float64, null where the cell is no number), ``units`` (text, null
    where the cell has none) and ``unreadable`` (true where a cell had text but no number)."""

    values: pa.Array
    units: pa.Array | None
    unreadable: pa.Array


def split_numbers(text: pa.Array, decimal: str) -> Split:
    """Readable cells (see ``readable``) as numbers and the units written after them. Plain numbers, found by a
    quick match, are cast at once; only the other cells are taken apart."""
    plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN[decimal]), False)
    other = pc.and_(pc.is_valid(text), pc.invert(plain))
    values = pc.cast(pc.if_else(plain, _decimal_point(text, decimal), _NULL_TEXT), pa.float64())
    units: pa.Array | None = None
    if pc.any(other).as_py():
        found = _parted(text.filter(other), decimal)
        values = pc.replace_with_mask(values, other, found.values)
        if found.units is not None:
            units = pc.replace_with_mask(pa.nulls(len(text), pa.string()), other, found.units)
    values = pc.if_else(pc.is_finite(values), values, pa.scalar(None, pa.float64()))  # 1e999 is no measurement
    return Split(values, units, pc.and_(pc.is_valid(text), pc.is_null(values)))


_PLAIN = {".": r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$", ",": r"^[-+]?(?:\d+,?\d*|,\d+)(?:[eE][-+]?\d+)?$"}


def _decimal_point(text: pa.Array, decimal: str) -> pa.Array:
    return pc.replace_substring(text, ",", ".") if decimal == "," else text


def _parted(text: pa.Array, decimal: str) -> Split:
    """Cells taken apart by the full expression: sign, grouped digits, exponent, unit."""
    found = pc.extract_regex(text, _NUMBER.replace("{grouped}", _GROUPED[decimal]))
    thousands = "," if decimal == "." else "."
    number = pc.replace_substring(pc.struct_field(found, "number"), thousands, "")
    if decimal == ",":
        number = pc.replace_substring(number, ",", ".")
        dotted = pc.struct_field(found, "dotted")
        number = pc.if_else(pc.equal(dotted, ""), number, dotted)
    sign = pc.replace_substring(pc.struct_field(found, "sign"), "−", "-")
    written = pc.binary_join_element_wise(sign, number, pc.struct_field(found, "exponent"), "")
    values = pc.cast(written, pa.float64())
    unit = pc.struct_field(found, "unit")
    units = pc.if_else(pc.equal(unit, ""), _NULL_TEXT, unit)
    return Split(values, units if units.null_count < len(units) else None, pc.is_null(values))


def plain_numbers(text: pa.Array, decimal: str) -> pa.Array | None:
    """The column as doubles when every present cell is a plain decimal number (Arrow's own parser, one pass);
    None when any cell needs the careful path (blanks, separators, words, units, nan or infinity, and a "." where
    the decimal separator is "," — 1.234 is then a thousand and more)."""
    if decimal == ",":
        if pc.any(pc.match_substring(text, ".")).as_py():
            return None
        text = pc.replace_substring(text, ",", ".")
    try:
        values = pc.cast(text, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    total = pc.sum(values).as_py()  # finite only if every value is: one cheap pass in the common case
    if total is not None and not math.isfinite(total) and pc.any(pc.invert(pc.is_finite(values))).as_py():
        return None  # "nan" and "inf" are not measurements
    return values


def unit_of(text: str) -> Unit:
    """A unit as written; percent stays percent (12 % is 12 percent, not 0.12)."""
    unit = recognize(text)
    return Unit(text, "percent", "percent", 1.0, 0.0) if unit.expression == "percent" else unit


def per_row(table: list[tuple[Any, ...]], index: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(canonical, factor, offset) of each distinct unit, spread to the rows that wrote it."""
    canonical = pc.take(pa.array([t[0] for t in table], pa.string()), index)
    factor = pc.take(pa.array([t[1] for t in table], pa.float64()), index)
    return canonical, factor, pc.take(pa.array([t[2] for t in table], pa.float64()), index)


@dataclass(frozen=True)
class Codes:
    """A value map for vectorised lookup: cells as written first, then readable, then in lower case."""

    written: pa.Array
    readable: pa.Array
    folded: pa.Array | None  # None where two keys differ only in case
    values: pa.Array

    @classmethod
    def of(cls, mapping: dict[str, Any], markers: Markers, target: pa.DataType) -> Codes:
        marked = set(markers.compared.to_pylist())
        keys = [k for k in mapping if normal_form(str(k)) not in marked]  # a marker is never a code
        values = [mapping[k] for k in keys]
        folded = [normal_form(str(k)).lower() for k in keys]
        unique = len({(f, str(v)) for f, v in zip(folded, values, strict=True)}) == len(set(folded))
        return cls(
            pa.array([str(k) for k in keys], pa.string()),
            pa.array([normal_form(str(k)) for k in keys], pa.string()),
            pa.array(folded, pa.string()) if unique else None,
            pa.array(values, target),
        )


# A period in one cell: "2026.01~2026.12", "2026-01-01 ~ 2026-12-31" (～ is ~ after NFKC; ∼ and 〜 are seen too),
# and as LCA tools and English sheets write it: "2025-01-01 – 2025-12-31", "2025-01-01 - 2025-12-31". A plain hyphen
# separates only with spaces on both sides, since dates use it inside themselves (2025-01-01).
_RANGE = r"[~∼〜–—]|\s-\s"
_SIDES = r"^(?P<start>.*?)(?:\s*[~∼〜–—]\s*|\s+-\s+)(?P<end>.*)$"


def range_side(text: pa.Array, end: bool) -> pa.Array:
    """Readable cells naming a period as the side a field reads — its start, or with ``end`` its end; other cells
    as they are. A side left empty (``2026.01~``) is an empty cell."""
    if not len(text) or not pc.any(pc.match_substring_regex(text, _RANGE)).as_py():
        return text
    side = pc.utf8_trim_whitespace(pc.struct_field(pc.extract_regex(text, _SIDES), "end" if end else "start"))
    return _emptied(pc.coalesce(side, text))


def side_of(text: str, end: bool) -> str:
    """One cell's side of a period (``range_side``), for showing how a column will be read."""
    found = re.match(_SIDES, text)
    return found.group("end" if end else "start").strip() if found else text
