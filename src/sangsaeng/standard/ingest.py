"""Ingest: a factory file, read through a mapping, checked, and written as one canonical Parquet file — whole or
not at all.

The output is written under a hidden temporary name beside its destination and renamed only when complete; a
crash leaves at most a hidden ``.…partial`` file, which the next ingest into that folder removes. A partial file is
locked (``flock``) while it is written, so the clean-up never takes the file of an ingest still running; the kernel
drops the lock of a killed process. With more
errors than allowed nothing is written; with ``accept_partial`` the rows without errors are written and the
others go, with their reasons, to a ``.rejected.csv`` beside the output (notes never set a row aside). A dataset
is never written empty: a file with no row to keep is refused. The source's SHA-256 and the mapping are
recorded in the Parquet metadata, so ingesting the same file with the same mapping again changes nothing.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sangsaeng.digest import sha256_file
from sangsaeng.errors import InvalidInput
from sangsaeng.standard.company import Company
from sangsaeng.standard.entities import arrow_schema
from sangsaeng.standard.exports import safe_batch
from sangsaeng.standard.findings import error_rows
from sangsaeng.standard.footprint_needs import asked, empty_cells
from sangsaeng.standard.mapping import Applier, Mapping
from sangsaeng.standard.said import CAMEL, refused_as
from sangsaeng.standard.sources import DEFAULT, LINE, open_source
from sangsaeng.standard.validation import Checker, Finding, Report
from sangsaeng.standard.workbook import Limits

PARTIAL = ".partial"


# Problems that only say a field ended up empty: where reading the cell already said why, they say nothing more;
# where the cell held a no-value marker, they say it (one finding per cell).
FOLLOW_ONS = frozenset({"missing-value", "missing-measurement", "pact-empty"})


@dataclass(frozen=True)
class Step:
    """One batch of a source read through a mapping: the text, its canonical form, and what was wrong."""

    source: pa.RecordBatch  # without the line column
    canonical: pa.RecordBatch
    findings: list[Finding]
    first_row: int
    lines: np.ndarray[Any, np.dtype[np.int64]] | None = None  # each record's sheet row, where the source says


def _columns_of(mapping: Mapping) -> dict[str, set[str]]:
    """Each mapped field → the names a finding about it may carry: the field, its column, its unit column."""
    return {name: {name} | {c for c in (rule.column, rule.unit_column) if c} for name, rule in mapping.fields.items()}


def merge_findings(read: list[Finding], checked: list[Finding], mapping: Mapping) -> list[Finding]:
    """Reading's findings and the checker's, once each: a field left empty because its cell could not be read is
    reported by reading alone; a no-value marker where a value is required (or a measurement missing) becomes that
    error's value instead of a note of its own: one finding per cell."""
    names = _columns_of(mapping)
    said: set[tuple[int, str]] = set()
    markers: dict[tuple[int, str], Finding] = {}
    for finding in read:
        for touched in (finding.field, finding.column):
            if touched is None:
                continue
            fields = [f for f, known in names.items() if touched in known] or [touched]
            for name in fields:
                if finding.severity == "error":
                    said.add((finding.row, name))
                elif finding.code == "no-value":
                    markers[(finding.row, name)] = finding
    out = list(read)
    for finding in checked:
        where = (finding.row, finding.field)
        if finding.code in FOLLOW_ONS and where in said:
            continue
        if finding.code in FOLLOW_ONS and where in markers:
            marker = markers.pop(where)
            out.remove(marker)
            finding = dataclasses.replace(finding, value=marker.expected)
        out.append(finding)
    return out


def _placed(
    findings: list[Finding], first_row: int, lines: np.ndarray[Any, Any] | None, mapping: Mapping
) -> list[Finding]:
    """Each finding with the sheet row and the source column it concerns, where the finding does not say."""
    placed = []
    for finding in findings:
        changes: dict[str, Any] = {}
        if finding.line is None and lines is not None and 0 <= finding.row - first_row < len(lines):
            changes["line"] = int(lines[finding.row - first_row])
        if finding.column is None:
            rule = mapping.fields.get(finding.field)
            if rule is not None and rule.column:
                changes["column"] = rule.column
        placed.append(dataclasses.replace(finding, **changes) if changes else finding)
    return placed


def read_through(
    source: Path,
    mapping: Mapping,
    sheet: str | None = None,
    checker: Checker | None = None,
    limits: Limits = DEFAULT,
) -> Iterator[Step]:
    """Read a file batch by batch through a mapping, checking each canonical batch. Repeats are reported only on
    the later passes of a ``checker`` (see ``Checker``); one made here sees a single pass. Two records are an
    exact repeat when their source rows are equal in every column the file has (mapped or not, the sheet row
    aside): the checker is given each batch's source rows for that."""
    reader = open_source(source, sheet, limits, layout=mapping)
    applier, row = Applier(mapping), 1
    checker = checker or checker_for(mapping)
    for batch in reader.batches():
        lines = None
        if LINE in batch.schema.names:
            lines = batch.column(LINE).to_numpy(zero_copy_only=False).astype(np.int64)
            batch = batch.drop_columns([LINE])
        canonical, read = applier.apply(batch, first_row=row)
        canonical, checked = checker.review(canonical, first_row=row, lines=lines, source=batch)
        checked += empty_cells(canonical, mapping, row)  # what a PACT export will ask of this row
        findings = _placed(merge_findings(read, checked, mapping), row, lines, mapping)
        yield Step(batch, canonical, findings, row, lines)
        row += batch.num_rows


def checker_for(mapping: Mapping) -> Checker:
    """The checker of a mapping's records: samples are numbered unless the mapping reads them from the file."""
    sample = mapping.model.sample_field
    return Checker(mapping.model, numbered=sample is not None and sample not in mapping.fields)


def check_file(
    source: Path, mapping: Mapping, sheet: str | None = None, limits: Limits = DEFAULT, company: Company | None = None
) -> Report:
    """Every problem of a file read through a mapping; writes nothing. Read again only if keys repeat. ``company``:
    what the connector knows of its company, offered where the mapping does not give it."""
    checker = checker_for(mapping)
    try:
        while True:
            report = Report()
            report.extend(asked(mapping, company))  # what a PACT export will ask of the mapping, once per field
            for step in read_through(source, mapping, sheet, checker, limits):
                report.extend(step.findings)
                report.rows += step.source.num_rows
            if not checker.another_pass():
                return report
    finally:
        checker.close()


@dataclass(frozen=True)
class IngestResult:
    report: Report
    written: bool
    output: Path
    rows_written: int
    rows_rejected: int
    rejected: Path | None
    unchanged: bool = False  # the same source and mapping were ingested before
    origin: str = ""  # see ``origin``


def origin(source_sha256: str, mapping_text: str) -> str:
    """One digest for "this file read through this mapping": equal origins make equal canonical data."""
    return hashlib.sha256(f"{source_sha256}\n{mapping_text}".encode()).hexdigest()


def _already(output: Path, source_hash: str, mapping_text: str) -> bool:
    if not output.exists():
        return False
    try:
        meta = pq.read_schema(output).metadata or {}
    except (pa.ArrowInvalid, OSError):
        return False
    return (
        meta.get(b"sangsaeng.source_sha256") == source_hash.encode()
        and meta.get(b"sangsaeng.mapping") == mapping_text.encode()
    )


def _clean_debris(folder: Path) -> None:
    """Remove the partial files of ingests that died; one still being written holds its lock and is left."""
    for stale in folder.glob(f".*{PARTIAL}"):
        try:
            handle = stale.open("rb")
        except FileNotFoundError:
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            stale.unlink(missing_ok=True)


@contextmanager
def _claimed(path: Path) -> Iterator[Path]:
    """Create ``path`` and hold an exclusive lock on it until the block ends; remove it then if still there."""
    with path.open("wb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)


def ingest(
    source: Path,
    mapping: Mapping,
    output: Path,
    *,
    max_errors: int = 0,
    accept_partial: bool = False,
    progress: Callable[[int], None] | None = None,
    sheet: str | None = None,
    source_sha256: str | None = None,
    limits: Limits = DEFAULT,
) -> IngestResult:
    """Read ``source`` through ``mapping`` into ``output`` (see the module's description); ``source_sha256`` spares
    hashing the source again when the caller has done so. Raises ``InvalidInput`` rather than write a file with no
    row: when the source has no record, or every record is set aside."""
    output.parent.mkdir(parents=True, exist_ok=True)
    _clean_debris(output.parent)
    mapping_text = mapping.to_yaml()
    source_hash = source_sha256 or sha256_file(source)
    made_from = origin(source_hash, mapping_text)
    rejected_path = output.with_name(output.stem + ".rejected.csv")
    if _already(output, source_hash, mapping_text):
        rows = pq.ParquetFile(output).metadata.num_rows
        return IngestResult(Report(), True, output, rows, 0, None, unchanged=True, origin=made_from)
    entity_schema = arrow_schema(mapping.model)
    schema = entity_schema.with_metadata(
        {
            **(entity_schema.metadata or {}),
            b"sangsaeng.source_sha256": source_hash.encode(),
            b"sangsaeng.source_name": source.name.encode(),
            b"sangsaeng.mapping": mapping_text.encode(),
        }
    )
    work = _Pass(source, mapping, sheet, schema, max_errors, accept_partial, progress, limits)
    checker = checker_for(mapping)
    with (
        _claimed(output.with_name(f".{output.name}.{uuid.uuid4().hex}{PARTIAL}")) as temporary,
        _claimed(rejected_path.with_name(f".{rejected_path.name}.{uuid.uuid4().hex}{PARTIAL}")) as rejected_temporary,
    ):
        try:
            done = work.run(checker, temporary, rejected_temporary)
            # Keys repeat: read the file again, numbering samples or setting repeats apart (rare, paid only then).
            while not done.refused and checker.another_pass():
                done = work.run(checker, temporary, rejected_temporary)
        finally:
            checker.close()
        if done.refused:
            return IngestResult(done.report, False, output, 0, 0, None, origin=made_from)
        if done.written == 0:
            raise nothing_kept(done.report, source.name)
        os.replace(temporary, output)
        if done.rejected:
            os.replace(rejected_temporary, rejected_path)
        return IngestResult(
            done.report,
            True,
            output,
            done.written,
            done.rejected,
            rejected_path if done.rejected else None,
            origin=made_from,
        )


class NothingKept(InvalidInput):
    """A dataset would have no row: refused (``details`` says how many rows were read and set aside, and why)."""


def nothing_kept(report: Report, name: str) -> NothingKept:
    """The refusal of a dataset without rows: how many rows, how many set aside, the main problems, what to do."""
    top = ", ".join(f"{code} ({count})" for code, count in report.top_codes())
    return refused_as(
        NothingKept,
        "ingest.no-rows" if report.rows == 0 else "ingest.all-set-aside",
        at="file",
        shape=CAMEL,
        extra={"rows": report.rows, "rowsSetAside": report.rows_set_aside, "report": report.to_dict()},
        name=name,
        rows=report.rows,
        top=top,
    )


@dataclass(frozen=True)
class _Done:
    report: Report
    written: int
    rejected: int
    refused: bool  # more problems than allowed: nothing is to be published


@dataclass(frozen=True)
class _Pass:
    """One pass over the source: good rows to the output, bad ones (with reasons) beside it. The Parquet
    encoding and compression of one batch runs in a writer thread while the next batch is read and checked; at
    most two batches wait for it, so memory stays bounded. Notes never set a row aside; errors do."""

    source: Path
    mapping: Mapping
    sheet: str | None
    schema: pa.Schema
    max_errors: int
    accept_partial: bool
    progress: Callable[[int], None] | None
    limits: Limits

    def run(self, checker: Checker, temporary: Path, rejected_temporary: Path) -> _Done:
        report = Report()
        report.extend(asked(mapping=self.mapping))
        written = rejected_rows = 0
        rejected_writer: pacsv.CSVWriter | None = None
        pending: deque[Future[None]] = deque()
        try:
            with (
                pq.ParquetWriter(temporary, self.schema, compression="zstd") as writer,
                ThreadPoolExecutor(1, thread_name_prefix="parquet-writer") as background,
            ):
                for step in read_through(self.source, self.mapping, self.sheet, checker, self.limits):
                    batch, canonical, row = step.source, step.canonical, step.first_row
                    report.extend(step.findings)
                    report.rows += batch.num_rows
                    if report.errors > self.max_errors and not self.accept_partial:
                        break
                    good = canonical
                    bad_rows = (error_rows(step.findings) - row).tolist()
                    if bad_rows:
                        keep = np.ones(batch.num_rows, dtype=bool)
                        keep[bad_rows] = False
                        good = canonical.filter(pa.array(keep))
                        rejected_writer = self._reject(rejected_writer, rejected_temporary, step, bad_rows)
                        rejected_rows += len(bad_rows)
                    if good.num_rows:
                        while len(pending) >= 2:
                            pending.popleft().result()
                        out = pa.RecordBatch.from_arrays(good.columns, schema=self.schema)
                        pending.append(background.submit(writer.write_batch, out))
                        written += good.num_rows
                    if self.progress is not None:
                        self.progress(batch.num_rows)
                while pending:
                    pending.popleft().result()
        finally:
            if rejected_writer is not None:
                rejected_writer.close()
        refused = report.errors > self.max_errors and not self.accept_partial
        return _Done(report, written, rejected_rows, refused)

    @staticmethod
    def _reject(writer: pacsv.CSVWriter | None, path: Path, step: Step, bad_rows: list[int]) -> pacsv.CSVWriter:
        """The rows set aside, as the file had them, with their record number, sheet row and problems (errors
        and notes alike: a person correcting the row sees everything about it)."""
        reasons: dict[int, list[str]] = {}
        for finding in step.findings:
            reasons.setdefault(finding.row - step.first_row, []).append(f"{finding.field}: {finding.code}")
        rejected = step.source.take(pa.array(bad_rows, pa.int64()))
        lines = (
            pa.array(step.lines[bad_rows], pa.int64())
            if step.lines is not None
            else pa.nulls(len(bad_rows), pa.int64())
        )
        rejected = (
            rejected.append_column("row", pa.array([step.first_row + i for i in bad_rows], pa.int64()))
            .append_column("line", lines)
            .append_column("problems", pa.array(["; ".join(reasons[i]) for i in bad_rows]))
        )
        rejected = safe_batch(rejected, keep_numbers=True)  # opened in a spreadsheet to be corrected: no formulas
        if writer is None:
            writer = pacsv.CSVWriter(path, rejected.schema)
        writer.write_batch(rejected)
        return writer
