"""Every cell read as a person meant it: full width, no-value markers, thousands separators, units written in the
cell, and the mapping keys that need them (format by example, year, at, minus, no_value)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.cells import NO_VALUE, Markers, read_text, readable, split_numbers
from sangsaeng.standard.ingest import read_through
from sangsaeng.standard.layout import LINE
from sangsaeng.standard.mapping import Applier, load_mapping
from sangsaeng.standard.validation import Finding

SEOUL = ZoneInfo("Asia/Seoul")


def batch(rows: list[dict[str, str | None]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=pa.schema([(k, pa.string()) for k in rows[0]]))


def problems(findings: list[Finding]) -> list[tuple[int, str, str, str | None]]:
    return sorted((f.row, f.field, f.code, f.value) for f in findings)


# ---- text -----------------------------------------------------------------------------------------------
def test_full_width_text_is_read_as_half_width_and_trimmed() -> None:
    cells = ["Ｌ２６０３－０１", "１２．５", "３５％", "（주）한빛", "\u3000외경\u00a0", "㎜", "  ", "", None, "plain"]
    assert readable(pa.array(cells)).to_pylist() == [
        "L2603-01",
        "12.5",
        "35%",
        "(주)한빛",
        "외경",
        "mm",
        None,
        None,
        None,
        "plain",
    ]


def test_an_ascii_column_is_only_trimmed() -> None:
    assert readable(pa.array([" L1 ", "L2\t", None])).to_pylist() == ["L1", "L2", None]


@pytest.mark.parametrize("marker", NO_VALUE)
def test_every_default_marker_is_found_as_written_padded_or_in_full_width(marker: str) -> None:
    cells = pa.array([marker, f"  {marker}\u3000", _full_width(marker), "12.5", None])
    read = read_text(cells, Markers(NO_VALUE))
    assert read.text.to_pylist() == [None, None, None, "12.5", None]
    assert read.marker is not None
    assert [None if i is None else NO_VALUE[i] for i in read.marker.to_pylist()][:3] == [marker] * 3


# ---- numbers --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "decimal", "value", "unit"),
    [
        ("1,234.5", ".", 1234.5, None),
        ("1,234,567", ".", 1234567.0, None),
        ("+12.5", ".", 12.5, None),
        ("-0.25", ".", -0.25, None),
        ("−3", ".", -3.0, None),  # the minus sign of word processors
        ("12.5mm", ".", 12.5, "mm"),
        ("12.5 mm", ".", 12.5, "mm"),
        ("1,200 kWh", ".", 1200.0, "kWh"),
        ("35%", ".", 35.0, "%"),
        ("45 HRC", ".", 45.0, "HRC"),
        ("0.8 Ra", ".", 0.8, "Ra"),
        ("1.2e-3", ".", 0.0012, None),
        ("12개", ".", 12.0, "개"),
        ("1.234,5", ",", 1234.5, None),
        ("12.345.678,9 kg", ",", 12345678.9, "kg"),
        ("0,25", ",", 0.25, None),
        ("1.234", ",", 1234.0, None),  # "." separates thousands where the decimal is ","
        ("1.5", ",", 1.5, None),  # … but a "." that cannot is a decimal point all the same
    ],
)
def test_numbers_are_read_with_separators_signs_and_units(
    cell: str, decimal: str, value: float, unit: str | None
) -> None:
    split = split_numbers(readable(pa.array([cell])), decimal)
    assert split.values.to_pylist() == [pytest.approx(value)]
    assert (split.units.to_pylist() if split.units is not None else [None]) == [unit]


@pytest.mark.parametrize(
    ("cell", "decimal"),
    [("12,34", "."), ("1,2,3", "."), ("1.234,5", "."), ("abc", "."), ("1..2", "."), ("nan", "."), ("1,2.3", ",")],
)
def test_what_is_no_number_is_said_to_be_none(cell: str, decimal: str) -> None:
    split = split_numbers(readable(pa.array([cell])), decimal)
    assert split.values.to_pylist() == [None] and split.unreadable.to_pylist() == [True]


# ---- through a mapping ----------------------------------------------------------------------------------
QUALITY = """
entity: quality_result
fields:
  subject: {column: 로트}
  characteristic: {column: 항목}
  value: {column: 측정값}
  passed: {column: 판정}
"""


def test_a_marker_is_empty_and_noted_and_a_required_field_left_empty_is_then_missing() -> None:
    rows = [
        {"로트": "L1", "항목": "외경", "측정값": "-", "판정": "합격"},
        {"로트": "L1", "항목": "내경", "측정값": " 측정불가 ", "판정": "N/A"},
        {"로트": "L1", "항목": "길이", "측정값": "12.5", "판정": "ＯＫ"},
    ]
    out, findings = Applier(load_mapping(QUALITY)).apply(batch(rows))
    assert out.column("value").to_pylist() == [None, None, 12.5]
    assert out.column("passed").to_pylist() == [True, None, True]
    assert problems(findings) == [
        (1, "value", "no-value", "-"),
        (2, "passed", "no-value", "N/A"),
        (2, "value", "no-value", " 측정불가 "),
    ]
    assert {f.expected for f in findings} == {"-", "측정불가", "N/A"}
    assert "빈 칸" in findings[0].message_ko and "no value" in findings[0].message


def test_a_mapping_may_say_what_its_files_write_for_no_value() -> None:
    mapping = load_mapping(QUALITY + 'no_value: ["x", "미측정"]\n')
    rows = [{"로트": "L1", "항목": "a", "측정값": v, "판정": "합격"} for v in ("x", "-", "미측정")]
    out, findings = Applier(mapping).apply(batch(rows))
    assert out.column("value").to_pylist() == [None, None, None]
    assert problems(findings) == [
        (1, "value", "no-value", "x"),
        (2, "value", "type-error", "-"),
        (3, "value", "no-value", "미측정"),
    ]


def test_a_marker_that_looks_like_a_number_or_a_date_is_still_no_value() -> None:
    mapping = load_mapping("""
entity: quality_result
no_value: [-999, "1900-01-01"]
fields:
  subject: {column: 로트}
  characteristic: {column: 로트}
  inspected_at: {column: 일자}
  value: {column: 측정값}
  passed: {value: true}
""")
    rows = [{"로트": "L1", "일자": d, "측정값": v} for d, v in (("2026-03-02", "12.5"), ("1900-01-01", "-999"))]
    out, findings = Applier(mapping).apply(batch(rows))
    assert out.column("value").to_pylist() == [12.5, None]
    assert out.column("inspected_at").to_pylist() == [datetime(2026, 3, 2, tzinfo=SEOUL), None]
    assert problems(findings) == [(2, "inspected_at", "no-value", "1900-01-01"), (2, "value", "no-value", "-999")]


def test_a_marker_is_never_a_code_even_where_the_mapping_lists_it() -> None:
    mapping = load_mapping("""
entity: energy_record
fields:
  consumer: {value: 창원}
  period_start: {value: "2026-03-01T00:00:00+09:00"}
  period_end: {value: "2026-04-01T00:00:00+09:00"}
  carrier: {column: 에너지원, values: {전기: electricity, "-": other}}
  amount: {column: 사용량}
""")
    rows = [{"에너지원": c, "사용량": "1"} for c in ("전기", "-", " 전기 ", "가스")]
    out, findings = Applier(mapping).apply(batch(rows))
    assert out.column("carrier").to_pylist() == ["electricity", None, "electricity", None]
    assert problems(findings) == [(2, "carrier", "no-value", "-"), (4, "carrier", "unknown-code", "가스")]


def test_pass_and_fail_as_shop_floors_write_them() -> None:
    words = ["합격", "불합격", "OK", "ng", "Pass", "FAIL", "○", "×", "ｏ", " Y ", "적합", "부적합"]
    out, findings = Applier(load_mapping(QUALITY)).apply(
        batch([{"로트": "L", "항목": "a", "측정값": "1", "판정": w} for w in words])
    )
    assert findings == []
    assert out.column("passed").to_pylist() == [
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        True,
        True,
        False,
    ]


UNITS = """
entity: quality_result
fields:
  subject: {column: 로트}
  characteristic: {column: 항목}
  value: {column: 측정값, unit_column: 단위}
  lower_spec_limit: {column: 하한}
  passed: {value: true}
"""


def test_a_unit_in_the_cell_is_that_rows_unit_and_must_agree_with_the_declared_one() -> None:
    rows = [
        {"로트": "L", "항목": "a", "측정값": "12.5", "단위": "mm", "하한": "12"},
        {"로트": "L", "항목": "b", "측정값": "12.5 µm", "단위": "mm", "하한": "12"},
        {"로트": "L", "항목": "c", "측정값": "５ｋｇ", "단위": "mm", "하한": "12"},
        {"로트": "L", "항목": "d", "측정값": "7 mm", "단위": None, "하한": "12mm"},
        {"로트": "L", "항목": "e", "측정값": "8 mmm", "단위": None, "하한": "12"},
        {"로트": "L", "항목": "f", "측정값": "8 (재측정)", "단위": None, "하한": "12"},
    ]
    out, findings = Applier(load_mapping(UNITS)).apply(batch(rows))
    assert out.column("value").to_pylist() == [pytest.approx(0.0125), pytest.approx(12.5e-6), None, 0.007, None, None]
    assert out.column("raw_unit").to_pylist()[:4] == ["mm", "μm", "kg", "mm"]  # as written, in NFKC
    assert out.column("lower_spec_limit").to_pylist() == [12.0, 12.0, 12.0, None, 12.0, 12.0]
    assert problems(findings) == [
        (3, "value", "unit-mismatch", "kg"),
        (4, "lower_spec_limit", "unknown-unit", "mm"),  # no unit can apply to it: say so, do not drop it
        (5, "value", "unknown-unit", "mmm"),
        (6, "value", "type-error", "8 (재측정)"),
    ]
    mismatch = next(f for f in findings if f.code == "unit-mismatch")
    assert mismatch.expected == "convertible to mm" and "변환" in mismatch.message_ko


def test_a_unit_in_the_cell_of_a_field_with_a_fixed_unit_is_converted() -> None:
    mapping = load_mapping("""
entity: energy_record
fields:
  consumer: {value: 창원}
  period_start: {column: 월, format: 3월분, year: 2026}
  period_end: {column: 월, format: 3월분, year: 2026, at: end}
  carrier: {value: electricity}
  amount: {column: 사용량}
""")
    rows = [{"월": "3월분", "사용량": a} for a in ("1,200 kWh", "1.2 MWh", "4,320 MJ", "12 HRC", "1,500", "35%")]
    out, findings = Applier(mapping).apply(batch(rows))
    assert out.column("amount").to_pylist() == [1200.0, 1200.0, pytest.approx(1200.0), None, 1500.0, None]
    assert problems(findings) == [(4, "amount", "unit-mismatch", "HRC"), (6, "amount", "unit-mismatch", "%")]
    assert out.column("period_start")[0].as_py() == datetime(2026, 3, 1, tzinfo=SEOUL)
    assert out.column("period_end")[0].as_py() == datetime(2026, 4, 1, tzinfo=SEOUL)


def test_percent_stays_percent() -> None:
    mapping = load_mapping(UNITS)
    rows = [{"로트": "L", "항목": "a", "측정값": v, "단위": u, "하한": None} for v, u in (("12%", None), ("12", "%"))]
    out, findings = Applier(mapping).apply(batch(rows))
    assert findings == []
    assert out.column("value").to_pylist() == [12.0, 12.0] and out.column("unit").to_pylist() == ["percent"] * 2


def test_a_value_without_its_unit_where_the_field_needs_one_is_a_problem_not_a_silent_null() -> None:
    mapping = load_mapping("""
entity: energy_record
fields:
  consumer: {value: 창원}
  period_start: {column: 월, format: 2026-03}
  period_end: {column: 월, format: 2026-03, at: end}
  carrier: {value: electricity}
  amount: {column: 사용량, unit_column: 단위}
""")
    rows = [{"월": "2026-03", "사용량": "5", "단위": u} for u in ("MWh", "", "-")]
    out, findings = Applier(mapping).apply(batch(rows))
    assert out.column("amount").to_pylist() == [5000.0, None, None]
    assert problems(findings) == [
        (2, "단위", "missing-value", None),
        (3, "단위", "missing-value", None),
        (3, "단위", "no-value", "-"),
    ]


def test_a_count_is_one_column_minus_another() -> None:
    mapping = load_mapping("""
entity: production_run
fields:
  order: {column: 지시}
  equipment: {value: M1}
  part_type: {value: P1}
  planned_time: {column: 계획}
  run_time: {column: 가동, unit: 분}
  downtime: {value: 0}
  total_count: {column: 생산수량}
  good_count: {column: 생산수량, minus: 불량수량}
  ideal_cycle_time: {value: 30}
""")
    rows = [
        {"지시": "W1", "계획": "8 h", "가동": "400", "생산수량": "1,200 EA", "불량수량": "5"},
        {"지시": "W2", "계획": "480분", "가동": "7 h", "생산수량": "1000", "불량수량": "-"},
        {"지시": "W3", "계획": "28800", "가동": "420", "생산수량": "12개", "불량수량": None},
        {"지시": "W4", "계획": "1 kg", "가동": "420", "생산수량": "10.5", "불량수량": "1"},
    ]
    out, findings = Applier(mapping).apply(batch(rows))
    assert out.column("good_count").to_pylist() == [1195, 1000, 12, None]
    assert out.column("total_count").to_pylist() == [1200, 1000, 12, None]
    assert out.column("planned_time").to_pylist() == [28800.0, 28800.0, 28800.0, None]
    assert out.column("run_time").to_pylist() == [24000.0, 25200.0, 25200.0, 25200.0]
    assert problems(findings) == [
        (2, "good_count", "no-value", "-"),
        (4, "good_count", "type-error", "10.5"),
        (4, "planned_time", "unit-mismatch", "kg"),
        (4, "total_count", "type-error", "10.5"),
    ]


@pytest.mark.parametrize(
    ("rules", "words"),
    [
        ("period_start: {column: 월, format: 3월분}", "has no year: give the year"),
        ("period_start: {column: 월, format: 오전 9시}", "only a time of day"),
        ("period_start: {column: 월, format: 03/02/2026}", "month/day or day/month"),
        ("period_start: {column: 월, format: '%Q'}", "not read here"),
        ("amount: {column: 월, at: end}", "'at' is for dates"),
        ("period_start: {column: 월, minus: 끝}", "'minus' subtracts numbers"),
        ("amount: {value: 3, minus: 끝}", "'minus' subtracts a column"),
    ],
)
def test_a_mapping_key_that_cannot_be_followed_says_what_to_give(rules: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_mapping(f"entity: energy_record\nfields:\n  {rules}\n")
    assert words in caught.value.message


def test_a_version_one_mapping_reads_and_writes_as_before() -> None:
    text = "entity: quality_result\ntimezone: Asia/Seoul\ndecimal: .\nfields:\n  subject:\n    column: 로트\n"
    assert load_mapping(text).to_yaml() == text  # no new key appears: the same mapping, the same origin digest


def test_a_constant_may_be_written_as_a_cell_would_be() -> None:
    mapping = load_mapping("""
entity: energy_record
fields:
  consumer: {value: 창원}
  period_start: {value: 2026-03-01}
  period_end: {value: "2026.04.01", format: "2026.03.02"}
  carrier: {value: electricity}
  amount: {value: "1,200 kWh"}
""")
    out, findings = Applier(mapping).apply(batch([{"x": "1"}]))
    assert findings == []
    assert out.to_pylist()[0] == {  # the raw value and unit are kept as for a cell
        "consumer": "창원",
        "period_start": datetime(2026, 3, 1, tzinfo=SEOUL),
        "period_end": datetime(2026, 4, 1, tzinfo=SEOUL),
        "carrier": "electricity",
        "amount": 1200.0,
        "raw_value": 1200.0,
        "raw_unit": "kWh",
        "emission_factor": None,
        "calorific_factor": None,
        "calorific_unit": None,
        "calorific_basis": None,
        "estimated": None,
    }
    with pytest.raises(InvalidInput, match="the constant '2026-02-30' cannot be used"):
        Applier(load_mapping("entity: energy_record\nfields:\n  period_start: {value: '2026-02-30'}\n"))


def test_the_line_column_is_not_a_column_of_the_file() -> None:
    source = batch([{"로트": "L1", "항목": "a", "측정값": "x", "판정": "합격"}]).append_column(LINE, pa.array([7]))
    with pytest.raises(InvalidInput) as caught:
        Applier(load_mapping(QUALITY.replace("판정", "결과"))).apply(source)
    assert caught.value.hint == "its columns are: 로트, 항목, 측정값, 판정"


def test_a_finding_names_the_sheet_row_and_the_column_of_its_cell() -> None:
    source = batch([{"로트": "L1", "항목": "a", "측정값": v, "판정": "합격"} for v in ("1", "x")])
    _, findings = Applier(load_mapping(QUALITY)).apply(source.append_column(LINE, pa.array([5, 9])), first_row=1)
    [found] = findings
    assert (found.row, getattr(found, "line"), getattr(found, "column")) == (2, 9, "측정값")  # noqa: B009


def test_an_excel_sheet_with_real_date_cells_serials_and_korean_text_dates(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["로트번호", "검사항목", "검사일자", "측정값", "판정"])
    sheet.append(["L1", "외경", datetime(2026, 3, 2), 12.5, "합격"])  # a date cell
    sheet.append(["L1", "내경", 46083, "1,234.5", "합격"])  # a date typed as a number
    sheet.append(["L2", "외경", "2026. 3. 2.", "１２．５", "불합격"])  # Excel's Korean display, full width
    sheet.append(["L2", "내경", "2026.02.30", "#N/A", "합격"])
    path = tmp_path / "검사성적서.xlsx"
    book.save(path)
    mapping = load_mapping("""
entity: quality_result
fields:
  subject: {column: 로트번호}
  characteristic: {column: 검사항목}
  inspected_at: {column: 검사일자, format: "2026. 3. 2."}
  value: {column: 측정값}
  passed: {column: 판정}
""")
    steps = list(read_through(path, mapping))
    records = [r for s in steps for r in s.canonical.to_pylist()]
    found = [f for s in steps for f in s.findings]
    day = datetime(2026, 3, 1, 15, tzinfo=UTC)
    assert [r["inspected_at"] for r in records] == [day, day, day, None]
    assert [r["value"] for r in records] == [12.5, 1234.5, 12.5, None]
    assert problems(found) == [(4, "inspected_at", "bad-date", "2026.02.30"), (4, "value", "no-value", "#N/A")]


# ---- properties -----------------------------------------------------------------------------------------
def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


SPACES = st.sampled_from(["", " ", "  ", "\u3000", "\u00a0", "\t"])
MARKER_CELLS = st.builds(
    lambda marker, wide, before, after: before + (_full_width(marker) if wide else marker) + after,
    st.sampled_from(NO_VALUE),
    st.booleans(),
    SPACES,
    SPACES,
)
EVERY_KIND = """
entity: quality_result
fields:
  subject: {column: a}
  characteristic: {column: a}
  inspected_at: {column: a, format: "2026.03.02"}
  value: {column: a, unit_column: a}
  lower_spec_limit: {column: a}
  passed: {column: a}
"""


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(MARKER_CELLS, min_size=1, max_size=10), decimal=st.sampled_from([".", ","]))
def test_a_no_value_marker_never_becomes_a_number_a_code_or_a_date(cells: list[str], decimal: str) -> None:
    mapping = load_mapping(EVERY_KIND + f"decimal: '{decimal}'\n")
    out, findings = Applier(mapping).apply(batch([{"a": c} for c in cells]))
    for name in ("subject", "characteristic", "inspected_at", "value", "raw_value", "lower_spec_limit", "passed"):
        assert out.column(name).null_count == len(cells), name
    assert {f.code for f in findings} == {"no-value"}
    assert sorted(f.row for f in findings) == list(range(1, len(cells) + 1))  # one note a cell, not one a field


@settings(max_examples=200, deadline=None)
@given(
    number=st.one_of(st.integers(-(10**12), 10**12), st.decimals(-(10**9), 10**9, places=3).map(float)),
    decimal=st.sampled_from([".", ","]),
)
def test_thousands_separators_never_change_a_values_magnitude(number: float, decimal: str) -> None:
    plain = f"{number:.3f}" if isinstance(number, float) else str(number)
    grouped = f"{number:,.3f}" if isinstance(number, float) else f"{number:,}"
    if decimal == ",":  # 1.234,5
        plain = plain.replace(".", ",")
        grouped = grouped.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    split = split_numbers(readable(pa.array([plain, grouped])), decimal)
    assert split.values.to_pylist() == [pytest.approx(number)] * 2


UNIT_SPELLINGS = [
    "mm",
    "µm",
    "um",
    "㎜",
    "kg",
    "t",
    "kWh",
    "MWh",
    "MJ",
    "%",
    "HRC",
    "HV10",
    "°C",
    "℃",
    "N·m",
    "분",
    "개",
]


@settings(max_examples=150, deadline=None)
@given(
    value=st.decimals(-(10**6), 10**6, places=2).map(float),
    unit=st.sampled_from(UNIT_SPELLINGS),
    space=st.sampled_from(["", " ", "  "]),
)
def test_a_cell_with_a_unit_reads_as_the_same_value_in_a_unit_column(value: float, unit: str, space: str) -> None:
    mapping = load_mapping("""
entity: quality_result
fields:
  subject: {value: L}
  characteristic: {value: c}
  value: {column: 측정값, unit_column: 단위}
  passed: {value: true}
""")
    together = batch([{"측정값": f"{value:.2f}{space}{unit}", "단위": None}])
    apart = batch([{"측정값": f"{value:.2f}", "단위": unit}])
    (left, found_left), (right, found_right) = (Applier(mapping).apply(b) for b in (together, apart))
    assert found_left == found_right == []
    for name in ("value", "unit", "raw_value", "raw_unit"):
        assert left.column(name).to_pylist() == right.column(name).to_pylist(), name


# ---- a fuel's amount made energy, a quantity's unit kept, a constant with its unit --------------------------

GAS = """
entity: energy_record
fields:
  consumer: {value: 창원}
  carrier: {value: lng}
  period_start: {column: 일자, format: 2026.03.02}
  period_end: {column: 일자, format: 2026.03.02, at: end}
  amount: {column: 사용량, unit_column: 단위}
"""


def test_a_fuel_in_normal_cubic_metres_becomes_kwh_through_the_calorific_value_of_the_mapping() -> None:
    mapping = load_mapping(GAS + "  calorific_factor: {value: 42.7}\n  calorific_unit: {value: MJ/Nm³}\n")
    rows = [{"일자": "2026.03.02", "사용량": v, "단위": u} for v, u in (("973", "Nm³"), ("1,000", "kWh"), ("5", "L"))]
    out, findings = Applier(mapping).apply(batch(rows))
    assert [(f.code, f.row, f.column, f.value) for f in findings] == [("unit-mismatch", 3, "단위", "L")]
    assert out.column("amount").to_pylist() == pytest.approx([973 * 42.7 / 3.6, 1000.0, None], nan_ok=True)
    assert out.column("raw_value").to_pylist() == [973.0, 1000.0, 5.0]
    assert out.column("raw_unit").to_pylist() == ["Nm3", "kWh", "L"]  # as read (NFKC)
    assert out.column("calorific_factor").to_pylist() == [42.7] * 3
    assert out.column("calorific_unit").to_pylist() == ["MJ/Nm³"] * 3
    assert "calorific value in MJ/Nm³" in findings[0].expected


def test_a_calorific_value_per_row_is_kept_as_written_and_its_unit_recorded() -> None:
    mapping = load_mapping(GAS + "  calorific_factor: {column: 열량, unit: MJ/Nm3}\n")
    rows = [{"일자": "2026.03.02", "사용량": "100", "단위": "Nm3", "열량": h} for h in ("43.2", "", "42.7")]
    out, findings = Applier(mapping).apply(batch(rows))
    assert out.column("calorific_factor").to_pylist() == [43.2, None, 42.7]  # MJ/Nm³, never made joules
    assert out.column("calorific_unit").to_pylist() == ["MJ/Nm3"] * 3
    assert out.column("amount").to_pylist() == pytest.approx([1200.0, None, 100 * 42.7 / 3.6], nan_ok=True)
    assert [(f.code, f.row, f.field, f.column) for f in findings] == [("missing-value", 2, "calorific_factor", "열량")]


def test_a_fuel_without_a_calorific_value_says_how_to_give_one() -> None:
    rows = [{"일자": "2026.03.02", "사용량": "973", "단위": "Nm³"}]
    out, findings = Applier(load_mapping(GAS)).apply(batch(rows))
    assert out.column("amount").to_pylist() == [None]
    assert [(f.code, f.value) for f in findings] == [("unit-mismatch", "Nm3")]  # as read: NFKC
    assert "calorific_factor and calorific_unit" in findings[0].expected


@pytest.mark.parametrize(
    ("rules", "words"),
    [
        ("  calorific_factor: {value: 42.7}\n", "calorific_factor: give its unit"),
        ("  calorific_unit: {value: MJ/Nm³}\n", "give the calorific value with its unit"),
        ("  calorific_factor: {value: 42.7}\n  calorific_unit: {column: 단위}\n", "calorific_unit: give the unit"),
        ("  calorific_factor: {value: 42.7, unit: MJ/L}\n  calorific_unit: {value: MJ/Nm³}\n", "differs"),
        ("  calorific_factor: {value: 42.7}\n  calorific_unit: {value: MJ/Nmm}\n", "calorific_unit 'MJ/Nmm'"),
    ],
)
def test_a_calorific_value_is_given_with_its_unit(rules: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_mapping(GAS + rules)
    assert words in caught.value.message


def test_erp_unit_codes_give_a_bom_quantity_in_its_canonical_unit_with_the_unit_beside_it() -> None:
    mapping = load_mapping("""
entity: bom_link
fields:
  parent: {column: 모품번}
  child: {column: 자품번}
  quantity: {column: 소요량, unit_column: 단위}
  lifecycle: {value: as-planned}
""")
    codes = (("2", "EA"), ("20", "G"), ("0.02", "KG"), ("800", "MM"), ("0.8", "M"), ("0.05", "L"), ("1", "SET"))
    rows = [{"모품번": "A", "자품번": f"C{i}", "소요량": q, "단위": u} for i, (q, u) in enumerate((*codes, ("3", "")))]
    out, findings = Applier(mapping).apply(batch(rows))
    assert findings == []
    assert out.column("quantity").to_pylist() == pytest.approx([2, 0.02, 0.02, 0.8, 0.8, 5e-05, 1, 3])
    assert out.column("quantity_unit").to_pylist() == [
        "piece", "kilogram", "kilogram", "meter", "meter", "meter ** 3", "piece", "piece"
    ]  # fmt: skip
    plain = load_mapping("entity: bom_link\nfields:\n  parent: {column: 모품번}\n  child: {column: 자품번}\n"
                         "  quantity: {column: 소요량}\n  lifecycle: {value: as-built}\n")  # fmt: skip
    out, _ = Applier(plain).apply(batch([{"모품번": "A", "자품번": "C", "소요량": "4"}]))
    assert out.column("quantity_unit").to_pylist() == ["piece"]  # a quantity without a unit is a count


def test_a_constant_limit_with_a_unit_is_converted_as_a_column_would_be() -> None:
    limits = "  lower_spec_limit: {value: 24.98, unit: mm}\n  upper_spec_limit: {value: 25.02}\n"
    mapping = load_mapping(UNITS.replace("  lower_spec_limit: {column: 하한}\n", "") + limits)
    out, findings = Applier(mapping).apply(batch([{"로트": "L", "항목": "외경", "측정값": "25.001", "단위": "mm"}]))
    assert findings == []
    record = out.to_pylist()[0]
    assert record["value"] == pytest.approx(0.025001) and record["unit"] == "meter"
    assert record["lower_spec_limit"] == pytest.approx(0.02498)
    assert record["upper_spec_limit"] == 25.02  # no unit given: the number as written
