"""Validation findings as data: every code at the right row and field, computed over whole batches."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.standard.entities import ENTITIES, arrow_schema
from sangsaeng.standard.validation import Checker, Finding, KeyHashes, Report, check_all

T = datetime(2026, 10, 1, tzinfo=UTC)


def batch(name: str, rows: list[dict[str, object]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=arrow_schema(ENTITIES[name]))


def run(name: str, *batches: pa.RecordBatch) -> Report:
    return check_all(ENTITIES[name], lambda: iter(batches))


def production(order: str, **changes: object) -> dict[str, object]:
    return {
        "order": order,
        "equipment": "cnc-07",
        "part_type": "pt:1",
        "planned_time": 100.0,
        "run_time": 90.0,
        "downtime": 10.0,
        "total_count": 50,
        "good_count": 49,
        "ideal_cycle_time": 1.5,
        **changes,
    }


def test_a_clean_batch_has_no_findings() -> None:
    report = run("production_run", batch("production_run", [production("PO-1"), production("PO-2")]))
    assert report.valid and report.rows == 2 and report.to_dict()["errors"] == 0


def test_each_problem_is_reported_at_its_row_and_field() -> None:
    rows = [
        production("PO-1"),
        production("PO-2", run_time=-5.0),  # row 2: out of range
        production("PO-3", equipment=None),  # row 3: missing
        production("PO-1"),  # row 4: duplicate of row 1
        production("PO-5", ideal_cycle_time=0.0),  # row 5: must be > 0
    ]
    report = run("production_run", batch("production_run", rows))
    assert report.flatten(["row", "field", "code"]) == [
        [2, "run_time", "out-of-range"],
        [3, "equipment", "missing-value"],
        [4, "order+equipment", "duplicate-key"],
        [5, "ideal_cycle_time", "out-of-range"],
    ]
    duplicate = next(f for f in report.findings if f.code == "duplicate-key")
    assert "first seen in row 1" in duplicate.expected
    assert report.counts == {"out-of-range": 2, "missing-value": 1, "duplicate-key": 1}


def test_duplicates_are_found_across_batches() -> None:
    first = batch("production_run", [production("PO-1"), production("PO-2")])
    second = batch("production_run", [production("PO-3"), production("PO-2"), production("PO-3")])
    report = run("production_run", first, second)
    assert report.flatten(["row", "code", "expected"]) == [
        [4, "duplicate-key", "unique; first seen in row 2"],
        [5, "duplicate-key", "unique; first seen in row 3"],
    ]


def test_codes_outside_the_allowed_set_are_named() -> None:
    record = {"consumer": "s1", "period_start": T, "period_end": T, "carrier": "coal", "amount": 5.0}
    report = run("energy_record", batch("energy_record", [record]))
    [finding] = report.findings
    assert (finding.code, finding.row, finding.field, finding.value) == ("unknown-code", 1, "carrier", "coal")
    assert "electricity" in finding.expected
    assert "허용된 코드가 아닙니다" in finding.message_ko and "is not one of" in finding.message


def test_a_report_counts_everything_but_keeps_only_the_first_examples() -> None:
    rows = [production(f"PO-{i}", run_time=-1.0) for i in range(50)]
    report = Report(examples=5)
    report.extend(Checker(ENTITIES["production_run"]).check(batch("production_run", rows)))  # one pass is enough
    assert report.counts["out-of-range"] == 50 and len(report.findings) == 5


def test_findings_speak_english_and_korean() -> None:
    finding = Finding("missing-value", 7, "lot_no", None, "a value")
    assert finding.message == "lot_no is required but empty"
    assert finding.message_ko == "lot_no 값이 비어 있습니다 (필수 항목)"
    assert finding.to_dict()["row"] == 7


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.integers(0, 40), min_size=1, max_size=300),
    sizes=st.lists(st.integers(1, 50), min_size=1, max_size=10),
    spill=st.booleans(),
)
def test_repeated_keys_are_found_however_the_rows_are_batched(keys: list[int], sizes: list[int], spill: bool) -> None:
    """Every row whose key came before is reported with the first row of that key, in memory or spilled."""
    rows = [production(f"PO-{k}") for k in keys]
    batches, at = [], 0
    while at < len(rows):
        size = sizes[len(batches) % len(sizes)]
        batches.append(batch("production_run", rows[at : at + size]))
        at += size
    original = KeyHashes.BUFFER
    KeyHashes.BUFFER = 7 if spill else original
    try:
        report = check_all(ENTITIES["production_run"], lambda: iter(batches), examples=10**6)
    finally:
        KeyHashes.BUFFER = original
    first: dict[int, int] = {}
    expected = []
    for row, key in enumerate(keys, start=1):
        if key in first:
            expected.append([row, f"unique; first seen in row {first[key]}"])
        else:
            first[key] = row
    assert report.flatten(["row", "expected"]) == expected
