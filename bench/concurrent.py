"""50 pulls at once for a minute against a provider process: its peak and after-load memory beside one pull alone.

The dataset is 100,000 rows of machine time series (8 columns, ~6 MB as Arrow). Baseline, same run, same
provider: one pull at a time, back to back, for a tenth of the load's duration (at least 3 s). Figures: the
provider's peak resident memory under the load divided by its peak under single pulls (aim < 2), and its
resident memory a few seconds after the load divided by what it was before (aim ≤ 1.10). Readers go straight to
the provider's data plane with the transfer token and honour ``503`` with ``Retry-After``.

``SANGSAENG_BENCH_SECONDS`` sets the load's duration (default 60), ``SANGSAENG_BENCH_PULLERS`` the number of
concurrent pullers (default 50).
"""

from __future__ import annotations

import http.client
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from bench.common import Figure, PeakRss, connectors, percentile
from bench.pull import make_dataset

ROWS = 100_000
SETTLE = 5.0  # seconds after the load before memory is read again


@dataclass
class Load:
    pulls: int = 0
    busy: int = 0  # answers 503, honoured by waiting Retry-After
    bytes: int = 0
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def pull_once(endpoint: str, token: str, load: Load) -> None:
    parts = urlsplit(endpoint)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    begun = time.perf_counter()
    try:
        connection.request("GET", parts.path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        if response.status == 503:
            response.read()
            with load.lock:
                load.busy += 1
            time.sleep(float(response.getheader("Retry-After", "1")))
            return
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {response.read()[:200]!r}")
        buffer = bytearray(1 << 20)
        size = 0
        while n := response.readinto(buffer):
            size += n
        with load.lock:
            load.pulls += 1
            load.bytes += size
            load.seconds.append(time.perf_counter() - begun)
    except (OSError, RuntimeError, http.client.HTTPException) as exc:
        with load.lock:
            load.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()


def drive(endpoint: str, token: str, pullers: int, seconds: float) -> Load:
    load = Load()
    until = time.monotonic() + seconds

    def puller() -> None:
        while time.monotonic() < until:
            pull_once(endpoint, token, load)

    threads = [threading.Thread(target=puller, daemon=True) for _ in range(pullers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return load


def rss(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


def run(root: Path) -> Figure:
    seconds = float(os.environ.get("SANGSAENG_BENCH_SECONDS", "60"))
    pullers = int(os.environ.get("SANGSAENG_BENCH_PULLERS", "50"))
    data = root / "series.parquet"
    make_dataset(data, 1e-9, rows_per_batch=ROWS)  # one row group: exactly ROWS rows
    with connectors(root, ["supplier", "oem"]) as nodes:
        supplier, oem = nodes["supplier"], nodes["oem"]
        dataset = supplier.client.add_dataset(data, "machine time series")
        offer = supplier.client.create_offer(dataset["id"], {"permission": [{"action": "use"}]})
        started = oem.client.negotiate(supplier.id, dataset["id"], offer["id"])
        agreement = oem.client.wait_negotiation(started["id"])["agreementId"]
        transfer = oem.client.wait_transfer_ready(oem.client.start_transfer(agreement)["id"])
        db = sqlite3.connect(oem.init.settings.data_dir / "state.db")
        endpoint, token = db.execute(
            "SELECT data_endpoint, data_token FROM transfers WHERE id = ?", (transfer["id"],)
        ).fetchone()
        db.close()
        pid = supplier.process.pid() or 0
        pull_once(endpoint, token, Load())  # warms caches and imports
        time.sleep(1.0)
        idle = rss(pid)
        with PeakRss({"provider": pid}) as alone_memory:
            alone = drive(endpoint, token, 1, max(3.0, seconds / 10))
        time.sleep(SETTLE)
        before = rss(pid)
        with PeakRss({"provider": pid}) as load_memory:
            load = drive(endpoint, token, pullers, seconds)
        time.sleep(SETTLE)
        after = rss(pid)
    os.remove(data)
    if alone.errors or load.errors:
        raise RuntimeError(f"pulls failed: {(alone.errors + load.errors)[:3]}")
    peak_alone, peak_load = alone_memory.peak["provider"], load_memory.peak["provider"]
    mb = 2**20
    return Figure(
        name=f"{pullers} concurrent pulls of {ROWS:,} rows for {seconds:.0f} s: the provider's peak memory",
        value=peak_load / mb,
        unit="MB",
        baseline=peak_alone / mb,
        baseline_name="peak with one pull at a time",
        ratio=peak_load / peak_alone,
        aim="< 2 (peak), ≤ 1.10 after the load",
        memory=f"provider idle {idle / mb:.0f} MB, {before / mb:.0f} MB before the load, {after / mb:.0f} MB"
        f" {SETTLE:.0f} s after it: ratio {after / before:.3f}",
        notes=[
            f"load: {load.pulls:,} pulls ({load.pulls / seconds:.1f}/s, {load.bytes / seconds / mb:,.0f} MiB/s),"
            f" p50 {percentile(load.seconds, 0.5):.2f} s, p99 {percentile(load.seconds, 0.99):.2f} s,"
            f" {load.busy:,} answered busy (503, retried after Retry-After)",
            f"alone: {alone.pulls:,} pulls ({alone.pulls / max(3.0, seconds / 10):.1f}/s),"
            f" p50 {percentile(alone.seconds, 0.5):.3f} s",
        ],
    )
