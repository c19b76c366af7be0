"""Recomputing every published benchmark cell: 10,000 members × 20 indicators over KSIC manufacturing divisions and
Korea's 17 regions, at the four levels (sector × region, sector, region, all) — exact tallies, the threshold,
(n,k) dominance and p% rules, OpenDP noise on the cells that pass (a count band and three private quartiles each).

Baseline, same run, same data: a bare group-by (DuckDB, grouping sets over the same four levels) computing each
cell's count, mean and exact quartiles — what a release would cost with no disclosure control at all.
"""

from __future__ import annotations

import resource
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from bench.common import Figure
from sangsaeng.hub.members.ksic import MANUFACTURING
from sangsaeng.hub.members.regions import REGIONS
from sangsaeng.support.disclosure import indicators
from sangsaeng.support.disclosure.noise import OpenDP
from sangsaeng.support.disclosure.release import Privacy, publish
from sangsaeng.support.disclosure.rules import Rules
from sangsaeng.support.disclosure.tally import Contributions

INDICATORS = 20


def catalogue() -> indicators.Catalogue:
    """The five indicators of the data file and fifteen more like them (so that there are twenty)."""
    raw: dict[str, Any] = indicators.yaml.safe_load(indicators.FILE.read_text(encoding="utf-8"))
    base = raw["indicators"]
    raw["indicators"] = [base[i % len(base)] | {"id": f"{base[i % len(base)]['id']}-{i}"} for i in range(INDICATORS)]
    return indicators.read(raw)


def contributions(members: int, cat: indicators.Catalogue, seed: int = 18) -> Contributions:
    """Every member contributes every indicator; sectors and regions drawn unevenly, as real ones are (a few
    divisions and Gyeonggi, Gyeongnam, Ulsan hold most plants), values from each indicator's kind of spread."""
    rng = np.random.default_rng(seed)
    divisions = [f"C{d}" for d in sorted(MANUFACTURING)]
    regions = sorted(REGIONS)
    sector_weights = rng.zipf(1.6, len(divisions)).astype(float)
    region_weights = rng.zipf(1.4, len(regions)).astype(float)
    sector = rng.choice(len(divisions), members, p=sector_weights / sector_weights.sum())
    region = rng.choice(len(regions), members, p=region_weights / region_weights.sum())
    columns: list[np.ndarray[Any, Any]] = []
    for indicator in cat.indicators:
        if indicator.grid.spacing == "log":
            centre = np.sqrt(indicator.grid.lower * indicator.grid.upper)
            drawn = rng.lognormal(np.log(centre), 1.5, members)
        else:
            drawn = rng.normal(70, 12, members)
        columns.append(np.clip(drawn, *indicator.valid))
    count = len(cat.indicators)
    return Contributions(
        indicators=cat.ids,
        sectors=tuple(divisions),
        regions=tuple(regions),
        indicator=np.repeat(np.arange(count, dtype=np.int64), members),
        sector=np.tile(sector, count).astype(np.int64),
        region=np.tile(region, count).astype(np.int64),
        value=np.concatenate(columns).astype(np.float64),
    )


GROUP_BY = """
SELECT indicator, sector, region, count(*) AS n, avg(value) AS mean,
       quantile_cont(value, [0.25, 0.5, 0.75]) AS quartiles
FROM t
GROUP BY GROUPING SETS ((indicator, sector, region), (indicator, sector), (indicator, region), (indicator))
"""


def bare_group_by(data: Contributions) -> int:
    t = pa.table({"indicator": data.indicator, "sector": data.sector, "region": data.region, "value": data.value})
    with duckdb.connect() as conn:
        conn.register("t", t)
        return len(conn.execute(GROUP_BY).fetchall())


def timed(call: Any, repeat: int) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(repeat):
        begun = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - begun)
    return statistics.median(samples), result


def run(root: Path, members: int = 10_000) -> Figure:
    cat = catalogue()
    data = contributions(members, cat)
    rules, privacy, noise = Rules(), Privacy(), OpenDP()
    publish(Contributions.of([("oee-2", "C30", "KR-48", 1.0)] * 12), cat, rules, privacy, noise)  # warm OpenDP
    baseline, groups = timed(lambda: bare_group_by(data), 3)
    figure, outcomes = timed(lambda: publish(data, cat, rules, privacy, noise), 3)
    verdicts = Counter(o.rule or "published" for o in outcomes)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return Figure(
        name=f"benchmark release: {members:,} members × {INDICATORS} indicators, every cell checked and noised",
        value=figure,
        unit="s",
        baseline=baseline,
        baseline_name="bare DuckDB group-by of the same cells: count, mean, exact quartiles",
        ratio=figure / baseline,
        aim="a release in seconds, not minutes",
        memory=f"{peak / 2**20:.0f} MB (the benchmark process)",
        notes=[
            f"{len(data):,} contributions, {len(outcomes):,} cells ({groups:,} in the group-by): "
            + ", ".join(f"{n:,} {v}" for v, n in sorted(verdicts.items())),
            f"median of 3 runs each; ε {privacy.epsilon:g} per indicator per release, k {rules.k}, "
            f"({rules.n}, {rules.dominance:g} %) dominance, p {rules.p:g} %",
        ],
    )
