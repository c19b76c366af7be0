"""Excel workbooks (.xlsx) read row by row with openpyxl in read-only mode, after ``workbook.vet`` found them within
the limits: every cell as text (dates in ISO form, numbers as Excel shows them), a merged cell's value in its top
left cell only (``fill_down`` and the header's merged-across rule make up for it). ``sources`` opens them.

A number in a cell formatted as a percentage is what the person sees, with its sign: Excel holds 0.045 % as
0.00045 and shows ``0.045%``; the text is ``0.045%``, so that percent stays percent when it is read. The format is
looked up once per cell style, and only for cells that hold a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pyarrow as pa
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.layout import HEAD_ROWS, Laid, Reading, columns_of, is_blank_row, reading_of
from sangsaeng.standard.reshape import Shaper, sample_of
from sangsaeng.standard.said import refusal
from sangsaeng.standard.workbook import Limits, vet

Grid = list[list[str | None]]
DEFAULT = Limits()


def _text(value: object) -> str | None:
    """A cell as text: dates in ISO form with a space, numbers as Excel shows them (15 digits, whole floats
    without a trailing .0); blank text is an empty cell."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return _number(value)
    return str(value).strip() or None


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:.15g}"


# Text inside quotes or after a backslash in a number format is shown as written, not a percent sign.
_LITERAL = re.compile(r'"[^"]*"|\\.')


def percent_styles(workbook: Any) -> frozenset[int] | None:
    """The workbook's cell styles (by index) whose number format shows a percentage; None when openpyxl does not
    say (then each number's own format is asked)."""
    styles, custom = getattr(workbook, "_cell_styles", None), getattr(workbook, "_number_formats", None)
    if styles is None or custom is None:
        return None
    found = set()
    for index, style in enumerate(styles):
        number = style.numFmtId
        written = BUILTIN_FORMATS.get(number, "") if number < BUILTIN_FORMATS_MAX_SIZE else custom[number - 164]
        if "%" in _LITERAL.sub("", str(written)):
            found.add(index)
    return frozenset(found)


def _is_percent(cell: Any, styles: frozenset[int] | None) -> bool:
    if styles is not None:
        return getattr(cell, "_style_id", 0) in styles
    return "%" in _LITERAL.sub("", str(getattr(cell, "number_format", "General")))


def _shown(cells: tuple[Any, ...], styles: frozenset[int] | None) -> tuple[object, ...]:
    """A row's values, a number in a percent-formatted cell as the text Excel shows (0.00045 → "0.045%")."""
    return tuple(
        f"{_number(float(v) * 100)}%" if (type(v) is float or type(v) is int) and _is_percent(c, styles) else v
        for c in cells
        for v in (c.value,)
    )


def _rows(sheet: Any, styles: frozenset[int] | None, **bounds: int) -> Iterator[tuple[object, ...]]:
    """A sheet's rows as values: openpyxl's plain values where no style shows a percentage (most workbooks), else
    the cells, so that a percentage reads as shown."""
    if styles is not None and not styles:
        yield from sheet.iter_rows(values_only=True, **bounds)
        return
    for cells in sheet.iter_rows(**bounds):
        yield _shown(cells, styles)


@dataclass(frozen=True)
class ExcelSource:
    """A sheet read row by row with openpyxl (read-only), after ``workbook.vet`` found it within the limits."""

    path: Path
    sheet: str
    headers: list[str]
    limits: Limits = DEFAULT
    rows_per_batch: int = 50_000
    reading: Reading = field(default_factory=Reading)
    columns: list[str] = field(default_factory=list)  # named from the header, before any unpivot
    kept: list[int] = field(default_factory=list)  # their index in a row
    first_line: int = 2  # the sheet row of the first record

    def batches(self) -> Iterator[pa.RecordBatch]:
        deadline = self.limits.deadline()
        shaper = Shaper(self.columns, self.reading, f"{self.path.name}, sheet {self.sheet!r}")
        width = max(self.kept) + 1
        with _workbook(self.path) as workbook:
            rows = _rows(workbook[self.sheet], percent_styles(workbook), min_row=self.first_line, max_col=width)
            schema = pa.schema([(h, pa.string()) for h in self.columns])
            buffer: list[tuple[object, ...]] = []
            lines: list[int] = []
            for line, values in enumerate(rows, start=self.first_line):
                if (line - self.first_line + 1) % 1000 == 0:
                    self.limits.in_time(deadline, self.path.name, f"row {line - self.first_line + 1}")
                if all(v is None for v in values):
                    continue
                buffer.append(values)
                lines.append(line)
                if len(buffer) >= self.rows_per_batch:
                    yield from self._shaped(shaper, buffer, lines, schema)
                    buffer, lines = [], []
            if buffer:
                yield from self._shaped(shaper, buffer, lines, schema)

    def _shaped(
        self, shaper: Shaper, rows: list[tuple[object, ...]], lines: list[int], schema: pa.Schema
    ) -> Iterator[pa.RecordBatch]:
        columns = [[_text(r[i]) if i < len(r) else None for r in rows] for i in self.kept]
        batch = pa.RecordBatch.from_arrays([pa.array(c, pa.string()) for c in columns], schema=schema)
        shaped = shaper.shape(batch, np.array(lines, dtype=np.int64))
        if shaped.num_rows:
            yield shaped

    def sample(self, rows: int = 200) -> dict[str, list[str]]:
        return sample_of(self, rows)

    def describe(self) -> str:
        return f"Excel, sheet {self.sheet!r}"


@contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    """openpyxl's read-only workbook; whatever it raises on a malformed one (vetted, so not a costly one) becomes
    a sentence: its errors are many and not one family."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except InvalidInput:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure on an uploaded file is the file's fault
        raise _not_excel(path, exc) from exc
    try:
        yield workbook
    except (InvalidInput, GeneratorExit):
        raise
    except Exception as exc:  # noqa: BLE001 - as above, while rows are read
        raise _not_excel(path, exc) from exc
    finally:
        workbook.close()


def _not_excel(path: Path, exc: BaseException) -> InvalidInput:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return refusal("file.not-xlsx", name=path.name, problem=detail)


def _sheet_grid(workbook: Any, sheet: str, rows: int) -> Grid:
    """A sheet's first rows as text, each as wide as its last filled cell."""
    grid: Grid = []
    for values in _rows(workbook[sheet], percent_styles(workbook), max_row=rows):
        cells = [_text(v) for v in values]
        while cells and cells[-1] is None:
            cells.pop()
        grid.append(cells)
    while grid and not grid[-1]:
        grid.pop()
    return grid


def excel_head(path: Path, sheet: str | None, rows: int) -> tuple[str, Grid]:
    """The sheet asked for (else the first with data in its first rows) and its first ``rows`` rows."""
    with _workbook(path) as workbook:
        names = workbook.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise refusal("sheet.no-such-sheet", name=path.name, sheet=sheet, sheets=", ".join(names))
            return sheet, _sheet_grid(workbook, sheet, rows)
        for name in names:
            grid = _sheet_grid(workbook, name, rows)
            if any(not is_blank_row(r) for r in grid):
                return name, grid
    raise refusal("sheet.all-empty", name=path.name)


def open_excel(
    path: Path, sheet: str | None = None, limits: Limits = DEFAULT, layout: Laid | Reading | None = None
) -> ExcelSource:
    reading = reading_of(layout)
    vet(path, limits)
    chosen, grid = excel_head(path, sheet or reading.sheet, reading.header_row + reading.header_rows + HEAD_ROWS)
    return excel_source(path, chosen, grid, reading, limits)


def excel_source(path: Path, sheet: str, grid: Grid, reading: Reading, limits: Limits) -> ExcelSource:
    """A sheet whose first rows (``grid``) have been read, laid out as ``reading`` says."""
    where = f"{path.name}, sheet {sheet!r}"
    if not grid:
        raise refusal("sheet.empty", where=where)
    kept, columns = columns_of(where, grid, reading)
    headers = Shaper(columns, reading, where).headers
    first = reading.header_row + reading.header_rows
    return ExcelSource(path, sheet, headers, limits, reading=reading, columns=columns, kept=kept, first_line=first)
