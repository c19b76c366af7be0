"""The files SMEs send, whatever their form: Excel with Korean headers, JSON lines, Parquet, CSV in CP949."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sangsaeng.cli.main import app
from sangsaeng.errors import InvalidInput
from sangsaeng.standard.ingest import ingest
from sangsaeng.standard.sources import open_source
from sangsaeng.standard.suggest import suggest

HEADERS = ["사업장", "년월", "에너지원", "전력량(kWh)"]
ROWS = [
    ["창원1공장", "2026-09", "전기", 182_400.5],
    ["창원1공장", "2026-10", "전기", 190_020],
    ["울산", "2026-10", "도시가스", 51_000],
]


def workbook(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "에너지"
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    sheet.append([None, None, None, None])  # Excel's trailing empty rows are skipped
    extra = book.create_sheet("메모")
    extra.append(["note"])
    path = tmp_path / "에너지.xlsx"
    book.save(path)
    return path


def test_an_excel_sheet_reads_as_text_with_its_korean_headers(tmp_path: Path) -> None:
    source = open_source(workbook(tmp_path))
    assert source.headers == HEADERS and "에너지" in source.describe()
    [batch] = list(source.batches())
    assert batch.column("전력량(kWh)").to_pylist() == ["182400.5", "190020", "51000"]
    with pytest.raises(InvalidInput, match="no sheet"):
        open_source(workbook(tmp_path), sheet="없음")


def test_an_excel_energy_report_is_suggested_and_ingested(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    source = open_source(path)
    proposal = suggest("energy_record", source.headers, source.sample())
    rules = proposal.mapping
    assert rules.fields["amount"].unit == "kWh"
    assert rules.fields["carrier"].values == {"도시가스": "lng", "전기": "electricity"}
    assert rules.fields["period_start"].format == "%Y-%m"
    assert proposal.missing == []
    assert proposal.document["fields"]["period_end"] == {"column": "년월", "format": "%Y-%m", "at": "end"}
    rules.fields.setdefault("period_end", rules.fields["period_start"])  # where the reader does not know `at` yet
    result = ingest(path, rules, tmp_path / "energy.parquet")
    assert result.written and result.report.valid, result.report.to_dict()
    table = pq.read_table(tmp_path / "energy.parquet")
    assert table.column("amount").to_pylist() == [182_400.5, 190_020.0, 51_000.0]
    assert table.column("carrier").to_pylist() == ["electricity", "electricity", "lng"]
    assert table.column("period_start").to_pylist()[0] == datetime.fromisoformat("2026-08-31T15:00:00+00:00")


def test_json_lines_and_parquet_read_the_same(tmp_path: Path) -> None:
    records = [dict(zip(HEADERS, row, strict=True)) for row in ROWS]
    jsonl = tmp_path / "e.jsonl"
    jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    parquet = tmp_path / "e.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet)
    texts = []
    for path in (jsonl, parquet):
        source = open_source(path)
        assert source.headers == HEADERS
        texts.append(pa.Table.from_batches(list(source.batches())).to_pylist())
    assert texts[0] == texts[1]
    assert texts[0][0]["에너지원"] == "전기"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0", "Excel 97"),
        ("broken.xlsx", b"not a zip", "not an Excel workbook"),
        ("bad.parquet", b"nope", "not a Parquet file"),
        ("bad.jsonl", b"{nope", "not JSON lines"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=words):
        open_source(path)


def test_the_command_line_reads_a_named_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    result = CliRunner().invoke(app, ["map", "suggest", str(path), "--entity", "energy_record", "--sheet", "에너지"])
    assert result.exit_code == 0, result.output
    assert "column: 전력량(kWh)" in result.output and "unit: kWh" in result.output


KOREAN = st.text(
    alphabet=st.sampled_from(list("가나다라마바사아자차카타파하검사합격불내경외표면조도;,\"' ab1")), max_size=12
)


@settings(max_examples=40, deadline=None)
@given(cells=st.lists(st.tuples(KOREAN, KOREAN), min_size=1, max_size=60), delimiter=st.sampled_from([";", ","]))
def test_cp949_files_read_as_the_text_that_was_written(
    tmp_path_factory: pytest.TempPathFactory, cells: list[tuple[str, str]], delimiter: str
) -> None:
    """CP949 is parsed as bytes and only distinct values decoded: the text must be exactly what was written,
    quotes, delimiters inside quotes and all."""
    path = tmp_path_factory.mktemp("cp949") / "export.csv"
    table = pa.table({"품명": [a for a, _ in cells], "비고": [b for _, b in cells]})
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(delimiter=delimiter))
    path.write_bytes(buffer.getvalue().decode("utf-8").encode("cp949"))
    source = open_source(path)
    assert source.encoding == "cp949" and source.headers == ["품명", "비고"]
    read = [row for batch in source.batches() for row in batch.select(["품명", "비고"]).to_pylist()]
    # Arrow quotes every cell it writes, so an empty one is "" (a value), not a missing one; a row of nothing but
    # empty cells is a blank row, not a record.
    assert read == [{"품명": a, "비고": b} for a, b in cells if a or b]


def test_a_cell_that_is_not_cp949_is_named_by_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    lines = ["품명;수량"] + ["브레이크 캘리퍼;1"] * 10_000  # past the head the encoding is told from
    path.write_bytes("\n".join(lines).encode("cp949") + b"\n\xff\xfe\xfd;3\n")
    with pytest.raises(InvalidInput) as caught:
        list(open_source(path).batches())
    assert caught.value.position == "row 10001, 품명" and "CP949" in caught.value.message


def test_an_excel_percent_cell_reads_as_the_percentage_a_person_sees(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["성분", "함량", "비고"])
    for name, value, shown in (("Mg", 0.00038, "0.000%"), ("C", 0.038, "0.0%"), ("S", 1, "0%"), ("Si", 2.48, "0.00")):
        sheet.append([name, value, 0.5])
        sheet.cell(sheet.max_row, 2).number_format = shown
        sheet.cell(sheet.max_row, 3).number_format = '0.0"%"'  # a percent sign written as text: the number itself
    path = tmp_path / "melt.xlsx"
    book.save(path)
    source = open_source(path)
    [batch] = list(source.batches())
    assert batch.column("함량").to_pylist() == ["0.038%", "3.8%", "100%", "2.48"]
    assert batch.column("비고").to_pylist() == ["0.5"] * 4
    assert source.sample()["함량"][:2] == ["0.038%", "3.8%"]


def test_a_csv_cell_written_as_a_marker_reaches_the_reading_as_written(tmp_path: Path) -> None:
    path = tmp_path / "gauge.csv"
    path.write_text("lot,value\nL1,N/A\nL2,NA\nL3,NULL\nL4,#N/A\nL5,\nL6,null\n", encoding="utf-8")
    [batch] = list(open_source(path).batches())
    assert batch.column("value").to_pylist() == ["N/A", "NA", "NULL", "#N/A", None, "null"]
