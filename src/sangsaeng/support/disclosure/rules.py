"""The statistical-disclosure rules a cell must pass before anything of it is published, checked for all cells
at once over their exact tallies. A suppressed cell names the first rule it fails, in this order, never a value.

Defaults follow the practice of national statistical offices for magnitude tables of enterprises (Hundepool et
al., *Statistical Disclosure Control*, Wiley 2012, § 4.2 and § 5.2; Eurostat's *Handbook on Statistical Disclosure
Control* 2010, § 4.2): a minimum of contributors (3 is common there; the hub asks 10, since its cells' quartiles
also carry noise, which leaves a cell of fewer members little to show: docs/support/benchmarks.md), the (2, 85 %)
dominance rule, and the p % rule with p = 10, the rule Statistics Canada and the US Census
Bureau apply to business tables (the offices keep their own p confidential)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Rule = Literal["threshold", "dominance", "p-percent"]
RULES: tuple[Rule, ...] = ("threshold", "dominance", "p-percent")
PASSED = -1  # a cell's verdict when it passes every rule; otherwise the index of the rule it fails in RULES
# Float sums of non-negative values are exact to far better than this: a cell within it of a rule's limit is
# suppressed rather than published on a rounding.
_MARGIN = 1e-9


@dataclass(frozen=True)
class Rules:
    """``k``: the fewest contributors a published cell has; ``n`` and ``dominance``: the n largest contributions
    make at most ``dominance`` % of the cell's total; ``p``: the cell's total less its two largest contributions is
    at least p % of the largest, so the second-largest contributor cannot estimate the largest within p %."""

    k: int = 10
    n: int = 2
    dominance: float = 85.0
    p: float = 10.0

    def __post_init__(self) -> None:
        if self.k < 3 or self.n < 1 or not 0 < self.dominance < 100 or not 0 < self.p <= 100:
            raise ValueError("k ≥ 3, n ≥ 1, 0 < dominance < 100 and 0 < p ≤ 100")


@dataclass(frozen=True)
class Tallies:
    """The exact tallies of many cells (arrays of one length, one element a cell), contributions non-negative."""

    counts: npt.NDArray[np.int64]
    totals: npt.NDArray[np.float64]
    largest: npt.NDArray[np.float64]  # the largest contribution
    second: npt.NDArray[np.float64]  # the second-largest (0 with one contributor)
    top_n: npt.NDArray[np.float64]  # the sum of the n largest (all of them with n or fewer)


def judge(rules: Rules, t: Tallies) -> npt.NDArray[np.int64]:
    """Each cell's verdict: PASSED, or the index in RULES of the first rule it fails."""
    threshold = t.counts >= rules.k
    dominance = t.top_n <= (rules.dominance / 100) * t.totals * (1 - _MARGIN)
    rest = t.totals - t.largest - t.second
    p_percent = rest >= (rules.p / 100) * t.largest * (1 + _MARGIN)
    verdict = np.full(t.counts.shape, PASSED, dtype=np.int64)
    for index, passed in reversed(list(enumerate((threshold, dominance, p_percent)))):
        verdict[~passed] = index
    return verdict
