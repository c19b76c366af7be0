"""The benchmarks page's pure parts: the band chart (``portal/support/bandchart.py``) puts the member's marker
inside the quarter its value falls in by the position rule, for any quartiles and value, and its words are text,
never markup; the contribution form's rows and the row a refusal names (``benchmark_views.py``)."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree as ET

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sangsaeng.portal.support.bandchart import Standing, band_chart
from sangsaeng.portal.support.benchmark_views import contributions_of, own_place, periods, quarter_of, row_at

BANDS = ("bottom-25", "25-50", "50-75", "top-25")
NS = {"svg": "http://www.w3.org/2000/svg"}
values = st.floats(min_value=0, max_value=1000, allow_nan=False)


def by_rule(value: float, quartiles: tuple[float, float, float], better: str) -> str:
    """The quarter counted from the worse end; a value on a quartile belongs to the better side."""
    if better == "higher":
        return BANDS[sum(value >= q for q in quartiles)]
    return BANDS[sum(value <= q for q in quartiles)]


def standing(value: float, quartiles: tuple[float, float, float], better: str, **more: object) -> Standing:
    names = {b: f"name of {b}" for b in BANDS}
    fields: dict[str, object] = {"value": value, "quartiles": quartiles, "better": better, "valid": (0.0, 1000.0),
                                 "title": "OEE", "description": "where you stand", "names": names, "you": "You",
                                 "number": lambda v: f"{v:g}", "band": by_rule(value, quartiles, better)}  # fmt: skip
    return Standing(**(fields | more))  # type: ignore[arg-type]


@given(st.lists(values, min_size=3, max_size=3).map(sorted), values, st.sampled_from(["lower", "higher"]))
def test_the_marker_is_inside_the_outlined_quarter_the_rule_gives(
    quartiles: list[float], value: float, better: str
) -> None:
    q = (quartiles[0], quartiles[1], quartiles[2])
    drawn = ET.fromstring(band_chart(standing(value, q, better)))
    rects = {r.get("data-band"): r for r in drawn.iterfind("svg:rect", NS)}
    assert set(rects) == set(BANDS)
    [own] = [r for r in rects.values() if "own" in (r.get("class") or "")]
    assert own.get("data-band") == by_rule(value, q, better)
    [marker] = drawn.iterfind("svg:line[@class='you']", NS)
    x, left, width = float(marker.get("x1", "nan")), float(own.get("x", "nan")), float(own.get("width", "nan"))
    assert left - 0.02 <= x <= left + width + 0.02  # coordinates are written to two decimals
    # Left to right the quarters follow the values; the better end is where ``better`` says.
    order = sorted(rects, key=lambda b: float(rects[b].get("x", "0")) + float(rects[b].get("width", "0")) / 2)
    widths = [float(rects[b].get("width", "0")) for b in BANDS]
    assume(all(w > 0.01 for w in widths))
    assert order == (list(BANDS) if better == "higher" else list(reversed(BANDS)))


def test_words_are_text_and_bad_quartiles_are_refused() -> None:
    drawn = band_chart(standing(50, (10, 20, 30), "higher", title="<script>alert(1)</script>", you="귀사 & co"))
    assert "<script>" not in drawn and "&lt;script&gt;" in drawn and "귀사 &amp; co 50" in drawn
    with pytest.raises(ValueError):
        band_chart(standing(50, (30, 20, 10), "higher"))
    with pytest.raises(ValueError):
        band_chart(standing(float("nan"), (10, 20, 30), "higher"))


def test_periods_and_rows() -> None:
    assert quarter_of(date(2026, 11, 28)) == "2026-Q4" and quarter_of(date(2026, 1, 1)) == "2026-Q1"
    assert periods(date(2026, 2, 1), 3) == ["2026-Q1", "2025-Q4", "2025-Q3", "2026", "2025"]
    form = {"row.0.value": "", "row.1.indicator": "oee", "row.1.period": "2026-Q4", "row.1.value": "1,200.5",
            "row.1.unit": "%", "row.3.indicator": "defect-ppm", "row.3.value": "abc", "row.3.unit": "ppm"}  # fmt: skip
    sent, where = contributions_of(form, 5)
    assert where == [1, 3]
    assert sent[0] == {"indicator": "oee", "period": "2026-Q4", "value": 1200.5, "unit": "%"}
    assert sent[1]["value"] == "abc"  # the hub refuses it in its own words
    assert row_at("contributions[1].value", where) == 3 and row_at("$.contributions[0]", where) == 1
    assert row_at("contributions", where) is None and row_at("contributions[2].value", where) is None
    assert row_at(None, where) is None


def test_the_place_is_what_the_credentials_attest() -> None:
    assert own_place({"sector": frozenset({"C2912", "C30"}), "region": frozenset({"KR-48"})}) == (
        {"C29", "C30"},
        {"KR-48"},
    )
    assert own_place({"tier": frozenset({"2차"})}) is None
    assert own_place({"sector": ["C3011"], "region": []}) == ({"C30"}, set())
