"""How a sheet is laid out — where its header is, which rows are not records, which columns are one quantity
spread wide — as plain values, decided from the sheet's first rows without any I/O.

``LayoutGuess`` is what reading a sheet's top proposes; the mapping document's ``header``, ``skip_totals``,
``fill_down`` and ``unpivot`` keys are what a person confirms of it, and ``Reading`` is both as the source layer
uses them (``LayoutGuess.reading()``, ``Mapping.reading()``).

A *grid* is a sheet's first rows as text: a list of rows, each a list of ``str | None`` (None or blank text is an
empty cell). The functions here:

- ``detect(grid) -> LayoutGuess``: the header row under titles, notes and blank rows (the row of many distinct
  labels followed by rows of numbers, dates and codes), a second header row (units, or sub-names under a cell
  merged across), the titles above, and a group of columns holding one quantity spread wide.
- ``header_names(grid, header_row, header_rows) -> list[str]``: the header cells, joined (``join_headers``) and
  cleaned (``clean``); ``name_columns(names, filled)`` then names blank ones by their Excel letter, drops spacer
  columns and numbers repeats.
- ``is_blank_row``, ``is_total_row``, ``is_note_row``: rows that are not records (the source layer applies the
  same rules to whole batches, vectorised, in ``reshape``).
- ``split_unit(header)``: ``"전기(kWh)"`` → ``("전기", "kWh")``; ``proposed_unpivot(wide, taken)``: the unpivot a
  wide group suggests, named in Korean after its kind.
- ``reading_of(layout)``: a ``Mapping``, a ``LayoutGuess`` or a ``Reading`` as a ``Reading``;
  ``columns_of(where, grid, reading)``: the columns a source keeps and their names, or a sentence saying why the
  header is not where the reading says.

What a single cell says (its kind, the unit in a header, total words, notes, carriers) is in ``cells``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from sangsaeng.standard.cells import NO_VALUE
from sangsaeng.standard.said import refusal
from sangsaeng.standard.sheet_text import _DATE as _DATE
from sangsaeng.standard.sheet_text import _DAY as _DAY
from sangsaeng.standard.sheet_text import (
    NOTE_PREFIXES,
    TOTAL_WORDS,
    Kind,
    _characteristic_unit,
    _iso_day,
    _month_of,
    _unit_text,
    cell_kind,
    clean,
    column_letter,
    is_blank,
    is_carrier,
    is_note,
    is_total_word,
    is_unit,
    split_unit,
)

__all__ = [  # the cells' words are layout's too: callers need not know where each lives
    "HEAD_ROWS",
    "LINE",
    "Laid",
    "columns_of",
    "reading_of",
    "NO_VALUE",
    "NOTE_PREFIXES",
    "TOTAL_WORDS",
    "LayoutGuess",
    "Reading",
    "Unpivot",
    "WideGroup",
    "cell_kind",
    "clean",
    "column_letter",
    "detect",
    "filled_columns",
    "filled_tops",
    "header_names",
    "is_blank",
    "is_blank_row",
    "is_carrier",
    "is_note",
    "is_note_row",
    "is_total_row",
    "is_total_word",
    "is_unit",
    "join_headers",
    "name_columns",
    "proposed_unpivot",
    "split_unit",
    "wide_group",
    "wide_of",
]

WideKind = Literal["months", "carriers", "characteristics", "dates", "other"]
Grid = Sequence[Sequence[str | None]]

LINE = "\x00line"  # the last column of every batch a source yields: the row a person sees in Excel (int64)
HEAD_ROWS = 60  # rows of a sheet's top that layout is decided from


@dataclass(frozen=True)
class WideGroup:
    """Columns that hold one quantity spread wide (one per month, per energy carrier, per characteristic)."""

    columns: list[str]  # the headers (after joining) of the wide columns, in sheet order
    kind: WideKind
    names: list[str]  # each column's name without its unit, e.g. "전기" of "전기(kWh)"
    units: list[str | None]  # the unit written in each header, if any


@dataclass(frozen=True)
class Unpivot:
    """Wide columns made long: each of ``columns`` becomes a record with its header in ``name`` (without the unit
    when ``unit`` is given), its cell in ``value`` and the unit written in its header in ``unit``."""

    columns: tuple[str, ...]
    name: str
    value: str
    unit: str | None = None


@dataclass(frozen=True)
class Reading:
    """How the source layer reads a sheet: what a mapping's layout keys say, or what a guess proposes."""

    sheet: str | None = None
    header_row: int = 1  # 1-based sheet row / CSV line of the (first) header row
    header_rows: int = 1  # 1 or 2
    skip_totals: bool = True
    fill_down: tuple[str, ...] = ()
    unpivot: Unpivot | None = None
    no_value: tuple[str, ...] = NO_VALUE  # markers of an empty wide cell (it makes no record)


@dataclass(frozen=True)
class LayoutGuess:
    header_row: int  # 1-based sheet row (CSV line) where the header starts
    header_rows: int  # 1 or 2: a name row with a unit row (or a second name row) under it
    titles: list[str] = field(default_factory=list)  # text of the rows above the header, e.g. "2026년 3월 창원공장"
    wide: WideGroup | None = None
    confidence: float = 1.0  # 0..1: how sure the guess of the header row is
    merged_down: list[str] = field(default_factory=list)  # columns whose cells are merged down over several rows

    def reading(self, sheet: str | None = None) -> Reading:
        """The guess as a way to read the sheet: its header, totals, notes and blank rows skipped, no unpivot."""
        return Reading(sheet=sheet, header_row=self.header_row, header_rows=self.header_rows)


class Laid(Protocol):
    """Whatever says how a sheet is laid out: a ``Mapping``, a ``LayoutGuess``, a ``Reading``."""

    def reading(self) -> Reading: ...


def reading_of(layout: Laid | Reading | None) -> Reading:
    """What a mapping, a guess or a reading says (None: header on row 1, nothing unpivoted)."""
    if layout is None:
        return Reading()
    return layout if isinstance(layout, Reading) else layout.reading()


def columns_of(where: str, grid: Grid, reading: Reading) -> tuple[list[int], list[str]]:
    """The columns kept (their index in the sheet) and their names, from a grid starting at sheet row 1."""
    last = reading.header_row + reading.header_rows - 1
    if last > len(grid) or all(is_blank(c) for c in grid[reading.header_row - 1]):
        found = len(grid)
        key = "sheet.header-beyond" if last > found else "sheet.header-empty"
        raise refusal(key, at=f"row {reading.header_row}", where=where, row=reading.header_row, found=found)
    names = header_names(grid, reading.header_row, reading.header_rows)
    sample = grid[last:]
    final = name_columns(names, filled_columns(sample, len(names)))
    kept = [i for i, name in enumerate(final) if name is not None]
    return kept, [n for n in final if n is not None]


# ---- rows that are not records ------------------------------------------------------------------------------


def _written(cell: str | None) -> bool:
    """A cell with something in it, as the row rules (and ``reshape`` over whole batches) count: a CSV cell of
    spaces counts as written; Excel's and the grids' are empty already."""
    return cell is not None and cell != ""


def is_blank_row(row: Sequence[str | None]) -> bool:
    return not any(_written(c) for c in row)


def is_total_row(row: Sequence[str | None]) -> bool:
    """A row whose label — its first or second non-empty cell — is a total word: ``합 계 | | 1,234``,
    ``| 소계 | 220``, ``2026-03-01 | 소계 | 220``."""
    labels = [c for c in row if _written(c)][:2]
    return any(is_total_word(c) for c in labels)


def is_note_row(row: Sequence[str | None]) -> bool:
    """A row of one cell that starts like a note: ``※ 측정 온도 20 ℃``, ``* 재측정``, ``주) …``, ``비고: …``."""
    filled = [c for c in row if _written(c)]
    return len(filled) == 1 and is_note(filled[0])


# ---- header names --------------------------------------------------------------------------------------------


def join_headers(top: Sequence[str | None], bottom: Sequence[str | None]) -> list[str]:
    """Two header rows as one: a blank top cell after a filled one takes it (merged across) where the bottom has
    a name; ``"top (bottom)"`` when the bottom is a unit, else ``"top bottom"``; either alone when the other is
    blank; '' when both are."""
    tops = filled_tops(top, bottom)
    bottoms = [clean(bottom[i]) if i < len(bottom) else "" for i in range(len(tops))]
    joined = []
    for upper, lower in zip(tops, bottoms, strict=True):
        if upper and lower:
            joined.append(f"{upper} ({_unit_text(lower)})" if is_unit(lower) else f"{upper} {lower}")
        else:
            joined.append(upper or lower)
    return joined


def header_names(grid: Grid, header_row: int, header_rows: int = 1) -> list[str]:
    """The header of a grid at a 1-based row, one or two rows deep, joined and cleaned; as wide as the grid."""
    width = max((len(r) for r in grid), default=0)
    top = [_midnight(c) for c in grid[header_row - 1]] if header_row - 1 < len(grid) else []
    if header_rows == 2:
        bottom = [_midnight(c) for c in grid[header_row]] if header_row < len(grid) else []
        names = join_headers(top, bottom)
    else:
        names = [clean(c) for c in top]
    return names + [""] * (width - len(names))


def _midnight(cell: str | None) -> str | None:
    """A header cell Excel keeps as a date (typing 2026-01 makes one) names the day, not its midnight."""
    return cell.removesuffix(" 00:00:00") if cell is not None and _iso_day(cell) is not None else cell


def name_columns(headers: Sequence[str | None], filled: Sequence[bool]) -> list[str | None]:
    """Each column's name as the source offers it: cleaned; blank with data → its Excel letter (``"C열"``);
    blank without data → None (a spacer column, dropped); a repeated name → ``_2``, ``_3`` … in order."""
    names: list[str | None] = []
    seen: dict[str, int] = {}
    cleaned = [clean(h) for h in headers]
    taken = set(cleaned)
    for index, name in enumerate(cleaned):
        if not name:
            if index >= len(filled) or not filled[index]:
                names.append(None)
                continue
            name = f"{column_letter(index)}열"
        count = seen.get(name, 0) + 1
        seen[name] = count
        unique = name
        while count > 1 and (unique := f"{name}_{count}") in taken:
            count += 1
            seen[name] = count
        taken.add(unique)
        names.append(unique)
    return names


def filled_columns(rows: Grid, width: int) -> list[bool]:
    """Which of ``width`` columns hold a value in any of ``rows``."""
    filled = [False] * width
    for row in rows:
        for index, cell in enumerate(row[:width]):
            if not is_blank(cell):
                filled[index] = True
    return filled


DATA_KINDS = frozenset({"number", "date", "code"})
# How much a cell of each kind looks like a header cell.
_HEADERISH: dict[str, float] = {"text": 1.0, "month": 1.0, "code": 0.5, "number": -1.0, "date": -1.0}


def _blank(row: Sequence[str | None]) -> bool:
    return all(is_blank(c) for c in row)


def _row_kinds(row: Sequence[str | None]) -> list[Kind]:
    return [cell_kind(c) for c in row]


def _data_share(kinds: Sequence[Kind]) -> float:
    """How much a row looks like a record: the share of its cells that are numbers, dates or codes."""
    filled = [k for k in kinds if k != "empty"]
    return sum(k in DATA_KINDS for k in filled) / len(filled) if filled else 0.0


# ---- the header row ------------------------------------------------------------------------------------------


def _second_row(top: Sequence[Kind], below: Sequence[str | None], kinds: Sequence[Kind]) -> bool:
    """Whether ``below`` is the second row of a header whose first row has ``top`` kinds: a row of units under the
    names, or sub-names under a cell merged across (filled where the top is blank right of a filled cell, blank
    under some filled top cells — those merged down)."""
    filled = [i for i, k in enumerate(kinds) if k != "empty"]
    if not filled or not any(k != "empty" for k in top):
        return False
    if all(kinds[i] in ("text", "code") for i in filled):
        units = sum(is_unit(below[i]) for i in filled)
        if units * 5 >= len(filled) * 3 and all(kinds[i] == "text" or is_unit(below[i]) for i in filled):
            return True
    return _sub_names(top, kinds)


def _sub_names(top: Sequence[Kind], below: Sequence[Kind]) -> bool:
    """Sub-names under cells merged across: each run of them starts under a filled top cell and goes on under the
    blank top cells right of it; at least two stand under blank top cells; and names of one column with nothing
    under them (merged down) stand beside them — two of them, or one that is not the row's last."""
    width = max(len(top), len(below))
    upper = [top[i] if i < len(top) else "empty" for i in range(width)]
    lower = [below[i] if i < len(below) else "empty" for i in range(width)]
    named = [i for i in range(width) if upper[i] != "empty"]
    covered: set[int] = set()
    merged_down = []
    for i in named:
        run = i + 1
        while run < width and upper[run] == "empty" and lower[run] != "empty":
            covered.add(run)
            run += 1
        if run > i + 1 and lower[i] == "empty":
            return False  # a cell merged across has its first sub-name under its first column
        if run == i + 1 and lower[i] == "empty":
            merged_down.append(i)
    stray = [i for i in range(width) if upper[i] == "empty" and lower[i] != "empty" and i not in covered]
    if stray or len(covered) < 2:
        return False
    return len(merged_down) >= 2 or (len(merged_down) == 1 and merged_down[0] != named[-1])


def _months_as_dates(row: Sequence[str | None], kinds: list[Kind]) -> list[Kind]:
    """A row of three or more different first days of a month is a row of months: Excel makes "2026-01" typed in a
    header cell the date 2026-01-01."""
    dates = [i for i, k in enumerate(kinds) if k == "date"]
    days = [_iso_day(clean(row[i])) for i in dates]
    months = {(d.year, d.month) for d in days if d is not None and d.day == 1}
    if len(dates) >= 3 and len(months) == len(dates):
        return ["month" if i in dates else k for i, k in enumerate(kinds)]
    return kinds


@dataclass(frozen=True)
class _Candidate:
    row: int  # 0-based
    rows: int
    score: float


def _score(grid: Grid, kinds: list[list[Kind]], index: int) -> _Candidate | None:
    """How much row ``index`` looks like the header: many distinct labels, then rows of numbers, dates and codes
    under them at once."""
    top = _months_as_dates(grid[index], kinds[index])
    two = index + 1 < len(grid) and _second_row(top, grid[index + 1], kinds[index + 1])
    under = kinds[index + 1] if two else []
    width = max(len(top), len(under))
    header = [
        top[i] if i < len(top) and top[i] != "empty" else (under[i] if i < len(under) else "empty")
        for i in range(width)
    ]
    cells = [k for k in header if k != "empty"]
    if len(cells) < 2:
        return None
    texts = [clean(c) for c in grid[index] if not is_blank(c)]
    distinct = len(set(texts)) / len(texts)
    quality = sum(_HEADERISH[k] for k in cells) / len(cells) * distinct
    if quality <= 0.3:
        return None
    columns = [i for i, k in enumerate(header) if k != "empty"]
    span = range(columns[0], columns[-1] + 1)
    rows = 2 if two else 1
    below = [r for r in range(index + rows, len(grid)) if any(k != "empty" for k in kinds[r])][:6]
    if not below:  # a header with no record under it: only as the sheet's last resort
        return _Candidate(index, rows, len(cells) * quality * 0.01)
    shares, inside = [], []
    for row in below:
        filled = [i for i, k in enumerate(kinds[row]) if k != "empty"]
        shares.append(_data_share(kinds[row]))
        inside.append(sum(i in span for i in filled) / len(filled))
    at_once = 1.0 if shares[0] >= 0.5 else 0.2  # a header is followed at once by a record
    data = sum(shares) / len(shares)
    fit = sum(inside) / len(inside)
    return _Candidate(index, rows, len(cells) * quality * (0.25 + data) * at_once * fit)


def detect(grid: Grid) -> LayoutGuess:
    """Where a sheet's header is, from its first rows (see the module's description)."""
    rows = [list(r) for r in grid[:HEAD_ROWS]]
    kinds = [_row_kinds(r) for r in rows]
    candidates = [c for i in range(min(len(rows), HEAD_ROWS // 2)) if (c := _score(rows, kinds, i)) is not None]
    if not candidates:
        return LayoutGuess(1, 1, confidence=0.0)
    best = max(candidates, key=lambda c: (c.score, -c.row))
    runner = max((c.score for c in candidates if c is not best), default=0.0)
    confidence = min(1.0, max(0.0, (best.score - runner) / best.score)) if best.score > 0 else 0.0
    titles = [" ".join(clean(c) for c in r if not is_blank(c)) for r in rows[: best.row] if not _blank(r)]
    header = best.row + 1
    return LayoutGuess(
        header,
        best.rows,
        titles,
        wide_of(rows, header, best.rows),
        round(confidence, 2),
        merged_down(rows, header, best.rows),
    )


def merged_down(grid: Grid, header_row: int, header_rows: int) -> list[str]:
    """Text columns whose value stands only in the first of several rows it belongs to — a lot or part merged down
    over its samples (read-only Excel gives the top cell only): blank cells between filled ones, each in a row
    with other cells filled, under a filled first row. A number column with blanks is missing values, not this."""
    names = header_names(grid, header_row, header_rows)
    sample = [r for r in grid[header_row - 1 + header_rows :] if not (_blank(r) or is_total_row(r) or is_note_row(r))]
    final = name_columns(names, filled_columns(sample, len(names)))
    found = []
    for index, name in enumerate(final):
        if name is None or len(sample) < 3:
            continue
        cells = [row[index] if index < len(row) else None for row in sample]
        if is_blank(cells[0]):
            continue
        blanks = [i for i, c in enumerate(cells) if is_blank(c)]
        filled = [c for c in cells if not is_blank(c)]
        if not blanks or len(filled) < 2 or any(cell_kind(c) == "number" for c in filled):
            continue
        between = any(i < max(j for j, c in enumerate(cells) if not is_blank(c)) for i in blanks)
        others = all(any(not is_blank(c) for k, c in enumerate(sample[i]) if k != index) for i in blanks)
        if between and others:
            found.append(name)
    return found


# ---- wide groups ---------------------------------------------------------------------------------------------


def filled_tops(top: Sequence[str | None], bottom: Sequence[str | None]) -> list[str]:
    """The top header over each column: a blank top cell right of a filled one, over a filled bottom cell, takes
    the filled one (a cell merged across)."""
    width = max(len(top), len(bottom))
    tops, last = [], ""
    for i in range(width):
        upper = clean(top[i]) if i < len(top) else ""
        lower = clean(bottom[i]) if i < len(bottom) else ""
        if upper:
            last = upper
        tops.append(upper or (last if lower else ""))
    return tops


def _group_key(name: str, top: str, values: Sequence[str | None]) -> tuple[WideKind, str] | None:
    bare, unit = split_unit(name)
    if _month_of(bare) is not None:
        return "months", "months"
    if is_carrier(name):
        return "carriers", "carriers"
    if _DATE.match(bare) or _DAY.match(bare) or _iso_day(bare) is not None:
        return "dates", "dates"
    filled = [cell_kind(v) for v in values if not is_blank(v)]
    numeric = bool(filled) and sum(k == "number" for k in filled) * 5 >= len(filled) * 3
    if numeric and unit is not None and _characteristic_unit(unit):
        return "characteristics", "units"
    if numeric and top and name != top and name.startswith(top + " "):
        return "characteristics", "under " + top
    return None


def wide_group(
    names: Sequence[str], tops: Sequence[str] | None, columns: Sequence[Sequence[str | None]]
) -> WideGroup | None:
    """The longest run of ≥ 3 adjacent columns holding one quantity spread wide — one a month, a day, an energy
    carrier, or a measured characteristic (a number under a length or hardness unit, or under one top header
    merged across them) — from the final column names, the top header over each (two-row headers) and a sample
    of each column's values."""
    keys = [
        _group_key(name, tops[i] if tops else "", columns[i] if i < len(columns) else [])
        for i, name in enumerate(names)
    ]
    best: tuple[int, int] | None = None
    start = 0
    for end in range(1, len(keys) + 1):
        if end == len(keys) or keys[end] != keys[start]:
            if keys[start] is not None and end - start >= 3 and (best is None or end - start > best[1] - best[0]):
                best = (start, end)
            start = end
    if best is None:
        return None
    chosen = list(names[best[0] : best[1]])
    key = keys[best[0]]
    assert key is not None
    split = [split_unit(n) for n in chosen]
    if key[1].startswith("under "):
        top = key[1].removeprefix("under ")
        split = [split_unit(n.removeprefix(top + " ")) for n in chosen]
    return WideGroup(chosen, key[0], [s[0] for s in split], [s[1] for s in split])


def wide_of(grid: Grid, header_row: int, header_rows: int) -> WideGroup | None:
    """The wide group of a grid whose header is at ``header_row``, named as the source will name its columns."""
    names = header_names(grid, header_row, header_rows)
    sample = grid[header_row - 1 + header_rows :]
    final = name_columns(names, filled_columns(sample, len(names)))
    kept = [i for i, n in enumerate(final) if n is not None]
    tops = None
    if header_rows == 2:
        every = filled_tops(grid[header_row - 1], grid[header_row] if header_row < len(grid) else [])
        tops = [every[i] if i < len(every) else "" for i in kept]
    columns = [[row[i] if i < len(row) else None for row in sample] for i in kept]
    return wide_group([n for n in final if n is not None], tops, columns)


_SAMPLE_NAME = re.compile(r"^(x|n|#|no\.?|시료|샘플|sample|s)?\s*\d{1,3}\s*(회|차)?$", re.I)
_PROPOSED: dict[str, tuple[str, str]] = {
    "months": ("월", "값"),
    "dates": ("일자", "값"),
    "carriers": ("에너지원", "사용량"),
    "characteristics": ("검사항목", "측정값"),
    "other": ("항목", "값"),
}


def proposed_unpivot(wide: WideGroup, taken: Sequence[str] = ()) -> Unpivot:
    """The unpivot a wide group suggests, its new columns named in Korean after the group's kind (samples of one
    characteristic, X1…X5 under 측정값, make 시료 and 측정값), none equal to a column in ``taken``."""
    name, value = _PROPOSED[wide.kind]
    if wide.kind == "characteristics" and all(_SAMPLE_NAME.match(n) for n in wide.names):
        name = "시료"
    used = set(taken) - set(wide.columns)

    def free(word: str) -> str:
        candidate, count = word, 1
        while candidate in used:
            count += 1
            candidate = f"{word}_{count}"
        used.add(candidate)
        return candidate

    unit = free("단위") if any(wide.units) else None
    return Unpivot(tuple(wide.columns), free(name), free(value), unit)
