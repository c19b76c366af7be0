"""Where a member stands against its peers: the band its own value falls in between the quartiles its finest
published cell released. Only the released (noisy) quartiles and the member's own value go in, so the answer is
post-processing of what every member can already read: it tells nothing more of anyone else, however often it is
asked, and it does not move until the next release."""

from __future__ import annotations

from typing import Literal

from sangsaeng.support.disclosure.cells import Cell, cells_of
from sangsaeng.support.disclosure.release import Outcome

Band = Literal["bottom-25", "25-50", "50-75", "top-25"]
BANDS: tuple[Band, ...] = ("bottom-25", "25-50", "50-75", "top-25")  # worst to best


def band_of(value: float, quartiles: tuple[float, float, float], better: Literal["lower", "higher"]) -> Band:
    """The quarter of the peers ``value`` falls in, counted from the worse end: "top-25" is the best quarter."""
    if better == "higher":
        below = sum(value >= q for q in quartiles)  # a value on a quartile belongs to the better side
        return BANDS[below]
    above = sum(value <= q for q in quartiles)
    return BANDS[above]


def finest(published: dict[Cell, Outcome], indicator: str, sector: str, region: str) -> Outcome | None:
    """The finest published cell a member of ``sector`` and ``region`` is in: its sector in its region, else its
    sector, its region, all members; None when every one is suppressed or absent."""
    for cell in cells_of(indicator, sector, region):
        found = published.get(cell)
        if found is not None and found.published:
            return found
    return None
