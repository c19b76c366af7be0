"""Reading a received copy from the dataset store without holding it whole: the first rows, a page of rows, a
sample for a chart, and downloads written batch by batch. Blocking: run these in worker threads."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq

from sangsaeng.dataplane.serve import arrow_stream
from sangsaeng.datasets.port import DatasetStore
from sangsaeng.standard import exports

BATCH_ROWS = 10_000
CHART_POINTS = 2_000


def schema_of(store: DatasetStore, files: list[str]) -> pa.Schema:
    return store.read_schema(files[0])


def batches(
    store: DatasetStore, files: list[str], columns: list[str] | None = None, batch_rows: int = BATCH_ROWS
) -> Iterator[pa.RecordBatch]:
    """Every row of the copy, file after file, a batch at a time (only ``columns``, when named)."""
    for key in files:
        handle = store.parquet(key, buffer_size=4 << 20, pre_buffer=False)
        try:
            yield from handle.iter_batches(batch_size=batch_rows, columns=columns)
        finally:
            handle.close()


def rows(store: DatasetStore, files: list[str], offset: int, limit: int) -> pa.Table:
    """Rows ``offset`` to ``offset + limit``: whole row groups before them are skipped by their counts in the
    footer, never read."""
    schema = schema_of(store, files)
    taken: list[pa.Table] = []
    wanted = limit
    skip = offset
    for key in files:
        if wanted <= 0:
            break
        handle = store.parquet(key)
        try:
            for group in range(handle.metadata.num_row_groups):
                count = handle.metadata.row_group(group).num_rows
                if skip >= count:
                    skip -= count
                    continue
                if wanted <= 0:
                    break
                part = handle.read_row_group(group).slice(skip, wanted)
                skip = 0
                wanted -= part.num_rows
                taken.append(part)
        finally:
            handle.close()
    return pa.concat_tables(taken) if taken else schema.empty_table()


def chart_sample(store: DatasetStore, files: list[str], total: int) -> pa.Table | None:
    """The first time column and up to four numeric ones, every n-th row (at most ``CHART_POINTS``), read only
    those columns and a batch at a time; None when the copy has no time or no numbers."""
    schema = schema_of(store, files)
    times = [f.name for f in schema if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type)]
    numbers = [f.name for f in schema if pa.types.is_floating(f.type) or pa.types.is_integer(f.type)]
    if not times or not numbers:
        return None
    columns = [times[0], *numbers[:4]]
    step = max(1, -(-total // CHART_POINTS))
    seen, kept = 0, []
    for batch in batches(store, files, columns):
        first = (-seen) % step  # the first index in this batch that is a multiple of step overall
        picked = list(range(first, batch.num_rows, step))
        if picked:
            kept.append(batch.take(pa.array(picked)))
        seen += batch.num_rows
    chosen = pa.schema([schema.field(c) for c in columns])
    table = pa.Table.from_batches(kept, schema=chosen) if kept else chosen.empty_table()
    return table.sort_by(times[0])


class TooManyRowsForExcel(exports.TooManyRowsForExcel):
    """More rows than a sheet holds: said before anything is written."""


def excel_limit() -> int:
    """Data rows an Excel sheet holds (the header row is the sheet's first)."""
    return exports.EXCEL_ROWS - 1


def xlsx_file(store: DatasetStore, files: list[str], total: int) -> IO[bytes]:
    """The copy as a workbook in a temporary file (gone once closed); refused before writing beyond Excel's rows."""
    if total > excel_limit():
        raise TooManyRowsForExcel(total)
    out = tempfile.TemporaryFile()
    try:
        exports.write_xlsx(batches(store, files), schema_of(store, files), out, rows=total)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    with file:  # closed (and so removed) however the download ends
        while chunk := file.read(1 << 20):
            yield chunk


def csv_chunks(store: DatasetStore, files: list[str]) -> Iterator[bytes]:
    """CSV with formula-leading text neutralised (``standard/exports.py``)."""
    return exports.csv_chunks(batches(store, files), schema_of(store, files))


def arrow_chunks(store: DatasetStore, files: list[str]) -> Iterator[bytes | memoryview]:
    return arrow_stream(schema_of(store, files), batches(store, files))


def parquet_chunks(store: DatasetStore, files: list[str]) -> Iterator[bytes]:
    """One file is sent as it is stored; several (a stream's copy) are written as one, a batch at a time."""
    if len(files) == 1:
        yield from store.chunks(files[0])
        return
    sink = exports.Chunks()
    with pq.ParquetWriter(sink, schema_of(store, files), compression="zstd") as writer:
        for batch in batches(store, files):
            writer.write_batch(batch)
            yield sink.take()
    yield sink.take()
