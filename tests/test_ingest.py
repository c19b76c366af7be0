"""Ingest is atomic: a canonical file appears whole or not at all, even when the process is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sangsaeng.standard.ingest import ingest
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
    assert rejected[0].endswith('"row","problems"')
    assert '"L7"' in rejected[1] and rejected[1].endswith('7,"value: type-error"')
    assert "L7" not in pq.read_table(out).column("subject").to_pylist()


def test_repeated_keys_across_batches_are_set_aside_whole_file(tmp_path: Path) -> None:
    source, out = export(tmp_path, 300_000), tmp_path / "out" / "quality.parquet"
    lines = source.read_bytes().split(b"\n")
    # The last rows repeat rows from the start, far apart: different batches of the reader.
    lines[-1], lines[-2] = lines[1], lines[5]
    source.write_bytes(b"\n".join(lines))
    result = ingest(source, load_mapping(MAPPING), out, accept_partial=True)
    assert result.report.flatten(["row", "code", "expected"]) == [
        [299_999, "duplicate-key", "unique; first seen in row 5"],
        [300_000, "duplicate-key", "unique; first seen in row 1"],
    ]
    assert result.rows_written == 299_998 and result.rows_rejected == 2
    assert pq.read_table(out, columns=["subject"]).num_rows == 299_998
    assert result.rejected is not None and len(result.rejected.read_text("utf-8").splitlines()) == 3
    refused = ingest(source, load_mapping(MAPPING), tmp_path / "strict" / "q.parquet", max_errors=1)
    assert not refused.written and refused.report.counts == {"duplicate-key": 2}
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
