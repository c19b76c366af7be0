"""Validation findings as data: every code at the right row and field, computed over whole batches; repeated samples
told from duplicates; every finding kept and paged."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.standard.entities import ENTITIES, arrow_schema
from sangsaeng.standard.findings import HINTS, MESSAGES
from sangsaeng.standard.validation import Checker, Finding, KeyHashes, Report, check_all

T = datetime(2026, 10, 1, tzinfo=UTC)


def batch(name: str, rows: list[dict[str, object]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=arrow_schema(ENTITIES[name]))


def run(name: str, *batches: pa.RecordBatch, **options: Any) -> Report:
    return check_all(ENTITIES[name], lambda: iter(batches), **options)


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


def quality(
    subject: str, characteristic: str = "외경", value: float | None = 25.0, **changes: object
) -> dict[str, Any]:
    return {
        "subject": subject,
        "characteristic": characteristic,
        "value": value,
        "unit": "millimetre",
        "lower_spec_limit": 24.9,
        "upper_spec_limit": 25.1,
        "passed": True,
        **changes,
    }


def batched(rows: list[dict[str, Any]], sizes: list[int], name: str = "quality_result") -> list[pa.RecordBatch]:
    out: list[pa.RecordBatch] = []
    at = 0
    while at < len(rows):
        size = sizes[len(out) % len(sizes)]
        out.append(batch(name, rows[at : at + size]))
        at += size
    return out


def checked(name: str, batches: list[pa.RecordBatch], numbered: bool | None = None) -> tuple[Report, list[Any]]:
    """The report and the records of the last pass, as a reader of ``Checker`` runs it."""
    checker = Checker(ENTITIES[name], numbered=numbered)
    while True:
        report, records, row = Report(), [], 1
        for each in batches:
            completed, findings = checker.review(each, row)
            report.extend(findings)
            report.rows += each.num_rows
            records.extend(completed.to_pylist())
            row += each.num_rows
        if not checker.another_pass():
            checker.close()
            return report, records


def test_a_clean_batch_has_no_findings() -> None:
    report = run("production_run", batch("production_run", [production("PO-1"), production("PO-2")]))
    assert report.valid and report.rows == 2 and report.to_dict()["errors"] == 0
    assert (report.rows_kept, report.rows_set_aside, report.notes) == (2, 0, 0)


def test_each_problem_is_reported_at_its_row_and_field() -> None:
    rows = [
        production("PO-1"),
        production("PO-2", run_time=-5.0),  # row 2: out of range
        production("PO-3", equipment=None),  # row 3: missing
        production("PO-1"),  # row 4: the whole of row 1 again
        production("PO-5", ideal_cycle_time=0.0),  # row 5: must be > 0
    ]
    report = run("production_run", batch("production_run", rows))
    assert report.flatten(["row", "field", "code"]) == [
        [2, "run_time", "out-of-range"],
        [3, "equipment", "missing-value"],
        [4, "order+equipment", "duplicate-row"],
        [5, "ideal_cycle_time", "out-of-range"],
    ]
    duplicate = next(f for f in report.findings if f.code == "duplicate-row")
    assert duplicate.expected == "no exact repeat; first seen in row 1"
    assert duplicate.value == "order=PO-1, equipment=cnc-07"
    assert report.counts == {"out-of-range": 2, "missing-value": 1, "duplicate-row": 1}
    assert (report.rows, report.rows_set_aside, report.rows_kept) == (5, 4, 1)


def test_exact_repeats_are_found_across_batches() -> None:
    first = batch("production_run", [production("PO-1"), production("PO-2")])
    second = batch("production_run", [production("PO-3"), production("PO-2"), production("PO-3")])
    report = run("production_run", first, second)
    assert report.flatten(["row", "code", "expected"]) == [
        [4, "duplicate-row", "no exact repeat; first seen in row 2"],
        [5, "duplicate-row", "no exact repeat; first seen in row 3"],
    ]


def test_records_that_share_a_key_but_differ_are_all_set_aside() -> None:
    """Which of two records for one order is right cannot be told: both are problems, and an exact copy of one
    of them is a repeat of that one."""
    rows = [
        production("PO-1", good_count=49),
        production("PO-2"),
        production("PO-1", good_count=47),
        production("PO-1", good_count=47),
    ]
    report = run("production_run", batch("production_run", rows))
    assert report.flatten(["row", "code", "expected"]) == [
        [1, "duplicate-key", "unique; seen again in row 3"],
        [3, "duplicate-key", "unique; first seen in row 1"],
        [4, "duplicate-row", "no exact repeat; first seen in row 3"],
    ]
    assert report.rows_kept == 1


def test_an_optional_key_field_tells_runs_apart_and_an_empty_one_is_a_value() -> None:
    rows = [
        production("PO-1", shift="주간"),
        production("PO-1", shift="야간"),  # another shift: another run
        production("PO-2", good_count=10),
        production("PO-2", good_count=11),  # no shift in either: the same key
    ]
    report = run("production_run", batch("production_run", rows))
    assert report.flatten(["row", "field", "code"]) == [
        [3, "order+equipment", "duplicate-key"],
        [4, "order+equipment", "duplicate-key"],
    ]


def test_repeated_samples_are_numbered_in_file_order_and_only_exact_repeats_are_problems() -> None:
    rows = [
        quality("L1", value=25.01),
        quality("L1", value=25.02),
        quality("L2", value=25.00),
        quality("L1", value=25.01),  # row 1 again, exactly
        quality("L1", value=24.99),
        quality("L1", "내경", value=12.0, lower_spec_limit=11.9, upper_spec_limit=12.1),
    ]
    report, records = checked("quality_result", batched(rows, [2]))
    assert report.flatten(["row", "field", "code", "expected"]) == [
        [4, "subject+characteristic", "duplicate-row", "no exact repeat; first seen in row 1"],
    ]
    assert [r["sample"] for r in records] == [1, 2, 1, None, 3, 1]


def test_with_a_sample_column_the_sample_is_part_of_the_key() -> None:
    rows = [quality("L1", sample=1), quality("L1", sample=2), quality("L1", value=25.05, sample=2)]
    report, records = checked("quality_result", [batch("quality_result", rows)], numbered=False)
    assert report.flatten(["row", "field", "code"]) == [
        [2, "subject+characteristic+sample", "duplicate-key"],
        [3, "subject+characteristic+sample", "duplicate-key"],
    ]
    assert [r["sample"] for r in records] == [1, 2, 2]


def test_a_measurement_without_its_value_is_an_error_an_attribute_check_is_not() -> None:
    rows = [
        quality("L1", value=None),  # limits and a unit, no value
        quality("L2", "외관", value=None, unit=None, lower_spec_limit=None, upper_spec_limit=None),  # pass/fail only
        quality("L3", value=None, unit=None, lower_spec_limit=None, upper_spec_limit=None, nominal=25.0),
    ]
    report = run("quality_result", batch("quality_result", rows))
    assert report.flatten(["row", "field", "code"]) == [
        [1, "value", "missing-measurement"],
        [3, "value", "missing-measurement"],
    ]


def test_codes_outside_the_allowed_set_are_named() -> None:
    record = {"consumer": "s1", "period_start": T, "period_end": T, "carrier": "coal", "amount": 5.0}
    report = run("energy_record", batch("energy_record", [record]))
    [finding] = report.findings
    assert (finding.code, finding.row, finding.field, finding.value) == ("unknown-code", 1, "carrier", "coal")
    assert "electricity" in finding.expected
    assert "허용된 코드가 아닙니다" in finding.message_ko and "is not one of" in finding.message


def test_findings_speak_english_and_korean_and_say_how_to_fix_them() -> None:
    finding = Finding("missing-value", 7, "lot_no", None, "a value", line=12, column="로트번호")
    assert finding.message == "lot_no is required but empty"
    assert finding.message_ko == "lot_no 값이 비어 있습니다 (필수 항목)"
    assert finding.hint.startswith("fill in the cell") and finding.hint_ko.startswith("셀에 값을 넣거나")
    shown = finding.to_dict()
    assert (shown["row"], shown["line"], shown["column"], shown["severity"]) == (7, 12, "로트번호", "error")
    assert set(MESSAGES) == set(HINTS)
    for code in MESSAGES:  # every code reads in both languages, with or without a value
        for value in (None, "x"):
            each = Finding(code, 1, "value", value, "N/A")
            assert each.message and each.message_ko and each.hint and each.hint_ko
    note = Finding("no-value", 3, "nominal", None, "측정불가")
    assert note.severity == "note" and note.message == "nominal: '측정불가' means no value; read as an empty cell"
    measured = Finding("missing-measurement", 3, "value", "N/A", "a measured value")
    assert measured.message.startswith("value: no measured value ('N/A')")


def test_notes_are_counted_but_set_no_row_aside() -> None:
    report = Report()
    report.extend([Finding("no-value", 1, "nominal", None, "-"), Finding("no-value", 2, "nominal", None, "-")])
    report.extend([Finding("type-error", 3, "value", "5x", "a number"), Finding("no-value", 3, "lot", None, "-")])
    report.rows = 4
    assert report.valid is False and (report.errors, report.notes) == (1, 3)
    assert (report.rows_set_aside, report.rows_kept) == (1, 3)
    assert report.to_dict()["notes"] == 3 and report.to_dict()["rows_kept"] == 3
    assert [f.row for f in report.page(severity="note")] == [1, 2, 3]
    only_notes = Report()
    only_notes.extend([Finding("no-value", 1, "nominal", None, "-")])
    assert only_notes.valid


def test_every_finding_is_kept_past_memory_and_read_back_by_code_and_field() -> None:
    rows = [production(f"PO-{i}", run_time=-1.0, downtime=-1.0 if i % 3 == 0 else 10.0) for i in range(250)]
    original = Report.MEMORY
    Report.MEMORY = 40
    try:
        report = run("production_run", *batched(rows, [17], "production_run"))
        assert report.counts == {"out-of-range": 250 + 84}
        assert report.count(field="downtime") == 84 and report.count(severity="note") == 0
        assert [f.row for f in report.page(80, 5, field="downtime")] == [241, 244, 247, 250]
        assert report.page(84, 5, field="downtime") == []
        downtimes = report.page(10, 5, field="downtime")
        assert [f.row for f in downtimes] == [31, 34, 37, 40, 43]
        assert all(f.field == "downtime" and f.code == "out-of-range" for f in downtimes)
        assert len(report.findings) == 334 and report.rows_set_aside == 250
    finally:
        Report.MEMORY = original


@settings(max_examples=40, deadline=None)
@given(
    codes=st.lists(st.sampled_from(["type-error", "no-value", "missing-value"]), min_size=0, max_size=120),
    per_batch=st.integers(1, 9),
    page_size=st.integers(1, 50),
    memory=st.integers(1, 30),
    code=st.sampled_from([None, "type-error", "no-value"]),
)
def test_a_report_paged_through_yields_every_finding_once(
    codes: list[str], per_batch: int, page_size: int, memory: int, code: str | None
) -> None:
    original = Report.MEMORY
    Report.MEMORY = memory
    try:
        report, made = Report(), []
        for start in range(0, len(codes), per_batch):
            found = [
                Finding(c, i + 1, "value", str(i), "a number")
                for i, c in enumerate(codes)
                if start <= i < start + per_batch
            ]
            made.extend(found)
            report.extend(reversed(found))  # any order within a batch
        paged: list[Finding] = []
        while page := report.page(len(paged), page_size, code=code):
            paged.extend(page)
        assert paged == [f for f in made if code is None or f.code == code]
        assert report.count(code=code) == len(paged)
        assert report.rows_set_aside == len({f.row for f in made if f.code != "no-value"})
    finally:
        Report.MEMORY = original


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.integers(0, 40), min_size=1, max_size=300),
    sizes=st.lists(st.integers(1, 50), min_size=1, max_size=10),
    spill=st.booleans(),
)
def test_exact_repeats_are_found_however_the_rows_are_batched(keys: list[int], sizes: list[int], spill: bool) -> None:
    """Every row that repeats an earlier one is reported with the first row like it, in memory or spilled."""
    rows = [production(f"PO-{k}") for k in keys]
    original = KeyHashes.BUFFER
    KeyHashes.BUFFER = 7 if spill else original
    try:
        report = run("production_run", *batched(rows, sizes, "production_run"))
    finally:
        KeyHashes.BUFFER = original
    first: dict[int, int] = {}
    expected = []
    for row, key in enumerate(keys, start=1):
        if key in first:
            expected.append([row, f"no exact repeat; first seen in row {first[key]}"])
        else:
            first[key] = row
    assert report.flatten(["row", "expected"]) == expected


@settings(max_examples=60, deadline=None)
@given(
    picks=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), min_size=1, max_size=120),
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=6),
    spill=st.booleans(),
)
def test_samples_with_different_values_are_never_duplicates_exact_repeats_always_are(
    picks: list[tuple[int, int]], sizes: list[int], spill: bool
) -> None:
    """(lot, value) pairs: a pair met before is an exact repeat; every new value of a lot is its next sample."""
    rows = [quality(f"L{lot}", value=25.0 + value / 100) for lot, value in picks]
    original = KeyHashes.BUFFER
    KeyHashes.BUFFER = 5 if spill else original
    try:
        report, records = checked("quality_result", batched(rows, sizes))
    finally:
        KeyHashes.BUFFER = original
    seen: dict[tuple[int, int], int] = {}
    samples: Counter[int] = Counter()
    expected_findings: list[list[Any]] = []
    expected_samples: list[int | None] = []
    for row, pick in enumerate(picks, start=1):
        if pick in seen:
            expected_findings.append([row, "duplicate-row", f"no exact repeat; first seen in row {seen[pick]}"])
            expected_samples.append(None)
        else:
            seen[pick] = row
            samples[pick[0]] += 1
            expected_samples.append(samples[pick[0]])
    assert report.flatten(["row", "code", "expected"]) == expected_findings
    assert [r["sample"] for r in records] == expected_samples


def _problem_rows() -> st.SearchStrategy[list[dict[str, Any]]]:
    one = st.builds(
        lambda order, good, run_time, equipment: production(
            f"PO-{order}", good_count=good, run_time=run_time, equipment=equipment
        ),
        st.integers(0, 6),
        st.integers(40, 42),
        st.sampled_from([90.0, -1.0]),
        st.sampled_from(["cnc-07", None]),
    )
    return st.lists(one, min_size=1, max_size=40)


def _problems(report: Report, rows: list[dict[str, Any]]) -> Counter[tuple[Any, str, str]]:
    return Counter((tuple(sorted(rows[f.row - 1].items())), f.field, f.code) for f in report)


@settings(max_examples=80, deadline=None)
@given(rows=_problem_rows(), data=st.data(), sizes=st.lists(st.integers(1, 15), min_size=1, max_size=4))
def test_a_files_rows_in_any_order_give_the_same_problems(
    rows: list[dict[str, Any]], data: st.DataObject, sizes: list[int]
) -> None:
    shuffled = data.draw(st.permutations(rows))
    before = run("production_run", *batched(rows, sizes, "production_run"))
    after = run("production_run", *batched(shuffled, sizes, "production_run"))
    assert _problems(before, rows) == _problems(after, shuffled)
    assert (before.rows_set_aside, before.errors) == (after.rows_set_aside, after.errors)


@pytest.mark.parametrize("spill", [False, True])
def test_three_passes_at_most_and_one_when_no_key_repeats(spill: bool) -> None:
    def passes(rows: list[dict[str, Any]]) -> int:
        checker = Checker(ENTITIES["quality_result"])
        count = 1
        while True:
            row = 1
            for each in batched(rows, [3]):
                checker.review(each, row)
                row += each.num_rows
            if not checker.another_pass():
                return count
            count += 1

    original = KeyHashes.BUFFER
    KeyHashes.BUFFER = 2 if spill else original
    try:
        assert passes([quality(f"L{i}") for i in range(10)]) == 1
        assert passes([quality("L1", value=25.0 + i / 100) for i in range(10)]) == 2  # samples, as assumed
        assert passes([quality("L1"), quality("L1", value=25.05), quality("L1")]) == 3  # an exact repeat among them
    finally:
        KeyHashes.BUFFER = original
