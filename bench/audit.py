"""The audit log: durable appends per second (group commit on the connector's SQLite state) and inclusion-proof
verifications per second, each beside the floor measured in the same run — canonicalising and hashing the same
entries with nothing stored.
"""

from __future__ import annotations

import asyncio
import random
import resource
import time
from pathlib import Path

from bench.common import Figure
from sangsaeng.audit import merkle
from sangsaeng.audit.log import AuditLog
from sangsaeng.encoding.canonical import canonical
from sangsaeng.settings import Settings
from sangsaeng.setup import init_connector
from sangsaeng.web.app import build_connector

APPENDS = 40_000
VERIFY_LOG = 100_000
VERIFICATIONS = 50_000


def _entry(i: int) -> dict[str, object]:
    return {
        "kind": "data.access",
        "counterparty": "urn:sangsaeng:participant:daehan-motors",
        "agreement": f"urn:uuid:00000000-0000-4000-8000-{i % 1000:012d}",
        "operation": "read",
        "restrictions": {"fields": ["lot", "value", "passed"], "masked": ["lot"]},
        "rows": 1000 + i,
        "bytes": 65_536 + i,
    }


async def _appends(root: Path) -> tuple[float, float, float]:
    made = init_connector(root / "c", "urn:sangsaeng:participant:bench", "bench", port=1, directory=root / "d.json")
    connector = build_connector(Settings(data_dir=made.settings.data_dir))
    audit = AuditLog(connector)
    connector.audit = audit
    await audit.start()
    entries = [_entry(i) for i in range(APPENDS)]
    begun = time.perf_counter()
    # As the protocol path appends: without waiting, the writer committing whatever waits in one transaction;
    # timed until the last entry is durable (entries commit in order).
    for entry in entries[:-1]:
        audit.note(str(entry.pop("kind")), **entry)
        if len(audit._waiting) >= 4096:
            await asyncio.sleep(0)  # let the writer take a batch, as a server's event loop would
    last = entries[-1]
    await audit.record(str(last.pop("kind")), **last)
    ours = time.perf_counter() - begun
    # And callers that each wait until their own entry is durable (the management path).
    waiting = [_entry(i) for i in range(4000)]
    begun = time.perf_counter()
    await asyncio.gather(*(audit.record(str(e.pop("kind")), **e) for e in waiting))
    awaited = len(waiting) / (time.perf_counter() - begun)
    await audit.stop()
    assert (await audit.verify())["valid"]
    await connector.store.close()
    begun = time.perf_counter()
    previous = ""
    for i in range(APPENDS):
        text = canonical({**_entry(i), "at": "2026-11-23T00:00:00+00:00", "prev": previous})
        previous = merkle.leaf_hash(text).hex()
    floor = time.perf_counter() - begun
    return APPENDS / ours, APPENDS / floor, awaited


def _verifications() -> tuple[float, float]:
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(VERIFY_LOG)]
    root = merkle.root(leaves)
    rng = random.Random(5)
    picks = [rng.randrange(VERIFY_LOG) for _ in range(VERIFICATIONS)]
    proofs = {i: merkle.inclusion_proof(i, leaves) for i in set(picks[:2000])}
    cases = [(i, proofs[i]) for i in picks[:2000]] * (VERIFICATIONS // 2000)
    begun = time.perf_counter()
    for index, proof in cases:
        assert merkle.verify_inclusion(index, VERIFY_LOG, leaves[index], proof, root)
    ours = time.perf_counter() - begun
    begun = time.perf_counter()
    for index, proof in cases:  # the floor: the same number of hashes, nothing else
        r = leaves[index]
        for p in proof:
            r = merkle.node_hash(p, r)
    floor = time.perf_counter() - begun
    return len(cases) / ours, len(cases) / floor


def run(root: Path) -> Figure:
    appends, append_floor, awaited = asyncio.run(_appends(root))
    verifications, verify_floor = _verifications()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return Figure(
        name=f"audit log: {APPENDS:,} durable appends (group commit, SQLite), {VERIFICATIONS:,} inclusion proofs",
        value=appends,
        unit="appends/s",
        baseline=append_floor,
        baseline_name="canonical JSON + SHA-256 of the same entries, nothing stored",
        ratio=appends / append_floor,
        aim="≥ 20,000 appends/s, ≥ 50,000 verifications/s",
        memory=f"{peak / 2**20:.0f} MB (the benchmark process)",
        notes=[
            f"4,000 callers each awaiting their own entry's commit: {awaited:,.0f} appends/s",
            f"inclusion-proof verifications: {verifications:,.0f}/s in a log of {VERIFY_LOG:,} "
            f"(floor, the same hashes bare: {verify_floor:,.0f}/s, ratio {verifications / verify_floor:.2f})",
        ],
    )
