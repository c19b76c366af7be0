"""Ingest: a factory file, read through a mapping, checked, and written as one canonical Parquet file — whole or
not at all.

The output is written under a hidden temporary name beside its destination and renamed only when complete; a
crash leaves at most a hidden ``.…partial`` file, which the next ingest into that folder removes. A partial file is
locked (``flock``) while it is written, so the clean-up never takes the file of an ingest still running; the kernel
drops the lock of a killed process. With more
problems than allowed nothing is written; with ``accept_partial`` the rows without problems are written and the
others go, with their reasons, to a ``.rejected.csv`` beside the output. The source's SHA-256 and the mapping are
recorded in the Parquet metadata, so ingesting the same file with the same mapping again changes nothing.
"""

from __future__ import annotations

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

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sangsaeng.digest import sha256_file
from sangsaeng.standard.entities import arrow_schema
from sangsaeng.standard.mapping import Applier, Mapping
from sangsaeng.standard.sources import DEFAULT, open_source
from sangsaeng.standard.validation import Checker, Finding, Report
from sangsaeng.standard.workbook import Limits
from sangsaeng.transfer.exports import safe_batch

PARTIAL = ".partial"


@dataclass(frozen=True)
class Step:
    """One batch of a source read through a mapping: the text, its canonical form, and what was wrong."""

    source: pa.RecordBatch
    canonical: pa.RecordBatch
    findings: list[Finding]
    first_row: int


def read_through(
    source: Path,
    mapping: Mapping,
    sheet: str | None = None,
    checker: Checker | None = None,
    limits: Limits = DEFAULT,
) -> Iterator[Step]:
    """Read a file batch by batch through a mapping, checking each canonical batch. Repeated keys are reported
    only by a ``checker`` given the repeated rows a first pass found (see ``Checker``)."""
    reader = open_source(source, sheet, limits)
    applier, row = Applier(mapping), 1
    checker = checker or Checker(mapping.model)
    for batch in reader.batches():
        canonical, findings = applier.apply(batch, first_row=row)
        yield Step(batch, canonical, [*findings, *checker.check(canonical, first_row=row)], row)
        row += batch.num_rows


def check_file(source: Path, mapping: Mapping, sheet: str | None = None, limits: Limits = DEFAULT) -> Report:
    """Every problem of a file read through a mapping; writes nothing. A second pass only if keys repeat."""

    def one_pass(checker: Checker) -> Report:
        report = Report()
        for step in read_through(source, mapping, sheet, checker, limits):
            report.extend(step.findings)
            report.rows += step.source.num_rows
        return report

    first = Checker(mapping.model)
    report = one_pass(first)
    repeated = first.repeated_keys()
    return one_pass(Checker(mapping.model, repeated)) if repeated else report


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
    hashing the source again when the caller has done so."""
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
    with (
        _claimed(output.with_name(f".{output.name}.{uuid.uuid4().hex}{PARTIAL}")) as temporary,
        _claimed(rejected_path.with_name(f".{rejected_path.name}.{uuid.uuid4().hex}{PARTIAL}")) as rejected_temporary,
    ):
        first = Checker(mapping.model)
        done = work.run(first, temporary, rejected_temporary)
        if not done.refused and (repeated := first.repeated_keys()):
            # Keys repeat: read the file again, this time setting those rows apart (rare, so paid only then).
            done = work.run(Checker(mapping.model, repeated), temporary, rejected_temporary)
        if done.refused:
            return IngestResult(done.report, False, output, 0, 0, None, origin=made_from)
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
    most two batches wait for it, so memory stays bounded."""

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
        written = rejected_rows = 0
        rejected_writer: pacsv.CSVWriter | None = None
        pending: deque[Future[None]] = deque()
        try:
            with (
                pq.ParquetWriter(temporary, self.schema, compression="zstd") as writer,
                ThreadPoolExecutor(1, thread_name_prefix="parquet-writer") as background,
            ):
                for step in read_through(self.source, self.mapping, self.sheet, checker, self.limits):
                    batch, canonical, checked, row = step.source, step.canonical, step.findings, step.first_row
                    report.extend(checked)
                    report.rows += batch.num_rows
                    if report.errors > self.max_errors and not self.accept_partial:
                        break
                    good = canonical
                    if checked:
                        bad_rows = sorted({f.row - row for f in checked})
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
        reasons: dict[int, list[str]] = {}
        for finding in step.findings:
            reasons.setdefault(finding.row - step.first_row, []).append(f"{finding.field}: {finding.code}")
        rejected = step.source.take(pa.array(bad_rows, pa.int64()))
        rejected = rejected.append_column(
            "row", pa.array([step.first_row + i for i in bad_rows], pa.int64())
        ).append_column("problems", pa.array(["; ".join(reasons[i]) for i in bad_rows]))
        rejected = safe_batch(rejected, keep_numbers=True)  # opened in a spreadsheet to be corrected: no formulas
        if writer is None:
            writer = pacsv.CSVWriter(path, rejected.schema)
        writer.write_batch(rejected)
        return writer
