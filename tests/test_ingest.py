"""Ingest is atomic: a canonical file appears whole or not at all, even when the process is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sangsaeng.standard.findings import Finding
from sangsaeng.standard.ingest import NothingKept, check_file, ingest, merge_findings
from sangsaeng.standard.mapping import load_mapping

MAPPING = """
entity: quality_result
decimal: ","
fields:
  subject: {column: 로트번호}
  characteristic: {column: 검사항목}
  inspected_at: {column: 검사일자, format: "%Y-%m-%d %H:%M"}
  value: {column: 측정값, unit_column: 단위}
  passed: {column: 판정}
"""
HEADER = "로트번호;검사항목;검사일자;측정값;단위;판정"


def export(tmp_path: Path, rows: int, bad: frozenset[int] = frozenset()) -> Path:
    lines = [HEADER]
    for i in range(1, rows + 1):
        value = "5x" if i in bad else f"{54 + (i % 7) / 100:.2f}".replace(".", ",")
        lines.append(f"L{i};내경;2026-10-01 {i % 24:02d}:{i % 60:02d};{value};mm;{'합격' if i % 5 else '불합격'}")
    path = tmp_path / "export.csv"
    path.write_bytes("\n".join(lines).encode("cp949"))
    return path


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_a_clean_file_is_written_once(tmp_path: Path) -> None:
    source, out = export(tmp_path, 100), tmp_path / "out" / "quality.parquet"
    result = ingest(source, load_mapping(MAPPING), out)
    assert result.written and result.rows_written == 100 and result.report.valid
    table = pq.read_table(out)
    assert table.num_rows == 100 and table.schema.metadata[b"sangsaeng.entity"] == b"quality_result"
    assert table.column("unit").unique().to_pylist() == ["meter"]
    again = ingest(source, load_mapping(MAPPING), out)
    assert again.unchanged and again.rows_written == 100
    assert visible(out.parent) == ["quality.parquet"]


def test_too_many_problems_write_nothing(tmp_path: Path) -> None:
    source, out = export(tmp_path, 100, bad=frozenset({7, 42})), tmp_path / "out" / "quality.parquet"
    result = ingest(source, load_mapping(MAPPING), out, max_errors=1)
    assert not result.written
    assert result.report.flatten(["row", "field", "code"]) == [[7, "value", "type-error"], [42, "value", "type-error"]]
    assert list(out.parent.iterdir()) == []


def test_accept_partial_writes_the_good_rows_and_sets_the_others_aside(tmp_path: Path) -> None:
    source, out = export(tmp_path, 100, bad=frozenset({7, 42})), tmp_path / "out" / "quality.parquet"
    result = ingest(source, load_mapping(MAPPING), out, accept_partial=True)
    assert result.written and result.rows_written == 98 and result.rows_rejected == 2
    assert result.rejected is not None
    rejected = result.rejected.read_text("utf-8").splitlines()
    assert rejected[0].endswith('"row","line","problems"')
    line = "8"  # the CSV's line: the header is line 1
    assert '"L7"' in rejected[1] and rejected[1].endswith(f'7,{line},"value: type-error"')
    assert "L7" not in pq.read_table(out).column("subject").to_pylist()


def test_repeated_keys_across_batches_are_set_aside_whole_file(tmp_path: Path) -> None:
    source, out = export(tmp_path, 300_000), tmp_path / "out" / "quality.parquet"
    lines = source.read_bytes().split(b"\n")
    # The last rows repeat rows from the start, far apart: different batches of the reader.
    lines[-1], lines[-2] = lines[1], lines[5]
    source.write_bytes(b"\n".join(lines))
    result = ingest(source, load_mapping(MAPPING), out, accept_partial=True)
    assert result.report.flatten(["row", "code", "expected"]) == [
        [299_999, "duplicate-row", "no exact repeat; first seen in row 5 (line 6)"],
        [300_000, "duplicate-row", "no exact repeat; first seen in row 1 (line 2)"],
    ]
    assert result.rows_written == 299_998 and result.rows_rejected == 2
    assert pq.read_table(out, columns=["subject"]).num_rows == 299_998
    assert result.rejected is not None and len(result.rejected.read_text("utf-8").splitlines()) == 3
    refused = ingest(source, load_mapping(MAPPING), tmp_path / "strict" / "q.parquet", max_errors=1)
    assert not refused.written and refused.report.counts == {"duplicate-row": 2}
    assert visible(tmp_path / "strict") == []


def test_a_killed_ingest_leaves_nothing_a_reader_sees(tmp_path: Path) -> None:
    source, out = export(tmp_path, 400_000), tmp_path / "out" / "quality.parquet"
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, "utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "sangsaeng", "map", "ingest", str(source), "--mapping", str(mapping), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not any(out.parent.glob(".*.partial")) if out.parent.exists() else True:
        assert process.poll() is None, "the ingest finished before it could be killed; make the file larger"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert visible(out.parent) == []
    assert not out.exists()
    result = ingest(source, load_mapping(MAPPING), out)
    assert result.written and result.rows_written == 400_000
    assert [p.name for p in out.parent.iterdir()] == ["quality.parquet"]  # the debris is gone too


@pytest.mark.parametrize("partial", [False, True])
def test_the_command_line_says_what_happened(tmp_path: Path, partial: bool) -> None:
    from typer.testing import CliRunner

    from sangsaeng.cli.main import app

    source, out = export(tmp_path, 20, bad=frozenset({3})), tmp_path / "q.parquet"
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, "utf-8")
    args = ["map", "ingest", str(source), "--mapping", str(mapping), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--accept-partial"] if partial else args)
    text = " ".join(result.output.split())
    if partial:
        assert result.exit_code == 0 and "19 rows →" in text and "1 rows rejected" in text
    else:
        assert result.exit_code == 2 and "nothing written: 1 problem(s), 0 allowed" in text


def test_repeated_samples_are_numbered_and_an_exact_repeat_is_set_aside(tmp_path: Path) -> None:
    """An SPC sheet: five samples of one characteristic per lot, one row typed in twice."""
    lines = [HEADER]
    for lot in ("L1", "L2"):
        for sample in range(5):
            lines.append(f"{lot};외경;2026-10-01 09:00;25,0{sample};mm;합격")
    lines.append("L1;외경;2026-10-01 09:00;25,03;mm;합격")  # line 12: the fourth sample of L1 again
    source, out = tmp_path / "spc.csv", tmp_path / "out" / "q.parquet"
    source.write_bytes("\n".join(lines).encode("cp949"))
    result = ingest(source, load_mapping(MAPPING), out, accept_partial=True)
    assert result.report.flatten(["row", "code", "expected"]) == [
        [
            11,
            "duplicate-row",
            "no exact repeat; first seen in row 4 (line 5)",
        ]
    ]
    table = pq.read_table(out, columns=["subject", "sample", "raw_value"])
    assert table.to_pylist() == [
        {"subject": lot, "sample": sample + 1, "raw_value": 25 + sample / 100}
        for lot in ("L1", "L2")
        for sample in range(5)
    ]
    assert (result.rows_written, result.rows_rejected) == (10, 1)


GAUGE_HEADER = "로트번호;검사항목;검사일자;시각;측정값;단위;판정;측정자"
GAUGE_MAPPING = """
entity: quality_result
decimal: ","
fields:
  subject: {column: 로트번호}
  characteristic: {column: 검사항목}
  inspected_at: {column: 검사일자, format: "%Y-%m-%d"}
  value: {column: 측정값, unit_column: 단위}
  passed: {column: 판정}
"""


def test_duplicates_are_rows_a_column_left_unmapped_tells_samples_apart(tmp_path: Path) -> None:
    """A gauge log whose time and inspector are not mapped: readings equal in every mapped column but taken at
    another time, or by another person, are further samples; only a row repeated in every cell is a duplicate,
    and it takes no sample number, while a row set aside for an unreadable value keeps its place."""
    lines = [
        GAUGE_HEADER,
        "L1;외경;2026-10-01;09:00;25,01;mm;합격;윤서준",  # line 2: sample 1
        "L1;외경;2026-10-01;09:02;25,01;mm;합격;윤서준",  # line 3: the same reading two minutes later: sample 2
        "L1;외경;2026-10-01;09:04;25,02;mm;합격;윤서준",  # line 4: sample 3
        "L1;외경;2026-10-01;09:02;25,01;mm;합격;윤서준",  # line 5: line 3 pasted again: duplicate-row
        "L1;외경;2026-10-01;09:04;25,02;mm;합격;김민지",  # line 6: another inspector: sample 4
        "L1;외경;2026-10-01;09:06;25,x2;mm;합격;윤서준",  # line 7: unreadable, set aside, sample 5 all the same
        "L1;외경;2026-10-01;09:08;25,00;mm;합격;윤서준",  # line 8: sample 6
        "L2;외경;2026-10-01;09:00;25,01;mm;합격;윤서준",  # line 9: alone in its group
    ]
    source, out = tmp_path / "gauge.csv", tmp_path / "out" / "q.parquet"
    source.write_bytes("\r\n".join(lines).encode("cp949"))
    mapping = load_mapping(GAUGE_MAPPING)
    result = ingest(source, mapping, out, accept_partial=True)
    assert sorted(result.report.flatten(["line", "code"])) == [[5, "duplicate-row"], [7, "type-error"]]
    duplicate = next(f for f in result.report.findings if f.code == "duplicate-row")
    assert duplicate.expected == "no exact repeat; first seen in row 2 (line 3)"
    table = pq.read_table(out, columns=["subject", "sample", "raw_value"])
    assert table.to_pylist() == [
        {"subject": "L1", "sample": 1, "raw_value": 25.01},
        {"subject": "L1", "sample": 2, "raw_value": 25.01},
        {"subject": "L1", "sample": 3, "raw_value": 25.02},
        {"subject": "L1", "sample": 4, "raw_value": 25.02},
        {"subject": "L1", "sample": 6, "raw_value": 25.0},
        {"subject": "L2", "sample": 1, "raw_value": 25.01},
    ]
    assert (result.rows_written, result.rows_rejected) == (6, 2)
    preview = check_file(source, mapping)
    assert sorted(preview.flatten(["line", "code"])) == [[5, "duplicate-row"], [7, "type-error"]]


def test_a_key_twice_differing_only_in_an_unmapped_column_is_a_conflict(tmp_path: Path) -> None:
    """An item master: a part number on two rows whose mapped cells agree but whose memo differs is two rows
    with one key (which is right cannot be told); the same row twice is an exact repeat."""
    mapping = load_mapping(
        "entity: part_type\nfields:\n  id: {column: 품번}\n  manufacturer_part_id: {column: 품번}\n"
        "  name: {column: 품명}\n"
    )
    lines = ["품번,품명,비고", "P-1,커버,", "P-1,커버,구형", "P-2,브래킷,신규", "P-2,브래킷,신규", "P-3,볼트,"]
    source = tmp_path / "items.csv"
    source.write_text("\n".join(lines), encoding="utf-8")
    report = check_file(source, mapping)
    assert sorted(report.flatten(["line", "code"])) == [
        [2, "duplicate-key"],
        [3, "duplicate-key"],
        [5, "duplicate-row"],
    ]


def test_a_file_whose_every_row_is_set_aside_makes_no_empty_dataset(tmp_path: Path) -> None:
    source, out = export(tmp_path, 6, bad=frozenset(range(1, 7))), tmp_path / "out" / "quality.parquet"
    with pytest.raises(NothingKept) as refused:
        ingest(source, load_mapping(MAPPING), out, accept_partial=True)
    error = refused.value
    assert error.message == (
        "nothing to publish: all 6 rows of export.csv were set aside for problems (type-error (6)); no dataset was made"
    )
    assert error.details["rows"] == 6 and error.details["rowsSetAside"] == 6
    assert error.details["messageKo"].startswith("게시할 행이 없습니다: export.csv의 6행이 모두 문제로 제외되었습니다")
    assert error.hint and "map check" in error.hint
    assert visible(out.parent) == []
    header_only = tmp_path / "header.csv"
    header_only.write_bytes(f"{HEADER}\n".encode("cp949"))
    with pytest.raises(NothingKept, match="header.csv has no records to publish"):
        ingest(header_only, load_mapping(MAPPING), out, max_errors=10)
    assert visible(out.parent) == []


def test_the_command_line_refuses_an_empty_dataset_with_the_counts(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sangsaeng.cli.main import app

    source, out = export(tmp_path, 3, bad=frozenset({1, 2, 3})), tmp_path / "q.parquet"
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, "utf-8")
    args = ["map", "ingest", str(source), "--mapping", str(mapping), "--out", str(out), "--accept-partial"]
    result = CliRunner().invoke(app, args)
    text = " ".join(result.output.split())
    assert result.exit_code == 1 and "error: nothing to publish: all 3 rows of export.csv were set aside" in text
    assert not out.exists()
    korean = " ".join(CliRunner().invoke(app, [*args, "--ko"]).output.split())
    assert "게시할 행이 없습니다: export.csv의 3행이 모두 문제로 제외되었습니다" in korean


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.integers(1, 12),
    bad=st.sets(st.integers(1, 12)),
    accept_partial=st.booleans(),
    max_errors=st.integers(0, 12),
)
def test_an_ingest_never_writes_a_dataset_without_rows(
    rows: int, bad: set[int], accept_partial: bool, max_errors: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, out = export(Path(folder), rows, frozenset(bad)), Path(folder) / "out" / "q.parquet"
        bad_rows = len({b for b in bad if b <= rows})
        try:
            result = ingest(source, load_mapping(MAPPING), out, max_errors=max_errors, accept_partial=accept_partial)
        except NothingKept as refused:
            assert refused.details["rows"] == rows and rows - bad_rows == 0
            assert not out.exists()
            return
        if result.written:
            assert result.rows_written == rows - bad_rows > 0
            assert pq.read_metadata(out).num_rows == result.rows_written
        else:
            assert bad_rows > max_errors and not accept_partial and not out.exists()


def test_a_field_left_empty_by_an_unreadable_cell_is_one_problem_not_two() -> None:
    mapping = load_mapping(MAPPING)
    read = [
        Finding("type-error", 2, "value", "5x", "a number"),
        Finding("unknown-unit", 3, "단위", "mmm", "did you mean: mm"),
        Finding("no-value", 4, "value", None, "측정불가"),
        Finding("no-value", 5, "value", None, "-"),
        Finding("unknown-code", 6, "passed", "보류", "합격, 불합격"),
    ]
    checked = [
        Finding("missing-measurement", 2, "value", None, "a measured value"),
        Finding("missing-measurement", 3, "value", None, "a measured value"),
        Finding("missing-measurement", 4, "value", None, "a measured value"),
        Finding("missing-value", 6, "passed", None, "a value"),
        Finding("missing-value", 7, "passed", None, "a value"),
    ]
    merged = merge_findings(read, checked, mapping)
    assert sorted((f.row, f.field, f.code, f.value) for f in merged) == [
        (2, "value", "type-error", "5x"),
        (3, "단위", "unknown-unit", "mmm"),
        (4, "value", "missing-measurement", "측정불가"),  # the marker says what stood in the cell
        (5, "value", "no-value", None),  # a note: no limits, so nothing was missing
        (6, "passed", "unknown-code", "보류"),
        (7, "passed", "missing-value", None),
    ]


CELLS = st.tuples(
    st.sampled_from(["L1", "L2", "L3"]),  # lot
    st.sampled_from(["외경", "내경"]),  # characteristic
    st.sampled_from(["25,01", "25,02", "5x", ""]),  # value: two readings, a typo, none
    st.sampled_from(["mm", "mmm"]),  # unit: known, unknown
    st.sampled_from(["합격", "불합격", "보류"]),  # result: two known, one not
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(CELLS, min_size=1, max_size=25), data=st.data())
def test_a_files_rows_in_any_order_give_the_same_problems(
    rows: list[tuple[str, str, str, str, str]], data: st.DataObject
) -> None:
    """Compared as (row text, field, code): repeated samples, exact repeats, unreadable cells and missing
    measurements do not depend on where in the file a row stands."""
    mapping = load_mapping(MAPPING.replace('  inspected_at: {column: 검사일자, format: "%Y-%m-%d %H:%M"}\n', ""))
    header = "로트번호;검사항목;측정값;단위;판정"

    def problems(ordered: list[tuple[str, str, str, str, str]]) -> Counter[tuple[str, str, str]]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "file.csv"
            texts = [";".join(r) for r in ordered]
            path.write_bytes("\n".join([header, *texts]).encode("cp949"))
            report = check_file(path, mapping)
            return Counter((texts[f.row - 1], f.field, f.code) for f in report)

    shuffled = data.draw(st.permutations(rows))
    assert problems(rows) == problems(shuffled)
