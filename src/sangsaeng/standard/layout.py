"""How a sheet is laid out — where its header is, which rows are not records, which columns are one quantity
spread wide — as plain values, decided from the sheet's first rows without any I/O.

``LayoutGuess`` is what reading a sheet's top proposes; the mapping document's ``header``, ``skip_totals``,
``fill_down`` and ``unpivot`` keys are what a person confirms of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

WideKind = Literal["months", "carriers", "characteristics", "dates", "other"]


@dataclass(frozen=True)
class WideGroup:
    """Columns that hold one quantity spread wide (one per month, per energy carrier, per characteristic)."""

    columns: list[str]  # the headers (after joining) of the wide columns, in sheet order
    kind: WideKind
    names: list[str]  # each column's name without its unit, e.g. "전기" of "전기(kWh)"
    units: list[str | None]  # the unit written in each header, if any


@dataclass(frozen=True)
class LayoutGuess:
    header_row: int  # 1-based sheet row (CSV line) where the header starts
    header_rows: int  # 1 or 2: a name row with a unit row (or a second name row) under it
    titles: list[str] = field(default_factory=list)  # text of the rows above the header, e.g. "2026년 3월 창원공장"
    wide: WideGroup | None = None
    confidence: float = 1.0  # 0..1: how sure the guess of the header row is
