"""What the corpus generators share: sheets and tables to write, and a case that records what each written row
means (its canonical values, its errors, its notes) while the generator writes it.

Expectations are never read back from our own ingest: the generator knows which cells it wrote wrong, which
cells hold a "no value" marker and what every good cell means in canonical units, and the case adds them up.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.styles import Alignment, Font

SEOUL = ZoneInfo("Asia/Seoul")
EXCEL_EPOCH = date(1899, 12, 30)
FIXED_ZIP_TIME = (2026, 3, 2, 9, 0, 0)

# Canonical factors, the way a person converts (units.py names the canonical units: meter, kelvin, second …)
MM = 0.001
UM = 1e-6
KELVIN = 273.15
MINUTE = 60.0
HOUR = 3600.0
MJ_KWH = 1 / 3.6
GJ_KWH = 1000 / 3.6


def utc(moment: datetime) -> str:
    """A local (Asia/Seoul) wall-clock time as the UTC ISO string the canonical record holds."""
    aware = moment.replace(tzinfo=SEOUL)
    return aware.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d)


def serial(moment: date) -> int:
    """The Excel serial number of a date (days since 1899-12-30)."""
    return (moment - EXCEL_EPOCH).days if not isinstance(moment, datetime) else (moment.date() - EXCEL_EPOCH).days


def next_month(moment: datetime) -> datetime:
    return datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1)


def month_end(moment: date) -> date:
    after = next_month(datetime(moment.year, moment.month, 1))
    return (after - timedelta(days=1)).date()


def korean_weekday(moment: date) -> str:
    return "월화수목금토일"[moment.weekday()]


def fmt3(value: float) -> str:
    return f"{value:.3f}"


def thousands(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}"


def fullwidth(text: str) -> str:
    """Digits, letters and . - ( ) # as a Korean IME writes them in full width."""
    out = []
    for char in text:
        if "!" <= char <= "~":
            out.append(chr(ord(char) + 0xFEE0))
        elif char == " ":
            out.append("\u3000")
        else:
            out.append(char)
    return "".join(out)


# ---- what a file means -------------------------------------------------------------------------------------


@dataclass
class Rec:
    """One canonical record the file should produce: where a person sees it, what it holds, what is wrong."""

    line: int
    values: dict[str, Any]
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    notes: int = 0


@dataclass
class Case:
    name: str
    file: str
    sector: str
    system: str
    entity: str
    mapping: dict[str, Any]
    suggest: bool
    sheet: str | None = None
    describe: str = ""
    records: list[Rec] = field(default_factory=list)
    shown: list[dict[str, Any]] = field(default_factory=list)
    # What the connector knows of its company (participant_id, name, public_url), for the suggestion; None: nothing.
    company: dict[str, str] | None = None
    # Notes of the mapping itself, not of a row (record 0): what a PACT export needs and the mapping does not give.
    mapping_notes: int = 0

    def rec(self, line: int, errors: list[tuple[str | None, str]] | None = None, notes: int = 0, **values: Any) -> Rec:
        record = Rec(line, values, list(errors or []), notes)
        self.records.append(record)
        return record

    def show(self, record: Rec, *drop: str) -> None:
        """Expect this record among the canonical ones, exactly (it must be a kept one); a None is an expected null."""
        assert not record.errors, f"{self.name}: a record set aside is not published, so cannot be shown"
        self.shown.append({k: v for k, v in record.values.items() if k not in drop})

    def expect(self) -> dict[str, Any]:
        problems = sorted(
            ([r.line, f, c] for r in self.records for f, c in r.errors), key=lambda p: (p[0], p[1] or "", p[2])
        )
        set_aside = sum(1 for r in self.records if r.errors)
        return {
            "rows": len(self.records),
            "kept": len(self.records) - set_aside,
            "set_aside": set_aside,
            "problems": problems,
            "notes": sum(r.notes for r in self.records) + self.mapping_notes,
            "values": self.shown,
        }

    def document(self) -> dict[str, Any]:
        """The case as its YAML holds it; the mapping names columns as the reading names headers."""
        document = {
            "file": self.file,
            "sector": self.sector,
            "system": self.system,
            "entity": self.entity,
            "sheet": self.sheet,
            "suggest_without_edits": self.suggest,
            "describe": self.describe,
            "mapping": as_read(self.mapping),
            "expect": self.expect(),
        }
        if self.company is not None:  # only cases that need it say it: the others stay as they were written
            document["company"] = self.company
        return document


def header_name(text: str) -> str:
    """A header as the reading names it (contract): NFKC (full width to half, ℃ to °C, ³ to 3), line breaks as
    spaces, trimmed."""
    return unicodedata.normalize("NFKC", text).replace("\r\n", " ").replace("\n", " ").strip()


def as_read(mapping: dict[str, Any]) -> dict[str, Any]:
    """The mapping with every column it names, and every code it maps, written as the reading sees them."""
    out = dict(mapping)
    if "fill_down" in out:
        out["fill_down"] = [header_name(c) for c in out["fill_down"]]
    if "unpivot" in out:
        out["unpivot"] = {**out["unpivot"], "columns": [header_name(c) for c in out["unpivot"]["columns"]]}
    fields = {}
    for name, rule in out["fields"].items():
        rule = dict(rule)
        for key in ("column", "unit_column", "minus"):
            if key in rule:
                rule[key] = header_name(rule[key])
        if "values" in rule:
            rule["values"] = {header_name(k): v for k, v in rule["values"].items()}
        fields[name] = rule
    out["fields"] = fields
    return out


# ---- writing ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    """A cell with an Excel number format (what the person sees is not what the cell holds)."""

    value: Any
    format: str


class Sheet:
    """A sheet built row by row; ``row`` returns the Excel row number a person sees."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: list[list[Any]] = []
        self.merges: list[tuple[int, int, int, int]] = []
        self.bold: set[int] = set()

    def row(self, *cells: Any) -> int:
        self.rows.append(list(cells))
        return len(self.rows)

    def blank(self) -> int:
        return self.row()

    def title(self, text: str, width: int) -> int:
        line = self.row(text)
        self.merge(line, 1, line, width)
        self.bold.add(line)
        return line

    def wide(self, text: str, width: int) -> int:
        """A row of one text merged across the table (a title line, a note)."""
        line = self.row(text)
        self.merge(line, 1, line, width)
        return line

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        if (first_row, first_col) != (last_row, last_col):
            self.merges.append((first_row, first_col, last_row, last_col))

    @property
    def next(self) -> int:
        return len(self.rows) + 1


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    fixed = datetime(2026, 3, 2, 9, 0, 0)
    workbook.properties.creator = "품질팀"
    workbook.properties.created = fixed
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.name)
        for r, cells in enumerate(sheet.rows, start=1):
            for c, value in enumerate(cells, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c)
                if isinstance(value, Num):
                    cell.value = value.value
                    cell.number_format = value.format
                else:
                    cell.value = value
                    if isinstance(value, datetime):
                        cell.number_format = "yyyy-mm-dd hh:mm" if value.time() != datetime.min.time() else "yyyy-mm-dd"
                    elif isinstance(value, str) and "\n" in value:
                        cell.alignment = Alignment(wrap_text=True)
                if r in sheet.bold:
                    cell.font = Font(bold=True, size=14)
        for first_row, first_col, last_row, last_col in sheet.merges:
            ws.merge_cells(start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col)
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue(), fixed))


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _fixed_zip(data: bytes, moment: datetime) -> bytes:
    """The workbook with fixed timestamps (openpyxl stamps the save time twice), so make.py writes the same bytes."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, content)
    return out.getvalue()


class Table:
    """A delimited text file built line by line; ``row`` returns the line number a person sees."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def row(self, *cells: Any) -> int:
        self.rows.append(["" if c is None else str(c) for c in cells])
        return len(self.rows)

    def blank(self) -> int:
        return self.row()

    @property
    def next(self) -> int:
        return len(self.rows) + 1


def write_text(path: Path, table: Table, *, encoding: str = "utf-8-sig", delimiter: str = ",") -> None:
    """Written as Excel writes "CSV": CRLF line ends, quotes only where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for cells in table.rows:
        writer.writerow(cells)
    text = buffer.getvalue()
    assert text.count("\r\n") == len(table.rows), f"{path.name}: a cell holds a line break"
    path.write_bytes(text.encode(encoding))
