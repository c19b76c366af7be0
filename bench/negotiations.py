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


async def _negotiate(base: str, key: str, body: dict[str, object], total: int, concurrency: int) -> list[str]:
    async with httpx.AsyncClient(base_url=base + "/api", headers={"X-API-Key": key}, timeout=60) as http:
        ids: list[str] = []
        queue = iter(range(total))

        async def worker() -> None:
            for _ in queue:
                response = await http.post("/negotiations", json=body)
                response.raise_for_status()
                ids.append(response.json()["id"])

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return ids


def run(root: Path, total: int = 1000, concurrency: int = 16) -> Figure:
    with connectors(root, ["supplier", "oem"]) as nodes:
        supplier, oem = nodes["supplier"], nodes["oem"]
        dataset = supplier.client.add_dataset(write_inspection_csv(root / "d.csv", 100), "bench")
        offer = supplier.client.create_offer(dataset["id"], POLICY)
        body = {"peer": supplier.id, "datasetId": dataset["id"], "offer": {"@id": offer["id"], **POLICY}}
        asyncio.run(_negotiate(oem.process.url, oem.init.api_key, body, 20, 4))  # warm up
        version_url = f"{supplier.process.url}/.well-known/dspace-version"
        baseline = asyncio.run(_round_trips(version_url, total * 2, concurrency))
        pids = {"supplier": supplier.process.pid() or 0, "oem": oem.process.pid() or 0}
        with PeakRss(pids) as memory:
            begun = time.perf_counter()
            ids = asyncio.run(_negotiate(oem.process.url, oem.init.api_key, body, total, concurrency))
            wanted = set(ids)
            db = sqlite3.connect(oem.init.settings.data_dir / "state.db")
            while True:
                marks = ",".join("?" * len(wanted))
                rows = db.execute(
                    f"SELECT id, state, created_at, updated_at FROM negotiations WHERE id IN ({marks})", list(wanted)
                ).fetchall()
                done = [r for r in rows if r[1] in ("FINALIZED", "TERMINATED")]
                if len(done) == len(wanted) or time.perf_counter() - begun > 300:
                    break
                time.sleep(0.02)
            elapsed = time.perf_counter() - begun
        finalized = [r for r in done if r[1] == "FINALIZED"]
        from datetime import datetime

        latencies = [
            (datetime.fromisoformat(r[3]) - datetime.fromisoformat(r[2])).total_seconds() * 1000 for r in finalized
        ]
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
                f"(consumer's own clock: created → FINALIZED)",
                f"finalized {len(finalized)} of {total}",
            ],
        )
