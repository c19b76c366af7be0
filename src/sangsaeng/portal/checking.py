"""The check of a staged file through the mapping being confirmed, made once per mapping and kept in the stage:
every finding (in Parquet, to be paged and filtered without reading the file again), the counts the publish
button states, the first canonical rows, and the words the system did not know (units, codes). Runs in a worker
thread: it reads the whole file.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sangsaeng.errors import SangsaengError
from sangsaeng.portal.staging import Stage
from sangsaeng.standard.company import Company
from sangsaeng.standard.entities import arrow_schema
from sangsaeng.standard.ingest import check_file, read_through
from sangsaeng.standard.mapping import Mapping
from sangsaeng.standard.units import recognize
from sangsaeng.standard.validation import Finding
from sangsaeng.standard.workbook import Limits

PREVIEW_ROWS = 10
PAGE = 10_000  # findings read from the report at a time while they are written down
WORDS_SHOWN = 30  # unknown units, and unknown codes of each field, offered for declaring
FINDINGS = pa.schema(
    [
        ("line", pa.int64()),
        ("row", pa.int64()),
        ("column", pa.string()),
        ("field", pa.string()),
        ("code", pa.string()),
        ("severity", pa.string()),
        ("value", pa.string()),
        ("message", pa.string()),
        ("message_ko", pa.string()),
        ("hint", pa.string()),
        ("hint_ko", pa.string()),
    ]
)


@dataclass(frozen=True)
class Checked:
    rows: int  # records read
    kept: int  # records without an error: what publishing writes
    set_aside: int  # records with at least one error
    errors: int
    notes: int
    counts: dict[str, int]  # findings by code
    fields: dict[str, int]  # findings by field
    unknown_units: list[str]  # unit spellings nobody declared, in the order met
    unknown_codes: dict[str, list[str]] = field(default_factory=dict)  # field → its values nobody declared
    field_errors: dict[str, int] = field(default_factory=dict)  # errors by field (notes are no field's problem)


def _row(finding: Finding) -> dict[str, Any]:
    return {
        "line": finding.line,
        "row": finding.row,
        "column": finding.column,
        "field": finding.field,
        "code": finding.code,
        "severity": finding.severity,
        "value": finding.value,
        "message": finding.message,
        "message_ko": finding.message_ko,
        "hint": finding.hint,
        "hint_ko": finding.hint_ko,
    }


def check(stage: Stage, mapping: Mapping, limits: Limits, company: Company | None = None) -> Checked:
    """Check the staged file through ``mapping`` and keep what the pages show (see the module); ``company``:
    what the connector knows of its company, offered where the mapping does not give it."""
    report = check_file(stage.source, mapping, limits=limits, company=company)
    folder = stage.checked
    for earlier in folder.parent.glob("*") if folder.parent.is_dir() else ():
        if earlier.name != folder.name and not earlier.name.endswith(".partial"):
            shutil.rmtree(earlier, ignore_errors=True)  # the checks of earlier mappings
    work = folder.with_name(f"{folder.name}.{uuid.uuid4().hex}.partial")  # two checks at once write apart
    work.mkdir(parents=True)
    units: dict[str, None] = {}
    codes: dict[str, dict[str, None]] = {}
    with pq.ParquetWriter(work / "findings.parquet", FINDINGS) as writer:
        offset = 0
        while page := report.page(offset, PAGE):
            writer.write_table(pa.Table.from_pylist([_row(f) for f in page], FINDINGS))
            for f in page:
                if f.code == "unknown-unit" and f.value and len(units) < WORDS_SHOWN:
                    units.setdefault(f.value, None)
                elif f.code == "unknown-code" and f.value is not None:
                    known = codes.setdefault(f.field, {})
                    if len(known) < WORDS_SHOWN:
                        known.setdefault(f.value, None)
            offset += len(page)
    found = pq.read_table(work / "findings.parquet", columns=["field", "severity"])
    by_field = _by_field(found.column("field"))
    errors_by_field = _by_field(found.filter(pc.equal(found.column("severity"), "error")).column("field"))
    summary = Checked(
        rows=report.rows,
        kept=report.rows_kept,
        set_aside=report.rows_set_aside,
        errors=report.errors,
        notes=report.notes,
        counts=dict(sorted(report.counts.items())),
        fields=by_field,
        unknown_units=list(units),
        unknown_codes={k: list(v) for k, v in codes.items()},
        field_errors=errors_by_field,
    )
    (work / "summary.json").write_text(json.dumps(asdict(summary), ensure_ascii=False), "utf-8")
    pq.write_table(_preview(stage, mapping, limits), work / "preview.parquet")
    try:
        work.rename(folder)
    except OSError:  # another check of the same mapping finished first: its result is this one's
        shutil.rmtree(work, ignore_errors=True)
    return summary


def _by_field(fields: pa.ChunkedArray) -> dict[str, int]:
    return {str(v["values"]): int(v["counts"]) for v in pc.value_counts(fields).to_pylist() if v["values"]}


def _preview(stage: Stage, mapping: Mapping, limits: Limits) -> pa.Table:
    """The first canonical records, as publishing would write them (rows with problems included)."""
    schema = arrow_schema(mapping.model)
    schema = pa.schema([f.with_nullable(True) for f in schema])  # a row with a problem has holes: shown as —
    for step in read_through(stage.source, mapping, limits=limits):
        if step.canonical.num_rows:
            first = step.canonical.slice(0, PREVIEW_ROWS)
            return pa.Table.from_arrays(list(first.columns), schema=schema)
    return schema.empty_table()


def last(stage: Stage) -> Checked | None:
    """The check of the stage's current mapping, if it was made."""
    path = stage.checked / "summary.json"
    if not path.exists():
        return None
    return Checked(**json.loads(path.read_text("utf-8")))


def preview(stage: Stage) -> list[dict[str, Any]]:
    path = stage.checked / "preview.parquet"
    return [as_written(r) for r in pq.read_table(path).to_pylist()] if path.exists() else []


# Fields stated in the record's own ``unit`` (quality results, measurements): shown in the unit the file wrote.
IN_RECORD_UNIT = ("value", "nominal", "lower_spec_limit", "upper_spec_limit")


def as_written(record: dict[str, Any]) -> dict[str, Any]:
    """A canonical record as the person wrote it: 29.985 mm, not 0.029985 m. Stored data stays canonical; only the
    preview speaks the file's units (where the record names its unit and the file wrote another)."""
    written, canonical = record.get("raw_unit"), record.get("unit")
    if not written or not canonical or "unit" not in record:
        return record
    try:
        unit = recognize(written)
    except SangsaengError:
        return record
    if unit.canonical != canonical or unit.factor == 0:
        return record
    shown = dict(record)
    for name in IN_RECORD_UNIT:
        if isinstance(shown.get(name), int | float):
            shown[name] = round((shown[name] - unit.offset) / unit.factor, 12)
    shown["unit"] = written
    return shown


@dataclass(frozen=True)
class Page:
    findings: list[dict[str, Any]]
    total: int  # findings that pass the filters
    offset: int
    limit: int


def problems(
    stage: Stage,
    offset: int,
    limit: int,
    *,
    code: str | None = None,
    field: str | None = None,
    severity: str | None = None,
) -> Page:
    """One page of the kept findings, filtered, in sheet order (the order the check met them)."""
    path: Path = stage.checked / "findings.parquet"
    if not path.exists():
        return Page([], 0, offset, limit)
    table = pq.read_table(path)
    mask = None
    for name, wanted in (("code", code), ("field", field), ("severity", severity)):
        if wanted:
            test = pc.equal(table.column(name), wanted)
            mask = test if mask is None else pc.and_(mask, test)
    if mask is not None:
        table = table.filter(mask)
    return Page(table.slice(offset, limit).to_pylist(), table.num_rows, offset, limit)
