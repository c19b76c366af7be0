"""Reading what SMEs export: CSV in UTF-8 or CP949/EUC-KR, with whatever delimiter, every cell as text.

Cells stay text here; the mapping decides what each column means and reads it (vectorised), so that a bad cell
becomes a finding at its row instead of failing the whole file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from sangsaeng.errors import InvalidInput

ENCODINGS = ("utf-8-sig", "cp949")  # CP949 is a superset of EUC-KR
DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class CsvSource:
    path: Path
    encoding: str
    delimiter: str
    headers: list[str]

    def batches(self, block_size: int = 4 << 20) -> Iterator[pa.RecordBatch]:
        reader = pacsv.open_csv(
            self.path,
            read_options=pacsv.ReadOptions(
                encoding=self.encoding.replace("-sig", ""),
                block_size=block_size,
                skip_rows=1,
                column_names=self.headers,
            ),
            parse_options=pacsv.ParseOptions(delimiter=self.delimiter),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in self.headers},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        yield from reader

    def sample(self, rows: int = 200) -> dict[str, list[str]]:
        taken: dict[str, list[str]] = {h: [] for h in self.headers}
        for batch in self.batches():
            for header in self.headers:
                taken[header].extend(v for v in batch.column(header).to_pylist()[: rows - len(taken[header])] if v)
            if all(len(v) >= rows for v in taken.values()) or batch.num_rows >= rows:
                break
        return taken


def open_csv(path: Path) -> CsvSource:
    head = path.read_bytes()[: 1 << 16]
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
    first_line = text.splitlines()[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    headers = next(csv.reader(io.StringIO(first_line), delimiter=delimiter))
    headers = [h.strip() for h in headers]
    if len(set(headers)) != len(headers) or not all(headers):
        raise InvalidInput(f"{path.name}: the header row has empty or repeated column names", position="row 0")
    return CsvSource(path, encoding, delimiter, headers)
