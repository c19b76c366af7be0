"""The indicators of the benchmarks, read from ``indicators.yaml`` (data, versioned): each with its unit, its valid
range, the grid its published quartiles are sought on and which direction is better."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml

from sangsaeng.standard.units import recognize

FILE = Path(__file__).with_name("indicators.yaml")


@dataclass(frozen=True)
class Words:
    ko: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"ko": self.ko, "en": self.en}


@dataclass(frozen=True)
class Grid:
    """Where the published quartiles are sought: ``points`` candidates from ``lower`` to ``upper``."""

    lower: float
    upper: float
    points: int
    spacing: Literal["linear", "log"]


@dataclass(frozen=True)
class Indicator:
    id: str
    name: Words
    unit: str  # as pint reads it (``standard/units.py``)
    shown: Words  # the unit as people read it
    valid: tuple[float, float]
    grid: Grid
    better: Literal["lower", "higher"]

    def candidates(self) -> tuple[float, ...]:
        """The values a published quartile may take (sorted); with a log grid, the valid lower bound too, so that
        an indicator whose peers mostly report 0 can publish 0."""
        g = self.grid
        if g.spacing == "log":
            points = np.geomspace(g.lower, g.upper, g.points)
            if self.valid[0] < g.lower:
                points = np.concatenate(([self.valid[0]], points))
        else:
            points = np.linspace(g.lower, g.upper, g.points)
        return tuple(float(p) for p in points)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name.to_dict(),
            "unit": self.shown.to_dict(),
            "valid": list(self.valid),
            "better": self.better,
        }


@dataclass(frozen=True)
class Catalogue:
    version: str
    indicators: tuple[Indicator, ...]

    def get(self, indicator: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)


def _words(raw: Any) -> Words:
    return Words(ko=str(raw["ko"]), en=str(raw["en"]))


def read(raw: dict[str, Any]) -> Catalogue:
    """A catalogue from its data; a file that does not say what is needed fails loudly (it ships with the code)."""
    found = []
    for item in raw["indicators"]:
        low, high = (float(v) for v in item["valid"])
        grid = Grid(float(item["grid"]["lower"]), float(item["grid"]["upper"]), int(item["grid"]["points"]),
                    item["grid"]["spacing"])  # fmt: skip
        indicator = Indicator(
            id=str(item["id"]),
            name=_words(item["name"]),
            unit=str(item["unit"]),
            shown=_words(item["shown"]),
            valid=(low, high),
            grid=grid,
            better=item["better"],
        )
        if not (0 <= low < high and grid.lower < grid.upper and grid.points >= 2):
            raise ValueError(f"indicator {indicator.id}: its ranges are not ordered or are negative")
        if grid.spacing not in ("linear", "log") or (grid.spacing == "log" and grid.lower <= 0):
            raise ValueError(f"indicator {indicator.id}: spacing is linear or log (from a positive lower bound)")
        if indicator.better not in ("lower", "higher"):
            raise ValueError(f"indicator {indicator.id}: better is lower or higher")
        recognize(indicator.unit)  # a unit pint cannot read fails here, not at a member's first contribution
        found.append(indicator)
    if len({i.id for i in found}) != len(found):
        raise ValueError("indicator ids repeat")
    return Catalogue(version=str(raw["version"]), indicators=tuple(found))


@cache
def catalogue() -> Catalogue:
    """The indicators the hub's benchmarks take (``indicators.yaml``)."""
    return read(yaml.safe_load(FILE.read_text(encoding="utf-8")))
