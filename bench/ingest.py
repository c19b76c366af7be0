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

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bench.common import Figure, PeakRss


def _mapping(source: Path) -> str:
    """The mapping an SME would confirm: the one `sangsaeng map suggest` proposes for the export, unedited."""
    from sangsaeng.standard.sources import open_source
    from sangsaeng.standard.suggest import suggest

    opened = open_source(source)
    proposal = suggest("quality_result", opened.headers, opened.sample())
    assert not proposal.missing, proposal.missing
    return proposal.mapping.to_yaml()


# What frictionless is asked to check: what ours checks of the same file (types, formats, required cells, codes,
# units as the two the file uses, the key unique), so that both do the same validation work.
FRICTIONLESS_SCHEMA = {
    "fields": [
        {"name": "로트번호", "type": "string", "constraints": {"required": True}},
        {"name": "품번", "type": "string"},
        {"name": "검사항목", "type": "string", "constraints": {"required": True}},
        {"name": "검사일시", "type": "datetime", "format": "%Y-%m-%d %H:%M"},
        {"name": "측정값", "type": "number", "decimalChar": ","},
        {"name": "단위", "type": "string", "constraints": {"enum": ["mm", "um"]}},
        {"name": "하한", "type": "number", "decimalChar": ","},
        {"name": "상한", "type": "number", "decimalChar": ","},
        {"name": "판정", "type": "string", "constraints": {"required": True, "enum": ["합격", "불합격"]}},
    ],
    "primaryKey": ["로트번호", "검사항목"],
}


def _floor(source: Path, out: Path) -> None:

    reader = pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(block_size=8 << 20, encoding="cp949"),
        parse_options=pacsv.ParseOptions(delimiter=";"),
    )
    with pq.ParquetWriter(out, reader.schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)


def _ours(source: Path, out: Path, mapping: str) -> None:
    from sangsaeng.standard.ingest import ingest
    from sangsaeng.standard.mapping import load_mapping

    result = ingest(source, load_mapping(mapping), out)
    assert result.written and result.report.valid, result.report.to_dict()["findings"][:3]


def _frictionless(sample: Path) -> None:
    # frictionless refuses absolute paths ("not safe") and reports that as one error in no time: give it the
    # folder as base path, and make sure it really read every row.
    from frictionless import Dialect, Resource, Schema, formats

    resource = Resource(
        path=sample.name,
        basepath=str(sample.parent),
        encoding="cp949",
        dialect=Dialect(controls=[formats.CsvControl(delimiter=";")]),
        schema=Schema.from_descriptor(FRICTIONLESS_SCHEMA),
    )
    report = resource.validate()
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
    clock = Path(args[0]).with_name(f"{Path(args[0]).stem}.{target.__name__}.seconds")
    process = multiprocessing.get_context("spawn").Process(target=_work, args=(target, clock, args))
    process.start()
    with PeakRss({"p": process.pid or 0}, interval=0.05) as memory:
        process.join()
    assert process.exitcode == 0, f"{target.__name__} failed"
    return float(clock.read_text()), memory.peak["p"]


def run(root: Path, gib: float = 1.0) -> Figure:
    from sangsaeng.demo.valuechain import inspections_at_scale

    source = root / "성진금속_수입검사.csv"
    rows = inspections_at_scale(source, gib)
    size = source.stat().st_size
    sample = root / "sample.csv"
    with source.open("rb") as handle:
        lines = [handle.readline() for _ in range(100_001)]
    sample.write_bytes(b"".join(lines))
    floor, floor_rss = _timed(_floor, source, root / "floor.parquet")
    ours, ours_rss = _timed(_ours, source, root / "canonical.parquet", _mapping(source))
    fl, fl_rss = _timed(_frictionless, sample)
    frictionless_per_row = fl / 100_000
    return Figure(
        name=f"ingest of a {size / 2**30:.2f} GiB CP949 inspection export ({rows:,} rows) into canonical, "
        "validated Parquet",
        value=ours,
        unit="s",
        baseline=floor,
        baseline_name="pyarrow CSV read + Parquet write of the same file (the floor)",
        ratio=ours / floor,
        aim="≤ 1.2× the floor, ≥ 50× faster than frictionless, RSS < 1 GB for a 5 GB file",
        memory=f"ours {ours_rss / 2**20:.0f} MB, floor {floor_rss / 2**20:.0f} MB, "
        f"frictionless {fl_rss / 2**20:.0f} MB",
        notes=[
            f"frictionless validate (same checks, typed schema with the key): {frictionless_per_row * 1e6:.1f} µs "
            "per row on a 100,000-row sample "
            f"→ {frictionless_per_row * rows:,.0f} s for the whole file; "
            f"ours is {frictionless_per_row * rows / ours:,.0f}× faster",
            f"ours: {rows / ours:,.0f} rows/s, mapping from `map suggest`; decimal commas, mm and µm to metres, "
            "dates from Asia/Seoul to UTC, checks and repeated keys",
            "timed inside each process, after its imports",
        ],
    )
