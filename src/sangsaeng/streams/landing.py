"""Landing: micro-batches of measurements appended to a time-partitioned Parquet dataset, atomically.

A stream's parts are dataset files, in the dataset store under the stream's prefix (``streams/<name>/``)::

    data/date=2026-11-24/part-000000042-0.parquet     measurements, by UTC day (or day and hour)
    rejected/date=2026-11-24/part-000000042.parquet   messages that could not be read, with the reason

and its folder on the connector's disk holds what only its ingester writes::

    _state/000000042.bin                               the ingester's memory as of commit 42
    _manifest.jsonl                                    one line per commit: the files it added

With the local store both are the same folder, as they always were. A commit puts its files into the store (each
whole: fsync'd and renamed, or uploaded), then writes the ingester's state, then appends its line to the manifest
and fsyncs it: that line is the commit. It stays a local file because a commit must be one durable append, which
an object store has not. Readers take the files the manifest names, so they never see part of a batch. After a
crash, ``recover`` cuts an unfinished manifest line and deletes the files of the commit that did not happen
(listing the stream's parts in the store); the state of the last commit tells the ingester where it was (which
messages it had already landed, Sparkplug aliases …).
"""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sangsaeng.datasets.local import LocalDatasets, fsync
from sangsaeng.datasets.port import DatasetStore, join

MANIFEST = "_manifest.jsonl"
STATE = "_state"
STAGING = ".staging"  # parts being made, before they are put into the store
DATA = "data"
REJECTED = "rejected"
DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000


@dataclass(frozen=True)
class Part:
    path: str  # relative to the stream's folder
    rows: int
    bytes: int
    first: int | None = None  # µs since the epoch: the earliest and latest measurement in it
    last: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "rows": self.rows, "bytes": self.bytes, "first": self.first, "last": self.last}


@dataclass(frozen=True)
class Commit:
    number: int
    at: str
    parts: tuple[Part, ...]
    rejected: tuple[Part, ...]
    removed: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.parts)


def _write_durably(path: Path, write: Any) -> int:
    """Write through ``write(file)`` under a hidden name, fsync, rename into place; the file's size."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temporary, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.stat().st_size


def _parse(lines: bytes) -> tuple[list[Commit], int]:
    """Commits in whole manifest lines, and where the whole lines end (a cut last line is left out)."""
    commits: list[Commit] = []
    end = 0
    for line in lines.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break
        try:
            item = orjson.loads(line)
            commit = Commit(
                int(item["n"]),
                str(item["at"]),
                tuple(Part(**p) for p in item["add"]),
                tuple(Part(**p) for p in item.get("rejected", [])),
                tuple(item.get("remove", [])),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            break
        commits.append(commit)
        end += len(line)
    return commits, end


class Lander:
    """The one writer of a stream's folder and parts (one ingester per stream: ``lock`` makes sure). Its parts go
    to ``store`` under ``prefix``: by default a local store in the folder itself."""

    def __init__(self, root: Path, partition: str = "day", store: DatasetStore | None = None, prefix: str = "") -> None:
        self.root = root
        self.store = store if store is not None else LocalDatasets(root)
        self.prefix = prefix
        self.step = DAY_US if partition == "day" else HOUR_US
        self.partition = partition
        self.number = 0
        self._manifest: Any = None
        self._lock_file: Any = None

    # ---- start -------------------------------------------------------------------------------------
    def lock(self) -> None:
        """Refuse a second ingester on the same stream (two writers would interleave their commits)."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(self.root / ".lock", "w")  # noqa: SIM115 - held for the lander's life
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            self._lock_file = None
            from sangsaeng.errors import Conflict

            raise Conflict(
                f"another ingester is writing the stream in {self.root}",
                hint="stop it first, or give this mapping another stream name",
            ) from None

    def recover(self) -> bytes | None:
        """Undo an interrupted commit; the state saved with the last commit (None for a new stream)."""
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / STATE).mkdir(exist_ok=True)
        manifest = self.root / MANIFEST
        raw = manifest.read_bytes() if manifest.exists() else b""
        commits, end = _parse(raw)
        if end != len(raw):
            with open(manifest, "r+b") as f:
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())
        self.number = commits[-1].number if commits else 0
        kept: set[str] = set()
        for c in commits:
            kept.update(p.path for p in (*c.parts, *c.rejected))
            kept.difference_update(c.removed)
        for folder in (DATA, REJECTED):
            for key in self.store.files_under(join(self.prefix, folder), hidden=True):
                if key.removeprefix(self.prefix).lstrip("/") not in kept:
                    self.store.delete(key)
        staging = self.root / STAGING
        staging.mkdir(exist_ok=True)
        for path in staging.iterdir():  # parts of a commit that did not happen
            path.unlink()
        state: bytes | None = None
        for path in (self.root / STATE).iterdir():
            if path.name == f"{self.number:09d}.bin":
                state = path.read_bytes()
            else:
                path.unlink()
        self._manifest = open(manifest, "ab")  # noqa: SIM115 - kept open for appends
        return state

    def close(self) -> None:
        if self._manifest is not None:
            self._manifest.close()
            self._manifest = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    # ---- commit ------------------------------------------------------------------------------------
    def _folder(self, base: str, start_us: int) -> str:
        moment = datetime.fromtimestamp(start_us / 1e6, UTC)
        if self.partition == "hour":
            return f"{base}/date={moment:%Y-%m-%d}/hour={moment:%H}"
        return f"{base}/date={moment:%Y-%m-%d}"

    def _write(self, relative: str, table: pa.Table) -> int:
        """One part, made in the store's staging folder and put into the store whole and durably; its size."""
        staged = self.root / STAGING / f"part-{uuid.uuid4().hex}.parquet"
        try:
            with open(staged, "wb") as f:
                pq.write_table(table, f, compression="zstd", row_group_size=max(1, table.num_rows))
            size = staged.stat().st_size
            self.store.put(staged, join(self.prefix, relative), durable=True)
        finally:
            staged.unlink(missing_ok=True)
        return size

    def commit(self, table: pa.Table, rejected: pa.Table, state: bytes) -> Commit:
        """Land one micro-batch (measurements and rejected messages) with the ingester's state, all or nothing."""
        assert self._manifest is not None, "recover() first"
        number = self.number + 1
        parts: list[Part] = []
        if table.num_rows:
            stamps = table.column("timestamp").cast(pa.int64()).to_numpy()
            buckets = stamps // self.step
            distinct = np.unique(buckets)
            for k, bucket in enumerate(distinct):
                if len(distinct) == 1:
                    piece, in_piece = table, stamps
                else:
                    mask = buckets == bucket
                    piece, in_piece = table.filter(pa.array(mask)), stamps[mask]
                relative = f"{self._folder(DATA, int(bucket) * self.step)}/part-{number:09d}-{k}.parquet"
                size = self._write(relative, piece)
                parts.append(Part(relative, piece.num_rows, size, int(in_piece.min()), int(in_piece.max())))
        rejects: list[Part] = []
        if rejected.num_rows:
            first = int(pc.min(rejected.column("received_at")).cast(pa.int64()).as_py())
            relative = f"{self._folder(REJECTED, first)}/part-{number:09d}.parquet"
            rejects.append(Part(relative, rejected.num_rows, self._write(relative, rejected)))
        state_dir = self.root / STATE
        _write_durably(state_dir / f"{number:09d}.bin", lambda f: f.write(state))
        fsync(state_dir)
        at = datetime.now(UTC).isoformat()
        line = {"n": number, "at": at, "add": [p.to_dict() for p in parts], "rejected": [p.to_dict() for p in rejects]}
        self._manifest.write(orjson.dumps(line) + b"\n")
        self._manifest.flush()
        os.fsync(self._manifest.fileno())
        (state_dir / f"{self.number:09d}.bin").unlink(missing_ok=True)
        self.number = number
        return Commit(number, at, tuple(parts), tuple(rejects))


# ---- readers ---------------------------------------------------------------------------------------------
class _Seen:
    def __init__(self) -> None:
        self.end = 0
        self.inode = 0
        self.commits: list[Commit] = []


_read_lock = threading.Lock()
_seen: dict[Path, _Seen] = {}


def commits(root: Path) -> list[Commit]:
    """The stream's commits, read incrementally: only what the manifest gained since the last call is parsed."""
    manifest = root / MANIFEST
    try:
        info = manifest.stat()
    except FileNotFoundError:
        return []
    with _read_lock:
        seen = _seen.setdefault(root, _Seen())
        if info.st_ino != seen.inode or info.st_size < seen.end:  # replaced or cut by a recovery
            seen.end, seen.commits, seen.inode = 0, [], info.st_ino
        if info.st_size > seen.end:
            with open(manifest, "rb") as f:
                f.seek(seen.end)
                more, used = _parse(f.read(info.st_size - seen.end))
            seen.commits = [*seen.commits, *more]
            seen.end += used
        return seen.commits


def landed(root: Path, which: str = "parts") -> list[Part]:
    """The files readers may read now (``parts`` or ``rejected``), oldest commit first."""
    current: dict[str, Part] = {}
    for c in commits(root):
        for p in c.parts if which == "parts" else c.rejected:
            current[p.path] = p
        for path in c.removed:
            current.pop(path, None)
    return list(current.values())
