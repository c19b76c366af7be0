"""Exact tallies of every cell of one level, for all indicators at once, vectorised: one sort of the period's
contributions by cell and value, then counts, totals and the largest contributions read off group boundaries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sangsaeng.support.disclosure.cells import ANY, Cell, Level
from sangsaeng.support.disclosure.rules import Tallies

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Contributions:
    """One period's contributions as columns: codes into the name lists, one value each (in its indicator's unit).
    One value per member and indicator: the store keeps the latest a member gave for the period."""

    indicators: tuple[str, ...]
    sectors: tuple[str, ...]
    regions: tuple[str, ...]
    indicator: Ints
    sector: Ints
    region: Ints
    value: Floats

    @classmethod
    def of(cls, rows: list[tuple[str, str, str, float]]) -> Contributions:
        """From (indicator, sector, region, value) rows."""
        columns = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
        names: list[tuple[str, ...]] = []
        codes: list[Ints] = []
        for column in columns[:3]:
            found, inverse = np.unique(np.asarray(column, dtype=str), return_inverse=True)
            names.append(tuple(str(n) for n in found))
            codes.append(inverse.astype(np.int64))
        value = np.asarray(columns[3], dtype=np.float64)
        return cls(names[0], names[1], names[2], codes[0], codes[1], codes[2], value)

    def __len__(self) -> int:
        return len(self.value)


@dataclass(frozen=True)
class Tallied:
    """The cells of one level that have contributions: their keys, tallies, and their values sorted largest
    first (cell ``i``'s are ``ordered[starts[i]:starts[i] + tallies.counts[i]]``)."""

    level: Level
    cells: list[Cell]
    tallies: Tallies
    ordered: Floats
    starts: Ints

    def values_of(self, i: int) -> Floats:
        return self.ordered[self.starts[i] : self.starts[i] + self.tallies.counts[i]]


def tally(data: Contributions, level: Level, n: int) -> Tallied:
    """Every cell of ``level``: the contributions are sorted by indicator, sector, region, then value descending."""
    size = len(data)
    none = np.full(size, -1, dtype=np.int64)
    sector = data.sector if level in ("sector-region", "sector") else none
    region = data.region if level in ("sector-region", "region") else none
    order = np.lexsort((-data.value, region, sector, data.indicator))
    keys = np.stack((data.indicator[order], sector[order], region[order]))
    ordered = data.value[order]
    if size == 0:
        starts = np.zeros(0, dtype=np.int64)
    else:
        changed = np.any(keys[:, 1:] != keys[:, :-1], axis=0)
        starts = np.concatenate(([0], np.flatnonzero(changed) + 1)).astype(np.int64)
    counts = np.diff(np.append(starts, size)).astype(np.int64)
    totals = np.add.reduceat(ordered, starts) if size else np.zeros(0)
    tops = [np.where(j < counts, ordered[np.minimum(starts + j, max(size - 1, 0))], 0.0) for j in range(max(n, 2))]
    top_n = np.sum(tops[:n], axis=0) if size else np.zeros(0)
    cells = [
        Cell(
            data.indicators[i],
            data.sectors[s] if s >= 0 else ANY,
            data.regions[r] if r >= 0 else ANY,
        )
        for i, s, r in keys[:, starts].T.tolist()
    ]
    tallies = Tallies(counts, totals.astype(np.float64), tops[0], tops[1], np.asarray(top_n, dtype=np.float64))
    return Tallied(level, cells, tallies, ordered, starts)
