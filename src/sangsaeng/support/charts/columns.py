"""Values over months as columns, oldest on the left: datasets offered, agreements, exchanges month by month.

Each column's height is its value's share of the largest (the tallest fills the plot); its number stands above it
and its month below, in the page's language."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from sangsaeng.support.charts.svg import Bar, Number, canvas, checked, clipped, rect, text, written

LEFT = 12
COLUMN = 44  # a month's slot; the column takes GAP less
GAP = 12
PLOT_HEIGHT = 150
TOP = 22  # room for the tallest column's number
BOTTOM = 22  # room for the months
LABEL_CHARS = 9


def column_chart(title: str, description: str, columns: Sequence[Bar], number: Number) -> str:
    """An SVG column chart of ``columns`` in the order given (months, oldest first)."""
    slots = checked(list(columns))
    width = LEFT * 2 + COLUMN * max(len(slots), 1)
    height = TOP + PLOT_HEIGHT + BOTTOM
    svg = canvas(width, height, title, description)
    base = TOP + PLOT_HEIGHT
    ET.SubElement(
        svg, "line", {"x1": str(LEFT), "x2": str(width - LEFT), "y1": str(base), "y2": str(base),
                      "stroke": "#999999", "class": "axis"},
    )  # fmt: skip
    tallest = max((c.value for c in slots), default=0.0)
    for i, column in enumerate(slots):
        x = LEFT + i * COLUMN + GAP / 2
        middle = x + (COLUMN - GAP) / 2
        group = ET.SubElement(svg, "g", {"class": "column"})
        height_of = PLOT_HEIGHT * column.value / tallest if tallest > 0 else 0.0
        rect(group, x, base - height_of, COLUMN - GAP, height_of, column.value)
        text(group, middle, base - height_of - 4, number(column.value), "value", "middle")
        text(group, middle, base + 15, clipped(column.label, LABEL_CHARS), "axis", "middle")
    return written(svg)
