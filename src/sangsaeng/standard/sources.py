"""Reading what SMEs export — CSV in UTF-8 or CP949/EUC-KR with whatever delimiter, Excel workbooks, JSON lines
and Parquet — every cell as text.

Cells stay text here; the mapping decides what each column means and reads it (vectorised), so that a bad cell
becomes a finding at its row instead of failing the whole file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.workbook import RAISE, Limits, vet

DEFAULT = Limits()

ENCODINGS = ("utf-8-sig", "cp949")  # CP949 is a superset of EUC-KR
DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class CsvSource:
    path: Path
    encoding: str
    delimiter: str
    headers: list[str]
    limits: Limits = DEFAULT

    def batches(self, block_size: int = 4 << 20) -> Iterator[pa.RecordBatch]:
        yield from _within(self.path, self._batches(block_size), self.limits, block_size)

    def _batches(self, block_size: int) -> Iterator[pa.RecordBatch]:
        if self.encoding != "cp949":
            yield from self._reader(block_size, pa.string())
            return
        # CP949 is parsed as bytes, all of Arrow's threads at it: its two-byte characters never hold a byte of
        # a delimiter, quote or line end. Then a column that is all ASCII (numbers, dates, codes) is already
        # text, and in any other only the distinct values are decoded — instead of decoding the whole file in
        # one Python codec stream before parsing.
        row = 1
        for batch in self._reader(block_size, pa.binary()):
            yield pa.RecordBatch.from_arrays(
                [self._decoded(column, name, row) for column, name in zip(batch.columns, self.headers, strict=True)],
                schema=pa.schema([(h, pa.string()) for h in self.headers]),
            )
            row += batch.num_rows

    def _reader(self, block_size: int, kind: pa.DataType) -> Iterator[pa.RecordBatch]:
        reader = pacsv.open_csv(
            self.path,
            read_options=pacsv.ReadOptions(
                encoding="utf8" if kind == pa.binary() else self.encoding.replace("-sig", ""),
                block_size=block_size,
                skip_rows=1,
                column_names=self.headers,
            ),
            parse_options=pacsv.ParseOptions(delimiter=self.delimiter),
            convert_options=pacsv.ConvertOptions(
                column_types={h: kind for h in self.headers},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                check_utf8=kind != pa.binary(),
            ),
        )
        yield from reader

    def _decoded(self, column: pa.Array, name: str, first_row: int) -> pa.Array:
        text = column.view(pa.string())
        if pc.all(pc.string_is_ascii(text)).as_py() is not False:
            return text
        encoded = pc.dictionary_encode(column)
        values: list[str] = []
        for index, value in enumerate(encoded.dictionary.to_pylist()):
            try:
                values.append(value.decode(self.encoding))
            except UnicodeDecodeError as exc:
                at = pc.index(encoded.indices, index).as_py()
                raise InvalidInput(
                    f"{self.path.name}, row {first_row + at}, column {name}: not {self.encoding.upper()} text",
                    position=f"row {first_row + at}, {name}",
                    hint="save the whole file in one encoding, UTF-8 or CP949",
                ) from exc
        return pc.take(pa.array(values, pa.string()), encoded.indices)

    def sample(self, rows: int = 200) -> dict[str, list[str]]:
        return _sample(self, rows)

    def describe(self) -> str:
        return f"CSV, {self.encoding}, delimiter {self.delimiter!r}"


class Source(Protocol):
    @property
    def path(self) -> Path: ...
    @property
    def headers(self) -> list[str]: ...

    def batches(self) -> Iterator[pa.RecordBatch]: ...
    def sample(self, rows: int = 200) -> dict[str, list[str]]: ...
    def describe(self) -> str: ...


_ARROW_ROW = re.compile(r"Row #(\d+)")
_ARROW_COLUMN = re.compile(r"CSV column #(\d+)")


def _names(path: Path) -> list[str]:
    try:
        return open_csv(path).headers if path.suffix.lower() in (".csv", ".tsv", ".txt") else []
    except InvalidInput:
        return []


def _within(path: Path, batches: Iterator[pa.RecordBatch], limits: Limits, block_size: int) -> Iterator[pa.RecordBatch]:
    """A file's batches within its limits (value length, time), and Arrow's complaints while it streams (a value
    too long for a block, bytes that are not the file's encoding, a row with more fields than the header) as a
    sentence naming the row."""
    deadline, row = limits.deadline(), 1
    try:
        for batch in batches:
            _check_lengths(path.name, batch, row, limits)
            limits.in_time(deadline, path.name, f"row {row}")
            yield batch
            row += batch.num_rows
    except (pa.ArrowException, OSError) as exc:  # a damaged Parquet page is an OSError to pyarrow
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        found, column = _ARROW_ROW.search(text), _ARROW_COLUMN.search(text)
        where = f"row {int(found.group(1)) - 1}" if found else f"row {row} or later"
        if column and int(column.group(1)) < len(batch_names := _names(path)):
            where += f", column {batch_names[int(column.group(1))]}"
        if "straddling" in text or "straddle" in text:
            raise InvalidInput(
                f"{path.name}, {where}: a value or row too long to read (megabytes without a line end)",
                position=where,
                hint="a cell this long is usually a missing closing quote: check the quotes around that row",
            ) from exc
        if "UTF8" in text or "UTF-8" in text:
            raise InvalidInput(
                f"{path.name}, {where}: not UTF-8 text ({text})",
                position=where,
                hint="save the whole file in one encoding, UTF-8 or CP949",
            ) from exc
        raise InvalidInput(
            f"{path.name}, {where}: cannot be read ({text})",
            position=where,
            hint="every row needs the header's columns; save the file again as UTF-8 CSV",
        ) from exc


def _check_lengths(name: str, batch: pa.RecordBatch, first_row: int, limits: Limits) -> None:
    for header, column in zip(batch.schema.names, batch.columns, strict=True):
        if not pa.types.is_string(column.type) or not len(column):
            continue
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limits.cell_chars:
            at = pc.index(pc.greater(lengths, limits.cell_chars), True).as_py()
            where = f"row {first_row + at}, column {header}"
            raise InvalidInput(
                f"{name}, {where}: a value of {longest:,} characters, more than the {limits.cell_chars:,} allowed",
                position=where,
                hint="shorten the value; " + RAISE.format("UPLOAD_MAX_CELL_CHARS"),
            )


def _check_columns(name: str, headers: list[str], limits: Limits) -> None:
    if len(headers) > limits.columns:
        raise InvalidInput(
            f"{name} has {len(headers):,} columns, more than the {limits.columns:,} allowed",
            position="row 0",
            hint="keep the data in fewer columns; " + RAISE.format("UPLOAD_MAX_COLUMNS"),
        )


def _sample(source: Source, rows: int) -> dict[str, list[str]]:
    taken: dict[str, list[str]] = {h: [] for h in source.headers}
    for batch in source.batches():
        for header in source.headers:
            taken[header].extend(v for v in batch.column(header).to_pylist()[: rows - len(taken[header])] if v)
        if all(len(v) >= rows for v in taken.values()) or batch.num_rows >= rows:
            break
    return taken


def _text(value: object) -> str | None:
    """A cell as text: dates in ISO form with a space, whole floats without a trailing .0."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_headers(name: str, headers: list[str]) -> list[str]:
    cleaned = [str(h).strip() if h is not None else "" for h in headers]
    if not cleaned or len(set(cleaned)) != len(cleaned) or not all(cleaned):
        raise InvalidInput(f"{name}: the header row has empty or repeated column names", position="row 0")
    return cleaned


@dataclass(frozen=True)
class ExcelSource:
    """A sheet read row by row with openpyxl (read-only), after ``workbook.vet`` found it within the limits."""

    path: Path
    sheet: str
    headers: list[str]
    limits: Limits = DEFAULT
    rows_per_batch: int = 50_000

    def batches(self) -> Iterator[pa.RecordBatch]:
        deadline = self.limits.deadline()
        with _workbook(self.path) as workbook:
            rows = workbook[self.sheet].iter_rows(values_only=True, max_col=len(self.headers))
            next(rows, None)  # the header
            schema = pa.schema([(h, pa.string()) for h in self.headers])
            buffer: list[tuple[object, ...]] = []
            for row, values in enumerate(rows, start=1):
                if row % 1000 == 0:
                    self.limits.in_time(deadline, self.path.name, f"row {row}")
                if all(v is None for v in values):
                    continue
                buffer.append(values)
                if len(buffer) >= self.rows_per_batch:
                    yield self._batch(buffer, schema)
                    buffer = []
            if buffer:
                yield self._batch(buffer, schema)

    def _batch(self, rows: list[tuple[object, ...]], schema: pa.Schema) -> pa.RecordBatch:
        width = len(self.headers)
        columns = [[_text(r[i]) if i < len(r) else None for r in rows] for i in range(width)]
        return pa.RecordBatch.from_arrays([pa.array(c, pa.string()) for c in columns], schema=schema)

    def sample(self, rows: int = 200) -> dict[str, list[str]]:
        return _sample(self, rows)

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
    return InvalidInput(
        f"{path.name} is not an Excel workbook (.xlsx) that can be read: {detail}",
        hint="open it in Excel and save it again as .xlsx, or save the sheet as CSV",
    )


def open_excel(path: Path, sheet: str | None = None, limits: Limits = DEFAULT) -> ExcelSource:
    vet(path, limits)
    with _workbook(path) as workbook:
        names = workbook.sheetnames
        chosen = sheet or names[0]
        if chosen not in names:
            raise InvalidInput(f"{path.name} has no sheet {chosen!r}", hint=f"its sheets are: {', '.join(names)}")
        header = next(workbook[chosen].iter_rows(values_only=True, max_row=1), None)
    if not header:
        raise InvalidInput(f"{path.name}, sheet {chosen!r}, is empty")
    return ExcelSource(path, chosen, _check_headers(path.name, [_text(h) or "" for h in header]), limits)


@dataclass(frozen=True)
class ArrowFileSource:
    """JSON lines or Parquet: columns as the file has them, each cast to text."""

    path: Path
    kind: str
    headers: list[str]
    limits: Limits = DEFAULT

    def batches(self) -> Iterator[pa.RecordBatch]:
        yield from _within(self.path, self._batches(), self.limits, 65_536)

    def _batches(self) -> Iterator[pa.RecordBatch]:
        if self.kind == "parquet":
            batches: Iterator[pa.RecordBatch] = pq.ParquetFile(self.path).iter_batches(65_536)
        else:
            batches = _json_batches(self.path, self.headers)
        for batch in batches:
            yield pa.RecordBatch.from_arrays(
                [pc.cast(c, pa.string()) for c in batch.columns],
                schema=pa.schema([(n, pa.string()) for n in batch.schema.names]),
            )

    def sample(self, rows: int = 200) -> dict[str, list[str]]:
        return _sample(self, rows)

    def describe(self) -> str:
        return self.kind


SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".parquet", ".pq", ".jsonl", ".ndjson"})


def open_source(path: Path, sheet: str | None = None, limits: Limits = DEFAULT) -> Source:
    """Open a CSV, Excel, JSON-lines or Parquet file by its suffix, to be read within ``limits``."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return open_excel(path, sheet, limits)
    if suffix in (".parquet", ".pq"):
        return open_parquet(path, limits)
    if suffix in (".jsonl", ".ndjson"):
        # Every key of every line, so that a key first seen late in the file is mapped or refused, never dropped.
        names = _json_names(path)
        _check_columns(path.name, names, limits)
        return ArrowFileSource(path, "json lines", names, limits)
    if suffix == ".xls":
        raise InvalidInput(f"{path.name} is an old Excel 97 file", hint="save it as .xlsx (Excel 2007 or later)")
    return open_csv(path, limits)


def open_parquet(path: Path, limits: Limits = DEFAULT) -> ArrowFileSource:
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidInput(f"{path.name} is not a Parquet file: {exc}") from exc
    _check_columns(path.name, schema.names, limits)
    for field in schema:
        if pa.types.is_nested(field.type) or pa.types.is_dictionary(field.type) and field.type.value_type.num_fields:
            raise InvalidInput(
                f"{path.name}, column {field.name}: a nested column ({field.type}); each column must hold plain values",
                position=f"column {field.name}",
                hint="flatten it into one column per value before ingesting (e.g. with unnest or json_extract)",
            )
    return ArrowFileSource(path, "parquet", schema.names, limits)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextmanager
def _json_lines(path: Path, query: str, options: str) -> Iterator[duckdb.DuckDBPyRelation]:
    """``query`` over a JSON-lines file (``{}`` stands for the file) in a DuckDB of its own; its complaints,
    whenever they come, become a clear error."""
    source = f"read_json({_quote(str(path))}, format='newline_delimited', {options})"
    with duckdb.connect() as connection:
        try:
            yield connection.sql(query.format(source))
        except duckdb.Error as exc:
            raise InvalidInput(
                f"{path.name} is not JSON lines: {str(exc).splitlines()[0]}", hint="one JSON object per line"
            ) from exc


def _json_names(path: Path) -> list[str]:
    # Every key of every line, so that a key first seen late in the file is mapped or refused, never dropped.
    with _json_lines(path, "describe select * from {}", "sample_size=-1") as relation:
        return [str(row[0]) for row in relation.fetchall()]


def _json_batches(path: Path, names: list[str]) -> Iterator[pa.RecordBatch]:
    # Every value as text (a number as it was written), batch by batch.
    columns = "{" + ", ".join(f"{_quote(n)}: 'VARCHAR'" for n in names) + "}"
    with _json_lines(path, "select * from {}", f"columns={columns}") as relation:
        yield from relation.to_arrow_reader(65_536)


def open_csv(path: Path, limits: Limits = DEFAULT) -> CsvSource:
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if not head.strip():
        raise InvalidInput(f"{path.name} is empty")
    for encoding in ENCODINGS:
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            # A cut multi-byte character at the end of the sample is not a wrong encoding.
            if exc.start >= len(head) - 3:
                text = head[: exc.start].decode(encoding)
                break
    else:
        raise InvalidInput(f"{path.name} is neither UTF-8 nor CP949 text", hint="save it as UTF-8 CSV")
    first_line = next(iter(text.splitlines()), "")
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    headers = next(csv.reader(io.StringIO(first_line), delimiter=delimiter), [])
    _check_columns(path.name, headers, limits)
    return CsvSource(path, encoding, delimiter, _check_headers(path.name, headers), limits)
