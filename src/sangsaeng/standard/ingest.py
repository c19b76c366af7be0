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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sangsaeng.digest import sha256_file
from sangsaeng.standard.entities import arrow_schema
from sangsaeng.standard.mapping import Applier, Mapping
from sangsaeng.standard.sources import open_source
from sangsaeng.standard.validation import Checker, Finding, Report

PARTIAL = ".partial"


@dataclass(frozen=True)
class Step:
    """One batch of a source read through a mapping: the text, its canonical form, and what was wrong."""

    source: pa.RecordBatch
    canonical: pa.RecordBatch
    findings: list[Finding]
    first_row: int


def read_through(source: Path, mapping: Mapping, sheet: str | None = None) -> Iterator[Step]:
    """Read a file batch by batch through a mapping, checking each canonical batch (duplicates across batches
    included)."""
    reader = open_source(source, sheet)
    applier, checker, row = Applier(mapping), Checker(mapping.model), 1
    for batch in reader.batches():
        canonical, findings = applier.apply(batch, first_row=row)
        yield Step(batch, canonical, [*findings, *checker.check(canonical, first_row=row)], row)
        row += batch.num_rows


def check_file(source: Path, mapping: Mapping, sheet: str | None = None) -> Report:
    """Every problem of a file read through a mapping; writes nothing."""
    report = Report()
    for step in read_through(source, mapping, sheet):
        report.extend(step.findings)
        report.rows += step.source.num_rows
    return report


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
    with (
        _claimed(output.with_name(f".{output.name}.{uuid.uuid4().hex}{PARTIAL}")) as temporary,
        _claimed(rejected_path.with_name(f".{rejected_path.name}.{uuid.uuid4().hex}{PARTIAL}")) as rejected_temporary,
    ):
        return _write(
            source,
            mapping,
            sheet,
            schema,
            temporary,
            rejected_temporary,
            output,
            rejected_path,
            max_errors,
            accept_partial,
            progress,
            made_from,
        )


def _write(
    source: Path,
    mapping: Mapping,
    sheet: str | None,
    schema: pa.Schema,
    temporary: Path,
    rejected_temporary: Path,
    output: Path,
    rejected_path: Path,
    max_errors: int,
    accept_partial: bool,
    progress: Callable[[int], None] | None,
    made_from: str,
) -> IngestResult:
    report = Report()
    written = rejected_rows = 0
    rejected_writer: pacsv.CSVWriter | None = None
    try:
        with pq.ParquetWriter(temporary, schema, compression="zstd") as writer:
            for step in read_through(source, mapping, sheet):
                batch, canonical, checked, row = step.source, step.canonical, step.findings, step.first_row
                report.extend(checked)
                report.rows += batch.num_rows
                bad_rows = sorted({f.row - row for f in checked})
                if report.errors > max_errors and not accept_partial:
                    break
                keep = pc.invert(pc.is_in(pa.array(range(batch.num_rows)), value_set=pa.array(bad_rows, pa.int64())))
                good = canonical.filter(keep)
                if good.num_rows:
                    writer.write_batch(pa.RecordBatch.from_arrays(good.columns, schema=schema))
                    written += good.num_rows
                if bad_rows:
                    reasons: dict[int, list[str]] = {}
                    for finding in checked:
                        reasons.setdefault(finding.row - row, []).append(f"{finding.field}: {finding.code}")
                    rejected = batch.take(pa.array(bad_rows, pa.int64()))
                    rejected = rejected.append_column(
                        "row", pa.array([row + i for i in bad_rows], pa.int64())
                    ).append_column("problems", pa.array(["; ".join(reasons[i]) for i in bad_rows]))
                    if rejected_writer is None:
                        rejected_writer = pacsv.CSVWriter(rejected_temporary, rejected.schema)
                    rejected_writer.write_batch(rejected)
                    rejected_rows += len(bad_rows)
                if progress is not None:
                    progress(batch.num_rows)
        if rejected_writer is not None:
            rejected_writer.close()
            rejected_writer = None
        if report.errors > max_errors and not accept_partial:
            return IngestResult(report, False, output, 0, 0, None, origin=made_from)
        os.replace(temporary, output)
        if rejected_rows:
            os.replace(rejected_temporary, rejected_path)
        return IngestResult(
            report, True, output, written, rejected_rows, rejected_path if rejected_rows else None, origin=made_from
        )
    finally:
        if rejected_writer is not None:
            rejected_writer.close()
