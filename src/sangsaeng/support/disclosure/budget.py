"""The privacy budget's accountant: what the releases of a period have cost, per indicator, from the ledger; and
whether one more release fits. A release that would overrun an indicator's budget is refused for that indicator:
its cells stay as the last release published them."""

from __future__ import annotations

from collections.abc import Iterable

from sangsaeng.support.disclosure.release import Privacy

_ROUNDING = 1e-9  # ledger sums of floats: a release exactly at the budget fits


def spent(ledger: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Per indicator, the ε spent in a period: the ledger's entries (indicator, ε) summed (sequential
    composition: every release looks at the same members again)."""
    total: dict[str, float] = {}
    for indicator, epsilon in ledger:
        total[indicator] = total.get(indicator, 0.0) + epsilon
    return total


def fits(already: float, privacy: Privacy) -> bool:
    """Whether one more release of an indicator fits in its budget for the period."""
    return already + privacy.epsilon <= privacy.budget + _ROUNDING


def left(already: float, privacy: Privacy) -> float:
    return max(0.0, privacy.budget - already)
