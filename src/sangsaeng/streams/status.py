"""What the connector tells about streams: read from their folders (the ingesters write, this only reads)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from sangsaeng.datasets.port import DatasetStore, join
from sangsaeng.errors import NotFound
from sangsaeng.streams.ingester import MAPPING, STATUS
from sangsaeng.streams.landing import commits, landed
from sangsaeng.streams.mapping import NAME
from sangsaeng.streams.runner import STREAMS

FRESH_SECONDS = 5.0  # an ingester writes its status every second: older than this, it is not running


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        found = orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    return found if isinstance(found, dict) else None


def folder(streams_dir: Path, name: str) -> Path:
    root = streams_dir / name
    if not NAME.match(name) or not (root / MAPPING).exists():
        raise NotFound(f"no stream {name!r}", hint="start one with `sangsaeng stream mqtt|opcua --mapping FILE`")
    return root


def describe(root: Path, now: datetime | None = None) -> dict[str, Any]:
    status = _read_json(root / STATUS) or {}
    mapping = _read_json(root / MAPPING) or {}
    parts = landed(root)
    rejected = landed(root, "rejected")
    updated = status.get("updated_at")
    age = (now or datetime.now(UTC)) - datetime.fromisoformat(updated) if updated else None
    running = bool(age is not None and age.total_seconds() < FRESH_SECONDS and status.get("counters"))
    history = commits(root)
    return {
        "stream": root.name,
        "kind": status.get("kind") or next(iter(mapping.get("source", {}) or {}), None),
        "title": mapping.get("title", root.name),
        "running": running and not status.get("stopped", False),
        "connected": bool(status.get("connected")) and running,
        "error": status.get("error"),
        "problem": status.get("problem"),  # the last thing the stream got past (or is struggling with)
        "datasetId": status.get("dataset_id"),
        "landed": {
            "rows": sum(p.rows for p in parts),
            "bytes": sum(p.bytes for p in parts),
            "files": len(parts),
            "commits": history[-1].number if history else 0,
            "lastCommitAt": history[-1].at if history else None,
            "rejected": sum(p.rows for p in rejected),
        },
        "counters": status.get("counters", {}),
        "messagesPerSecond": status.get("messages_per_second", 0.0) if running else 0.0,
        "lagSeconds": status.get("lag_seconds", 0.0) if running else None,
        "newestMeasurement": status.get("newest_measurement"),
        "updatedAt": updated,
        "sparkplug": _sparkplug(status, mapping),
        "events": status.get("events", []),
    }


def _sparkplug(status: dict[str, Any], mapping: dict[str, Any]) -> dict[str, Any] | None:
    """What the host's seq numbers tell (saved with every commit) and the window it waits for late messages."""
    if "sparkplug" not in (mapping.get("source") or {}):
        return None
    c = status.get("counters", {})
    window = (mapping.get("sparkplug") or {}).get("reorder") or {}
    return {
        "reordered": c.get("reordered", 0),  # delivered out of order within the window: nothing lost
        "gaps": c.get("gaps", 0),  # messages lost: seq numbers that never came within the window
        "late": c.get("late", 0),  # behind the newest seq, filling no hole: a repeat, or later than its window
        "staleDeaths": c.get("stale_deaths", 0),  # NDEATHs of no living session, ignored
        "rebirths": c.get("rebirths", 0),
        "reorderWindow": {"seconds": window.get("seconds"), "messages": window.get("messages")},
    }


def all_streams(streams_dir: Path) -> list[dict[str, Any]]:
    base = streams_dir
    if not base.exists():
        return []
    return [describe(p) for p in sorted(base.iterdir()) if (p / MAPPING).exists()]


def rejected_messages(store: DatasetStore, root: Path, limit: int) -> list[dict[str, Any]]:
    """The newest rejected messages, newest first, payloads shown as text where they are (the parts are in the
    dataset store under the stream's prefix, ``streams/<name>``)."""
    out: list[dict[str, Any]] = []
    for part in reversed(landed(root, "rejected")):
        with store.open(join(STREAMS, root.name, part.path)) as source:
            table: pa.Table = pq.read_table(source)
        for row in reversed(table.to_pylist()):
            payload = row["payload"]
            text: str | None = None
            if payload is not None:
                try:
                    text = payload.decode("utf-8")
                except UnicodeDecodeError:
                    text = "0x" + payload[:256].hex()
            out.append(
                {
                    "receivedAt": row["received_at"].isoformat(),
                    "source": row["source"],
                    "reason": row["reason"],
                    "payload": text,
                }
            )
            if len(out) >= limit:
                return out
    return out
