"""CSV → validated, normalised canonical Parquet on a generated ≥ 1 GB inspection export, against

(a) the floor: pyarrow reading the same CSV and writing Parquet, nothing else (same run, same file);
(b) frictionless validating a sample of the same file, scaled per row.

Peak RSS of each is sampled from its own process.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bench.common import Figure, PeakRss

HEADERS = ["로트번호", "품번", "검사항목", "검사일시", "측정값", "단위", "하한", "상한", "판정"]
MAPPING = """
entity: quality_result
fields:
  subject: {column: 로트번호}
  characteristic: {column: 검사항목}
  inspected_at: {column: 검사일시, format: "%Y-%m-%d %H:%M"}
  value: {column: 측정값, unit_column: 단위}
  lower_spec_limit: {column: 하한, unit_column: 단위}
  upper_spec_limit: {column: 상한, unit_column: 단위}
  passed: {column: 판정}
"""


def make_csv(path: Path, gib: float) -> int:
    rng = np.random.default_rng(11)
    rows = written = 0
    n = 500_000
    with pacsv.CSVWriter(path, pa.schema([(h, pa.string()) for h in HEADERS])) as writer:
        while written < gib * 2**30:
            index = np.arange(rows, rows + n)
            measured = rng.normal(54.0, 0.012, n)
            minutes = (index % 525_600).astype("timedelta64[m]") + np.datetime64("2026-01-01T00:00")
            table = pa.table(
                {
                    "로트번호": pa.array(np.char.add("SJ-", index.astype(str))),
                    "품번": pa.array(np.full(n, "SJ-RNG-0730")),
                    "검사항목": pa.array(np.where(index % 2 == 0, "내경", "외경")),
                    "검사일시": pa.array(np.datetime_as_string(minutes, unit="m")).cast(pa.string()),
                    "측정값": pa.array(np.round(measured, 4).astype(str)),
                    "단위": pa.array(np.where(index % 10 == 0, "um", "mm")),
                    "하한": pa.array(np.full(n, "53.97")),
                    "상한": pa.array(np.full(n, "54.03")),
                    "판정": pa.array(np.where(np.abs(measured - 54.0) <= 0.03, "합격", "불합격")),
                }
            )
            table = table.set_column(3, "검사일시", pa.compute.replace_substring(table.column(3), "T", " "))
            writer.write_table(table)
            rows += n
            written = path.stat().st_size if rows % (4 * n) == 0 else written + table.nbytes
    return rows


def _floor(source: Path, out: Path) -> None:
    import pyarrow.csv as pacsv

    reader = pacsv.open_csv(source, read_options=pacsv.ReadOptions(block_size=8 << 20))
    with pq.ParquetWriter(out, reader.schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)


def _ours(source: Path, out: Path) -> None:
    from sangsaeng.standard.ingest import ingest
    from sangsaeng.standard.mapping import load_mapping

    result = ingest(source, load_mapping(MAPPING), out, max_errors=10**9)
    assert result.written


def _frictionless(sample: Path) -> None:
    from frictionless import Resource

    # frictionless refuses absolute paths ("not safe") and reports that as one error in no time: give it the
    # folder as base path, and make sure it really read every row.
    report = Resource(path=sample.name, basepath=str(sample.parent)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldNumber", "type"])[:3]
    assert report.tasks[0].stats["rows"] == 100_000


def _work(target: Any, clock: Path, args: tuple[Any, ...]) -> None:
    """Run in the child: imports are done before the clock starts, so only the work is timed."""
    import frictionless  # noqa: F401 - loaded here for every contender alike

    import sangsaeng.standard.ingest  # noqa: F401

    begun = time.perf_counter()
    target(*args)
    clock.write_text(str(time.perf_counter() - begun))


def _timed(target: Any, *args: Any) -> tuple[float, int]:
    """Seconds of work and peak RSS of ``target(*args)`` in a process of its own."""
    clock = Path(args[0]).with_suffix(f".{target.__name__}.seconds")
    process = multiprocessing.get_context("spawn").Process(target=_work, args=(target, clock, args))
    process.start()
    with PeakRss({"p": process.pid or 0}, interval=0.05) as memory:
        process.join()
    assert process.exitcode == 0, f"{target.__name__} failed"
    return float(clock.read_text()), memory.peak["p"]


def run(root: Path, gib: float = 1.0) -> Figure:
    source = root / "inspections.csv"
    rows = make_csv(source, gib)
    size = source.stat().st_size
    sample = root / "sample.csv"
    with source.open("rb") as handle:
        lines = [handle.readline() for _ in range(100_001)]
    sample.write_bytes(b"".join(lines))
    floor, floor_rss = _timed(_floor, source, root / "floor.parquet")
    ours, ours_rss = _timed(_ours, source, root / "canonical.parquet")
    fl, fl_rss = _timed(_frictionless, sample)
    frictionless_per_row = fl / 100_000
    return Figure(
        name=f"ingest of a {size / 2**30:.2f} GiB CSV ({rows:,} rows) into canonical, validated Parquet",
        value=ours,
        unit="s",
        baseline=floor,
        baseline_name="pyarrow CSV read + Parquet write of the same file (the floor)",
        ratio=ours / floor,
        aim="≤ 2× the floor, ≥ 50× faster than frictionless, RSS < 1 GB for a 5 GB file",
        memory=f"ours {ours_rss / 2**20:.0f} MB, floor {floor_rss / 2**20:.0f} MB, "
        f"frictionless {fl_rss / 2**20:.0f} MB",
        notes=[
            f"frictionless validate: {frictionless_per_row * 1e6:.1f} µs per row on a 100,000-row sample "
            f"→ {frictionless_per_row * rows:,.0f} s for the whole file; "
            f"ours is {frictionless_per_row * rows / ours:,.0f}× faster",
            f"ours: {rows / ours:,.0f} rows/s, with unit conversion, dates in Asia/Seoul, checks and duplicate keys",
            "timed inside each process, after its imports",
        ],
    )
