"""A release: every cell of one period checked against the disclosure rules, and the cells that pass published
with noise: their contributors as a band and their quartiles. A suppressed cell is published as its rule only.

What a release costs one member, per indicator: the four levels' shares, each a count and three quartiles, in
sequential composition (a member is in one cell of each level, so the cells of one level compose in parallel)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sangsaeng.support.disclosure.cells import LEVELS, Cell
from sangsaeng.support.disclosure.indicators import Catalogue
from sangsaeng.support.disclosure.noise import Mechanisms
from sangsaeng.support.disclosure.rules import PASSED, RULES, Rule, Rules, judge
from sangsaeng.support.disclosure.tally import Contributions, Tallied, tally

QUARTILES = (0.25, 0.5, 0.75)
# Where the bands of contributors begin (the first band begins at k): wide enough that a band moves rarely
# between releases, and a noisy count is still told in words people use.
BAND_EDGES = (10, 20, 50, 100, 200, 500, 1000)


@dataclass(frozen=True)
class Privacy:
    """``epsilon``: what one release may cost a member, per indicator (ε, pure differential privacy);
    ``budget``: what all releases of one period together may cost it, per indicator; ``count_share``: the part of
    each level's share spent on the count of contributors (the rest on the three quartiles, equally)."""

    epsilon: float = 4.0
    budget: float = 8.0
    count_share: float = 0.25

    def __post_init__(self) -> None:
        if not (0 < self.epsilon <= self.budget and 0 < self.count_share < 1):
            raise ValueError("0 < epsilon ≤ budget and 0 < count_share < 1")

    @property
    def per_level(self) -> float:
        return self.epsilon / len(LEVELS)

    @property
    def per_count(self) -> float:
        return self.per_level * self.count_share

    @property
    def per_quartile(self) -> float:
        return self.per_level * (1 - self.count_share) / len(QUARTILES)


@dataclass(frozen=True)
class Outcome:
    """One cell of a release: published (``contributors`` and ``quartiles``) or suppressed (``rule``)."""

    cell: Cell
    rule: Rule | None
    contributors: tuple[int, int | None] | None  # a band: from, to (None: and more)
    quartiles: tuple[float, float, float] | None
    epsilon: float  # what publishing it cost each of its contributors (0 when suppressed)

    @property
    def published(self) -> bool:
        return self.rule is None


def band(noisy: int, k: int) -> tuple[int, int | None]:
    """The band of contributors a noisy count falls in; never below k, which a published cell has at least."""
    edges = (k, *(e for e in BAND_EDGES if e > k))
    index = max(0, int(np.searchsorted(edges, max(noisy, k), side="right")) - 1)
    upper = edges[index + 1] - 1 if index + 1 < len(edges) else None
    return edges[index], upper


def significant(value: float, digits: int = 3) -> float:
    """``value`` to ``digits`` significant digits: a published quartile claims no more precision than it has."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _publish_level(
    tallied: Tallied, rules: Rules, privacy: Privacy, catalogue: Catalogue, noise: Mechanisms
) -> list[Outcome]:
    verdicts = judge(rules, tallied.tallies)
    passed = np.flatnonzero(verdicts == PASSED)
    noisy = noise.counts(tallied.tallies.counts[passed], privacy.per_count)
    cost = privacy.per_count + len(QUARTILES) * privacy.per_quartile
    outcomes: list[Outcome] = []
    bands = dict(zip(passed.tolist(), noisy.tolist(), strict=True))
    for i, cell in enumerate(tallied.cells):
        if i not in bands:
            outcomes.append(Outcome(cell, RULES[int(verdicts[i])], None, None, 0.0))
            continue
        indicator = catalogue.get(cell.indicator)
        assert indicator is not None, f"a contribution to an unknown indicator {cell.indicator}"
        values = tallied.values_of(i).tolist()
        candidates = indicator.candidates()
        found = sorted(noise.quantile(values, candidates, a, privacy.per_quartile) for a in QUARTILES)
        low, high = indicator.valid
        q1, q2, q3 = (significant(min(max(q, low), high)) for q in found)
        outcomes.append(Outcome(cell, None, band(bands[i], rules.k), (q1, q2, q3), cost))
    return outcomes


def publish(
    data: Contributions, catalogue: Catalogue, rules: Rules, privacy: Privacy, noise: Mechanisms
) -> list[Outcome]:
    """Every cell with contributions, at every level, checked and (where it passes) published with noise."""
    outcomes: list[Outcome] = []
    for level in LEVELS:
        outcomes += _publish_level(tally(data, level, rules.n), rules, privacy, catalogue, noise)
    return outcomes


def cost_by_indicator(outcomes: list[Outcome]) -> dict[str, float]:
    """What the release cost the member who lost most, per indicator: per level the dearest cell, summed over the
    levels (a member is in one cell of each). The figure the budget's ledger records."""
    dearest: dict[tuple[str, str], float] = {}
    for o in outcomes:
        key = (o.cell.indicator, o.cell.level)
        dearest[key] = max(dearest.get(key, 0.0), o.epsilon)
    spent: dict[str, float] = {}
    for (indicator, _), epsilon in dearest.items():
        spent[indicator] = spent.get(indicator, 0.0) + epsilon
    return spent
