"""Dataset files in a local folder (the default: ``datasets/`` in the data directory).

Files are made in ``.staging/`` inside the folder, on the same file system, so publishing one is a rename: it
appears whole at once, and costs no copy. A durable ``put`` fsyncs the file, then every folder it created and
the folder it landed in, so that the rename itself survives a power cut (a stream acknowledges on that).
"""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from pathlib import Path

import pyarrow.fs as pafs

from sangsaeng.datasets.port import DatasetStore, check_key

STAGING = ".staging"


def fsync(path: Path) -> None:
    """Flush a file's or a folder's entries to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalDatasets(DatasetStore):
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()  # made by the first file put (``configured.open_store`` makes it at start)
        self.where = str(self.root)
        self.base = self.root.as_posix()
        self.filesystem = pafs.LocalFileSystem()

    def local_paths(self, keys: list[str]) -> list[str] | None:
        return [self.path(k) for k in keys]

    def staging(self) -> Path:
        folder = self.root / STAGING
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def put(self, local: Path, key: str, *, durable: bool = False) -> None:
        target = self.root / check_key(key)
        made: list[Path] = []
        if not target.parent.is_dir():
            made = [p for p in reversed(target.parents) if p.is_relative_to(self.root) and not p.exists()]
            target.parent.mkdir(parents=True, exist_ok=True)
        if durable:
            fsync(local)
        try:
            os.replace(local, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            self._copy_in(local, target, durable)  # made on another file system: copied, then renamed
        if durable:  # the file's entry, and the entry of each folder made for it
            for folder in sorted({target.parent, *(m.parent for m in made)}, key=lambda p: -len(p.parts)):
                fsync(folder)

    @staticmethod
    def _copy_in(local: Path, target: Path, durable: bool) -> None:
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            shutil.copyfile(local, temporary)
            if durable:
                fsync(temporary)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        local.unlink()
