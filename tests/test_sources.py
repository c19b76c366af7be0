"""The files SMEs send, whatever their form: Excel with Korean headers, JSON lines, Parquet, CSV in CP949."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
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
    assert proposal.missing == ["period_end"]
    rules.fields["period_end"] = rules.fields["period_start"]
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
