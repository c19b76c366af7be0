"""Stored canonical data of an older schema version, read as the current version.

A dataset's bytes never change once stored: their SHA-256 is signed into agreements and lineage. So an entity's
new schema version does not rewrite old files; they are upgraded as they are read, one step per version, each
step a function of one record batch (``STEPS``). A file says what it holds in its Parquet metadata
(``sangsaeng.entity``, ``sangsaeng.version``); files without them (plain uploads) are read as they are.

    for batch in read_batches(path, batch_rows=65_536):  # every batch in the current schema of its entity
        ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sangsaeng.standard.entities import ENTITIES, arrow_schema

Step = Callable[[pa.RecordBatch], pa.RecordBatch]


def _with_columns(batch: pa.RecordBatch, values: dict[str, pa.Array]) -> pa.RecordBatch:
    for name, column in values.items():
        if name not in batch.schema.names:
            batch = batch.append_column(name, column)
    return batch


def _nulls(batch: pa.RecordBatch, entity: str, names: tuple[str, ...]) -> dict[str, pa.Array]:
    schema = arrow_schema(ENTITIES[entity])
    return {name: pa.nulls(batch.num_rows, schema.field(name).type) for name in names}


def quality_result_1_to_2(batch: pa.RecordBatch) -> pa.RecordBatch:
    """v1 keys were unique per subject, characteristic and time: each record was the only sample, sample 1."""
    added = _nulls(batch, "quality_result", ("nominal", "lot", "disposition"))
    added["sample"] = pa.array(np.ones(batch.num_rows, dtype=np.int64))
    return _with_columns(batch, added)


def production_run_1_to_2(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Shift, start, end, defects and cavities were not recorded: unknown."""
    names = ("shift", "started_at", "ended_at", "defect_count", "cavities")
    return _with_columns(batch, _nulls(batch, "production_run", names))


def energy_record_1_to_2(batch: pa.RecordBatch) -> pa.RecordBatch:
    """No calorific value was recorded, and whether a reading was estimated was not said: unknown, not false."""
    names = ("calorific_factor", "calorific_unit", "calorific_basis", "estimated")
    return _with_columns(batch, _nulls(batch, "energy_record", names))


def product_footprint_1_to_2(batch: pa.RecordBatch) -> pa.RecordBatch:
    """What PACT v2.3 and v3.0 add was not recorded: unknown (null), and no lists of it (empty)."""
    schema = arrow_schema(ENTITIES["product_footprint"])
    added = _nulls(
        batch,
        "product_footprint",
        tuple(f.name for f in schema if f.name not in batch.schema.names and not pa.types.is_list(f.type)),
    )
    for f in schema:
        if f.name not in batch.schema.names and pa.types.is_list(f.type):
            added[f.name] = pa.array([[] for _ in range(batch.num_rows)], f.type)
    return _with_columns(batch, added)


def part_type_1_to_2(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The customer's name for the part and the classification's standard were not recorded: unknown."""
    return _with_columns(batch, _nulls(batch, "part_type", ("name_at_customer", "classification_standard")))


def bom_link_1_to_2(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The customer and whether the child had alternatives were not recorded: unknown, not false."""
    return _with_columns(batch, _nulls(batch, "bom_link", ("customer", "has_alternatives")))


# (entity, version) → the function that makes a batch of that version one of the next version.
STEPS: dict[tuple[str, int], Step] = {
    ("quality_result", 1): quality_result_1_to_2,
    ("production_run", 1): production_run_1_to_2,
    ("energy_record", 1): energy_record_1_to_2,
    ("product_footprint", 1): product_footprint_1_to_2,
    ("part_type", 1): part_type_1_to_2,
    ("bom_link", 1): bom_link_1_to_2,
}


def stored_version(schema: pa.Schema) -> tuple[str, int] | None:
    """(entity, version) a stored file's schema says it holds; None for data that is not canonical."""
    meta = schema.metadata or {}
    entity = meta.get(b"sangsaeng.entity", b"").decode()
    if entity not in ENTITIES:
        return None
    try:
        return entity, int(meta.get(b"sangsaeng.version", b"1"))
    except ValueError:
        return None


def needs_upgrade(schema: pa.Schema) -> bool:
    stored = stored_version(schema)
    return stored is not None and stored[1] < ENTITIES[stored[0]].schema_version


def upgraded_schema(schema: pa.Schema) -> pa.Schema:
    """The schema a stored file is read with: the current one of its entity (its other metadata kept)."""
    stored = stored_version(schema)
    if stored is None or not needs_upgrade(schema):
        return schema
    current = arrow_schema(ENTITIES[stored[0]])
    return current.with_metadata({**(schema.metadata or {}), **(current.metadata or {})})


def upgrade(batch: pa.RecordBatch, schema: pa.Schema | None = None) -> pa.RecordBatch:
    """A batch of a stored file (whose schema is ``schema``, or the batch's own) in its entity's current schema:
    columns in the current schema's order, extra columns of the file dropped. A batch read with only some of the
    file's columns keeps only those, and the ones the steps add."""
    schema = schema or batch.schema
    stored = stored_version(schema)
    if stored is None or not needs_upgrade(schema):
        return batch
    entity, version = stored
    while version < ENTITIES[entity].schema_version:
        batch = STEPS[(entity, version)](batch)
        version += 1
    target = upgraded_schema(schema)
    kept = [f for f in target if f.name in batch.schema.names]
    return pa.RecordBatch.from_arrays(
        [batch.column(f.name) for f in kept], schema=pa.schema(kept, metadata=target.metadata)
    )


def read_batches(
    path: Path | pa.NativeFile,
    columns: list[str] | None = None,
    batch_rows: int = 65_536,
    *,
    buffer_size: int = 4 << 20,
) -> Iterator[pa.RecordBatch]:
    """A stored Parquet file's batches (a path, or a file the dataset store opened) in the current schema of its
    entity, only ``columns`` (in that order) when given. The file is read as it is (its bytes are never changed);
    columns it lacks are made by the steps."""
    source = pq.ParquetFile(path, pre_buffer=False, buffer_size=buffer_size)
    schema = source.schema_arrow
    if not needs_upgrade(schema):
        yield from source.iter_batches(batch_size=batch_rows, columns=columns, use_threads=True)
        return
    stored = None if columns is None else [c for c in schema.names if c in columns]
    for batch in source.iter_batches(batch_size=batch_rows, columns=stored, use_threads=True):
        whole = upgrade(batch, schema)
        yield whole if columns is None else whole.select(columns)


def read_schema(path: Path) -> pa.Schema:
    """The schema ``read_batches`` yields for a whole stored file."""
    return upgraded_schema(pq.read_schema(path))


def read_table(path: Path) -> pa.Table:
    schema = read_schema(path)
    return pa.Table.from_batches(list(read_batches(path)), schema=schema)
