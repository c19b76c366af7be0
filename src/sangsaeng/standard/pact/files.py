"""PACT files beside canonical Parquet: footprints out as PACT documents, PACT documents in as canonical data.

Both are whole or nothing: one footprint PACT cannot be written from, or one document that cannot be read, and no
file is written — the answer lists every footprint's problems instead. Files appear under their name only when
complete (written beside it under a hidden name, then renamed).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import ValidationError

from sangsaeng.encoding.strict import read_json
from sangsaeng.errors import InvalidInput, SangsaengError
from sangsaeng.standard.entities import ProductFootprint, arrow_schema
from sangsaeng.standard.pact.read import Reading, read_pact
from sangsaeng.standard.pact.requirements import unsaid
from sangsaeng.standard.pact.write import to_pact
from sangsaeng.standard.said import PerLanguage, Problem, refusal
from sangsaeng.standard.versions import read_table

MAX_DEPTH = 64


@dataclass
class Refused:
    """One footprint or document that could not be written or read: which, and the error saying why."""

    which: str
    error: SangsaengError


@dataclass
class Exported:
    documents: list[dict[str, Any]] = field(default_factory=list)
    unsaid: dict[str, list[str]] = field(default_factory=dict)  # footprint id → fields the version cannot hold
    refused: list[Refused] = field(default_factory=list)


@dataclass
class Imported:
    readings: list[Reading] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


def footprints_of(path: Path) -> list[ProductFootprint]:
    """The footprints of a canonical Parquet file (any stored version, read as the current one)."""
    table = read_table(path)
    entity = (table.schema.metadata or {}).get(b"sangsaeng.entity", b"").decode()
    if entity != ProductFootprint.entity:
        raise refusal("pact.not-footprints", name=path.name, entity=entity or "-")
    found = []
    for row, values in enumerate(table.to_pylist(), start=1):
        try:
            found.append(ProductFootprint.model_validate(_defaults_for_nulls(values)))
        except ValidationError as exc:
            first = exc.errors()[0]
            cause = (first.get("ctx") or {}).get("error")
            en, ko = (cause.en, cause.ko) if isinstance(cause, Problem) else (first["msg"], first["msg"])
            raise refusal(
                "pact.not-canonical",
                at=f"row {row}, {'.'.join(map(str, first['loc']))}",
                row=row,
                problem=PerLanguage({"en": en, "ko": ko}.__getitem__),
            ) from exc
    return found


def _defaults_for_nulls(values: dict[str, Any]) -> dict[str, Any]:
    """A stored row with its empty cells as the model's defaults where it has one that is not "unknown": a list
    no cell filled is an empty list, a status or a version nobody gave is the model's (Active, 1). Required fields
    and fields whose default is None stay as stored."""
    fields = ProductFootprint.model_fields
    return {
        name: value
        for name, value in values.items()
        if value is not None or name not in fields or fields[name].is_required() or fields[name].default is None
    }


def export(footprints: list[ProductFootprint], version: str, now: datetime) -> Exported:
    """Every footprint as a document of ``version``; ``now`` is ``created`` where a footprint has none."""
    done = Exported()
    for footprint in footprints:
        try:
            done.documents.append(to_pact(footprint, version, created=now))
        except InvalidInput as exc:
            done.refused.append(Refused(footprint.id, exc))
            continue
        left = unsaid(footprint, version)
        if left:
            done.unsaid[footprint.id] = left
    return done


def documents_in(raw: bytes) -> list[Any]:
    """The documents of a PACT JSON file: one ``ProductFootprint``, an array of them, or an API answer's body
    (``{"data": …}``)."""
    value = read_json(raw, MAX_DEPTH, InvalidInput)
    if isinstance(value, dict) and "data" in value and "pcf" not in value:
        value = value["data"]
    return value if isinstance(value, list) else [value]


def read_documents(documents: list[Any]) -> Imported:
    done, seen = Imported(), set()
    for index, document in enumerate(documents):
        try:
            reading = read_pact(document)
        except InvalidInput as exc:
            done.refused.append(Refused(f"[{index}]", exc))
            continue
        if reading.footprint.id in seen:
            done.refused.append(
                Refused(
                    f"[{index}]",
                    refusal("pact.twice", at="id", id=reading.footprint.id),
                )
            )
            continue
        seen.add(reading.footprint.id)
        done.readings.append(reading)
    return done


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_documents(documents: list[dict[str, Any]], out: Path) -> list[Path]:
    """``out`` ending in ``.json``: one JSON array of every document; else a folder with one ``<id>.json`` each."""
    if out.suffix.lower() == ".json":
        _write_atomically(out, _json(documents))
        return [out]
    written = []
    for document in documents:
        path = out / f"{document['id']}.json"
        _write_atomically(path, _json(document))
        written.append(path)
    return written


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_footprints(readings: list[Reading], out: Path, source: Path, raw: bytes) -> None:
    """The footprints read as one canonical Parquet file, with the entity's metadata and where they came from."""
    schema = arrow_schema(ProductFootprint)
    schema = schema.with_metadata(
        {
            **(schema.metadata or {}),
            b"sangsaeng.source_sha256": hashlib.sha256(raw).hexdigest().encode(),
            b"sangsaeng.source_name": source.name.encode(),
        }
    )
    table = pa.Table.from_pylist([r.footprint.model_dump() for r in readings], schema=schema)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.{uuid.uuid4().hex}.partial")
    try:
        pq.write_table(table, temporary, compression="zstd")
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
