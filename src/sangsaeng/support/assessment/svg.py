"""A radar chart as a self-contained SVG document (no script, no external font or style): rings for bands 1–5,
one axis per dimension with its label, the previous assessment as a dashed outline and this one filled. Built
with ``xml.etree.ElementTree`` so that every label is escaped; the portal embeds the string as it is."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from sangsaeng.support.assessment.radar import TOP, Radar

SIZE = 640  # the chart is square; the legend sits below it
CENTRE = SIZE / 2
RADIUS = 210
LABEL_GAP = 18
LEGEND = 56
NOW_COLOUR = "#1f6feb"
BEFORE_COLOUR = "#6e7781"
SVG_NS = "http://www.w3.org/2000/svg"


def _xy(x: float, y: float, scale: float) -> tuple[float, float]:
    return (round(CENTRE + x * scale, 1), round(CENTRE + y * scale, 1))


def _points(pairs: list[tuple[float, float]]) -> str:
    return " ".join(f"{x},{y}" for x, y in pairs)


RING_LABEL = (math.sin(math.pi / 16), -math.cos(math.pi / 16))  # half way from the top axis to the next of 16


def render(radar: Radar) -> str:
    """The chart as an SVG document (a string starting with ``<svg``)."""
    height = SIZE + LEGEND
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {SIZE} {height}",
            "width": str(SIZE),
            "height": str(height),
            "role": "img",
            "aria-label": radar.title,
            "font-family": "sans-serif",
            "font-size": "13",
        },
    )
    ET.SubElement(root, "title").text = radar.title
    rings = ET.SubElement(root, "g", {"class": "rings", "fill": "none", "stroke": "#d0d7de"})
    for band in range(1, TOP + 1):
        corners = [_xy(a.x, a.y, RADIUS * band / TOP) for a in radar.axes]
        ET.SubElement(rings, "polygon", {"points": _points(corners), "data-band": str(band)})
        # the band's number between the first two axes, so that none sits on the top axis's label
        x, y = _xy(RING_LABEL[0], RING_LABEL[1], RADIUS * band / TOP)
        ET.SubElement(
            rings,
            "text",
            {"x": str(x), "y": str(y), "fill": "#57606a", "stroke": "none", "font-size": "11", "text-anchor": "middle"},
        ).text = str(band)
    axes = ET.SubElement(root, "g", {"class": "axes", "stroke": "#afb8c1"})
    for a in radar.axes:
        x, y = _xy(a.x, a.y, RADIUS)
        ET.SubElement(
            axes,
            "line",
            {"class": "axis", "data-dimension": a.id, "x1": str(CENTRE), "y1": str(CENTRE), "x2": str(x), "y2": str(y)},
        )
    labels = ET.SubElement(root, "g", {"class": "labels", "fill": "#24292f"})
    for a in radar.axes:
        x, y = _xy(a.x, a.y, RADIUS + LABEL_GAP)
        anchor = "middle" if abs(a.x) < 0.2 else ("start" if a.x > 0 else "end")
        text = ET.SubElement(
            labels,
            "text",
            {"x": str(x), "y": str(round(y + 4, 1)), "text-anchor": anchor, "data-dimension": a.id},
        )
        text.text = a.label
        ET.SubElement(text, "title").text = f"{a.name}: {a.band}" + (
            f" ({a.previous})" if a.previous is not None else ""
        )
    if radar.before is not None:
        before = [_xy(*a.point(a.previous if a.previous is not None else 0), RADIUS) for a in radar.axes]
        ET.SubElement(
            root,
            "polygon",
            {
                "class": "before",
                "points": _points(before),
                "fill": "none",
                "stroke": BEFORE_COLOUR,
                "stroke-width": "2",
                "stroke-dasharray": "6 4",
            },
        )
    now = [_xy(*a.point(a.band), RADIUS) for a in radar.axes]
    ET.SubElement(
        root,
        "polygon",
        {
            "class": "now",
            "points": _points(now),
            "fill": NOW_COLOUR,
            "fill-opacity": "0.25",
            "stroke": NOW_COLOUR,
            "stroke-width": "2",
        },
    )
    _legend(root, radar)
    return ET.tostring(root, encoding="unicode")


def _legend(root: ET.Element, radar: Radar) -> None:
    legend = ET.SubElement(root, "g", {"class": "legend"})
    entries: list[tuple[str, str, str | None]] = [(radar.now, NOW_COLOUR, None)]
    if radar.before is not None:
        entries.append((radar.before, BEFORE_COLOUR, "6 4"))
    for index, (said, colour, dashes) in enumerate(entries):
        y = SIZE + 16 + index * 22
        line = {"x1": "40", "y1": str(y), "x2": "76", "y2": str(y), "stroke": colour, "stroke-width": "3"}
        if dashes:
            line["stroke-dasharray"] = dashes
        ET.SubElement(legend, "line", line)
        ET.SubElement(legend, "text", {"x": "86", "y": str(y + 4), "fill": "#24292f"}).text = said
