"""Vetting an Excel workbook before it is parsed: a .xlsx is a zip of XML parts, and a few hundred kilobytes of it
can unpack to gigabytes (a shared-strings bomb), hold a million columns in one row, or one cell of a billion
characters. openpyxl (read-only) reads rows as a stream but builds every row whole and keeps the whole
shared-strings table in memory, so those are refused here first, cheaply and with a sentence saying what, where
and how to fix.

Two passes over the zip, neither building a tree: the directory (declared sizes and packing ratios), then the
shared strings and every sheet through expat, keeping no element and no text, counting the real unpacked bytes,
the cells and columns of every row and the length of every value, under a time budget. Once an unchanged file
passed, it is not vetted again.
"""

from __future__ import annotations

import functools
import re
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from sangsaeng.errors import InvalidInput

MB = 1 << 20
RAISE = "an operator may raise SANGSAENG_{} (see docs/settings.md)"
SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_COLUMN = re.compile(r"^([A-Z]{1,3})\d+$")


@dataclass(frozen=True)
class Limits:
    """What one uploaded file may cost to read (settings ``upload_…``, see docs/settings.md)."""

    unpacked_mb: int = 2048  # a workbook's parts, uncompressed, together
    shared_strings_mb: int = 200  # its shared-strings part, uncompressed (held in memory while it is read)
    packing_ratio: int = 100  # unpacked : packed, for parts over 1 MB
    columns: int = 2000
    cells: int = 50_000_000  # Excel only: CSV, JSON lines and Parquet are read column-wise and stream
    cell_chars: int = 32_767  # Excel's own limit on a cell
    seconds: float = 600.0

    @classmethod
    def of(cls, settings: Any) -> Limits:
        return cls(
            unpacked_mb=settings.upload_max_unpacked_mb,
            shared_strings_mb=settings.upload_max_shared_strings_mb,
            packing_ratio=settings.upload_max_packing_ratio,
            columns=settings.upload_max_columns,
            cells=settings.upload_max_cells,
            cell_chars=settings.upload_max_cell_chars,
            seconds=settings.upload_read_seconds,
        )

    def deadline(self) -> float:
        return time.monotonic() + self.seconds

    def in_time(self, deadline: float, name: str, where: str) -> None:
        if time.monotonic() > deadline:
            raise InvalidInput(
                f"{name}: reading took longer than {self.seconds:g} s (stopped at {where})",
                position=where,
                hint="split the file, or save it as CSV, which reads much faster; "
                + RAISE.format("UPLOAD_READ_SECONDS"),
            )


def column_number(letters: str) -> int:
    """1 for A, 27 for AA."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def vet(path: Path, limits: Limits) -> None:
    """Before openpyxl opens the workbook (it reads the whole shared-strings table then, and, when a sheet does
    not state its size, that whole sheet): the parts' sizes and packing, every shared string, every sheet.
    A file found fine is not vetted again while unchanged (a check and an ingest open it several times)."""
    try:
        found = path.stat()
    except OSError as exc:
        raise InvalidInput(f"{path.name} cannot be read: {exc.strerror}") from exc
    _vet(path.resolve(), found.st_size, found.st_mtime_ns, limits)


@functools.lru_cache(maxsize=64)
def _vet(path: Path, size: int, modified: int, limits: Limits) -> None:
    deadline = limits.deadline()
    long: set[int] = set()
    with _archive(path) as archive:
        _sizes(path.name, archive.infolist(), limits)
        shared, sheets = _parts(archive, SHARED_STRINGS), _parts(archive, WORKSHEET)
        for info in archive.infolist():
            if info.filename in shared or info.filename.lower().endswith("sharedstrings.xml"):
                strings = _SharedStrings(path.name, info, limits, deadline)
                strings.read(archive)
                long |= strings.long
        for info in archive.infolist():
            if info.filename in sheets or (
                info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            ):
                _Sheet(path.name, info, long, limits, deadline).read(archive)


@contextmanager
def _archive(path: Path) -> Iterator[zipfile.ZipFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            yield archive
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, KeyError, OSError, EOFError, RuntimeError) as exc:
        raise InvalidInput(
            f"{path.name} is not an Excel workbook (.xlsx) that can be read: {exc}",
            hint="open it in Excel and save it again as .xlsx",
        ) from exc


def _sizes(name: str, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    # The declared sizes bound what any reader gets: Python's zipfile never unpacks more of a part than its
    # declared size, and a part that would unpack to more fails its CRC check.
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.unpacked_mb * MB:
            raise InvalidInput(
                f"{name} unpacks to more than {limits.unpacked_mb} MB (at part {info.filename})",
                position=info.filename,
                hint="split the workbook or save the sheet as CSV; " + RAISE.format("UPLOAD_MAX_UNPACKED_MB"),
            )
        packed = max(info.compress_size, 1)
        if info.file_size > MB and info.file_size / packed > limits.packing_ratio:
            raise InvalidInput(
                f"{name}: part {info.filename} unpacks {info.file_size // packed}-fold "
                f"({info.compress_size:,} to {info.file_size:,} bytes), more than the {limits.packing_ratio}-fold "
                "a spreadsheet needs",
                position=info.filename,
                hint="save the workbook again from Excel, or as CSV; " + RAISE.format("UPLOAD_MAX_PACKING_RATIO"),
            )


def _parts(archive: zipfile.ZipFile, content_type: str) -> set[str]:
    """The parts the package's manifest says are of ``content_type``."""
    try:
        types = archive.read("[Content_Types].xml")
    except KeyError:
        return set()
    found = set()
    for override in re.findall(rb"<Override[^>]*>", types):
        part = re.search(rb'PartName="/?([^"]+)"', override)
        if part and f'"{content_type}"'.encode() in override:
            found.add(part.group(1).decode())
    return found


class _Part:
    """One part read through expat, chunk by chunk: handlers see each element's start and end and count text as
    it passes, so no tree and no cell's text is ever held. The real unpacked size is counted (not only the
    declared one) and the part refused beyond ``limit`` bytes; a DOCTYPE (entities, external or not, have no place
    in a workbook) is refused."""

    def __init__(self, name: str, info: zipfile.ZipInfo, limit: int, setting: str) -> None:
        self.name, self.info, self.limit, self.setting = name, info, limit, setting
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype

    def _doctype(self, *_: object) -> None:
        raise InvalidInput(
            f"{self.name}: part {self.info.filename} declares a DOCTYPE or entities, which no workbook does",
            position=self.info.filename,
            hint="open it in Excel and save it again as .xlsx",
        )

    def read(self, archive: zipfile.ZipFile) -> None:
        read = 0
        with archive.open(self.info) as stream:
            while chunk := stream.read(1 << 16):
                read += len(chunk)
                if read > self.limit:
                    raise InvalidInput(
                        f"{self.name}: part {self.info.filename} unpacks to more than {self.limit // MB} MB",
                        position=self.info.filename,
                        hint="split the workbook or save the sheet as CSV; " + RAISE.format(self.setting),
                    )
                self._feed(chunk, False)
        self._feed(b"", True)

    def _feed(self, chunk: bytes, last: bool) -> None:
        try:
            self.parser.Parse(chunk, last)
        except expat.ExpatError as exc:
            raise InvalidInput(
                f"{self.name}: part {self.info.filename} is not well-formed XML ({exc})",
                position=self.info.filename,
                hint="open it in Excel and save it again as .xlsx",
            ) from exc


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _too_long(name: str, where: str, limits: Limits) -> InvalidInput:
    return InvalidInput(
        f"{name}, {where}: a cell longer than the {limits.cell_chars:,} characters allowed",
        position=where,
        hint="shorten the cell (Excel itself holds at most 32,767); " + RAISE.format("UPLOAD_MAX_CELL_CHARS"),
    )


class _SharedStrings(_Part):
    """The indices of shared strings longer than a cell may be (usually none): refused when a cell uses one."""

    def __init__(self, name: str, info: zipfile.ZipInfo, limits: Limits, deadline: float) -> None:
        super().__init__(name, info, limits.shared_strings_mb * MB, "UPLOAD_MAX_SHARED_STRINGS_MB")
        self.limits, self.deadline = limits, deadline
        self.long: set[int] = set()
        self.index = self.length = 0
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text

    def _text(self, data: str) -> None:
        self.length += len(data)

    def _end(self, tag: str) -> None:
        if _local(tag) != "si":
            return
        if self.length > self.limits.cell_chars:
            self.long.add(self.index)
        self.index, self.length = self.index + 1, 0
        if self.index % 10_000 == 0:
            self.limits.in_time(self.deadline, self.name, f"shared string {self.index}")
        if self.index > self.limits.cells:
            raise InvalidInput(
                f"{self.name}: more than {self.limits.cells:,} shared strings",
                position=self.info.filename,
                hint="split the workbook or save the sheet as CSV; " + RAISE.format("UPLOAD_MAX_CELLS"),
            )


class _Sheet(_Part):
    """Cells, columns and value lengths of every row, as the sheet streams past."""

    def __init__(self, name: str, info: zipfile.ZipInfo, long: set[int], limits: Limits, deadline: float) -> None:
        super().__init__(name, info, limits.unpacked_mb * MB, "UPLOAD_MAX_UNPACKED_MB")
        self.limits, self.deadline, self.long = limits, deadline, long
        self.cells = self.row = self.in_row = self.length = 0
        self.where, self.shared, self.value = "", False, ""
        self.counting = False
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        local = _local(tag)
        if local == "c":
            self._cell(attributes)
        elif local in ("v", "t"):
            self.counting = True
        elif local == "row":
            self.row, self.in_row = self.row + 1, 0
            if self.row % 1000 == 0:
                self.limits.in_time(self.deadline, self.name, f"row {self.row}")

    def _cell(self, attributes: dict[str, str]) -> None:
        self.cells += 1
        self.in_row += 1
        reference = attributes.get("r", "")
        found = _COLUMN.match(reference)
        column = column_number(found.group(1)) if found else self.in_row
        self.where = f"row {self.row}, cell {reference or self.in_row}"
        self.shared, self.length, self.value = attributes.get("t") == "s", 0, ""
        if column > self.limits.columns or self.in_row > self.limits.columns:
            raise InvalidInput(
                f"{self.name}, {self.where}: more than {self.limits.columns:,} columns",
                position=self.where,
                hint="keep the data in fewer columns, or delete the empty ones Excel counts; "
                + RAISE.format("UPLOAD_MAX_COLUMNS"),
            )
        if self.cells > self.limits.cells:
            raise InvalidInput(
                f"{self.name}, {self.where}: more than {self.limits.cells:,} cells",
                position=self.where,
                hint="split the sheet or save it as CSV; " + RAISE.format("UPLOAD_MAX_CELLS"),
            )

    def _text(self, data: str) -> None:
        if not self.counting:
            return
        self.length += len(data)
        if self.length > self.limits.cell_chars:
            raise _too_long(self.name, self.where, self.limits)
        if self.shared and len(self.value) < 12:
            self.value += data

    def _end(self, tag: str) -> None:
        local = _local(tag)
        if local in ("v", "t"):
            self.counting = False
        elif local == "c" and self.shared and self.value.strip().isdigit() and int(self.value) in self.long:
            raise _too_long(self.name, self.where, self.limits)
