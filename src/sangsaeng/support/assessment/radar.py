"""The result page's radar chart as data: one axis per SIRI dimension (16, in the model's order, clockwise from
the top), each with this assessment's band and the previous one's beside it. Points are on a unit circle (band 5
at radius 1; SVG orientation, y downward), so any renderer scales them; ``svg.py`` is ours."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sangsaeng.i18n.refusals import words
from sangsaeng.support.assessment.loading import Models

DOMAIN = "assessment"
TOP = 5  # the highest band: the rim of the chart


@dataclass(frozen=True)
class Axis:
    id: str
    label: str  # the short name, on the chart
    name: str  # the full name, for a tooltip or a table beside the chart
    band: int
    previous: int | None  # None: no previous assessment, or it had no such dimension
    angle: float  # radians clockwise from the top
    x: float  # the axis's end (band 5) on the unit circle
    y: float

    def point(self, band: int) -> tuple[float, float]:
        return (round(self.x * band / TOP, 4), round(self.y * band / TOP, 4))


@dataclass(frozen=True)
class Radar:
    language: str
    title: str
    now: str  # the legend's words for this assessment and the previous one
    before: str | None
    axes: tuple[Axis, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "title": self.title,
            "legend": {"now": self.now, "before": self.before},
            "max": TOP,
            "axes": [
                {
                    "id": a.id,
                    "label": a.label,
                    "name": a.name,
                    "band": a.band,
                    "previous": a.previous,
                    "angle": round(a.angle, 6),
                    "end": [round(a.x, 4), round(a.y, 4)],
                    "point": list(a.point(a.band)),
                    "previousPoint": list(a.point(a.previous)) if a.previous is not None else None,
                }
                for a in self.axes
            ],
        }


def radar(
    models: Models,
    bands: Mapping[str, int],
    previous: Mapping[str, int] | None,
    language: str,
    when: str | None = None,
    before_when: str | None = None,
) -> Radar:
    """The chart of ``bands`` with ``previous`` beside it; ``when``/``before_when`` (dates as people read them)
    go into the legend."""
    dimensions = models.siri.dimensions
    axes = []
    for index, d in enumerate(dimensions):
        angle = 2 * math.pi * index / len(dimensions)
        axes.append(
            Axis(
                id=d.id,
                label=d.short.say(language),
                name=d.name.say(language),
                band=bands[d.id],
                previous=previous.get(d.id) if previous is not None else None,
                angle=angle,
                x=math.sin(angle),
                y=-math.cos(angle),
            )
        )
    now = words(DOMAIN, "radar.now", language) + (f" ({when})" if when else "")
    before = None
    if previous is not None:
        before = words(DOMAIN, "radar.before", language) + (f" ({before_when})" if before_when else "")
    return Radar(language, words(DOMAIN, "radar.title", language), now, before, tuple(axes))
