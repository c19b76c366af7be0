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
from sangsaeng.standard.said import PerLanguage, refusal, words

MB = 1 << 20


def operator_may(setting: str) -> PerLanguage:
    """The end of a limit's hint, in the hint's language: which setting an operator may raise."""
    return PerLanguage(lambda language: words("file.operator-may-raise", language, setting=setting))


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
            raise refusal(
                "file.too-slow",
                at=where,
                name=name,
                seconds=f"{self.seconds:g}",
                where=where,
                more=operator_may("UPLOAD_READ_SECONDS"),
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
        raise refusal("file.unreadable", name=path.name, problem=exc.strerror or type(exc).__name__) from exc
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
        raise refusal("file.not-xlsx", name=path.name, problem=str(exc)) from exc


def _sizes(name: str, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    # The declared sizes bound what any reader gets: Python's zipfile never unpacks more of a part than its
    # declared size, and a part that would unpack to more fails its CRC check.
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.unpacked_mb * MB:
            raise refusal(
                "file.unpacks-too-much",
                at=info.filename,
                name=name,
                mb=limits.unpacked_mb,
                part=info.filename,
                more=operator_may("UPLOAD_MAX_UNPACKED_MB"),
            )
        packed = max(info.compress_size, 1)
        if info.file_size > MB and info.file_size / packed > limits.packing_ratio:
            raise refusal(
                "file.packed-too-tightly",
                at=info.filename,
                name=name,
                part=info.filename,
                ratio=info.file_size // packed,
                packed=info.compress_size,
                unpacked=info.file_size,
                allowed=limits.packing_ratio,
                more=operator_may("UPLOAD_MAX_PACKING_RATIO"),
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
        raise refusal("file.doctype", at=self.info.filename, name=self.name, part=self.info.filename)

    def read(self, archive: zipfile.ZipFile) -> None:
        read = 0
        with archive.open(self.info) as stream:
            while chunk := stream.read(1 << 16):
                read += len(chunk)
                if read > self.limit:
                    raise refusal(
                        "file.part-too-big",
                        at=self.info.filename,
                        name=self.name,
                        part=self.info.filename,
                        mb=self.limit // MB,
                        more=operator_may(self.setting),
                    )
                self._feed(chunk, False)
        self._feed(b"", True)

    def _feed(self, chunk: bytes, last: bool) -> None:
        try:
            self.parser.Parse(chunk, last)
        except expat.ExpatError as exc:
            raise refusal(
                "file.not-xml", at=self.info.filename, name=self.name, part=self.info.filename, problem=str(exc)
            ) from exc


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _too_long(name: str, where: str, limits: Limits) -> InvalidInput:
    return refusal(
        "file.cell-too-long",
        at=where,
        name=name,
        where=where,
        allowed=limits.cell_chars,
        more=operator_may("UPLOAD_MAX_CELL_CHARS"),
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
            raise refusal(
                "file.too-many-strings",
                at=self.info.filename,
                name=self.name,
                allowed=self.limits.cells,
                more=operator_may("UPLOAD_MAX_CELLS"),
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
            raise refusal(
                "file.row-too-wide",
                at=self.where,
                name=self.name,
                where=self.where,
                allowed=self.limits.columns,
                more=operator_may("UPLOAD_MAX_COLUMNS"),
            )
        if self.cells > self.limits.cells:
            raise refusal(
                "file.too-many-cells",
                at=self.where,
                name=self.name,
                where=self.where,
                allowed=self.limits.cells,
                more=operator_may("UPLOAD_MAX_CELLS"),
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
