"""Where a member stands among its peers, drawn: the four quarters of a published cell as one horizontal band
(between the released quartiles), its own value as a marker, the quarter it falls in outlined. Pure: values in,
SVG text out, built with ElementTree (``support/charts/svg.py``), so every label is text, never markup.

The quarters are laid out on the value's axis, left to right; which end is better depends on the indicator
(lower energy per unit, higher OEE), so the quarters' names follow ``better``, not the drawing's direction."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal
from xml.etree import ElementTree as ET

from sangsaeng.support.charts.svg import canvas, text, written

BANDS: Final = ("bottom-25", "25-50", "50-75", "top-25")  # worst to best, as the hub names them
SHADES: Final = ("#dbe7f3", "#adc9e3", "#6f9fc8", "#2f6f9f")  # worst to best: darker is better
WIDTH: Final = 520
HEIGHT: Final = 96
SIDE: Final = 20
BAND_TOP: Final = 34
BAND_HEIGHT: Final = 22
PAD: Final = 0.15  # room on either side of the quartiles and the value, as a share of what they span


@dataclass(frozen=True)
class Standing:
    """One indicator's position: the member's value, the cell's quartiles (p25 ≤ p50 ≤ p75), which end is better,
    the indicator's valid range (the axis never leaves it), and the words: the chart's accessible name and
    description, each quarter's name, the word for the member, and numbers as the page writes them."""

    value: float
    quartiles: tuple[float, float, float]
    better: Literal["lower", "higher"]
    valid: tuple[float, float] | None
    title: str
    description: str
    names: Mapping[str, str]
    you: str
    number: Callable[[float], str]
    band: str | None = None  # the quarter the hub placed the member in, outlined


def axis(s: Standing) -> tuple[float, float]:
    """The values the drawing spans: the quartiles and the value, with room either side, within the valid range."""
    low, high = min(s.quartiles[0], s.value), max(s.quartiles[2], s.value)
    room = (high - low) * PAD if high > low else max(abs(high) * PAD, 1.0)
    low, high = low - room, high + room
    if s.valid is not None:
        low, high = max(low, s.valid[0]), min(high, s.valid[1])
    return (low, high) if high > low else (low - 1.0, high + 1.0)


def quarters(s: Standing) -> list[tuple[str, float, float]]:
    """The four quarters left to right on the axis, each with its name and the values it spans."""
    low, high = axis(s)
    p25, p50, p75 = s.quartiles
    bounds = [(low, p25), (p25, p50), (p50, p75), (p75, high)]
    names = BANDS if s.better == "higher" else tuple(reversed(BANDS))
    return [(name, lo, hi) for name, (lo, hi) in zip(names, bounds, strict=True)]


def band_chart(s: Standing) -> str:
    """The SVG of ``s``; its quartiles must be finite and in order (the hub sorts what it releases)."""
    if not all(math.isfinite(v) for v in (*s.quartiles, s.value)) or list(s.quartiles) != sorted(s.quartiles):
        raise ValueError(f"quartiles must be finite and ordered: {s.quartiles!r}, value {s.value!r}")
    low, high = axis(s)

    def x(value: float) -> float:
        return SIDE + (WIDTH - 2 * SIDE) * (min(max(value, low), high) - low) / (high - low)

    svg = canvas(WIDTH, HEIGHT, s.title, s.description)
    for name, lo, hi in quarters(s):
        attributes = {
            "x": _n(x(lo)),
            "y": _n(BAND_TOP),
            "width": _n(max(x(hi) - x(lo), 0.0)),
            "height": _n(BAND_HEIGHT),
            "fill": SHADES[BANDS.index(name)],
            "class": "band",
            "data-band": name,
        }
        if name == s.band:
            attributes |= {"stroke": "#111111", "stroke-width": "2", "class": "band own"}
        ET.SubElement(svg, "rect", attributes).append(_title(s.names.get(name, name)))
    for q in s.quartiles:
        tick = {"x1": _n(x(q)), "x2": _n(x(q)), "y1": _n(BAND_TOP), "y2": _n(BAND_TOP + BAND_HEIGHT + 4)}
        ET.SubElement(svg, "line", tick | {"stroke": "#ffffff", "class": "quartile"})
        text(svg, x(q), BAND_TOP + BAND_HEIGHT + 18, s.number(q), "axis", "middle")
    marked = x(s.value)
    ET.SubElement(svg, "line", {"x1": _n(marked), "x2": _n(marked), "y1": "16", "y2": _n(BAND_TOP + BAND_HEIGHT + 2),
                                "stroke": "#c0392b", "stroke-width": "3", "class": "you",
                                "data-value": repr(float(s.value))})  # fmt: skip
    anchor = "start" if marked < WIDTH * 0.25 else ("end" if marked > WIDTH * 0.75 else "middle")
    text(svg, marked, 12, f"{s.you} {s.number(s.value)}", "value", anchor)
    return written(svg)


def _title(words: str) -> ET.Element:
    found = ET.Element("title")
    found.text = words
    return found


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
