"""The factory-file corpus (``tests/corpus/``): what a person waits for between dropping a file and seeing its
problems — the layout guessed and a mapping suggested, then every row checked through the confirmed mapping —
summed over every file, against the floor of reading each file's cells once (pyarrow's CSV reader, openpyxl's
read-only rows), same run, each in a process of its own.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import yaml

from bench.common import Figure, PeakRss

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"


def _cases() -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text("utf-8")) for p in sorted((CORPUS / "cases").glob("*.yaml"))]


def _floor(clock: Path) -> None:
    """Every cell of every file read once as text, nothing else."""
    import openpyxl
    import pyarrow as pa
    import pyarrow.csv as pacsv

    begun = time.perf_counter()
    for case in _cases():
        path = CORPUS / case["file"]
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            for sheet in book.worksheets:
                for _ in sheet.iter_rows(values_only=True):
                    pass
            book.close()
            continue
        head = path.read_bytes()[:65536]
        try:
            head.decode("utf-8")
            encoding = "utf8"
        except UnicodeDecodeError:
            encoding = "cp949"
        first = head.split(b"\n", 1)[0]
        delimiter = max((b",", b";", b"\t", b"|"), key=first.count).decode()
        pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=encoding, autogenerate_column_names=True),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=lambda _: "skip"),
            convert_options=pacsv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(400)}),
        )
    clock.write_text(str(time.perf_counter() - begun))


def _ours(clock: Path) -> None:
    """For every file: the layout guessed and a mapping suggested (as the portal and `map suggest` do), then the
    whole file checked through the case's confirmed mapping (the preview before publishing)."""
    from sangsaeng.standard.ingest import check_file
    from sangsaeng.standard.mapping import load_mapping
    from sangsaeng.standard.sources import open_detected
    from sangsaeng.standard.suggest import suggest

    cases = _cases()
    mappings = [load_mapping(yaml.safe_dump(c["mapping"], allow_unicode=True)) for c in cases]
    suggesting = checking = 0.0
    for case, mapping in zip(cases, mappings, strict=True):
        path = CORPUS / case["file"]
        begun = time.perf_counter()
        source, guess = open_detected(path, case.get("sheet"))
        suggest(case["entity"], source.headers, source.sample(), guess=guess, sheet=case.get("sheet"))
        suggested = time.perf_counter()
        check_file(path, mapping, case.get("sheet")).close()
        suggesting += suggested - begun
        checking += time.perf_counter() - suggested
    clock.write_text(f"{suggesting + checking} {suggesting} {checking}")


def _timed(target: Any, folder: Path) -> tuple[list[float], int]:
    clock = folder / f"{target.__name__}.seconds"
    process = multiprocessing.get_context("spawn").Process(target=target, args=(clock,))
    process.start()
    with PeakRss({"p": process.pid or 0}, interval=0.02) as memory:
        process.join()
    assert process.exitcode == 0, f"{target.__name__} failed"
    return [float(x) for x in clock.read_text().split()], memory.peak["p"]


def run(root: Path) -> Figure:
    cases = _cases()
    rows = sum(int(c["expect"]["rows"]) for c in cases)
    (floor,), floor_rss = _timed(_floor, root)
    (total, suggesting, checking), ours_rss = _timed(_ours, root)
    return Figure(
        name=f"the corpus's {len(cases)} factory files ({rows:,} records): suggestion + check",
        value=total,
        unit="s",
        baseline=floor,
        baseline_name="reading every cell of the same files once (pyarrow CSV, openpyxl read-only)",
        ratio=total / floor,
        aim="a person waits seconds, not minutes, for the whole corpus",
        memory=f"ours {ours_rss / 2**20:.0f} MB, floor {floor_rss / 2**20:.0f} MB",
        notes=[
            f"suggestion (layout guessed, mapping proposed) {suggesting:.2f} s, check (every row, every problem) "
            f"{checking:.2f} s",
            "timed inside each process, after its imports",
        ],
    )
