"""A pulled Arrow stream written as one Parquet file of a received copy, batch by batch (blocking: run it in a
worker thread). The provider's answer is first kept as it arrives in a hidden file in the dataset store's staging
folder; only an answer that ended as an Arrow stream ends (its end-of-stream marker) is turned into Parquet."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sangsaeng.catalog.files import RECEIVED
from sangsaeng.digest import sha256_file
from sangsaeng.errors import PeerError
from sangsaeng.standard.labels import entity_of

ROW_GROUP_ROWS = 50_000  # a preview or a page reads one row group or two, whatever the provider's batches were
EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"  # an Arrow IPC stream's end (continuation marker, length 0)


def folder(agreement_id: str) -> str:
    """The folder of an agreement's copy in the dataset store (agreement ids are a provider's choice: hashed)."""
    return f"{RECEIVED}{hashlib.sha256(agreement_id.encode()).hexdigest()[:24]}"


def new_key(agreement_id: str) -> str:
    """A fresh key for a file of the copy: never reused, so a failed refresh never replaces a good file."""
    return f"{folder(agreement_id)}/{uuid.uuid4().hex}.parquet"


def spool_path(staging: Path) -> Path:
    return staging / f".received-{uuid.uuid4().hex}.arrows"


class CutOff(PeerError):
    """The provider's answer ended before its end, or broke off inside: nothing of it is kept."""


class NotArrow(PeerError):
    """The provider's answer does not even begin as an Arrow stream (an HTML page, say): nothing of it is kept."""


@dataclass(frozen=True)
class Landed:
    """A finished Parquet file in staging, described."""

    path: Path
    rows: int
    bytes: int
    sha256: str
    columns: list[dict[str, str]]
    entity: str | None


def to_parquet(spool: Path, out: Path) -> Landed:
    """The spooled Arrow stream as a Parquet file ``out``, one record batch at a time (row groups of at most
    ``ROW_GROUP_ROWS``)."""
    size = spool.stat().st_size
    try:  # the stream's schema comes first: an answer without one is no Arrow stream at all, cut off or not
        with pa.OSFile(str(spool)) as head:
            pa.ipc.open_stream(head)
    except (pa.ArrowException, ValueError, OSError) as exc:
        raise NotArrow(f"the provider's answer is not an Arrow stream: {exc}"[:500]) from exc
    with open(spool, "rb") as tail:
        tail.seek(max(0, size - len(EOS)))
        if size < len(EOS) or tail.read() != EOS:
            raise CutOff(f"the provider's stream ended after {size:,} bytes, before its end; nothing was kept")
    rows = 0
    try:
        with pa.OSFile(str(spool)) as source:
            reader = pa.ipc.open_stream(source)
            with pq.ParquetWriter(out, reader.schema, compression="zstd") as writer:
                for batch in reader:
                    writer.write_batch(batch, row_group_size=ROW_GROUP_ROWS)
                    rows += batch.num_rows
            schema = reader.schema
    except (pa.ArrowException, ValueError, OSError) as exc:
        raise CutOff(f"the provider's answer is not a readable Arrow stream: {exc}"[:500]) from exc
    written = str((schema.metadata or {}).get(b"sangsaeng.entity", b"").decode(errors="replace")) or None
    return Landed(
        out,
        rows,
        out.stat().st_size,
        sha256_file(out),
        [{"name": f.name, "type": str(f.type)} for f in schema],
        written or entity_of(schema.names),
    )
