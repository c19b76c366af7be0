"""The cells a benchmark is published in: one indicator, for a sector (KSIC division) and a region (ISO 3166-2:KR),
for a sector alone, for a region alone, or for all members. Each member falls in exactly one cell of each level,
which is what bounds what one member can change in a level's release (the privacy unit is one member)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Level = Literal["sector-region", "sector", "region", "all"]
LEVELS: tuple[Level, ...] = ("sector-region", "sector", "region", "all")
ANY = "*"  # a cell's sector or region when it takes every one
_SECTOR = re.compile(r"^([A-U])(\d{2})?")


@dataclass(frozen=True, order=True)
class Cell:
    indicator: str
    sector: str  # a KSIC division ("C30"), a section letter ("C"), or ANY
    region: str  # an ISO 3166-2:KR code, or ANY

    @property
    def level(self) -> Level:
        if self.sector != ANY:
            return "sector-region" if self.region != ANY else "sector"
        return "region" if self.region != ANY else "all"

    def holds(self, sector: str, region: str) -> bool:
        """Whether a member of ``sector`` and ``region`` contributes to this cell."""
        return self.sector in (ANY, sector) and self.region in (ANY, region)


def cells_of(indicator: str, sector: str, region: str) -> tuple[Cell, ...]:
    """The cells one member's value counts in, finest first."""
    return (
        Cell(indicator, sector, region),
        Cell(indicator, sector, ANY),
        Cell(indicator, ANY, region),
        Cell(indicator, ANY, ANY),
    )


def sector_of(ksic: list[str] | tuple[str, ...]) -> str:
    """A member's sector in the benchmarks: the division of the first KSIC code it gave (``C3030`` → ``C30``), or
    its section when it gave only a letter. One sector each, so that a member counts once per level."""
    match = _SECTOR.match(ksic[0] if ksic else "")
    if match is None:
        raise ValueError(f"not a KSIC code as the hub keeps them: {ksic!r}")
    return match.group(0)
