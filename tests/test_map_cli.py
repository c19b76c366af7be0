"""`sangsaeng map suggest` and `map check` on the files SMEs actually send: Korean headers, CP949, semicolons."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sangsaeng.cli.main import app

runner = CliRunner()
ROWS = [
    "로트번호;검사항목;검사일자;측정값;단위;판정",
    "L1;내경;2026-10-01 09:00;54,01;mm;합격",
    "L2;내경;2026-10-01 09:03;53,90;mm;불합격",
    "L3;조도;2026-10-01 09:06;0,8;um;합격",
]


def cp949_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "수입검사.csv"
    path.write_bytes("\n".join(rows).encode("cp949"))
    return path


def test_suggest_maps_a_korean_cp949_export_without_edits(tmp_path: Path) -> None:
    source = cp949_file(tmp_path, ROWS)
    mapping = tmp_path / "mapping.yaml"
    result = runner.invoke(app, ["map", "suggest", str(source), "--entity", "quality_result", "--out", str(mapping)])
    assert result.exit_code == 0, result.output
    text = mapping.read_text("utf-8")
    for expected in [
        "column: 로트번호",
        "column: 검사항목",
        "format: '%Y-%m-%d %H:%M'",
        "unit_column: 단위",
        "column: 판정",
        "decimal: ','",
    ]:
        assert expected in text, text
    checked = runner.invoke(app, ["map", "check", str(source), "--mapping", str(mapping), "--json"])
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.output)
    assert report == {
        "valid": True,
        "rows": 3,
        "rows_kept": 3,
        "rows_set_aside": 0,
        "errors": 0,
        "notes": 0,
        "counts": {},
        "findings": [],
    }


def test_check_reports_problems_by_row_in_korean(tmp_path: Path) -> None:
    source = cp949_file(tmp_path, [*ROWS, "L4;내경;2026-13-01 09:09;5x;mm;보류"])
    mapping = tmp_path / "mapping.yaml"
    runner.invoke(app, ["map", "suggest", str(source), "--entity", "quality_result", "--out", str(mapping)])
    result = runner.invoke(app, ["map", "check", str(source), "--mapping", str(mapping), "--ko"])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    # One problem per cell: the required result left empty by its unreadable cell is not a second problem.
    assert "✗ 3 problem(s) in 4 rows" in text
    assert "행 4 · 게시 3 · 제외 1 · 오류 3 · 참고 0" in text
    assert "시트 5행 [측정값] 오류: value: '5x'은(는) 숫자 형식이 아닙니다" in text
    assert "→ 숫자로 적거나" in text  # how to fix it
    assert "시트 5행 [검사일자] 오류: inspected_at:" in text and "시트 5행 [판정] 오류: passed:" in text


def test_check_pages_through_every_problem_and_filters_them(tmp_path: Path) -> None:
    bad = [f"L{i};내경;2026-10-01 10:{i:02d};{i}x;mm;합격" for i in range(10, 40)]
    source = cp949_file(tmp_path, [*ROWS, *bad, "L99;내경;2026-10-01 11:00;54,0;mm;보류"])
    mapping = tmp_path / "mapping.yaml"
    runner.invoke(app, ["map", "suggest", str(source), "--entity", "quality_result", "--out", str(mapping)])
    args = ["map", "check", str(source), "--mapping", str(mapping)]
    first = " ".join(runner.invoke(app, [*args, "--per-page", "12"]).output.split())
    assert "rows: 34 · kept: 3 · set aside: 31 · errors: 31 · notes: 0" in first
    assert "problems 1–12 / 31 (page 1/3)" in first and "--page 2 for the next 12" in first
    assert "row 4: value: '10x'" not in first and "sheet row 5 [측정값] error: value: '10x' is not a number" in first
    last = " ".join(runner.invoke(app, [*args, "--per-page", "12", "--page", "3"]).output.split())
    assert "problems 25–31 / 31 (page 3/3)" in last and "sheet row 35 [판정] error: passed: '보류'" in last
    assert "'39x'" in last and "'21x'" not in last
    codes = runner.invoke(app, [*args, "--code", "unknown-code", "--json"])
    assert codes.exit_code == 1
    shown = json.loads(codes.output)
    assert [(f["row"], f["field"], f["code"]) for f in shown["findings"]] == [(34, "passed", "unknown-code")]
    assert shown["rows_set_aside"] == 31 and shown["counts"] == {"type-error": 30, "unknown-code": 1}
    fields = json.loads(
        runner.invoke(app, [*args, "--field", "value", "--json", "--per-page", "5", "--page", "6"]).output
    )
    assert [f["value"] for f in fields["findings"]] == ["35x", "36x", "37x", "38x", "39x"]


def test_suggest_names_the_fields_it_could_not_place(tmp_path: Path) -> None:
    source = tmp_path / "x.csv"
    source.write_text("lot,value\nL1,1\n", "utf-8")
    result = runner.invoke(app, ["map", "suggest", str(source), "--entity", "quality_result"])
    assert result.exit_code == 0
    assert "still to map (required): characteristic, passed" in " ".join(result.output.split())
