"""Dataset versions: every version is one immutable Parquet file in the dataset store (``sangsaeng.datasets``).

CSV is converted while it streams in (record batch by record batch), Parquet is checked and copied. The file is
made in the store's staging folder and put into the store only when whole, so a failed import leaves nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sangsaeng.datasets.port import DatasetStore, join
from sangsaeng.digest import sha256_file
from sangsaeng.errors import InvalidInput

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
PARQUET_SUFFIXES = {".parquet", ".pq"}


@dataclass(frozen=True)
class StoredFile:
    relative_path: str
    columns: list[dict[str, str]]
    rows: int
    bytes: int
    sha256: str


def detect_format(name: str, content_type: str | None = None) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in PARQUET_SUFFIXES or (content_type or "").endswith("parquet"):
        return "parquet"
    if suffix in CSV_SUFFIXES or (content_type or "").startswith("text/csv"):
        return "csv"
    raise InvalidInput(
        f"cannot tell the format of {name!r}",
        hint="give a .csv or .parquet file (or Content-Type text/csv / application/vnd.apache.parquet)",
    )


BLOCK = 8 << 20


def _csv_batches(source: Path) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    delimiter = "\t" if source.suffix.lower() == ".tsv" else ","
    try:
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(block_size=BLOCK),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
        )
        names = reader.schema.names  # Arrow does not check that the header is UTF-8: decoding it does
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{source.name}: the header row is not UTF-8 text",
            position="row 0",
            hint="save it as UTF-8 CSV (a CP949 file can go through `POST /api/ingest`, which reads CP949)",
        ) from exc
    except pa.ArrowException as exc:
        raise _unreadable(source, exc, "row 1") from exc
    for name, field in zip(names, reader.schema, strict=True):
        if pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type):
            raise InvalidInput(
                f"{source.name}, column {name}: not UTF-8 text",
                position=f"column {name}",
                hint="save the whole file as UTF-8 CSV",
            )
    return reader.schema, iter(reader)


def _unreadable(source: Path, exc: Exception, where: str) -> InvalidInput:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "straddl" in text:
        return InvalidInput(
            f"{source.name}, {where}: a value or row too long to read (megabytes without a line end)",
            position=where,
            hint="a value this long is usually a missing closing quote: check the quotes around that row",
        )
    return InvalidInput(
        f"{source.name}, {where}: {text}",
        position=where,
        hint="every row must have the header's columns, values of one type, in UTF-8",
    )


STREAMS = "streams/"
RECEIVED = "received/"  # copies of partners' data, one folder per agreement (``sangsaeng.received``)


def is_received(relative: str) -> bool:
    """A version that is a received copy's folder: its files are those the copy's record names now."""
    return relative.startswith(RECEIVED)


def is_stream(relative: str) -> bool:
    """A version that is a stream's landing folder: it grows as the stream lands (see sangsaeng.streams)."""
    return relative.startswith(STREAMS)


def stream_folder(streams_dir: Path, relative: str) -> Path:
    """The working folder (manifest, state, status) of the stream whose dataset key is ``relative``."""
    return streams_dir / relative.removeprefix(STREAMS)


def version_files(streams_dir: Path, relative: str) -> list[str]:
    """The keys of the Parquet files a version's readers read now: its one file, or the stream's committed
    parts (as its manifest, in the stream's folder, names them)."""
    if is_stream(relative):
        from sangsaeng.streams.landing import landed

        return [join(relative, p.path) for p in landed(stream_folder(streams_dir, relative))]
    return [relative]


def live_size(streams_dir: Path, relative: str) -> tuple[int, int] | None:
    """Rows and bytes landed so far, for a stream's version (None for a file)."""
    if not is_stream(relative):
        return None
    from sangsaeng.streams.landing import landed

    parts = landed(stream_folder(streams_dir, relative))
    return sum(p.rows for p in parts), sum(p.bytes for p in parts)


def version_key(dataset_id: str, version: int) -> str:
    """Where a new version's file goes in the dataset store. The name is unique, so two versions numbered alike
    at the same moment never overwrite each other's file (the database keeps only one of them)."""
    folder_name = hashlib.sha256(dataset_id.encode()).hexdigest()[:24]
    return f"{folder_name}/v{version}-{uuid.uuid4().hex[:12]}.parquet"


def rejected_key(key: str) -> str:
    """Where the rows an ingest set aside go, beside its version's file."""
    return key.removesuffix(".parquet") + ".rejected.csv"


def describe(local: Path, key: str) -> StoredFile:
    """What the catalog records of a version's Parquet file, read from the finished file before it is stored."""
    meta = pq.ParquetFile(local)
    columns = [{"name": f.name, "type": str(f.type)} for f in meta.schema_arrow]
    return StoredFile(key, columns, meta.metadata.num_rows, local.stat().st_size, sha256_file(local))


def store_version(source: Path, store: DatasetStore, dataset_id: str, version: int, fmt: str) -> StoredFile:
    """Copy or convert ``source`` into the dataset store as the Parquet file of one dataset version."""
    key = version_key(dataset_id, version)
    staged = store.staging() / f".{uuid.uuid4().hex}.tmp"
    try:
        if fmt == "csv":
            schema, batches = _csv_batches(source)
            rows = 0
            with pq.ParquetWriter(staged, schema, compression="zstd") as writer:
                try:
                    for batch in batches:
                        writer.write_batch(batch)
                        rows += batch.num_rows
                except pa.ArrowException as exc:
                    raise _unreadable(source, exc, f"row {rows + 1} or later") from exc
        else:
            try:
                meta = pq.ParquetFile(source)
                schema = meta.schema_arrow
                schema.names  # noqa: B018 - names that are not UTF-8 fail here, not in every later reader
            except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
                raise InvalidInput(f"{source.name} is not a Parquet file that can be read: {exc}") from exc
            rows = meta.metadata.num_rows
            shutil.copyfile(source, staged)
        if rows == 0 and len(schema) == 0:
            raise InvalidInput(f"{source.name} holds no columns")
        stored = describe(staged, key)
        store.put(staged, key)  # whole or not at all; refused or failed, nothing is left in the store
        return stored
    finally:
        staged.unlink(missing_ok=True)
