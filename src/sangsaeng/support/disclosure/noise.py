"""Differentially private noise on what a published cell releases, with OpenDP (opendp.org, its vetted
mechanisms; the "contrib" features are those whose proofs OpenDP publishes beside the code).

The privacy unit is one member. At one level each member counts in one cell, so adding or removing a member
changes that level's vector of counts by 1 in L1 (the discrete Laplace mechanism on the whole vector at once) and
one cell's values by one element (each quartile by OpenDP's private quantile: the exponential mechanism over a
grid of candidates, Smith 2011). What the mechanisms cost is asked of OpenDP (``map``), not computed here."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Protocol

import numpy as np
import numpy.typing as npt
import opendp.prelude as dp

dp.enable_features("contrib")

_SLACK = 1 + 1e-9  # OpenDP's ``map`` rounds its float arithmetic outwards; a scale is chosen to stay within this


class Mechanisms(Protocol):
    """How a release is made noisy: counts of a level's cells together, and one quantile of one cell."""

    def counts(self, exact: npt.NDArray[np.int64], epsilon: float) -> npt.NDArray[np.int64]: ...

    def quantile(
        self, values: Sequence[float], candidates: tuple[float, ...], alpha: float, epsilon: float
    ) -> float: ...


def epsilon_of(measurement: dp.Measurement) -> float:
    """What ``measurement`` costs one member (d_in = 1), by OpenDP's own account."""
    return float(measurement.map(1))  # type: ignore[no-untyped-call]


@cache
def _count_measurement(epsilon: float) -> dp.Measurement:
    domain = dp.vector_domain(dp.atom_domain(T=dp.i64))
    metric = dp.l1_distance(T=dp.i64)
    unit = epsilon_of(dp.m.make_laplace(domain, metric, scale=1.0))
    made = dp.m.make_laplace(domain, metric, scale=unit / epsilon)
    assert epsilon_of(made) <= epsilon * _SLACK, "OpenDP charges more than the count's share of the budget"
    return made


@cache
def _quantile_measurement(candidates: tuple[float, ...], alpha: float, epsilon: float) -> dp.Measurement:
    def made(scale: float) -> dp.Measurement:
        return dp.m.make_private_quantile(
            dp.vector_domain(dp.atom_domain(T=float, nan=False)),
            dp.symmetric_distance(),
            dp.max_divergence(),
            candidates=list(candidates),
            alpha=alpha,
            scale=scale,
        )

    measurement = made(epsilon_of(made(1.0)) / epsilon)
    assert epsilon_of(measurement) <= epsilon * _SLACK, "OpenDP charges more than the quantile's share of the budget"
    return measurement


class OpenDP:
    """The mechanisms the hub releases with."""

    def counts(self, exact: npt.NDArray[np.int64], epsilon: float) -> npt.NDArray[np.int64]:
        if len(exact) == 0:
            return exact
        return np.asarray(_count_measurement(epsilon)(exact.tolist()), dtype=np.int64)

    def quantile(self, values: Sequence[float], candidates: tuple[float, ...], alpha: float, epsilon: float) -> float:
        return float(_quantile_measurement(candidates, alpha, epsilon)(list(values)))
