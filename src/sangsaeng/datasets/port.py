"""The dataset store: the one way dataset files are written and read, wherever they live.

A dataset version is one immutable Parquet file; a machine stream's dataset is a folder of parts that grows one
commit at a time. Both are named by *keys*, relative POSIX paths under the store's root
(``3f2a…/v1-ab12cd34ef56.parquet``, ``streams/line2/data/date=2026-11-24/part-000000042-0.parquet``): the
catalog keeps the key of each version, a stream's manifest the keys of its parts. Adapters
(``datasets.local``, ``datasets.s3``) put them in a folder or an S3 bucket through pyarrow's filesystems.

The rule every adapter keeps: **a file appears whole or not at all.** Files are made in a local staging folder
(``staging()``) and published by ``put``, which renames (a folder) or uploads (S3, where an object is visible
only once its upload completed). Keys are never reused (their names carry a random part), so a failed ``put``
never replaces a good file, and readers open only keys that the catalog or a manifest named after their ``put``
returned. Nothing here knows about HTTP or SQL; pyarrow does the I/O.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from sangsaeng.errors import InvalidInput

_SEGMENT = re.compile(r"[A-Za-z0-9._=@+\-]+")


def check_key(key: str) -> str:
    """A key as the store accepts it: relative, ``/``-separated, no empty, ``.`` or ``..`` segment, no character
    a shell or URL would read otherwise. Keys come from the catalog and manifests, never from a caller; a key that
    breaks the rule is a fault, refused before any I/O."""
    segments = key.split("/")
    if not key or any(s in ("", ".", "..") or not _SEGMENT.fullmatch(s) for s in segments):
        raise InvalidInput(
            f"{key[:200]!r} is not a dataset key",
            position="key",
            hint="a key is a relative path of letters, digits and . _ = @ + -, without empty, . or .. parts",
        )
    return key


def join(*parts: str) -> str:
    """Keys and folders joined with ``/`` (empty parts left out)."""
    return "/".join(p.strip("/") for p in parts if p.strip("/"))


class DatasetStore(ABC):
    """Where dataset files live. ``where`` names it for people (a folder, ``s3://bucket/prefix``)."""

    where: str
    filesystem: pafs.FileSystem
    base: str  # the root's path in ``filesystem``

    # ---- what each adapter decides -------------------------------------------------------------------------
    @abstractmethod
    def staging(self) -> Path:
        """A local folder for files being made before ``put`` publishes them (it exists)."""

    @abstractmethod
    def put(self, local: Path, key: str, *, durable: bool = False) -> None:
        """Publish the finished file ``local`` under ``key``, whole or not at all; once it is published ``local`` is
        gone (if the put fails, the caller still owns it). ``durable``: on return the file survives a crash of the
        machine (a folder fsyncs; S3 is so on upload)."""

    # ---- what every adapter does the same way, through its filesystem --------------------------------------
    def path(self, key: str) -> str:
        """The key's path in ``filesystem`` (for pyarrow's readers and datasets)."""
        return f"{self.base}/{check_key(key)}"

    def open(self, key: str) -> pa.NativeFile:
        """The file for reading, random access (Parquet reads its footer first)."""
        return self.filesystem.open_input_file(self.path(key))

    def parquet(self, key: str, **options: Any) -> pq.ParquetFile:
        """A stored Parquet file, opened for streaming reads (``options`` as ``pq.ParquetFile`` takes them)."""
        return pq.ParquetFile(self.open(key), **options)

    def read_schema(self, key: str) -> pa.Schema:
        with self.open(key) as handle:
            schema: pa.Schema = pq.read_schema(handle)
        return schema

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as handle:
            data: bytes = handle.read()
        return data

    def chunks(self, key: str, size: int = 1 << 20) -> Iterator[bytes]:
        """The file's bytes, ``size`` at a time (an iterator; the file is closed when it ends)."""
        with self.filesystem.open_input_stream(self.path(key)) as handle:
            while chunk := handle.read(size):
                yield chunk

    def size(self, key: str) -> int | None:
        """The file's size in bytes; None when there is no such file."""
        info = self.filesystem.get_file_info(self.path(key))
        return info.size if info.type == pafs.FileType.File else None

    def files_under(self, prefix: str, *, hidden: bool = False) -> list[str]:
        """Every file under the folder ``prefix``, as keys, sorted; hidden names (``.…``: files being made, debris
        of a crash) only when asked for."""
        base = self.path(prefix) if prefix else self.base
        selector = pafs.FileSelector(base, recursive=True, allow_not_found=True)
        start = len(base) + 1
        found = []
        for info in self.filesystem.get_file_info(selector):
            if info.type != pafs.FileType.File:
                continue
            relative = info.path[start:]
            if not hidden and any(part.startswith(".") for part in relative.split("/")):
                continue
            found.append(join(prefix, relative))
        return sorted(found)

    def delete(self, key: str) -> None:
        """Remove a file; one that is not there is no error."""
        try:
            self.filesystem.delete_file(self.path(key))
        except FileNotFoundError:
            pass

    def local_paths(self, keys: list[str]) -> list[str] | None:
        """The files as paths on this machine, where the store is a folder (DuckDB's own Parquet reader is about
        twice as fast as its scan of an Arrow dataset); None where they are elsewhere."""
        return None

    def dataset(self, keys: list[str]) -> pads.Dataset:
        """Parquet files as one Arrow dataset (DuckDB scans it with projection pushed down)."""
        return pads.dataset([self.path(k) for k in keys], filesystem=self.filesystem, format="parquet")
