"""Categories with counts as horizontal bars, longest first as given: members by sector, region, size or tier.

Each bar's length is its value's share of the largest (the longest bar fills the plot), its number written after
it in the page's language."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from sangsaeng.support.charts.svg import Bar, Number, canvas, checked, clipped, rect, text, written

LABEL_WIDTH = 190  # room for a sector's name, cut to LABEL_CHARS
LABEL_CHARS = 26
PLOT_WIDTH = 320
VALUE_WIDTH = 70
ROW = 24
BAR_HEIGHT = 16
TOP = 6


def bar_chart(title: str, description: str, bars: Sequence[Bar], number: Number) -> str:
    """An SVG bar chart of ``bars``; an empty chart says so in its description (the caller's words)."""
    rows = checked(list(bars))
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    height = TOP * 2 + ROW * max(len(rows), 1)
    svg = canvas(width, height, title, description)
    largest = max((b.value for b in rows), default=0.0)
    for i, bar in enumerate(rows):
        y = TOP + i * ROW
        group = ET.SubElement(svg, "g", {"class": "row"})
        text(group, LABEL_WIDTH - 8, y + BAR_HEIGHT - 3, clipped(bar.label, LABEL_CHARS), "label", "end")
        length = PLOT_WIDTH * bar.value / largest if largest > 0 else 0.0
        rect(group, LABEL_WIDTH, y, length, BAR_HEIGHT, bar.value)
        text(group, LABEL_WIDTH + length + 6, y + BAR_HEIGHT - 3, number(bar.value), "value")
    return written(svg)
