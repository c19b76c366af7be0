"""`suggest` on the headers and layouts real factory files have: Korean, English, Hanja and mixed headers, units in
headers, wide layouts, titles that imply constants, dates in Korean styles, pass/fail marks, a company's own words.

Each proposal is checked whole against what a quality or energy engineer would write for that file."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sangsaeng.cli.main import app
from sangsaeng.errors import InvalidInput
from sangsaeng.standard.entities import ENTITIES
from sangsaeng.standard.ingest import check_file
from sangsaeng.standard.layout import LayoutGuess, WideGroup
from sangsaeng.standard.mapping import FieldMap
from sangsaeng.standard.sources import open_source
from sangsaeng.standard.suggest import Vocabulary, suggest, titles
from sangsaeng.standard.suggest.cells import dates
from sangsaeng.standard.suggest.headers import PART, SYNONYM, header_score, read_header
from sangsaeng.standard.suggest.propose import DERIVED

SEOUL = ZoneInfo("Asia/Seoul")

# An SPC tool's inspection export: Korean headers, units in brackets, limits as 규격(하한)/규격(상한), OK/NG.
CMM = {
    "로트번호": ["L2603-01", "L2603-01", "L2603-02", "L2603-02"],
    "품번": ["SJ-RNG-0730"] * 4,
    "검사항목": ["외경", "내경", "외경", "내경"],
    "검사일자": ["2026-03-02 09:00", "2026-03-02 09:02", "2026-03-02 09:04", "2026-03-02 09:06"],
    "측정값(mm)": ["25.012", "12.498", "N/A", "12.503"],
    "규격(하한)": ["24.95", "12.45", "24.95", "12.45"],
    "규격(상한)": ["25.05", "12.55", "25.05", "12.55"],
    "판정": ["OK", "OK", "NG", "OK"],
    "비고": ["", "재측정", "", ""],
}


def test_an_spc_export_maps_every_field_by_synonym_with_its_unit_and_pass_fail_words() -> None:
    proposal = suggest("quality_result", list(CMM), CMM)
    assert proposal.document == {
        "entity": "quality_result",
        "timezone": "Asia/Seoul",
        "decimal": ".",
        "fields": {
            "subject": {"column": "로트번호"},
            "characteristic": {"column": "검사항목"},
            "inspected_at": {"column": "검사일자", "format": "%Y-%m-%d %H:%M"},
            "value": {"column": "측정값(mm)", "unit": "mm"},
            "lower_spec_limit": {"column": "규격(하한)", "unit": "mm"},  # limits are in the value's unit
            "upper_spec_limit": {"column": "규격(상한)", "unit": "mm"},
            "passed": {"column": "판정", "values": {"NG": False, "OK": True}},
        },
    }
    assert proposal.missing == [] and proposal.unpivot is None and proposal.constants == {}
    assert proposal.confidence == {
        "subject": 0.9,  # text: nothing in the values to confirm it
        "characteristic": 0.9,
        "inspected_at": 0.95,  # synonym, and the values are dates
        "value": 0.95,
        "lower_spec_limit": 0.95,
        "upper_spec_limit": 0.95,
        "passed": 0.95,
    }
    assert {f: r.code for f, r in proposal.reasons.items()} == dict.fromkeys(proposal.confidence, "synonym")


def test_the_proposal_reads_its_file_without_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "cmm.csv"
    cells = CMM | {"측정값(mm)": ["25.012", "12.498", "25.061", "12.503"]}
    rows = [list(cells), *zip(*cells.values(), strict=True)]
    path.write_bytes("\n".join(",".join(r) for r in rows).encode("cp949"))
    source = open_source(path)
    proposal = suggest("quality_result", source.headers, source.sample())
    report = check_file(path, proposal.mapping)
    assert (report.rows, report.findings) == (4, [])


def test_hanja_english_and_sample_columns_make_an_unpivot_of_samples() -> None:
    cells = {
        "品番": ["P-1", "P-1", "P-1"],
        "Lot No.": ["L1", "L2", "L3"],
        "檢査日": ["26-3-2", "26-3-3", "2026-03-04 00:00:00"],
        "Item": ["Ø25", "Ø12", "Ø25"],
        "X1": ["25.01", "12.5", "25.0"],
        "X2": ["25.02", "12.5", "25.0"],
        "X3": ["25.00", "12.4", "25.1"],
        "Unit": ["mm", "mm", "mm"],
        "LSL": ["24.9", "12.4", "24.9"],
        "USL": ["25.1", "12.6", "25.1"],
        "判定": ["○", "×", "○"],
    }
    proposal = suggest("quality_result", list(cells), cells)
    assert proposal.unpivot == {"columns": ["X1", "X2", "X3"], "name": "시료번호", "value": "측정값"}
    fields = proposal.document["fields"]
    assert fields["subject"] == {"column": "Lot No."}
    assert fields["characteristic"] == {"column": "Item"}
    assert fields["inspected_at"] == {"column": "檢査日", "format": "26-3-2"}  # Korean style over ISO cells
    assert fields["value"] == {"column": "측정값", "unit_column": "Unit"}
    assert fields["lower_spec_limit"] == {"column": "LSL", "unit_column": "Unit"}
    assert fields["passed"] == {"column": "判定", "values": {"×": False, "○": True}}
    assert proposal.reasons["value"].code == "layout"
    if "sample" in ENTITIES["quality_result"].model_fields:  # the model's sample number (point 7)
        assert fields["sample"] == {"column": "시료번호", "values": {"X1": 1, "X2": 2, "X3": 3}}


def months(names: list[str], units: list[str | None] | None = None) -> WideGroup:
    return WideGroup(columns=names, kind="months", names=names, units=units or [None] * len(names))


def test_a_wide_month_table_becomes_periods_with_the_year_of_its_title() -> None:
    cells = {
        "구분": ["전기", "도시가스"],
        "1월": ["182,400", "5,100"],
        "2월": ["170,020", "4,000"],
        "3월": ["160,000", "3,500"],
    }
    guess = LayoutGuess(
        header_row=3,
        header_rows=1,
        titles=["2026년 에너지 사용 실적 (단위: kWh)", "창원공장"],
        wide=months(["1월", "2월", "3월"]),
    )
    proposal = suggest("energy_record", list(cells), cells, guess=guess, sheet="에너지")
    assert proposal.document == {
        "entity": "energy_record",
        "timezone": "Asia/Seoul",
        "decimal": ".",
        "sheet": "에너지",
        "header": {"row": 3, "rows": 1},
        "unpivot": {"columns": ["1월", "2월", "3월"], "name": "월", "value": "사용량"},
        "fields": {
            "consumer": {"value": "창원공장"},
            "period_start": {"column": "월", "format": "1월", "year": 2026},
            "period_end": {"column": "월", "format": "1월", "year": 2026, "at": "end"},
            "carrier": {"column": "구분", "values": {"도시가스": "lng", "전기": "electricity"}},
            "amount": {"column": "사용량", "unit": "kWh"},
        },
    }
    assert proposal.constants == {"consumer": "창원공장"}
    assert proposal.reasons["consumer"].code == "title" and proposal.confidence["consumer"] == 0.6
    assert proposal.reasons["carrier"].code == "synonym"  # 구분 says little; its values say carrier
    assert proposal.reasons["period_start"].code == "layout" and proposal.missing == []


def test_a_wide_carrier_table_maps_each_header_to_its_code_and_unit() -> None:
    cells = {"년월": ["2026-01", "2026-02"], "전기(kWh)": ["1,000", "2,000"], "LNG(Nm³)": ["100", "200"]}
    cells["경유(L)"] = ["5", "6"]
    wide = WideGroup(
        columns=["전기(kWh)", "LNG(Nm³)", "경유(L)"],
        kind="carriers",
        names=["전기", "LNG", "경유"],
        units=["kWh", "Nm³", "L"],
    )
    guess = LayoutGuess(header_row=2, header_rows=1, titles=["○○사업장 에너지 사용량"], wide=wide)
    proposal = suggest("energy_record", list(cells), cells, guess=guess)
    assert proposal.unpivot == {"columns": wide.columns, "name": "에너지원", "value": "사용량", "unit": "단위"}
    assert proposal.document["fields"] == {
        "consumer": {"value": "○○사업장"},
        "period_start": {"column": "년월", "format": "%Y-%m"},
        "period_end": {"column": "년월", "format": "%Y-%m", "at": "end"},
        "carrier": {"column": "에너지원", "values": {"LNG": "lng", "경유": "diesel", "전기": "electricity"}},
        "amount": {"column": "사용량", "unit_column": "단위"},
    }
    assert proposal.confidence["carrier"] == 1.0 and proposal.reasons["period_end"].code == "derived"


def test_a_wide_characteristic_table_keeps_each_headers_unit() -> None:
    cells = {
        "로트번호": ["L1", "L2"],
        "외경(mm)": ["25.01", "25.02"],
        "경도(HRC)": ["58", "59"],
        "판정": ["합격", "합격"],
    }
    wide = WideGroup(
        columns=["외경(mm)", "경도(HRC)"], kind="characteristics", names=["외경", "경도"], units=["mm", "HRC"]
    )
    guess = LayoutGuess(header_row=4, header_rows=2, titles=["수입검사 성적서", "검사일: 2026.03.02"], wide=wide)
    proposal = suggest("quality_result", list(cells), cells, guess=guess)
    assert proposal.document["header"] == {"row": 4, "rows": 2}
    assert proposal.unpivot == {"columns": wide.columns, "name": "검사항목", "value": "측정값", "unit": "단위"}
    assert proposal.document["fields"] == {
        "subject": {"column": "로트번호"},
        "characteristic": {"column": "검사항목"},
        "inspected_at": {"value": datetime(2026, 3, 2, tzinfo=SEOUL)},  # no column has it: the title's date
        "value": {"column": "측정값", "unit_column": "단위"},
        "passed": {"column": "판정", "values": {"불합격": False, "합격": True}},  # the counterpart too
    }
    assert proposal.reasons["inspected_at"].code == "title" and proposal.confidence["inspected_at"] == 0.85


def test_quantities_measured_side_by_side_are_unpivoted_without_a_layout_guess() -> None:
    """A leak tester writes pressure and leak rate side by side, each with its unit in the header: two columns are
    enough when nothing else names the value or what was measured."""
    cells = {
        "검사일시": ["2026/03/02 08:00:00", "2026/03/02 08:00:17"],
        "바코드": ["VB26030200001", "VB26030200002"],
        "모델": ["VB-300", "VB-300"],
        "시험압력(kPa)": ["149.8", "-"],
        "누설량(cc/min)": ["1.27", "0.54"],
        "결과": ["OK", "NG"],
    }
    proposal = suggest("quality_result", list(cells), cells)
    assert proposal.unpivot == {
        "columns": ["시험압력(kPa)", "누설량(cc/min)"],
        "name": "검사항목",
        "value": "측정값",
        "unit": "단위",
    }
    assert proposal.columns() == {
        "subject": "바코드",
        "characteristic": "검사항목",
        "inspected_at": "검사일시",
        "value": "측정값",
        "passed": "결과",
    }
    assert proposal.document["fields"]["value"] == {"column": "측정값", "unit_column": "단위"}
    assert not proposal.missing


def test_process_values_side_by_side_become_signals_with_seconds_as_a_unit() -> None:
    cells = {
        "일시": ["2026-03-02 06:00:00"],
        "호기": ["IM-03"],
        "쇼트번호": ["1"],
        "사출압력(bar)": ["1186.7"],
        "금형온도(°C)": ["44.6"],
        "사이클타임(s)": ["32.4"],
    }
    proposal = suggest("measurement", list(cells), cells)
    assert proposal.unpivot is not None and proposal.unpivot["columns"] == [
        "사출압력(bar)",
        "금형온도(°C)",
        "사이클타임(s)",
    ]
    assert proposal.columns()["signal"] == proposal.unpivot["name"] and not proposal.missing


@pytest.mark.parametrize(
    "cells",
    [
        # a long layout: one column holds the value, the others with units are limits
        {"로트": ["L1"], "측정항목": ["외경"], "측정값(mm)": ["25.0"], "하한(mm)": ["24.9"], "상한(mm)": ["25.1"]},
        # counts of pieces are quantities of their own, not characteristics
        {"로트": ["L1"], "검사수량(EA)": ["50"], "불량수량(EA)": ["2"], "판정": ["OK"]},
        # one quantity alone is not spread wide
        {"로트": ["L1"], "경도(HRC)": ["58"], "판정": ["OK"]},
    ],
)
def test_columns_with_units_are_not_unpivoted_when_they_are_not_quantities_side_by_side(
    cells: dict[str, list[str]],
) -> None:
    assert suggest("quality_result", list(cells), cells).unpivot is None


_CELL_PIECES = st.sampled_from(
    ["", " ", "-", "N/A", "0", "1", "1,234", "12.5mm", "12,5", ".", "%", "(mm)", "(s)", "[%]", "3월", "2026-03-02",
     "20000", "오후 3:00", "합격", "재검", "OK", "X1", "측정값", "로트", "(", "12:61", "13월", "26-2-30", "㎜", "EA",
     "전기", "\n", "×", "n", "s", "1일", "Jan", "kWh", "/0", "mm/0", "^0.5", ")"]
)  # fmt: skip
_TEXT = st.lists(_CELL_PIECES, max_size=3).map("".join)


def test_text_the_unit_parser_chokes_on_is_no_unit_and_no_crash() -> None:
    """pint divides by zero on "mm/0" and cannot tokenize ")": in a header, a unit column or a cell that is text."""
    cells = {
        "로트": ["L1", "L2"],
        "압력(mm/0)": ["1/0", "2"],
        "측정값(c^0.5^0.5^0.5)": ["1 mm/0", "3"],
        "단위": [")", "mm/0"],
    }
    proposal = suggest("quality_result", list(cells), cells)
    assert proposal.columns()["subject"] == "로트"
    with pytest.raises(InvalidInput, match="not a unit"):
        Vocabulary.from_dict({"units": {"X": "mm/0"}})


@settings(max_examples=150, deadline=None)
@given(
    entity=st.sampled_from(sorted(ENTITIES)),
    headers=st.lists(_TEXT, max_size=6, unique=True),
    rows=st.lists(st.lists(_TEXT, min_size=6, max_size=6), max_size=5),
    titles=st.lists(_TEXT, max_size=2),
)
def test_no_headers_and_cells_make_suggest_fail(
    entity: str, headers: list[str], rows: list[list[str]], titles: list[str]
) -> None:
    """Whatever a file shows — empty headers, empty columns, no rows, markers only — a proposal comes back (with
    what it could not place in ``missing``), never a crash."""
    samples = {h: [r[i] for r in rows] for i, h in enumerate(headers)}
    proposal = suggest(entity, headers, samples, guess=LayoutGuess(1, 1, titles=titles))
    assert set(proposal.missing) <= set(ENTITIES[entity].model_fields)
    proposal.to_yaml()


def test_a_sheet_named_for_electricity_gives_the_carrier_and_its_title_the_month() -> None:
    cells = {"사업장": ["창원1공장", "창원2공장"], "사용량(kWh)": ["182,400", "190,020"]}
    guess = LayoutGuess(header_row=2, header_rows=1, titles=["2026년 3월 사용 실적"])
    proposal = suggest("energy_record", list(cells), cells, guess=guess, sheet="전기사용량")
    assert proposal.document["fields"] == {
        "consumer": {"column": "사업장"},
        "period_start": {"value": datetime(2026, 3, 1, tzinfo=SEOUL)},
        "period_end": {"value": datetime(2026, 4, 1, tzinfo=SEOUL)},  # the end is the start of the next period
        "carrier": {"value": "electricity"},
        "amount": {"column": "사용량(kWh)", "unit": "kWh"},
    }
    assert {f: proposal.reasons[f].code for f in proposal.constants} == {
        "period_start": "title",
        "period_end": "title",
        "carrier": "sheet",
    }


def test_year_less_dates_take_the_year_of_the_title_or_say_it_is_needed() -> None:
    cells = {"일자": ["3월 2일", "3월 3일"], "사용량(kWh)": ["1200", "1300"]}
    titled = suggest(
        "energy_record", list(cells), cells, guess=LayoutGuess(header_row=3, header_rows=1, titles=["2026 전력 사용량"])
    )
    assert titled.document["fields"]["period_start"] == {"column": "일자", "format": "3월 2일", "year": 2026}
    assert titled.constants == {"carrier": "electricity"}  # the title names one carrier
    untitled = suggest("energy_record", list(cells), cells)
    assert untitled.document["fields"]["period_start"] == {"column": "일자", "format": "3월 2일"}
    assert any("year" in n.en and n.field == "period_start" for n in untitled.notes)
    assert untitled.confidence["period_start"] < titled.confidence["period_start"]


def test_titles_say_the_year_the_month_the_day_the_site_and_the_unit() -> None:
    assert [
        titles.year([t]) for t in ["2026년 에너지 사용 실적", "FY2025 계획", "검사일: 2026.03.02", "2024 전력"]
    ] == [
        2026,
        2025,
        2026,
        2024,
    ]
    assert titles.year(["QP-2031-01 수입검사 성적서"]) is None  # a document number is not a year
    assert titles.month(["2026년 3월 전력 사용량"]) == (2026, 3) and titles.month(["2026년 3월 2일 검사"]) is None
    assert titles.day(["검사일: 2026.03.02"]) == (date(2026, 3, 2), True)
    assert titles.day(["검사일자 : 26-03-02", "x"]) == (date(2026, 3, 2), True)
    assert titles.day(["2026년 3월 2일 수입검사"]) == (date(2026, 3, 2), False)
    assert [titles.site([t]) for t in ["창원공장 2026년 3월", "○○사업장 에너지", "전공장 합계", "전주공장"]] == [
        "창원공장",
        "○○사업장",
        None,  # every plant, not one
        "전주공장",
    ]
    assert titles.site(["제2공장", "창원공장"]) is None  # two sites: no constant
    assert titles.unit(["에너지 사용량 (단위: MWh)"], Vocabulary()) == "MWh"
    assert titles.unit(["매출 (단위: 천원)"], Vocabulary()) is None
    assert titles.code("carrier", ["2026년 전력 사용량"]) == "electricity"
    assert titles.code("carrier", ["전기·도시가스 사용량"]) is None  # two carriers: no constant


@pytest.mark.parametrize(
    ("cells", "format"),
    [
        (["2026.03.02", "2026.03.03", "2026.3.14"], "2026.03.02"),  # the shape most cells have
        (["2026. 3. 2.", "2026. 3. 3."], "2026. 3. 2."),  # Excel's Korean display
        (["26-3-2", "26-3-13"], "26-3-2"),
        (["2026년 3월 2일", "2026년 3월 3일 (화)"], "2026년 3월 2일"),
        (["3월분", "4월분"], "3월분"),
        (["20260302", "20260303"], "20260302"),
        (["2026/03/02 14:30", "2026/03/02 15:00"], "2026/03/02 14:30"),
        (["오후 3:00", "오전 9:30"], "오후 3:00"),
        (["2026-03-02 00:00:00", "2026.03.03", "2026-03-04 00:00:00"], "2026.03.03"),  # ISO falls back
        (["2026-03-02 00:00:00", "2026-03-03 00:00:00"], "%Y-%m-%d %H:%M:%S"),  # Excel date cells
        (["2026-03", "2026-04"], "%Y-%m"),
        (["46083", "46084"], None),  # Excel serial numbers: the reader's fallback reads them
    ],
)
def test_dates_are_proposed_by_example_in_the_style_most_cells_follow(cells: list[str], format: str | None) -> None:
    reading = dates(cells)
    assert reading.format == format and reading.fit == 1.0


def test_a_column_whose_values_do_not_fit_loses_to_one_whose_values_do() -> None:
    cells = {"검사일자": ["미정", "확인중", "미정"], "측정일자": ["2026-03-02", "2026-03-03", "2026-03-04"]}
    cells |= {"로트번호": ["L1", "L2", "L3"], "판정": ["합격", "합격", "불합격"]}
    proposal = suggest("quality_result", list(cells), cells)
    assert proposal.columns()["inspected_at"] == "측정일자"  # both are synonyms; only one holds dates
    alone = suggest("quality_result", ["검사일자", "로트번호"], {"검사일자": ["미정", "확인중"]})
    assert alone.columns()["inspected_at"] == "검사일자" and alone.confidence["inspected_at"] == 0.36


def test_a_column_without_a_header_is_placed_by_its_values_only() -> None:
    cells = {"로트번호": ["L1", "L2", "L3"], "C열": ["2026.03.02", "2026.03.03", "2026.03.04"]}
    proposal = suggest("quality_result", list(cells), cells)
    assert proposal.document["fields"]["inspected_at"] == {"column": "C열", "format": "2026.03.02"}
    assert proposal.reasons["inspected_at"].code == "values" and proposal.confidence["inspected_at"] == 0.4
    assert any(n.field == "inspected_at" and "not sure" in n.en for n in proposal.notes)


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("측정값(mm)", "mm"),
        ("측정값 (mm)", "mm"),
        ("측정값[mm]", "mm"),
        ("측정값（ｍｍ）", "mm"),
        ("측정값\n(㎜)", "mm"),
    ],
)
def test_units_are_read_from_headers_however_written(header: str, unit: str) -> None:
    proposal = suggest("quality_result", [header], {header: ["25.01"]})
    assert proposal.document["fields"]["value"] == {"column": header, "unit": unit}


def test_a_bracket_that_is_not_a_unit_is_part_of_the_name() -> None:
    headers = ["규격(하한)", "규격(상한)", "공칭(기준값)", "품번(品番)", "P/N", "Q'ty"]
    proposal = suggest("quality_result", headers, {})
    assert proposal.columns() == {
        "lower_spec_limit": "규격(하한)",
        "upper_spec_limit": "규격(상한)",
        "nominal": "공칭(기준값)",
    }
    assert suggest("bom_link", headers, {}).columns() == {"quantity": "Q'ty"}
    assert suggest("part_type", ["P/N", "품명"], {}).columns() == {
        "id": "P/N",  # a part type's id is its part number, derived
        "manufacturer_part_id": "P/N",
        "name": "품명",
    }


@pytest.mark.parametrize(
    ("field", "headers"),
    [
        ("part_type", ["品番", "품번", "Part No.", "P/N", "ＰＡＲＴ　ＮＯ"]),
        ("inspected_at", ["檢査日", "검사일", "検査日", "Inspection Date"]),
        ("quantity", ["數量", "수량", "Q'ty", "QTY"]),
        ("lower_spec_limit", ["규격(하한)", "LSL", "Min", "하한 규격"]),
        ("nominal", ["공칭", "기준값", "Nominal", "公稱"]),
        ("sample", ["시료번호", "n", "Sample", "Sample No."]),
        ("passed", ["판정", "合否", "OK/NG", "Judgement"]),
        ("equipment", ["설비명", "호기", "Machine", "號機"]),
        ("shift", ["근무조", "Shift", "주/야"]),
        ("started_at", ["시작시각", "Start Time", "작업시작"]),
        ("ended_at", ["종료시각", "End Time"]),
        ("defect_count", ["불량수량", "不良數量", "NG Q'ty"]),
        ("cavities", ["캐비티", "Cavity", "CAV"]),
        ("calorific_factor", ["발열량", "순발열량", "NCV"]),
        ("estimated", ["추정", "추정여부", "Estimated"]),
        ("amount", ["전력량[kWh]", "사용량 (kWh)"]),
    ],
)
def test_real_headers_name_their_fields_whatever_the_script(field: str, headers: list[str]) -> None:
    """Fields the model grows into (sample, shift, cavities …) are named now and placed once they exist."""
    for header in headers:
        scored = header_score(field, read_header(header, Vocabulary()), Vocabulary())
        assert scored in ((1.0, "exact"), (SYNONYM, "synonym"), (PART, "synonym")), header


def test_tolerances_are_not_taken_for_limits() -> None:
    proposal = suggest("quality_result", ["로트번호", "상한공차", "하한공차", "측정값"], {})
    assert "upper_spec_limit" not in proposal.columns() and "lower_spec_limit" not in proposal.columns()


def test_numbers_with_a_decimal_comma_set_the_mapping_decimal() -> None:
    cells = {"로트번호": ["L1", "L2"], "측정값": ["54,01", "53,9"], "판정": ["합격", "불합격"]}
    assert suggest("quality_result", list(cells), cells).document["decimal"] == ","
    cells["측정값"] = ["1,200", "1,300"]  # thousands: says nothing
    assert suggest("quality_result", list(cells), cells).document["decimal"] == "."


def test_units_written_inside_cells_become_the_fields_unit() -> None:
    cells = {"로트번호": ["L1", "L2"], "측정값": ["12.5mm", "12.6 mm"], "판정": ["OK", "OK"]}
    assert suggest("quality_result", list(cells), cells).document["fields"]["value"] == {
        "column": "측정값",
        "unit": "mm",
    }


def test_pass_fail_reads_only_clear_words_and_leaves_reinspection_to_the_person() -> None:
    """재검 says what happens next, not whether this inspection passed: it is left for a person to declare once
    (the reader flags it as an unknown code), never guessed as a failure."""
    cells = {"로트번호": ["L1", "L2", "L3", "L4"], "판정": ["합격", "불합격", "재검", "보류"]}
    proposal = suggest("quality_result", list(cells), cells)
    assert proposal.document["fields"]["passed"]["values"] == {"불합격": False, "합격": True}
    assert [n.field for n in proposal.notes if "보류" in n.en and "재검" in n.en] == ["passed"]
    assert proposal.confidence["passed"] == round(0.9 * (0.4 + 0.6 * 0.5), 2)  # 2 of 4 cells readable
    if "disposition" in ENTITIES["quality_result"].model_fields:  # point 7: what happens next to the lot
        assert proposal.document["fields"]["disposition"] == {
            "column": "판정",
            "values": {"불합격": "reject", "재검": "reinspect", "합격": "accept"},
        }


def test_a_companys_vocabulary_applies_to_its_next_files() -> None:
    cells = {"로트": ["L1", "L2"], "검사치": ["1.2", "1.3"], "진공도(Torr)": ["0.1", "0.2"], "판정": ["양", "부"]}
    plain = suggest("quality_result", list(cells), cells)
    assert "value" not in plain.columns() or plain.columns()["value"] != "검사치"
    words = Vocabulary(
        units={"Torr": "mmHg"}, codes={"passed": {"양": "true", "부": "false"}}, headers={"검사치": "value"}
    )
    remembered = suggest("quality_result", list(cells), cells, vocabulary=words)
    assert remembered.document["fields"]["value"] == {"column": "검사치"}
    assert remembered.reasons["value"].code == "remembered" and remembered.confidence["value"] == 1.0
    assert remembered.document["fields"]["passed"] == {"column": "판정", "values": {"부": False, "양": True}}
    measurement = suggest("measurement", ["설비", "시각", "값(Torr)"], {}, vocabulary=words)
    assert measurement.document["fields"]["value"] == {"column": "값(Torr)", "unit": "mmHg"}


def test_a_vocabulary_learns_from_a_confirmed_mapping_and_is_stored_as_plain_data() -> None:
    cells = {"로트": ["L1", "L2"], "측정": ["1.2", "1.3"], "결과": ["양", "부"]}
    document = {
        "entity": "quality_result",
        "unpivot": {"columns": ["a", "b"], "name": "항목", "value": "값"},
        "fields": {
            "subject": {"column": "로트"},
            "characteristic": {"column": "항목"},
            "passed": {"column": "결과", "values": {"양": True, "부": False}},
        },
    }
    learned = Vocabulary().remember(document)
    assert learned.headers == {"로트": "subject", "결과": "passed"}  # not the unpivot's own columns
    assert learned.codes == {"passed": {"양": "true", "부": "false"}}
    stored = json.loads(json.dumps(learned.to_dict(), ensure_ascii=False))
    assert Vocabulary.from_dict(stored) == learned
    assert suggest("quality_result", list(cells), cells, vocabulary=learned).document["fields"]["passed"] == {
        "column": "결과",
        "values": {"부": False, "양": True},
    }
    with pytest.raises(InvalidInput, match="not a unit"):
        Vocabulary.from_dict({"units": {"HS": "쇼어"}})
    with pytest.raises(InvalidInput, match="codes.passed maps text to text"):
        Vocabulary.from_dict({"codes": {"passed": {"양": True}}})


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_the_canonical_field_names_map_each_field_exactly(entity: str) -> None:
    model = ENTITIES[entity]
    proposal = suggest(entity, list(model.model_fields), {})
    placed = [f for f in model.model_fields if f not in DERIVED]
    assert proposal.columns() == {f: f for f in placed}
    assert proposal.confidence == dict.fromkeys(placed, 1.0)
    assert {r.code for r in proposal.reasons.values()} == {"exact"}


HEADER_SETS = {
    "quality_result": CMM,
    "production_run": {
        "작업일자": ["2026-03-02"],
        "설비명": ["사출 1호기", "사출 2호기"],
        "작업지시번호": ["WO-1", "WO-2"],
        "품번": ["P-1"],
        "계획시간(min)": ["480"],
        "가동시간(min)": ["450"],
        "비가동시간(min)": ["30"],
        "생산수량": ["1,200", "900"],
        "불량수량": ["12", "3"],
        "C/T(s)": ["32"],
        "비고": ["금형 교체"],
    },
    "energy_record": {
        "사업장": ["창원1공장"],
        "시작일": ["2026-03-01 00:00:00"],
        "종료일": ["2026-03-31 00:00:00"],
        "에너지원": ["전기", "도시가스"],
        "사용량": ["182400.5", "51000"],
        "단위": ["kWh", "MWh"],
        "배출계수(kgCO2e/kWh)": ["0.4594"],
        "구분": ["본관"],
    },
    "measurement": {
        "설비": ["CNC-01"],
        "태그": ["spindle_temp"],
        "측정시각": ["2026-03-02 14:30:00"],
        "값": ["41.5"],
        "단위": ["°C"],
        "일자": ["2026-03-02"],
    },
}


@settings(max_examples=60, deadline=None)
@given(entity=st.sampled_from(sorted(HEADER_SETS)), data=st.data())
def test_shuffling_the_columns_never_changes_which_column_a_field_gets(entity: str, data: st.DataObject) -> None:
    cells = HEADER_SETS[entity]
    headers = data.draw(st.permutations(list(cells)))
    assert suggest(entity, headers, cells).document == suggest(entity, list(cells), cells).document


def test_mapping_keeps_every_field_the_installed_reader_understands() -> None:
    cells = {"사업장": ["창원1공장"], "년월": ["2026-09"], "에너지원": ["전기"], "전력량(kWh)": ["1"]}
    proposal = suggest("energy_record", list(cells), cells)
    readable = {f for f, rule in proposal.document["fields"].items() if set(rule) <= set(FieldMap.model_fields)}
    assert set(proposal.mapping.fields) == readable and {"consumer", "period_start", "amount"} <= readable


def test_an_unknown_entity_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown entity"):
        suggest("quality", ["a"], {})


def test_the_command_prints_the_mapping_and_on_stderr_each_fields_confidence(tmp_path: Path) -> None:
    path = tmp_path / "검사.csv"
    rows = [list(CMM), *zip(*CMM.values(), strict=True)]
    path.write_text("\n".join(",".join(r) for r in rows), "utf-8")
    runner = CliRunner()
    english = runner.invoke(app, ["map", "suggest", str(path), "--entity", "quality_result"], env={"LANG": "C.UTF-8"})
    assert english.exit_code == 0, english.output
    document = yaml.safe_load(english.stdout)
    assert document == suggest("quality_result", list(CMM), CMM).document
    lines = [" ".join(line.split()) for line in english.stderr.splitlines()]
    assert "inspected_at ← 검사일자 0.95 header matched by synonym" in lines
    korean = runner.invoke(app, ["map", "suggest", str(path), "--entity", "energy_record"], env={"LANG": "ko_KR.UTF-8"})
    assert korean.exit_code == 0, korean.output
    assert "아직 정하지 못한 필수 필드: consumer, period_start, period_end, carrier, amount" in " ".join(
        korean.stderr.split()
    )


@pytest.mark.parametrize(
    ("titles", "lot"),
    [
        (["공정검사 성적서", "LOT No.: L2603-017    검사일: 2026년 3월 2일 (월)"], "L2603-017"),
        (["로트번호 : A-1234 (외주)"], "A-1234"),
        (["Lot# 26030217"], "26030217"),
        (["LOT: L1-001", "LOT: L1-002"], None),  # two lots: no one subject for the sheet
        (["Pilot run 2026", "로트 관리 대장"], None),  # no lot named, words that only contain "lot"
    ],
)
def test_a_lot_named_in_the_title_is_the_subject_of_a_one_lot_sheet(titles: list[str], lot: str | None) -> None:
    from sangsaeng.standard.suggest import titles as read_titles

    assert read_titles.lot(titles) == lot
