"""The dashboard's charts as SVG text: well-formed XML for any labels and values, each bar or column as long as its
value's share of the largest, every label text and never markup, and a picture with an accessible name."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.support.charts.bars import PLOT_WIDTH, bar_chart
from sangsaeng.support.charts.columns import PLOT_HEIGHT, column_chart
from sangsaeng.support.charts.svg import Bar

NS = {"svg": "http://www.w3.org/2000/svg"}
# Any text XML 1.0 can carry (the page's labels are names people typed).
labels = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
values = st.integers(min_value=0, max_value=10**9)
bars = st.lists(st.builds(Bar, labels, values.map(float)), min_size=1, max_size=30)
CHARTS = {"bars": (bar_chart, "width", PLOT_WIDTH), "columns": (column_chart, "height", PLOT_HEIGHT)}


def drawn(kind: str, rows: list[Bar], title: str = "차트") -> ET.Element:
    draw = CHARTS[kind][0]
    return ET.fromstring(draw(title, "설명", rows, lambda v: f"{v:,.0f}"))


@pytest.mark.parametrize("kind", CHARTS)
@given(rows=bars)
def test_each_bar_is_its_values_share_of_the_largest(kind: str, rows: list[Bar]) -> None:
    _, side, full = CHARTS[kind]
    svg = drawn(kind, rows)
    rects = svg.findall(".//svg:rect[@class='bar']", NS)
    assert len(rects) == len(rows)
    largest = max(r.value for r in rows)
    for rect, row in zip(rects, rows, strict=True):
        expected = full * row.value / largest if largest else 0.0
        assert float(rect.get(side, "nan")) == pytest.approx(expected, abs=0.01)  # coordinates to two decimals
        assert float(rect.get("data-value", "nan")) == row.value


@pytest.mark.parametrize("kind", CHARTS)
@given(rows=bars, title=labels)
def test_labels_and_titles_stay_text(kind: str, rows: list[Bar], title: str) -> None:
    svg = drawn(kind, rows, title)
    assert svg.get("role") == "img" and svg.get("aria-label") == title
    assert svg.findtext("svg:title", namespaces=NS) == title
    assert {e.tag.split("}")[1] for e in svg.iter()} <= {"svg", "title", "desc", "g", "rect", "text", "line"}


@pytest.mark.parametrize("kind", CHARTS)
def test_a_script_in_a_name_is_shown_not_run(kind: str) -> None:
    name = "<script>alert(1)</script>"
    draw = CHARTS[kind][0]
    written = draw(name, "d", [Bar(name[:8], 3.0)], str)
    assert "<script" not in written and "&lt;script&gt;" in written
    svg = ET.fromstring(written)
    assert svg.find(".//svg:script", NS) is None
    assert "<script>" in [t.text for t in svg.iter(f"{{{NS['svg']}}}text")]


def test_numbers_are_written_as_the_page_writes_them() -> None:
    svg = ET.fromstring(bar_chart("t", "d", [Bar("C30", 12345.0)], lambda v: f"{v:,.0f}"))
    assert [t.text for t in svg.findall(".//svg:text[@class='value']", NS)] == ["12,345"]


@pytest.mark.parametrize("kind", CHARTS)
def test_a_negative_or_missing_value_is_refused(kind: str) -> None:
    draw = CHARTS[kind][0]
    for wrong in (-1.0, float("nan")):
        with pytest.raises(ValueError):
            draw("t", "d", [Bar("x", wrong)], str)


def test_an_empty_chart_is_still_a_picture() -> None:
    for draw in (bar_chart, column_chart):
        svg = ET.fromstring(draw("t", "nothing yet", [], str))
        assert svg.findall(".//svg:rect", NS) == [] and svg.findtext("svg:desc", namespaces=NS) == "nothing yet"
