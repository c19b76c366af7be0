"""The data plane: a dataset leaves only through here, with a valid transfer token, as the decision allows.

Data streams record batch by record batch (never a whole table in memory) as an Arrow IPC stream (default),
Parquet, CSV, JSON or JSON lines, chosen by ``Accept``. Columns the decision does not permit are never read.
CSV is written by ``exports.csv_chunks``: text that would start a spreadsheet formula leaves neutralised.
"""

from __future__ import annotations

import json
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import anyio
import pyarrow as pa
import pyarrow.parquet as pq

from sangsaeng.catalog.files import is_received, is_stream, stream_folder, version_files
from sangsaeng.connector import Connector
from sangsaeng.dataplane.restrict import mask_key, needed_columns, output_schema, restrict
from sangsaeng.dataplane.terms import use_decision
from sangsaeng.dataplane.tokens import REFUSED, TransferTokens
from sangsaeng.datasets.port import DatasetStore
from sangsaeng.dsp import transfer as m
from sangsaeng.dsp.outbox import Handler, settle_implied
from sangsaeng.errors import Forbidden, InvalidInput, NotAcceptable, Unauthenticated
from sangsaeng.policy.decide import Restrictions
from sangsaeng.standard import versions
from sangsaeng.standard.exports import Chunks, csv_chunks

ARROW = "application/vnd.apache.arrow.stream"
PARQUET = "application/vnd.apache.parquet"
CSV = "text/csv"
JSON = "application/json"
NDJSON = "application/x-ndjson"
MEDIA_TYPES = {
    ARROW: ARROW,
    "application/vnd.apache.arrow": ARROW,
    PARQUET: PARQUET,
    "application/x-parquet": PARQUET,
    CSV: CSV,
    JSON: JSON,
    NDJSON: NDJSON,
    "application/jsonl": NDJSON,
}
SUFFIX = {ARROW: ".arrows", PARQUET: ".parquet", CSV: ".csv", JSON: ".json", NDJSON: ".jsonl"}


def choose_media_type(accept: str | None) -> str:
    """Pick the first supported type from an Accept header (q-values respected); Arrow when anything goes."""
    if not accept:
        return ARROW
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, index, pieces[0].lower()))
    for negative_q, _, media in sorted(ranked):
        if negative_q >= 0:
            continue
        if media in MEDIA_TYPES:
            return MEDIA_TYPES[media]
        if media in ("*/*", "application/*"):
            return ARROW
    raise NotAcceptable(
        f"cannot deliver {accept!r}", hint=f"ask for one of {', '.join(sorted(set(MEDIA_TYPES.values())))}"
    )


@dataclass
class Grant:
    store: DatasetStore  # where the files are
    files: list[str]  # their keys: the version's file, or a stream's parts landed when the access began
    schema: pa.Schema
    columns: list[str]  # the columns delivered, in the file's order
    reasons: tuple[str, ...]
    restrictions: Restrictions = field(default_factory=Restrictions)
    mask_key: bytes = b""
    agreement_id: str | None = None
    consumer: str | None = None
    use: int = 0  # which use of the agreement this access is (counted when authorized)
    rows_served: int = 0  # counted as the stream goes
    position: str | None = None  # a stream's: the last commit whose parts this access reads (the consumer's token)

    @property
    def plain(self) -> bool:
        """Nothing to do to the rows: they leave as they are read."""
        return not self.restrictions.masked and self.restrictions.rows is None


POSITION_HEADER = "Sangsaeng-Position"
_POSITION = re.compile(r"[0-9]{1,18}")


def read_position(after: str | None) -> int | None:
    """The position a consumer asks to read a stream after (the token a ``Sangsaeng-Position`` header gave it);
    a token that is not one of ours is refused before anything is counted."""
    if after is None:
        return None
    if not _POSITION.fullmatch(after):
        raise InvalidInput(
            f"{after[:40]!r} is not a position this data plane gave",
            position="after",
            hint=f"send back the {POSITION_HEADER} header of an earlier answer, or leave 'after' out to read all",
        )
    return int(after)


async def authorize(
    connector: Connector,
    transfers: Handler,
    transfer_id: str,
    token: str | None,
    operation: str = "read",
    after: int | None = None,
) -> Grant:
    """Check the token, the transfer and the agreement; count this access; say what may leave and how.

    ``transfers`` is the transfer process's outbox handler: a valid token proves our start message arrived.
    ``after``: of a stream's dataset, only the parts committed after that position (see ``read_position``)."""
    TransferTokens(connector).check(transfer_id, token)
    async with connector.store.begin() as tx:
        transfer = await tx.transfers.get(transfer_id, for_update=True)
        if transfer is None or transfer.role != m.PROVIDER:
            raise Unauthenticated(REFUSED)
        if not connector.directory.is_active(transfer.counterparty):  # suspended or gone: as an unknown caller
            raise Unauthenticated(REFUSED)
        if transfer.state == m.REQUESTED:
            # A valid token comes only in our start message: the consumer has it, so it was received, even if
            # its acknowledgement is still on the way back to our outbox. Apply it now rather than race it.
            await settle_implied(tx, transfers, transfer.id, m.START)
            transfer = await tx.transfers.get(transfer_id, for_update=True)
            assert transfer is not None
        if transfer.state != m.STARTED:
            raise Forbidden(f"the transfer is {transfer.state}, not STARTED")
        agreement = await tx.agreements.get(transfer.agreement_id, for_update=True)
        if agreement is None:
            raise Forbidden("the agreement no longer exists")
        decision = await use_decision(connector, tx, agreement, operation)
        if not decision.permit:
            words = "only aggregates" if decision_for_aggregates(decision, operation) else "this access"
            raise Forbidden(f"the agreement does not permit {words}", details={"reasons": list(decision.reasons)})
        dataset = await tx.datasets.get(agreement.dataset_id)
        if dataset is None or dataset.latest is None:
            raise Forbidden("the dataset is no longer available")
        relative = dataset.latest.path
        parts: tuple[list[str], str | None] | None = None
        if is_stream(relative):  # the parts and the position they reach, read together; refused before a use
            parts = await anyio.to_thread.run_sync(_parts_after, connector, relative, after)
        elif is_received(relative):  # a copy we received, offered on: the files its record names now
            copy = await tx.received.get(dataset.id)
            if copy is None:
                raise Forbidden("the dataset is no longer available")
            parts = ([f.key for f in copy.files], None)
        if after is not None and not is_stream(relative):
            raise InvalidInput(
                "'after' reads a stream's new parts; this agreement's dataset is not a stream",
                position="after",
                hint="leave 'after' out: the dataset is read whole",
            )
        agreement.uses += 1
        await tx.agreements.save(agreement)
    files, stored = await anyio.to_thread.run_sync(_stored, connector, relative, parts[0] if parts else None)
    # Standard data of an older schema version leaves in the current one (its file is never rewritten).
    schema = versions.upgraded_schema(stored) if stored is not None else _schema_of(dataset.latest.columns)
    upgraded = stored is not None and versions.needs_upgrade(stored)
    all_columns = schema.names if upgraded else [c["name"] for c in dataset.latest.columns]
    restrictions = decision.restrictions
    key = mask_key(connector.key, agreement.consumer) if restrictions.masked else b""
    return Grant(
        connector.datasets,
        files,
        schema,
        restrictions.apply_to(all_columns),
        decision.reasons,
        restrictions,
        key,
        agreement.id,
        agreement.consumer,
        use=agreement.uses,
        position=parts[1] if parts else None,
    )


def _stored(connector: Connector, relative: str, files: list[str] | None = None) -> tuple[list[str], pa.Schema | None]:
    """The keys a version's readers read now, and the schema its (first) file has (None: no file yet)."""
    if files is None:
        files = version_files(connector.settings.streams_dir, relative)
    return files, connector.datasets.read_schema(files[0]) if files else None


def _parts_after(connector: Connector, relative: str, after: int | None) -> tuple[list[str], str]:
    """A stream's parts committed after ``after`` (all of them without it) and the last commit's number, as its
    manifest says now. A position the stream has not reached was never given: refused."""
    from sangsaeng.datasets.port import join
    from sangsaeng.streams.landing import commits

    current: dict[str, int] = {}  # part → the commit that added it
    last = 0
    for c in commits(stream_folder(connector.settings.streams_dir, relative)):
        for p in c.parts:
            current[p.path] = c.number
        for path in c.removed:
            current.pop(path, None)
        last = c.number
    if after is not None and after > last:
        raise InvalidInput(
            f"position {after} is beyond what this stream has committed ({last})",
            position="after",
            hint="send back the position an earlier answer gave, or leave 'after' out to read all",
        )
    keys = [join(relative, path) for path, n in current.items() if after is None or n > after]
    return keys, str(last)


def _schema_of(columns: list[dict[str, str]]) -> pa.Schema:
    """The schema of a version with no file yet (a stream that has landed nothing)."""
    from sangsaeng.streams.readings import MEASUREMENT

    if [c["name"] for c in columns] == MEASUREMENT.names:
        return MEASUREMENT
    return pa.schema([(c["name"], pa.string()) for c in columns])


def describe(r: Restrictions) -> dict[str, Any]:
    """The restrictions applied, as a log entry names them."""
    shown: dict[str, Any] = {}
    if r.allowed_fields is not None:
        shown["fields"] = sorted(r.allowed_fields)
    if r.masked:
        shown["masked"] = sorted(r.masked)
    if r.rows is not None:
        shown["rows"] = [f"{f} = {v}" for f, v in r.rows]
    if r.aggregate_only:
        shown["aggregateOnly"] = True
    if r.min_group_size:
        shown["minGroupSize"] = r.min_group_size
    return shown


def decision_for_aggregates(decision: Any, operation: str) -> bool:
    """A read refused only because the agreement allows aggregates alone."""
    return operation == "read" and any("only aggregates, no rows" in r for r in decision.reasons)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot serialise {type(value).__name__}")


EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"  # end of an Arrow IPC stream (continuation marker, length 0)


def _has_dictionaries(schema: pa.Schema) -> bool:
    return any(pa.types.is_dictionary(f.type) for f in schema)


def arrow_stream(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> Iterator[bytes | memoryview]:
    """The Arrow IPC streaming format: the schema message, one message per record batch, end-of-stream.

    Each message is serialised by Arrow into one buffer and handed on as it is, without copying. Dictionary
    columns need dictionary messages in between, which only Arrow's stream writer produces: they take that path.
    """
    if _has_dictionaries(schema):
        sink = Chunks()
        with pa.ipc.new_stream(sink, schema) as writer:
            yield sink.take()
            for batch in batches:
                writer.write_batch(batch)
                yield sink.take()
        yield sink.take()
        return
    yield memoryview(schema.serialize())
    for batch in batches:
        yield memoryview(batch.serialize())
    yield EOS


_DONE = object()


def read_ahead(chunks: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Produce ``chunks`` in a thread of its own, at most ``depth`` ahead of the consumer.

    Reading and encoding the next record batch then overlaps with sending the last one. If the consumer stops
    (the client went away), the producer notices within a tenth of a second and stops too.
    """
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        ready.put(chunk, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            ready.put(exc)

    worker = threading.Thread(target=produce, name="data-plane-read-ahead", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def _counting(batches: Iterator[pa.RecordBatch], grant: Grant) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        grant.rows_served += batch.num_rows
        yield batch


def _read(store: DatasetStore, files: list[str], columns: list[str], batch_rows: int) -> Iterator[pa.RecordBatch]:
    for key in files:
        # Buffered reads instead of whole column chunks: a connector's memory stays flat whatever the row groups;
        # an older version of standard data is upgraded batch by batch as it is read.
        with store.open(key) as source:
            yield from versions.read_batches(source, columns, batch_rows, buffer_size=4 << 20)


def stream(grant: Grant, media_type: str, batch_rows: int) -> Iterator[bytes | memoryview]:
    columns, restrictions = grant.columns, grant.restrictions
    schema = output_schema(grant.schema, columns, restrictions)
    read = needed_columns(columns, restrictions)
    batches: Iterator[pa.RecordBatch] = _read(grant.store, grant.files, read, batch_rows)
    if not grant.plain:
        batches = (restrict(b, columns, restrictions, grant.mask_key) for b in batches)
    batches = _counting(batches, grant)
    sink = Chunks()
    if media_type == ARROW:
        yield from arrow_stream(schema, batches)
    elif media_type == PARQUET:
        with pq.ParquetWriter(sink, schema, compression="zstd") as pwriter:
            for batch in batches:
                pwriter.write_batch(batch)
                yield sink.take()
        yield sink.take()
    elif media_type == CSV:  # formula-leading text neutralised: what leaves here may be opened in a spreadsheet
        yield from csv_chunks(batches, schema)
    elif media_type == NDJSON:
        for batch in batches:
            yield "".join(
                json.dumps(r, default=_json_default, ensure_ascii=False) + "\n" for r in batch.to_pylist()
            ).encode()
    else:  # JSON: one array, still written batch by batch
        first = True
        yield b"["
        for batch in batches:
            rows = batch.to_pylist()
            if not rows:
                continue
            text = ",".join(json.dumps(r, default=_json_default, ensure_ascii=False) for r in rows)
            yield (text if first else "," + text).encode()
            first = False
        yield b"]"
