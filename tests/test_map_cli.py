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
    assert report == {"valid": True, "rows": 3, "errors": 0, "counts": {}, "findings": []}


def test_check_reports_problems_by_row_in_korean(tmp_path: Path) -> None:
    source = cp949_file(tmp_path, [*ROWS, "L4;내경;2026-13-01 09:09;5x;mm;보류"])
    mapping = tmp_path / "mapping.yaml"
    runner.invoke(app, ["map", "suggest", str(source), "--entity", "quality_result", "--out", str(mapping)])
    result = runner.invoke(app, ["map", "check", str(source), "--mapping", str(mapping), "--ko"])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "✗ 4 problem(s) in 4 rows" in text
    assert "row 4: value: '5x'은(는) 숫자 형식이 아닙니다" in text
    assert "row 4: inspected_at:" in text and "row 4: passed:" in text


def test_suggest_names_the_fields_it_could_not_place(tmp_path: Path) -> None:
    source = tmp_path / "x.csv"
    source.write_text("lot,value\nL1,1\n", "utf-8")
    result = runner.invoke(app, ["map", "suggest", str(source), "--entity", "quality_result"])
    assert result.exit_code == 0
    assert "still to map (required): characteristic, passed" in " ".join(result.output.split())
