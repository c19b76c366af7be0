"""A consistent copy of a SQLite state file while its connector writes (SQLite's online backup), for exporting a
hosted connector: the store is the one place that opens its database files."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def copy_sqlite(source: Path, target: Path) -> None:
    """``source`` copied to ``target`` page by page, as one consistent state."""
    reading = sqlite3.connect(source)
    writing = sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        writing.close()
        reading.close()
