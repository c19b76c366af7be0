"""Policy decisions per second, one core: a 10-constraint policy decided by the compiled form and by the walk
(the interpreted evaluator, which also writes its reasons), on the same contexts, in one run.

The baseline is the walk: the figure says how much compiling buys. Contexts vary (consumer, purpose, time,
uses, credentials) so that both permits and denials are decided.
"""

from __future__ import annotations

import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Figure
from sangsaeng.policy.decide import RequestContext, compile_policy, decide
from sangsaeng.policy.model import parse_policy

OEM = "urn:sangsaeng:participant:daehan-motors"
POLICY = {
    "permission": [
        {
            "action": "use",
            "constraint": [
                {"leftOperand": "participant", "operator": "isAnyOf", "rightOperand": [OEM, "urn:x:t1"]},
                {"leftOperand": "purpose", "operator": "isAnyOf", "rightOperand": ["quality-analysis", "recall"]},
                {"leftOperand": "tier", "operator": "isAnyOf", "rightOperand": ["oem", "tier1"]},
                {"leftOperand": "region", "operator": "eq", "rightOperand": "KR"},
                {"leftOperand": "dateTime", "operator": "gteq", "rightOperand": "2026-01-01T00:00:00Z"},
                {"leftOperand": "dateTime", "operator": "lteq", "rightOperand": "2027-12-31T23:59:59Z"},
                {"leftOperand": "elapsedTime", "operator": "lteq", "rightOperand": "P365D"},
                {"leftOperand": "count", "operator": "lteq", "rightOperand": "1000"},
                {"leftOperand": "fields", "operator": "isAnyOf", "rightOperand": ["lot", "value", "passed"]},
                {"leftOperand": "mask", "operator": "isAnyOf", "rightOperand": ["lot"]},
            ],
        }
    ],
    "prohibition": [
        {"action": "use", "constraint": [{"leftOperand": "purpose", "operator": "eq", "rightOperand": "benchmarking"}]}
    ],
}


def contexts(n: int) -> list[RequestContext]:
    now = datetime(2026, 11, 23, tzinfo=UTC)
    purposes = ["quality-analysis", "recall", "benchmarking", None]
    return [
        RequestContext(
            consumer=OEM if i % 5 else "urn:x:stranger",
            now=now + timedelta(minutes=i),
            purpose=purposes[i % 4],
            agreed_at=now - timedelta(days=i % 400),
            uses=i % 1200,
            attributes={"tier": frozenset({"oem"}), "region": frozenset({"KR"})},
        )
        for i in range(n)
    ]


def _rate(decide_one: object, cases: list[RequestContext], seconds: float = 1.5) -> float:
    done, begun = 0, time.perf_counter()
    while time.perf_counter() - begun < seconds:
        for ctx in cases:
            decide_one(ctx)  # type: ignore[operator]
        done += len(cases)
    return done / (time.perf_counter() - begun)


def run(root: Path) -> Figure:
    policy = parse_policy(POLICY)
    compiled = compile_policy(policy)
    cases = contexts(1000)
    permits = sum(compiled.decide(ctx).permit for ctx in cases)
    compiled_rate = _rate(compiled.decide, cases)
    interpreted_rate = _rate(lambda ctx: decide(policy, ctx), cases)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return Figure(
        name="policy decisions, a 10-constraint policy (and a prohibition), one core",
        value=compiled_rate,
        unit="decisions/s",
        baseline=interpreted_rate,
        baseline_name="the interpreted evaluator (the walk, with its reasons)",
        ratio=compiled_rate / interpreted_rate,
        aim="≥ 200,000 decisions/s compiled",
        memory=f"{peak / 2**20:.0f} MB (the benchmark process)",
        notes=[
            f"{permits} of {len(cases)} contexts permitted; reasons of a compiled decision are written only when read"
        ],
    )
