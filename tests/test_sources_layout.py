"""Real files laid out as factories lay them out — title rows, two-row headers with merged cells, spacer columns,
totals and notes, blank rows, several sheets, CP949 exports with title lines — read into records with the sheet
row each came from."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.layout import Reading, Unpivot, proposed_unpivot
from sangsaeng.standard.mapping import Applier, load_mapping
from sangsaeng.standard.sources import LINE, ExcelSource, open_detected, open_source


def records(source: object) -> list[dict[str, object]]:
    return [row for batch in source.batches() for row in batch.to_pylist()]  # type: ignore[attr-defined]


def inspection_book(path: Path) -> Path:
    """수입검사 성적서 as a quality engineer keeps it: a cover sheet, titles, a header of two rows with merged
    cells, a spacer column, a lot merged down over two rows, a subtotal, a blank row, a total and a note."""
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "표지"  # nothing on it: the first sheet with data is read
    sheet = book.create_sheet("검사성적서")
    sheet["A1"] = "2026년 3월 수입검사 성적서"
    sheet.merge_cells("A1:I1")
    sheet["A3"], sheet["F3"] = "업체: 성진금속", "작성일: 2026-04-01"
    for column, name in zip("ABCDHI", ["로트번호", "품번", "검사일자", "측정값", "판정", None], strict=True):
        sheet[f"{column}4"] = name
    for column in "ABCH":
        sheet.merge_cells(f"{column}4:{column}5")
    sheet.merge_cells("D4:F4")
    sheet["D5"], sheet["E5"], sheet["F5"] = "X1", "X2", "X3"
    rows = {
        6: ["L2603-01", "SJ-100", datetime(2026, 3, 2), 25.012, 25.020, 24.998, None, "합격", "재측정"],
        7: ["L2603-02", "SJ-100", datetime(2026, 3, 2, 14, 30), 25.0, 0.1 + 0.2, "N/A", None, "합격", None],
        8: [None, "SJ-100", datetime(2026, 3, 3), 25.011, None, 24.990, None, "불합격", None],
        9: ["소계", None, None, 75.023, 25.3, 49.988, None, None, None],
        11: ["L2603-03", "SJ-200", datetime(2026, 3, 4), 31.5, 31.6, 31.4, None, "합격", None],
        12: ["합 계", None, None, 181.546, 56.9, 81.388, None, None, None],
        13: ["※ 측정 온도 20 ℃, 측정기 CMM-02", None, None, None, None, None, None, None, None],
    }
    for number, values in rows.items():
        for column, value in zip("ABCDEFGHI", values, strict=True):
            sheet[f"{column}{number}"] = value
    sheet.merge_cells("A7:A8")
    memo = book.create_sheet("메모")
    memo.append(["작성자", "김민준"])
    book.save(path)
    return path


def test_a_quality_engineers_sheet_is_found_under_its_titles_and_read_into_records(tmp_path: Path) -> None:
    source, guess = open_detected(inspection_book(tmp_path / "검사성적서.xlsx"))
    assert (guess.header_row, guess.header_rows) == (4, 2)
    assert guess.titles == ["2026년 3월 수입검사 성적서", "업체: 성진금속 작성일: 2026-04-01"]
    assert source.describe() == "Excel, sheet '검사성적서'"
    # the spacer column G is gone; the blank header over 재측정 is named by its letter
    assert source.headers == ["로트번호", "품번", "검사일자", "측정값 X1", "측정값 X2", "측정값 X3", "판정", "I열"]
    assert guess.wide is not None and guess.wide.columns == ["측정값 X1", "측정값 X2", "측정값 X3"]
    read = records(source)
    assert [r[LINE] for r in read] == [6, 7, 8, 11]  # the subtotal, blank row, total and note are not records
    assert read[0] == {
        "로트번호": "L2603-01",
        "품번": "SJ-100",
        "검사일자": "2026-03-02 00:00:00",
        "측정값 X1": "25.012",
        "측정값 X2": "25.02",
        "측정값 X3": "24.998",
        "판정": "합격",
        "I열": "재측정",
        LINE: 6,
    }
    # numbers as Excel shows them, a date with its time, the merged lot as Excel stores it (its top cell only)
    assert (read[1]["측정값 X1"], read[1]["측정값 X2"], read[1]["검사일자"]) == ("25", "0.3", "2026-03-02 14:30:00")
    assert read[2]["로트번호"] is None


def test_the_mapping_fills_merged_cells_down_and_makes_the_samples_long(tmp_path: Path) -> None:
    path = inspection_book(tmp_path / "검사성적서.xlsx")
    mapping = load_mapping(
        """
entity: quality_result
sheet: 검사성적서
header: {row: 4, rows: 2}
fill_down: [로트번호]
unpivot: {columns: [측정값 X1, 측정값 X2, 측정값 X3], name: 시료, value: 측정값}
fields:
  subject: {column: 로트번호}
  characteristic: {column: 시료}
  value: {column: 측정값, unit: mm}
  inspected_at: {column: 검사일자, format: "%Y-%m-%d %H:%M:%S"}
  passed: {column: 판정}
"""
    )
    source = open_source(path, layout=mapping)
    assert source.headers == ["로트번호", "품번", "검사일자", "시료", "측정값", "판정", "I열"]
    read = records(source)
    assert [(r["로트번호"], r["시료"], r["측정값"], r[LINE]) for r in read] == [
        ("L2603-01", "측정값 X1", "25.012", 6),
        ("L2603-01", "측정값 X2", "25.02", 6),
        ("L2603-01", "측정값 X3", "24.998", 6),
        ("L2603-02", "측정값 X1", "25", 7),
        ("L2603-02", "측정값 X2", "0.3", 7),  # N/A under X3 makes no record
        ("L2603-02", "측정값 X1", "25.011", 8),  # the lot merged down over row 8
        ("L2603-02", "측정값 X3", "24.99", 8),
        ("L2603-03", "측정값 X1", "31.5", 11),
        ("L2603-03", "측정값 X2", "31.6", 11),
        ("L2603-03", "측정값 X3", "31.4", 11),
    ]
    # the mapping sees the long columns as ordinary ones
    [batch] = list(source.batches())
    canonical, findings = Applier(mapping).apply(batch)
    assert findings == []
    assert canonical.column("value").to_pylist()[:2] == pytest.approx([0.025012, 0.02502])
    assert canonical.column("subject").to_pylist()[5] == "L2603-02"


def test_fill_down_crosses_batches(tmp_path: Path) -> None:
    path = inspection_book(tmp_path / "검사성적서.xlsx")
    reading = Reading(header_row=4, header_rows=2, fill_down=("로트번호",))
    opened = open_source(path, layout=reading)
    assert isinstance(opened, ExcelSource)
    small = dataclasses.replace(opened, rows_per_batch=2)
    batches = list(small.batches())
    assert len(batches) > 1
    assert [r["로트번호"] for b in batches for r in b.to_pylist()] == ["L2603-01", "L2603-02", "L2603-02", "L2603-03"]


def test_sheets_are_chosen_by_name_or_as_the_first_with_data(tmp_path: Path) -> None:
    path = inspection_book(tmp_path / "검사성적서.xlsx")
    memo = open_source(path, layout=load_mapping("entity: quality_result\nsheet: 메모\nfields: {}"))
    assert memo.headers == ["작성자", "김민준"] and records(memo) == []
    assert open_source(path, sheet="메모").headers == ["작성자", "김민준"]  # a sheet named in the call wins
    with pytest.raises(InvalidInput, match="has no sheet '없음'") as refused:
        open_source(path, sheet="없음")
    assert "검사성적서" in (refused.value.hint or "")


def test_a_header_row_beyond_the_sheet_says_which_row_and_how_to_fix_it(tmp_path: Path) -> None:
    path = inspection_book(tmp_path / "검사성적서.xlsx")
    with pytest.raises(InvalidInput, match=r"header is to be on row 40, but the sheet has only 13 rows") as refused:
        open_source(path, layout=Reading(header_row=40))
    assert refused.value.position == "row 40" and "header.row" in (refused.value.hint or "")
    assert "message_ko" in refused.value.details
    with pytest.raises(InvalidInput, match="row 2 is empty"):
        open_source(path, layout=Reading(header_row=2))


def test_an_unpivot_column_that_is_not_there_is_named_with_the_columns_there_are(tmp_path: Path) -> None:
    path = inspection_book(tmp_path / "검사성적서.xlsx")
    reading = Reading(header_row=4, header_rows=2, unpivot=Unpivot(("측정값 X1", "측정값 X4"), "시료", "측정값"))
    with pytest.raises(InvalidInput, match=r"unpivot.columns names the column '측정값 X4'") as refused:
        open_source(path, layout=reading)
    assert "did you mean" in (refused.value.hint or "") and "측정값 X3" in (refused.value.hint or "")


# ---- an energy sheet spread wide ------------------------------------------------------------------------------


def test_carriers_spread_wide_become_one_record_per_carrier_with_its_unit(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2026년 에너지 사용 실적 (창원공장)"])
    sheet.append([])
    sheet.append(["년월", "전기(kWh)", "LNG(Nm³)", "경유(L)", "비고"])
    sheet.append(["2026-01", 182400, 5100, "-", None])
    sheet.append(["2026-02", 190020.5, None, 120, "추정"])
    sheet.append(["합계", 372420.5, 5100, 120, None])
    path = tmp_path / "에너지.xlsx"
    book.save(path)
    source, guess = open_detected(path)
    assert guess.header_row == 3 and guess.wide is not None and guess.wide.kind == "carriers"
    assert guess.wide.units == ["kWh", "Nm3", "L"]
    spec = proposed_unpivot(guess.wide, source.headers)
    assert spec == Unpivot(("전기(kWh)", "LNG(Nm3)", "경유(L)"), "에너지원", "사용량", "단위")
    long = open_source(path, layout=dataclasses.replace(guess.reading(), unpivot=spec))
    assert source.headers == ["년월", "전기(kWh)", "LNG(Nm3)", "경유(L)", "비고"]
    assert long.headers == ["년월", "에너지원", "사용량", "단위", "비고"]
    assert [tuple(r.values()) for r in records(long)] == [
        ("2026-01", "전기", "182400", "kWh", None, 4),
        ("2026-01", "LNG", "5100", "Nm3", None, 4),
        ("2026-02", "전기", "190020.5", "kWh", "추정", 5),
        ("2026-02", "경유", "120", "L", "추정", 5),
    ]


# ---- CSV -----------------------------------------------------------------------------------------------------

MES = """[MES] 공정검사 실적 조회
조회기간: 2026-03-01 ~ 2026-03-31, 라인: 2

로트번호;품번;검사항목;측정값;단위;판정
L2603-01;SJ-100;외경;25,012;mm;합격
L2603-01;SJ-100;내경;20,003;mm;합격

L2603-02;SJ-100;외경;25,031;mm;불합격
소계;;;;;
합계;;;;;
"""


def test_a_cp949_export_with_title_lines_is_read_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "공정검사.csv"
    path.write_bytes(MES.encode("cp949"))
    source, guess = open_detected(path)
    assert (guess.header_row, guess.header_rows) == (4, 1)
    assert guess.titles == ["[MES] 공정검사 실적 조회", "조회기간: 2026-03-01 ~ 2026-03-31, 라인: 2"]
    assert source.describe() == "CSV, cp949, delimiter ';'"
    assert source.headers == ["로트번호", "품번", "검사항목", "측정값", "단위", "판정"]
    read = records(source)
    assert [(r["로트번호"], r["검사항목"], r["측정값"], r[LINE]) for r in read] == [
        ("L2603-01", "외경", "25,012", 5),
        ("L2603-01", "내경", "20,003", 6),
        ("L2603-02", "외경", "25,031", 8),  # line 7 is blank; 소계 and 합계 are not records
    ]
    # the mapping's header row does the same, the delimiter told from the header line, not the title's comma
    again = open_source(path, layout=Reading(header_row=4))
    assert again.headers == source.headers and records(again) == read
    assert (again.encoding, again.delimiter) == ("cp949", ";")  # type: ignore[attr-defined]


def test_a_csv_with_notes_under_the_data_and_odd_headers(tmp_path: Path) -> None:
    path = tmp_path / "수기.csv"
    path.write_text(
        "측정값,,측정값,,비고\n1.5,a,2.5,,x\n\n1.7,b,2.7,,\n※ 20 ℃에서 측정\n* 재측정 포함\n", encoding="utf-8"
    )
    source = open_source(path)
    assert source.headers == ["측정값", "B열", "측정값_2", "비고"]  # repeated named, blank with data lettered
    assert [list(r.values()) for r in records(source)] == [["1.5", "a", "2.5", "x", 2], ["1.7", "b", "2.7", None, 4]]


def test_a_csv_header_row_beyond_the_file(tmp_path: Path) -> None:
    path = tmp_path / "짧음.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="header is to be on row 5, but the sheet has only 2 rows"):
        open_source(path, layout=Reading(header_row=5))


# ---- JSON lines and Parquet ----------------------------------------------------------------------------------


def test_json_lines_and_parquet_count_records_from_one_and_unpivot_too(tmp_path: Path) -> None:
    rows = [{"설비": "M1", "1월": "10", "2월": "", "3월": "12"}, {"설비": "합계", "1월": "10", "2월": "0", "3월": "12"}]
    jsonl, parquet = tmp_path / "e.jsonl", tmp_path / "e.parquet"
    jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    reading = Reading(unpivot=Unpivot(("1월", "2월", "3월"), "월", "사용량"))
    for path in (jsonl, parquet):
        source = open_source(path, layout=reading)
        assert source.headers == ["설비", "월", "사용량"]
        assert [tuple(r.values()) for r in records(source)] == [("M1", "1월", "10", 1), ("M1", "3월", "12", 1)]
        plain, guess = open_detected(path)
        assert guess.wide is not None and guess.wide.kind == "months" and plain.headers == list(rows[0])


def test_months_typed_into_a_header_are_months_though_excel_keeps_them_as_dates(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["설비", datetime(2026, 1, 1), datetime(2026, 2, 1), datetime(2026, 3, 1), "합계"])
    sheet.append(["프레스 1호기", 1200, 1150, 1310, 3660])
    sheet.append(["프레스 2호기", 980, None, 1010, 1990])
    path = tmp_path / "월별.xlsx"
    book.save(path)
    source, guess = open_detected(path)
    assert source.headers == ["설비", "2026-01-01", "2026-02-01", "2026-03-01", "합계"]
    assert guess.wide is not None and (guess.wide.kind, guess.wide.columns) == ("months", source.headers[1:4])
    assert proposed_unpivot(guess.wide, source.headers) == Unpivot(tuple(source.headers[1:4]), "월", "값")
