"""kill -9 the ingester while QoS 1 messages arrive: every message the broker accepted lands exactly once, and a
reader never meets part of a batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson

from sangsaeng.streams import landing
from tests.streamtools import Publisher, part_rows, stream_parts, throwaway_broker, wait_until

MESSAGES = 6000


def start(mapping: Path, data_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sangsaeng",
            "stream",
            "mqtt",
            "--mapping",
            str(mapping),
            "--data-dir",
            str(data_dir),
            "--quiet",
            "--no-register",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def running_status(root: Path) -> bool:
    try:
        return bool(orjson.loads((root / "status.json").read_bytes()).get("connected"))
    except (FileNotFoundError, orjson.JSONDecodeError):
        return False


def test_kill_9_loses_nothing_acknowledged_and_lands_nothing_twice(tmp_path: Path) -> None:
    with throwaway_broker(tmp_path) as port:
        mapping = tmp_path / "stream.yaml"
        mapping.write_text(
            f"""
stream: crash
source:
  mqtt: {{port: {port}, client_id: crash-ingester}}
batch: {{rows: 400, seconds: 0.1}}
rules:
  - topic: "plant/{{machine}}/count"
    equipment: "{{machine}}"
    timestamp: {{path: $.ts, format: epoch_us}}
    signal: parts
    value: $.n
    unit: piece
"""
        )
        data_dir = tmp_path / "connector"
        root = data_dir / "datasets" / "streams" / "crash"
        ingester = start(mapping, data_dir)
        wait_until(lambda: running_status(root), 30, what="the ingester to connect")

        problems: list[str] = []
        reading = threading.Event()

        def reader() -> None:
            """Reads whatever the manifest names, all the time: every file must be whole."""
            while not reading.is_set():
                store, keys = stream_parts(root)
                for key in keys:
                    try:
                        store.parquet(key).metadata  # noqa: B018 - reading the footer is the check
                    except FileNotFoundError:
                        continue  # removed by nobody: would be a problem below
                    except Exception as exc:
                        problems.append(f"{key}: {exc}")

        watcher = threading.Thread(target=reader, daemon=True)
        watcher.start()
        publisher = Publisher(port, "machine-gateway")
        base = int(time.time() * 1_000_000)
        sent = threading.Event()
        receipts = []

        def publish() -> None:
            for i in range(MESSAGES):
                receipts.append(publisher.publish(f"plant/m{i % 5}/count", orjson.dumps({"ts": base + i, "n": i})))
                if i % 50 == 0:
                    time.sleep(0.02)  # a steady stream, so that the crashes fall in the middle of it
            sent.set()

        sender = threading.Thread(target=publish, daemon=True)
        sender.start()
        kills = 0
        try:
            for _ in range(3):  # three crashes, at different points of the stream
                wait_until(
                    lambda process=ingester, goal=(kills + 1) * MESSAGES // 4: (  # type: ignore[misc]
                        process.poll() is not None or sum(p.rows for p in landing.landed(root)) >= goal
                    ),
                    30,
                    what=f"commits after {kills} kills",
                )
                assert ingester.poll() is None, ingester.stderr.read().decode() if ingester.stderr else ""
                os.kill(ingester.pid, signal.SIGKILL)
                ingester.wait(10)
                kills += 1
                ingester = start(mapping, data_dir)
            sender.join(60)
            assert sent.is_set()
            for receipt in receipts:  # the broker has accepted every message
                receipt.wait_for_publish(20)
                assert receipt.is_published()
            publisher.close()

            def landed() -> int:
                return sum(p.rows for p in landing.landed(root))

            wait_until(lambda: landed() >= MESSAGES, 60, what=f"{MESSAGES} rows")
            time.sleep(0.5)  # anything landing twice would land now
            ingester.send_signal(signal.SIGTERM)
            assert ingester.wait(20) == 0, ingester.stderr.read().decode() if ingester.stderr else ""
        finally:
            reading.set()
            if ingester.poll() is None:
                ingester.kill()

    counts = sorted(int(r["value"]) for r in part_rows(root, columns=["value"]))
    assert counts == list(range(MESSAGES)), (
        f"missing {set(range(MESSAGES)) - set(counts)}, repeated {len(counts) - len(set(counts))}"
    )
    assert not problems, problems
    leftovers = [p for p in (root / "data").rglob("*") if p.is_file() and p.name.startswith(".")]
    assert not leftovers
