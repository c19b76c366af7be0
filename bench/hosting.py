"""A hub process hosting N connectors (issue 17): resident memory per hosted connector, and negotiations per second
between two hosted connectors beside the same between two connectors of their own processes, in the same run.

Memory per tenant: (RSS after N sign-ups − RSS after none) / N, the hub process and its children, after each
phase settles. ``python -m bench hosting --tenants 20`` for a short run (the default, 500, takes long: each sign-up
makes a key, a state database with its migrations, and a membership)."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.common import Figure, connectors, percentile
from bench.negotiations import POLICY, _negotiate
from sangsaeng.client import Client
from sangsaeng.demo.data import write_inspection_csv
from sangsaeng.launch import HubProcess, free_port
from sangsaeng.setup import init_connector


def _rss(pid: int) -> int:
    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])


def _settled_rss(pid: int, tries: int = 10) -> int:
    """The process's RSS once two samples half a second apart are within 1 MB (or the last of ``tries``)."""
    last = _rss(pid)
    for _ in range(tries):
        time.sleep(0.5)
        now = _rss(pid)
        if abs(now - last) < 2**20:
            return now
        last = now
    return last


def _company(n: int) -> dict[str, Any]:
    return {
        "name": f"Bench Supplier {n}",
        "brn": "220-81-62517",
        "ksic": ["C30"],
        "region": "경상남도",
        "size": "중소기업",
        "tiers": [{"chain": "현대차", "tier": "2차"}],
        "contact": {"name": "김담당", "email": "kim@example.co.kr", "phone": "055-123-4567"},
    }


def _negotiations(base: str, provider: dict[str, Any], consumer: dict[str, Any], db: Path, total: int) -> list[float]:
    seller = Client(provider["url"], provider["key"])
    dataset = seller.add_dataset(write_inspection_csv(db.parent / "bench.csv", 100), "bench")
    offer = seller.create_offer(dataset["id"], POLICY)
    body = {"peer": provider["id"], "datasetId": dataset["id"], "offer": {"@id": offer["id"], **POLICY}}
    asyncio.run(_negotiate(consumer["url"], consumer["key"], body, 10, 4, db))  # warm up
    return asyncio.run(_negotiate(consumer["url"], consumer["key"], body, total, 8, db))


def run(root: Path, tenants: int = 500, total: int = 300) -> Figure:
    port = free_port()
    # No request cap on the tenants: the figure is the process's throughput, not the cap's (hosted_requests_per_minute)
    extra = {"kind": "hub", "log_level": "warning", "hosted_requests_per_minute": 0}
    hub = init_connector(root / "hub", f"urn:uuid:{uuid.uuid4()}", "Bench hub", port=port, extra=extra)
    process = HubProcess(root / "hub", port).start()
    try:
        pid = process.pid() or 0
        empty = _settled_rss(pid)
        made: list[dict[str, Any]] = []
        begun = time.perf_counter()
        with httpx.Client(base_url=process.url, headers={"X-API-Key": hub.api_key}, timeout=120) as http:
            for n in range(tenants):
                answer = http.post("/hub/hosted", json={"company": _company(n), "name": f"t{n}"})
                answer.raise_for_status()
                made.append(answer.json())
        signing = time.perf_counter() - begun
        full = _settled_rss(pid)
        per_tenant = (full - empty) / max(tenants, 1)
        a, b = ({"url": m["url"], "key": m["apiKey"], "id": m["participantId"]} for m in made[:2])
        hosted_db = root / "hub" / "tenants" / made[1]["name"] / "state.db"
        begun = time.perf_counter()
        hosted = _negotiations(process.url, a, b, hosted_db, total)
        hosted_rate = len(hosted) / (time.perf_counter() - begun)
    finally:
        process.stop()
    with connectors(root / "own", ["supplier", "oem"]) as nodes:
        s, o = nodes["supplier"], nodes["oem"]
        own_a = {"url": s.process.url, "key": s.init.api_key, "id": s.id}
        own_b = {"url": o.process.url, "key": o.init.api_key, "id": o.id}
        begun = time.perf_counter()
        own = _negotiations(o.process.url, own_a, own_b, o.init.settings.data_dir / "state.db", total)
        own_rate = len(own) / (time.perf_counter() - begun)
    return Figure(
        name=f"a hub hosting {tenants} connectors: negotiations between two of them",
        value=hosted_rate,
        unit="negotiations/s",
        baseline=own_rate,
        baseline_name="negotiations/s between two connectors in processes of their own",
        ratio=hosted_rate / own_rate,
        aim="memory per hosted connector small enough for 500 in one process; hosted ≥ ½ of separate",
        memory=f"hub RSS {empty / 2**20:.0f} MB with none, {full / 2**20:.0f} MB with {tenants}",
        notes=[
            f"RSS per hosted connector {per_tenant / 2**20:.2f} MB ((after − before) / {tenants})",
            "hosted: both connectors share the hub's one process (one event loop); separate: one process each",
            f"sign-up {signing / max(tenants, 1) * 1000:.0f} ms each ({tenants} one after another)",
            f"hosted: p50 {percentile(hosted, 0.5):.1f} ms, p99 {percentile(hosted, 0.99):.1f} ms ({len(hosted)})",
            f"separate: p50 {percentile(own, 0.5):.1f} ms, p99 {percentile(own, 0.99):.1f} ms ({len(own)})",
        ],
    )
