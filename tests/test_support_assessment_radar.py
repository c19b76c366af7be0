"""The result page's radar chart: 16 axes as data (this assessment and the previous one) and the SVG the portal
embeds — a well-formed XML document with one axis per dimension, labels in the chosen language, no script."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from sangsaeng.support.assessment import loading, radar, svg
from sangsaeng.support.assessment.radar import Axis, Radar

MODELS = loading.current()
NS = {"svg": "http://www.w3.org/2000/svg"}
NOW = {d.id: i % 6 for i, d in enumerate(MODELS.siri.dimensions)}
BEFORE = {d.id: max(0, (i % 6) - 1) for i, d in enumerate(MODELS.siri.dimensions)}


def test_the_radar_has_sixteen_axes_clockwise_from_the_top_with_both_assessments() -> None:
    chart = radar.radar(MODELS, NOW, BEFORE, "en", "2026-12-01", "2026-06-01")
    assert len(chart.axes) == 16
    first, fifth = chart.axes[0], chart.axes[4]
    assert (first.id, first.label, first.x, first.y) == ("vertical_integration", "Vertical", 0.0, -1.0)
    assert math.isclose(fifth.angle, math.pi / 2) and math.isclose(fifth.x, 1.0)  # a quarter turn: pointing right
    assert first.point(5) == (0.0, -1.0) and first.point(0) == (0.0, 0.0)
    data = chart.to_json()
    assert data["legend"] == {"now": "This assessment (2026-12-01)", "before": "Previous assessment (2026-06-01)"}
    assert [(a["band"], a["previous"]) for a in data["axes"]][:3] == [(0, 0), (1, 0), (2, 1)]
    assert data["axes"][2]["point"] == [0.2828, -0.2828]  # 45° to the right of the top, 2 of 5: 0.4 · √½


def test_a_first_assessment_has_no_previous_outline() -> None:
    chart = radar.radar(MODELS, NOW, None, "ko")
    assert chart.before is None and all(a.previous is None for a in chart.axes)
    assert chart.to_json()["axes"][0]["previousPoint"] is None
    document = ET.fromstring(svg.render(chart))
    assert document.find("svg:polygon[@class='before']", NS) is None
    assert document.find("svg:polygon[@class='now']", NS) is not None


def test_the_svg_is_well_formed_with_sixteen_axes_and_korean_labels() -> None:
    text = svg.render(radar.radar(MODELS, NOW, BEFORE, "ko", "2026-12-01", "2026-06-01"))
    document = ET.fromstring(text)  # parses as XML
    assert document.tag == "{http://www.w3.org/2000/svg}svg"
    axes = document.findall(".//svg:line[@class='axis']", NS)
    assert len(axes) == 16
    assert [a.get("data-dimension") for a in axes] == [d.id for d in MODELS.siri.dimensions]
    labels = [t.text for t in document.findall("svg:g[@class='labels']/svg:text", NS)]
    assert labels[:3] == ["수직 통합", "수평 통합", "수명주기"]
    assert document.find("svg:title", NS).text == "스마트 산업 준비도 지수: 16개 차원"  # type: ignore[union-attr]
    legend = [t.text for t in document.findall("svg:g[@class='legend']/svg:text", NS)]
    assert legend == ["이번 진단 (2026-12-01)", "이전 진단 (2026-06-01)"]
    assert len(document.findall("svg:g[@class='rings']/svg:polygon", NS)) == 5
    now = document.find("svg:polygon[@class='now']", NS)
    assert now is not None and len(now.get("points", "").split()) == 16
    assert "script" not in text and "http://" not in text.replace("http://www.w3.org/2000/svg", "")


def test_labels_are_escaped_so_the_document_stays_well_formed() -> None:
    axes = tuple(Axis(f"d{i}", "<a & b>", "\"quoted\" & 'so'", 3, None, 0.0, 0.0, -1.0) for i in range(16))
    document = ET.fromstring(svg.render(Radar("en", "R&D </svg>", "now", None, axes)))
    assert document.find("svg:title", NS).text == "R&D </svg>"  # type: ignore[union-attr]
    assert {t.text for t in document.findall("svg:g[@class='labels']/svg:text", NS)} == {"<a & b>"}
