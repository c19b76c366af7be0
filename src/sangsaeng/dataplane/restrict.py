"""What a decision's restrictions do to data on its way out: rows scoped to the consumer, columns masked with a
keyed hash, and aggregates over groups large enough to hide any one row.

Masking: HMAC-SHA-256 under a key derived (HKDF) from the provider's private key and the consumer's id — the
same value masks the same way in every pull of that consumer (joins and counts still work), differently for
another consumer (two recipients cannot match their copies), and nobody without the provider's key can reverse
it. Only distinct values are hashed (dictionary encoding), not every cell.

Aggregates: a small query model (group-by fields, measures count/sum/mean/min/max/quantile), validated against
what the decision permits and run by DuckDB over the Parquet files — read by DuckDB itself from a local store, an
Arrow dataset over an S3 one, projection pushed down either way — with quoted identifiers and bound values, never
SQL from outside (standard data of an older schema version is read upgraded, see ``standard.versions``).
Groups smaller than the minimum are left out, and the answer says how many were.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any, Literal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sangsaeng.datasets.port import DatasetStore
from sangsaeng.errors import Forbidden, InvalidInput
from sangsaeng.policy.decide import Restrictions
from sangsaeng.standard import versions

MASK_HEX = 32  # 128 bits of the HMAC: collisions are not a concern, the values stay short


def mask_key(key: Ed25519PrivateKey, consumer: str) -> bytes:
    secret = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return HKDF(hashes.SHA256(), 32, salt=b"sangsaeng-mask-v1", info=consumer.encode()).derive(secret)


def mask(column: pa.Array, key: bytes) -> pa.Array:
    """Each value as the hex of its keyed hash (text of the value as Arrow casts it); nulls stay null."""
    encoded = pc.dictionary_encode(pc.cast(column, pa.string()) if not pa.types.is_string(column.type) else column)
    hashed = [
        None if value is None else hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:MASK_HEX]
        for value in encoded.dictionary.to_pylist()
    ]
    return pc.take(pa.array(hashed, pa.string()), encoded.indices)


def needed_columns(output: list[str], restrictions: Restrictions) -> list[str]:
    """The columns to read: those delivered, and those the row scope looks at."""
    extra = [f for f, _ in restrictions.rows or () if f not in output]
    return output + list(dict.fromkeys(extra))


def row_filter(batch: pa.RecordBatch, restrictions: Restrictions) -> pa.Array | None:
    if restrictions.rows is None:
        return None
    keep: pa.Array | None = None
    for field, value in restrictions.rows:
        if field not in batch.schema.names:
            match = pa.array([False] * batch.num_rows)
        else:
            match = pc.fill_null(pc.equal(pc.cast(batch.column(field), pa.string()), value), False)
        keep = match if keep is None else pc.or_(keep, match)
    return keep if keep is not None else pa.array([False] * batch.num_rows)


def restrict(batch: pa.RecordBatch, output: list[str], restrictions: Restrictions, key: bytes) -> pa.RecordBatch:
    """One batch as the consumer may see it."""
    keep = row_filter(batch, restrictions)
    if keep is not None:
        batch = batch.filter(keep)
    columns, fields = [], []
    for name in output:
        column = batch.column(name)
        if name in restrictions.masked:
            column = mask(column, key)
        columns.append(column)
        fields.append(pa.field(name, column.type))
    return pa.RecordBatch.from_arrays(columns, schema=pa.schema(fields))


def output_schema(schema: pa.Schema, output: list[str], restrictions: Restrictions) -> pa.Schema:
    return pa.schema([pa.field(n, pa.string()) if n in restrictions.masked else schema.field(n) for n in output])


# ---- aggregates ----------------------------------------------------------------------------------------------
class Measure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    op: Literal["count", "sum", "mean", "min", "max", "quantile"]
    field: str | None = Field(None, description="The field measured (not for count)")
    q: float | None = Field(None, ge=0, le=1, description="quantile: which one, 0 … 1")

    @model_validator(mode="after")
    def _shape(self) -> Measure:
        if self.op != "count" and not self.field:
            raise ValueError(f"'{self.op}' needs a field")
        if (self.op == "quantile") != (self.q is not None):
            raise ValueError("give q for a quantile, and only for a quantile")
        return self

    @property
    def name(self) -> str:
        if self.op == "count":
            return "count"
        return f"{self.op}_{self.field}" + (f"_{self.q:g}" if self.q is not None else "")


class AggregateQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    group_by: list[str] = Field(default_factory=list, alias="groupBy", max_length=8)
    measures: list[Measure] = Field(min_length=1, max_length=32)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _upgraded(store: DatasetStore, files: list[str]) -> Iterator[pa.RecordBatch]:
    for key in files:
        with store.open(key) as source:
            yield from versions.read_batches(source)


def aggregate(
    store: DatasetStore, files: list[str], query: AggregateQuery, allowed: list[str], restrictions: Restrictions
) -> dict[str, Any]:
    """Run a validated aggregate query; groups under the minimum size are suppressed."""
    allowed_set = set(allowed) - set(restrictions.masked)
    for where, name in [*(("groupBy", g) for g in query.group_by), *(("measures", m.field) for m in query.measures)]:
        if name is None:
            continue
        if name not in allowed_set:
            reason = "is masked" if name in restrictions.masked else "is not among the fields the agreement allows"
            raise Forbidden(f"{name!r} {reason}", position=where)
    k = restrictions.min_group_size or 1
    selects = [_quote(g) for g in query.group_by]
    for m in query.measures:
        column = _quote(m.field) if m.field else ""
        expression = {
            "count": "count(*)",
            "sum": f"sum({column})",
            "mean": f"avg({column})",
            "min": f"min({column})",
            "max": f"max({column})",
            "quantile": f"quantile_cont({column}, ?)",
        }[m.op]
        selects.append(f"{expression} AS {_quote(m.name)}")
    parameters: list[Any] = [m.q for m in query.measures if m.op == "quantile"]
    where = ""
    if restrictions.rows is not None:
        where = " WHERE " + " OR ".join(f"CAST({_quote(f)} AS VARCHAR) = ?" for f, _ in restrictions.rows)
        parameters += [v for _, v in restrictions.rows]
    group = f" GROUP BY {', '.join(_quote(g) for g in query.group_by)}" if query.group_by else ""
    if not files:
        raise InvalidInput("there is no data to aggregate yet", hint="ask again once the stream has landed data")
    # Standard data of an older schema version is aggregated as the current version: read through the upgrade
    # (an Arrow stream DuckDB scans as it comes), not as the Parquet files, which hold the stored columns.
    stored = store.read_schema(files[0])
    upgraded, paths = versions.needs_upgrade(stored), store.local_paths(files)
    scanned = "read_parquet(?)" if paths is not None and not upgraded else "stored_data"
    if scanned != "stored_data":
        parameters.insert(sum(1 for m in query.measures if m.op == "quantile"), paths)
    sql = f"SELECT {', '.join(selects)}, count(*) AS __n FROM {scanned}{where}{group}"
    with duckdb.connect() as connection:
        if upgraded:
            batches = _upgraded(store, files)
            connection.register(
                "stored_data", pa.RecordBatchReader.from_batches(versions.upgraded_schema(stored), batches)
            )
        elif paths is None:  # S3: an Arrow dataset over the store, projection pushed down
            connection.register("stored_data", store.dataset(files))
        try:
            result = connection.sql(sql, params=parameters).to_arrow_table()
        except duckdb.Error as exc:
            raise InvalidInput(f"the aggregate cannot be computed: {str(exc).splitlines()[0]}") from exc
    assert result is not None
    table: pa.Table = result
    sizes = table.column("__n")
    large = pc.greater_equal(sizes, k)
    kept = table.filter(large).drop_columns(["__n"])
    return {
        "groupBy": query.group_by,
        "minGroupSize": k,
        "groups": kept.to_pylist(),
        "suppressed": table.num_rows - kept.num_rows,
    }
