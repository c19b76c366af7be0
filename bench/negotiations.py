"""Full negotiations to FINALIZED per second between two connector processes on loopback, p50/p99 latency.

Baseline (same run, same connectors, same concurrency): bare HTTP round trips to the provider's version
endpoint. A negotiation costs five HTTP exchanges (management call, request, agreement, verification,
finalized event), so the ratio compares negotiations/s × 5 with those round trips/s.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import httpx

from bench.common import Figure, PeakRss, connectors, percentile
from sangsaeng.demo.data import write_inspection_csv

POLICY = {
    "permission": [
        {"action": "use", "constraint": [{"leftOperand": "count", "operator": "lteq", "rightOperand": "10"}]}
    ]
}


async def _round_trips(url: str, total: int, concurrency: int) -> float:
    async with httpx.AsyncClient() as http:
        queue = iter(range(total))

        async def worker() -> None:
            for _ in queue:
                (await http.get(url)).raise_for_status()

        begun = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return total / (time.perf_counter() - begun)


async def _negotiate(
    base: str, key: str, body: dict[str, object], total: int, concurrency: int, db_path: Path
) -> list[float]:
    """Closed loop: each of ``concurrency`` workers starts a negotiation and waits for its end before the next.

    Ends are read from the consumer's state database by one poller, so waiting adds no load on the API.
    Returns each negotiation's latency in ms (start call → FINALIZED seen), or raises if one terminated.
    """
    waiting: dict[str, tuple[float, asyncio.Future[str]]] = {}
    latencies: list[float] = []
    db = sqlite3.connect(db_path)
    stop = asyncio.Event()

    async def poller() -> None:
        while not stop.is_set():
            if waiting:
                ids = list(waiting)
                marks = ",".join("?" * len(ids))
                query = (
                    f"SELECT id, state FROM negotiations WHERE id IN ({marks}) AND state IN ('FINALIZED', 'TERMINATED')"
                )
                for pid, state in db.execute(query, ids).fetchall():
                    _, future = waiting.pop(pid)
                    future.set_result(state)
            await asyncio.sleep(0.005)

    async with httpx.AsyncClient(base_url=base + "/api", headers={"X-API-Key": key}, timeout=60) as http:
        queue = iter(range(total))

        async def worker() -> None:
            for _ in queue:
                begun = time.perf_counter()
                response = await http.post("/negotiations", json=body)
                response.raise_for_status()
                future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
                waiting[response.json()["id"]] = (begun, future)
                state = await future
                if state != "FINALIZED":
                    raise RuntimeError(f"a negotiation ended {state}")
                latencies.append((time.perf_counter() - begun) * 1000)

        polling = asyncio.create_task(poller())
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        stop.set()
        await polling
    db.close()
    return latencies


def run(root: Path, total: int = 1000, concurrency: int = 16) -> Figure:
    with connectors(root, ["supplier", "oem"]) as nodes:
        supplier, oem = nodes["supplier"], nodes["oem"]
        dataset = supplier.client.add_dataset(write_inspection_csv(root / "d.csv", 100), "bench")
        offer = supplier.client.create_offer(dataset["id"], POLICY)
        body = {"peer": supplier.id, "datasetId": dataset["id"], "offer": {"@id": offer["id"], **POLICY}}
        db_path = oem.init.settings.data_dir / "state.db"
        asyncio.run(_negotiate(oem.process.url, oem.init.api_key, body, 20, 4, db_path))  # warm up
        version_url = f"{supplier.process.url}/.well-known/dspace-version"
        baseline = asyncio.run(_round_trips(version_url, total * 2, concurrency))
        pids = {"supplier": supplier.process.pid() or 0, "oem": oem.process.pid() or 0}
        with PeakRss(pids) as memory:
            begun = time.perf_counter()
            latencies = asyncio.run(_negotiate(oem.process.url, oem.init.api_key, body, total, concurrency, db_path))
            elapsed = time.perf_counter() - begun
        finalized = latencies
        alone = asyncio.run(_negotiate(oem.process.url, oem.init.api_key, body, 200, 1, db_path))
        rate = len(finalized) / elapsed
        return Figure(
            name=f"negotiations to FINALIZED ({total}, {concurrency} at a time)",
            value=rate,
            unit="negotiations/s",
            baseline=baseline / 5,
            baseline_name=f"bare HTTP round trips/s ÷ 5 ({baseline:,.0f} round trips/s)",
            ratio=rate / (baseline / 5),
            aim="≥ 200 negotiations/s, p99 ≤ 50 ms",
            memory=memory.report(),
            notes=[
                f"latency p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms "
                "(start call → FINALIZED at the consumer, closed loop)",
                f"one at a time: p50 {percentile(alone, 0.5):.1f} ms, p99 {percentile(alone, 0.99):.1f} ms "
                f"({len(alone)} negotiations, nothing else running)",
                f"finalized {len(finalized)} of {total}",
            ],
        )
