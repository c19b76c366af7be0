"""Writers for what people open in a spreadsheet (CSV, Excel): text that would start a formula is neutralised.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by Excel
and LibreOffice when the file is opened (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``): formula or CSV injection.
Following OWASP's CSV-injection guidance, such text is prefixed with a single quote, and every text field of a
CSV is enclosed in double quotes (embedded quotes doubled) — column names included, since a header is a cell too.
Only text is touched: a number stays a number, so ``-5`` in a numeric column is written as it is.

Work is columnar (one regular-expression replacement per text column and record batch), and both writers take
record batches as they come, so a whole table never needs to be in memory at once.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

FORMULA_LEADS = "=+-@\t\r"
_LEADING = "^([=+\\-@\\t\\r])"  # RE2, for Arrow's compute functions
_NUMBER = "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"
EXCEL_ROWS = 1_048_576  # Excel's rows per sheet, the header row included
EXCEL_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters XML 1.0 cannot carry (openpyxl refuses them): shown as U+FFFD rather than failing the export.
_NOT_IN_XML = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"


class TooManyRowsForExcel(ValueError):
    """More rows than an Excel sheet holds; the data is complete only as CSV or Parquet."""

    def __init__(self, rows: int) -> None:
        super().__init__(
            f"{rows:,} rows do not fit an Excel sheet ({EXCEL_ROWS - 1:,} rows at most); download CSV or Parquet"
        )
        self.rows = rows


def neutralise(text: str) -> str:
    """One cell's text as it may be exported: a formula-leading text gets a single quote in front."""
    return "'" + text if text[:1] and text[0] in FORMULA_LEADS else text


def _is_text(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _text_like(t: pa.DataType) -> bool:
    """Text, or bytes (a CSV writes them as they are, so they can start a formula too)."""
    return _is_text(t) or bool(pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t))


def _neutralise_column(column: pa.Array, keep_numbers: bool = False) -> pa.Array:
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)  # the values are what a spreadsheet shows
    if not _text_like(column.type):
        return column
    safe = pc.replace_substring_regex(column, pattern=_LEADING, replacement="'\\1")
    if keep_numbers:
        return pc.if_else(pc.match_substring_regex(column, pattern=_NUMBER), column, safe)
    return safe


def safe_names(schema: pa.Schema) -> list[str]:
    return [neutralise(name) for name in schema.names]


def safe_batch(batch: pa.RecordBatch, keep_numbers: bool = False) -> pa.RecordBatch:
    """``batch`` with every text cell and column name neutralised; other columns untouched.

    ``keep_numbers`` leaves text that is exactly a number (``-54.01``, ``+3e5``) as it is, which no spreadsheet
    runs as a formula: for files whose columns are all text, such as the rows an ingest left out, which a person
    corrects and uploads again."""
    columns = [_neutralise_column(c, keep_numbers) for c in batch.columns]
    return pa.RecordBatch.from_arrays(columns, names=safe_names(batch.schema))


def csv_chunks(batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> Iterator[bytes]:
    """CSV, record batch by record batch: the header first, then one chunk per batch."""
    out = Chunks()
    writer: pacsv.CSVWriter | None = None
    options = pacsv.WriteOptions(quoting_style="needed")  # "needed" quotes every text value, numbers stay bare
    for batch in batches:
        safe = safe_batch(batch)
        if writer is None:
            writer = pacsv.CSVWriter(out, safe.schema, write_options=options)
        writer.write_batch(safe)
        yield out.take()
    if writer is None:  # no batch at all: the header alone
        writer = pacsv.CSVWriter(out, safe_batch(_empty(schema)).schema, write_options=options)
    writer.close()
    yield out.take()


def _empty(schema: pa.Schema) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array([], type=f.type) for f in schema], schema=schema)


class Chunks:
    """A write-only file object that hands over what was written since the last call."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def _excel_column(column: pa.Array) -> list[Any]:
    """A column as values openpyxl writes: neutralised text, naive times (Excel has no time zones)."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    t = column.type
    if pa.types.is_timestamp(t):
        if t.tz is not None:
            column = pc.local_timestamp(column)  # the wall-clock time, as the column's zone shows it
        times: list[Any] = column.cast(pa.timestamp("us"), safe=False).to_pylist()  # datetimes, not pandas'
        return times
    if _is_text(t):
        column = pc.replace_substring_regex(_neutralise_column(column), pattern=_NOT_IN_XML, replacement="\ufffd")
    values: list[Any] = column.to_pylist()
    if _is_text(t):
        return values
    if (
        pa.types.is_integer(t)
        or pa.types.is_floating(t)
        or pa.types.is_boolean(t)
        or pa.types.is_decimal(t)
        or pa.types.is_temporal(t)
        or pa.types.is_null(t)
    ):
        return values
    # Bytes, lists, structs: written as their text, which is neutralised like any other text.
    return [None if v is None else _as_text(v) for v in values]


_NOT_IN_XML_PY = re.compile(_NOT_IN_XML)


def _as_text(value: Any) -> str:
    text = value.hex() if isinstance(value, bytes) else str(value)
    return _NOT_IN_XML_PY.sub("\ufffd", neutralise(text))


def write_xlsx(
    batches: Iterable[pa.RecordBatch], schema: pa.Schema, target: IO[bytes] | str, rows: int | None = None
) -> int:
    """An Excel workbook of one sheet, streamed (openpyxl's write-only mode: rows go to disk as they come).

    Raises ``TooManyRowsForExcel`` before writing when ``rows`` (the count, if known) passes Excel's limit, else
    as soon as the rows written would; returns the rows written. Blocking and CPU-bound: run it in a worker
    thread, never on the event loop.
    """
    import openpyxl

    if rows is not None and rows > EXCEL_ROWS - 1:
        raise TooManyRowsForExcel(rows)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("data")
    written = 0
    try:
        sheet.append([_as_text(n) for n in schema.names])
        for batch in batches:
            written += batch.num_rows
            if written > EXCEL_ROWS - 1:
                raise TooManyRowsForExcel(written)
            for row in zip(*(_excel_column(c) for c in batch.columns), strict=True):
                sheet.append(row)
    except BaseException:
        _discard(sheet)
        raise
    book.save(target)
    return written


def _discard(sheet: Any) -> None:
    """A write-only sheet keeps its rows in a temporary file until the book is saved: remove it now."""
    with contextlib.suppress(Exception):
        sheet.close()
        writer = getattr(sheet, "_writer", None)
        if writer is not None:
            writer.cleanup()
