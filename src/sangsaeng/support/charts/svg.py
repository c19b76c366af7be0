"""What every chart shares: the ``<svg>`` element with its accessible name, and text that stays text.

Built with ``xml.etree.ElementTree``, which escapes what it writes: a label such as ``<script>`` is a text node,
never markup. Colours and sizes are presentation attributes, not ``style`` (the portal's policy forbids inline
styles); the page's stylesheet may restyle the classes ``bar``, ``label``, ``value`` and ``axis``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.etree import ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
Number = Callable[[float], str]  # a value as the page's language writes it (``12,345``)
BAR = "#2f6f9f"
TEXT = "#222222"
MUTED = "#6b6b6b"
FONT = "12"


@dataclass(frozen=True)
class Bar:
    """One category or month: its label, already in the page's language, and its value (never negative)."""

    label: str
    value: float


def canvas(width: int, height: int, title: str, description: str) -> ET.Element:
    """The picture element: ``role="img"``, an ``aria-label``, a ``<title>`` and a ``<desc>`` saying what it shows."""
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-label": title,
            "class": "chart",
        },
    )
    ET.SubElement(svg, "title").text = title
    ET.SubElement(svg, "desc").text = description
    return svg


def text(parent: ET.Element, x: float, y: float, content: str, kind: str, anchor: str = "start") -> ET.Element:
    node = ET.SubElement(
        parent,
        "text",
        {
            "x": _n(x),
            "y": _n(y),
            "class": kind,
            "text-anchor": anchor,
            "font-size": FONT,
            "fill": MUTED if kind == "axis" else TEXT,
        },
    )
    node.text = content
    return node


def rect(parent: ET.Element, x: float, y: float, width: float, height: float, value: float) -> ET.Element:
    """A bar, with its value kept in ``data-value`` (what a test and a stylesheet can read)."""
    return ET.SubElement(
        parent,
        "rect",
        {
            "x": _n(x),
            "y": _n(y),
            "width": _n(width),
            "height": _n(height),
            "fill": BAR,
            "class": "bar",
            "data-value": repr(float(value)),
        },
    )


def written(svg: ET.Element) -> str:
    return ET.tostring(svg, encoding="unicode")


def clipped(label: str, most: int) -> str:
    """A label as long as the chart has room for, with an ellipsis when cut (the table beside shows it whole)."""
    return label if len(label) <= most else label[: most - 1] + "…"


def checked(bars: list[Bar]) -> list[Bar]:
    for bar in bars:
        if not bar.value >= 0:  # also refuses NaN
            raise ValueError(f"a bar's value is a count or a sum, never negative: {bar.label!r} = {bar.value!r}")
    return bars


def _n(value: float) -> str:
    """A coordinate with two decimals at most (shorter pages, and no float noise in the markup)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
