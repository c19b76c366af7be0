"""Reading what SMEs export — CSV in UTF-8 or CP949/EUC-KR with whatever delimiter, Excel workbooks, JSON lines
and Parquet — every cell as text, laid out as the sheet is (``standard.layout``).

Cells stay text here; the mapping decides what each column means and reads it (vectorised), so that a bad cell
becomes a finding at its row instead of failing the whole file.

Opening a file:

- ``open_source(path, sheet=None, limits=DEFAULT, layout=None) -> Source`` reads it as ``layout`` says: a
  ``Mapping`` (its ``sheet``, ``header``, ``skip_totals``, ``fill_down`` and ``unpivot`` keys), a ``LayoutGuess``,
  a ``layout.Reading``, or None (header on row 1, no unpivot). An explicit ``sheet`` wins over the layout's.
- ``open_detected(path, sheet=None, limits=DEFAULT) -> (Source, LayoutGuess)`` guesses the layout from the
  sheet's first rows (``layout.detect``) and opens the file with the guessed header; totals, notes and blank
  rows are skipped, nothing is unpivoted (that is the mapping's choice: ``guess.wide`` and
  ``layout.proposed_unpivot`` say what to propose).
- ``head(path, sheet=None, limits=DEFAULT) -> (sheet, grid)``: the first rows of a CSV or Excel sheet as text,
  for a page that shows them.

Every batch a source yields ends with the column ``LINE`` (int64): the row a person sees in Excel, or the
record's line in a CSV counting title and header lines (a note line without delimiters inside the data of a CSV
shifts the lines after it by one: Arrow does not say where it skipped it). ``Source.headers`` never lists it. The
header is named by ``layout.name_columns``: a blank header over data becomes its Excel letter ("C열"), a repeated
one gets "_2", and a column with neither header nor data in the first rows under the header is a spacer and left
out.

``reshape.unpivot(batch, spec, no_value)`` makes one batch long on its own.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sangsaeng.standard.excel import ExcelSource, excel_head, excel_source, open_excel
from sangsaeng.standard.layout import (
    HEAD_ROWS,
    LINE,
    Laid,
    LayoutGuess,
    Reading,
    columns_of,
    detect,
    is_note,
    reading_of,
    wide_group,
)
from sangsaeng.standard.reshape import Shaper, sample_of, unpivot
from sangsaeng.standard.said import refusal
from sangsaeng.standard.workbook import Limits, operator_may, vet

__all__ = [
    "DEFAULT",
    "LINE",
    "ExcelSource",
    "Source",
    "head",
    "open_csv",
    "open_detected",
    "open_excel",
    "open_parquet",
    "open_source",
    "unpivot",
]

DEFAULT = Limits()

ENCODINGS = ("utf-8-sig", "cp949")  # CP949 is a superset of EUC-KR
DELIMITERS = ",;\t|"
Grid = list[list[str | None]]


class Source(Protocol):
    @property
    def path(self) -> Path: ...
    @property
    def headers(self) -> list[str]: ...

    def batches(self) -> Iterator[pa.RecordBatch]: ...
    def sample(self, rows: int = 200) -> dict[str, list[str]]: ...
    def describe(self) -> str: ...


# ---- limits and Arrow's complaints ---------------------------------------------------------------------------

_ARROW_ROW = re.compile(r"Row #(\d+)")
_ARROW_COLUMN = re.compile(r"CSV column #(\d+)")


def _within(
    path: Path, batches: Iterator[pa.RecordBatch], limits: Limits, names: Sequence[str] = ()
) -> Iterator[pa.RecordBatch]:
    """A file's batches within its limits (value length, time), and Arrow's complaints while it streams (a value
    too long for a block, bytes that are not the file's encoding, a row with more fields than the header) as a
    sentence naming the row (counted from the first under the header)."""
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
        if column and int(column.group(1)) < len(names):
            where += f", column {names[int(column.group(1))]}"
        if "straddling" in text or "straddle" in text:
            raise refusal("file.line-too-long", at=where, name=path.name, where=where) from exc
        if "UTF8" in text or "UTF-8" in text:
            raise refusal("file.not-utf8", at=where, name=path.name, where=where, problem=text) from exc
        raise refusal("file.row-unreadable", at=where, name=path.name, where=where, problem=text) from exc


def _check_lengths(name: str, batch: pa.RecordBatch, first_row: int, limits: Limits) -> None:
    for header, column in zip(batch.schema.names, batch.columns, strict=True):
        if not pa.types.is_string(column.type) or not len(column):
            continue
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limits.cell_chars:
            at = pc.index(pc.greater(lengths, limits.cell_chars), True).as_py()
            where = f"row {first_row + at}, column {header}"
            raise refusal(
                "file.value-too-long",
                at=where,
                name=name,
                where=where,
                length=longest,
                allowed=limits.cell_chars,
                more=operator_may("UPLOAD_MAX_CELL_CHARS"),
            )


def _check_columns(name: str, headers: Sequence[str], limits: Limits) -> None:
    if len(headers) > limits.columns:
        raise refusal(
            "file.too-many-columns",
            at="row 0",
            name=name,
            count=len(headers),
            allowed=limits.columns,
            more=operator_may("UPLOAD_MAX_COLUMNS"),
        )


# ---- CSV -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvSource:
    path: Path
    encoding: str
    delimiter: str
    headers: list[str]
    limits: Limits = DEFAULT
    reading: Reading = field(default_factory=Reading)
    columns: list[str] = field(default_factory=list)  # named from the header, before any unpivot
    kept: list[int] = field(default_factory=list)  # their fields in each line
    width: int = 0  # fields in a line
    first_line: int = 2  # the line of the first record

    def batches(self, block_size: int = 4 << 20) -> Iterator[pa.RecordBatch]:
        shaper, line = Shaper(self.columns, self.reading, self.path.name), self.first_line
        for batch in _within(self.path, self._batches(block_size), self.limits, self._field_names()):
            shaped = shaper.shape(batch, line)
            line += batch.num_rows
            if shaped.num_rows:
                yield shaped

    def _field_names(self) -> list[str]:
        names = [""] * self.width
        for index, name in zip(self.kept, self.columns, strict=True):
            names[index] = name
        return names

    def _batches(self, block_size: int) -> Iterator[pa.RecordBatch]:
        schema = pa.schema([(h, pa.string()) for h in self.columns])
        if self.encoding != "cp949":
            for batch in self._reader(block_size, pa.string()):
                yield pa.RecordBatch.from_arrays(batch.columns, schema=schema)
            return
        # CP949 is parsed as bytes, all of Arrow's threads at it: its two-byte characters never hold a byte of
        # a delimiter, quote or line end. Then a column that is all ASCII (numbers, dates, codes) is already
        # text, and in any other only the distinct values are decoded — instead of decoding the whole file in
        # one Python codec stream before parsing.
        row = 1
        for batch in self._reader(block_size, pa.binary()):
            yield pa.RecordBatch.from_arrays(
                [self._decoded(column, name, row) for column, name in zip(batch.columns, self.columns, strict=True)],
                schema=schema,
            )
            row += batch.num_rows

    def _reader(self, block_size: int, kind: pa.DataType) -> Iterator[pa.RecordBatch]:
        fields = [f"\x00{i}" for i in range(self.width)]
        wanted = [fields[i] for i in self.kept]

        def short_row(row: Any) -> str:
            # A line of one field, a note or nothing, is not a record (Excel pads its own lines; a hand-made file
            # may not). Arrow does not say where it was: a note inside the data shifts the lines after it by one.
            if row.actual_columns != 1:
                return "error"
            text = row.text.strip()
            return "skip" if not text or is_note(text.strip('"')) else "error"

        reader = pacsv.open_csv(
            self.path,
            read_options=pacsv.ReadOptions(
                encoding="utf8" if kind == pa.binary() else self.encoding.replace("-sig", ""),
                block_size=block_size,
                skip_rows=self.first_line - 1,
                column_names=fields,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=self.delimiter,
                ignore_empty_lines=False,
                # Arrow decodes a short row as UTF-8 before the handler sees it: CP949 bytes would fail there, out
                # of reach (a warning, not an error); such a row is then refused with a sentence naming its line.
                invalid_row_handler=short_row if kind != pa.binary() else None,
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types=dict.fromkeys(wanted, kind),
                # Only an empty cell is missing: N/A, NA, NULL, #N/A are what a person wrote, read as markers
                # (a note, or the error of a required field) by the mapping, never dropped here unseen.
                null_values=[""],
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
                raise refusal(
                    "file.not-encoding",
                    at=f"row {first_row + at}, {name}",
                    name=self.path.name,
                    row=first_row + at,
                    column=name,
                    encoding=self.encoding.upper(),
                ) from exc
        return pc.take(pa.array(values, pa.string()), encoded.indices)

    def sample(self, rows: int = 200) -> dict[str, list[str]]:
        return sample_of(self, rows)

    def describe(self) -> str:
        return f"CSV, {self.encoding}, delimiter {self.delimiter!r}"


def _csv_text(path: Path, lines: int) -> tuple[str, list[str]]:
    """The encoding of a CSV and at least its first ``lines`` lines (fewer if the file has fewer)."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
        while head.count(b"\n") < lines and len(head) < 4 << 20 and (more := handle.read(1 << 18)):
            head += more
        complete = not handle.read(1)
    if not head.strip():
        raise refusal("file.empty", name=path.name)
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
        raise refusal("file.no-encoding", name=path.name)
    found = re.split(r"\r\n|\n|\r", text)
    if not complete and len(found) > 1:
        found = found[:-1]  # the last line read may be cut
    elif found and found[-1] == "":
        found = found[:-1]
    return encoding, found


def _fields(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _grid(lines: Sequence[str], delimiter: str) -> Grid:
    return [[c if c.strip() else None for c in _fields(line, delimiter)] for line in lines]


def _consistent_delimiter(lines: Sequence[str]) -> str:
    """The delimiter that splits most lines of a sheet's top into the same number of fields (title lines above
    the header have one field, or the table's count when Excel saved them)."""
    best, chosen = (0, 0), ","
    for delimiter in DELIMITERS:
        counts = Counter(len(_fields(line, delimiter)) for line in lines[:HEAD_ROWS] if line.strip())
        common = max(((n, k) for k, n in counts.items() if k > 1), default=(0, 0))
        if common > best:
            best, chosen = common, delimiter
    return chosen


def open_csv(path: Path, limits: Limits = DEFAULT, layout: Laid | Reading | None = None) -> CsvSource:
    reading = reading_of(layout)
    encoding, lines = _csv_text(path, reading.header_row + reading.header_rows + HEAD_ROWS)
    header_line = lines[reading.header_row - 1] if reading.header_row <= len(lines) else ""
    try:
        delimiter = csv.Sniffer().sniff(header_line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    _check_columns(path.name, _fields(header_line, delimiter), limits)
    first = reading.header_row + reading.header_rows
    grid = _grid(lines[: first - 1 + HEAD_ROWS], delimiter)
    kept, columns = columns_of(path.name, grid, reading)
    width = max((len(r) for r in grid[reading.header_row - 1 :]), default=0)
    headers = Shaper(columns, reading, path.name).headers
    return CsvSource(path, encoding, delimiter, headers, limits, reading, columns, kept, width, first)


# ---- JSON lines and Parquet ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrowFileSource:
    """JSON lines or Parquet: columns as the file has them, each cast to text; ``LINE`` counts records from 1."""

    path: Path
    kind: str
    headers: list[str]
    limits: Limits = DEFAULT
    reading: Reading = field(default_factory=Reading)
    columns: list[str] = field(default_factory=list)

    def batches(self) -> Iterator[pa.RecordBatch]:
        shaper, line = Shaper(self.columns or self.headers, self.reading, self.path.name), 1
        for batch in _within(self.path, self._batches(), self.limits):
            shaped = shaper.shape(batch, line)
            line += batch.num_rows
            if shaped.num_rows:
                yield shaped

    def _batches(self) -> Iterator[pa.RecordBatch]:
        if self.kind == "parquet":
            batches: Iterator[pa.RecordBatch] = pq.ParquetFile(self.path).iter_batches(65_536)
        else:
            batches = _json_batches(self.path, self.columns or self.headers)
        for batch in batches:
            yield pa.RecordBatch.from_arrays(
                [pc.cast(c, pa.string()) for c in batch.columns],
                schema=pa.schema([(n, pa.string()) for n in batch.schema.names]),
            )

    def sample(self, rows: int = 200) -> dict[str, list[str]]:
        return sample_of(self, rows)

    def describe(self) -> str:
        return self.kind


SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".parquet", ".pq", ".jsonl", ".ndjson"})


def open_source(
    path: Path, sheet: str | None = None, limits: Limits = DEFAULT, layout: Laid | Reading | None = None
) -> Source:
    """Open a CSV, Excel, JSON-lines or Parquet file by its suffix, laid out as ``layout`` says (see the module's
    description), to be read within ``limits``."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return open_excel(path, sheet, limits, layout)
    if suffix in (".parquet", ".pq"):
        return open_parquet(path, limits, layout)
    if suffix in (".jsonl", ".ndjson"):
        # Every key of every line, so that a key first seen late in the file is mapped or refused, never dropped.
        names = _json_names(path)
        _check_columns(path.name, names, limits)
        reading = reading_of(layout)
        return ArrowFileSource(path, "json lines", Shaper(names, reading, path.name).headers, limits, reading, names)
    if suffix == ".xls":
        raise refusal("file.old-excel", name=path.name)
    return open_csv(path, limits, layout)


def open_parquet(path: Path, limits: Limits = DEFAULT, layout: Laid | Reading | None = None) -> ArrowFileSource:
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        raise refusal("file.not-parquet", name=path.name, problem=str(exc)) from exc
    _check_columns(path.name, schema.names, limits)
    for column in schema:
        if pa.types.is_nested(column.type) or pa.types.is_dictionary(column.type) and column.type.value_type.num_fields:
            raise refusal(
                "file.nested-column", at=f"column {column.name}", name=path.name, column=column.name, type=column.type
            )
    reading = reading_of(layout)
    headers = Shaper(schema.names, reading, path.name).headers
    return ArrowFileSource(path, "parquet", headers, limits, reading, schema.names)


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
            raise refusal("file.not-json-lines", name=path.name, problem=str(exc).splitlines()[0]) from exc


def _json_names(path: Path) -> list[str]:
    # Every key of every line, so that a key first seen late in the file is mapped or refused, never dropped.
    with _json_lines(path, "describe select * from {}", "sample_size=-1") as relation:
        return [str(row[0]) for row in relation.fetchall()]


def _json_batches(path: Path, names: list[str]) -> Iterator[pa.RecordBatch]:
    # Every value as text (a number as it was written), batch by batch.
    columns = "{" + ", ".join(f"{_quote(n)}: 'VARCHAR'" for n in names) + "}"
    with _json_lines(path, "select * from {}", f"columns={columns}") as relation:
        yield from relation.to_arrow_reader(65_536)


# ---- a layout guessed ----------------------------------------------------------------------------------------


def head(path: Path, sheet: str | None = None, limits: Limits = DEFAULT) -> tuple[str | None, Grid]:
    """The sheet read (None for a CSV) and its first rows as text, as ``layout.detect`` reads them."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        vet(path, limits)
        return excel_head(path, sheet, HEAD_ROWS)
    _, lines = _csv_text(path, HEAD_ROWS)
    return None, _grid(lines[:HEAD_ROWS], _consistent_delimiter(lines))


def open_detected(path: Path, sheet: str | None = None, limits: Limits = DEFAULT) -> tuple[Source, LayoutGuess]:
    """Open a file with its layout guessed from its first rows (see the module's description)."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq", ".jsonl", ".ndjson", ".xls"):
        source = open_source(path, sheet, limits)  # an .xls is refused here, in words
        sample = source.sample(HEAD_ROWS)
        columns = [list(sample.get(h, [])) for h in source.headers]
        return source, LayoutGuess(1, 1, wide=wide_group(source.headers, None, columns))
    if suffix in (".xlsx", ".xlsm"):
        vet(path, limits)
        # the workbook is opened once for the guess and the header: the header is within the rows a guess reads
        chosen, grid = excel_head(path, sheet, HEAD_ROWS + HEAD_ROWS // 2 + 2)
        guess = detect(grid)
        return excel_source(path, chosen, grid, guess.reading(chosen), limits), guess
    _, grid = head(path, sheet, limits)
    guess = detect(grid)
    return open_csv(path, limits, guess.reading()), guess
