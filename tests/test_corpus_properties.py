"""Rules that hold for every file, not only the corpus's: the order of a file's rows does not change its problems,
a wide layout and its long equivalent are the same records, a "no value" marker never becomes a number (nor a
code), and an ingest never publishes a dataset without rows."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.corpus.judge import CORPUS, findings, load_case, mapping_of

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MARKERS = ["-", "–", "—", "N/A", "n/a", "NA", "#N/A", "#VALUE!", "#DIV/0!", "없음", "해당없음", "측정불가", "미측정",
           "미검사", "null", "NULL", " N/A ", "Ｎ／Ａ", "－", "＃Ｎ／Ａ"]  # fmt: skip


def _all_findings(report: Any) -> list[Any]:
    return findings(report, "error") + findings(report, "note")


# ---- a file's rows in any order give the same problems -------------------------------------------------------

ORDERED = ["machining_gauge_log_cp949", "machining_cmm_export", "demand_weekly_long"]


def _split(case_name: str) -> tuple[dict[str, Any], str, list[str], list[str]]:
    """(case, encoding, lines above and including the header, data lines) of a corpus CSV."""
    case = load_case(CORPUS / "cases" / f"{case_name}.yaml")
    raw = (CORPUS / case["file"]).read_bytes()
    encoding = "cp949" if "cp949" in case["file"] else "utf-8-sig"
    lines = raw.decode(encoding).split("\r\n")[:-1]
    header_row = case["mapping"].get("header", {}).get("row", 1)
    return case, encoding, lines[:header_row], lines[header_row:]


def _problems_by_content(path: Path, case: dict[str, Any], lines: list[str]) -> Counter[tuple[str, str, str]]:
    from sangsaeng.standard.ingest import check_file

    report = check_file(path, mapping_of(case["mapping"]), case["sheet"])
    return Counter((lines[f.line - 1], f.field, f.code) for f in _all_findings(report))


@pytest.mark.parametrize("case_name", ORDERED)
@SETTINGS
@given(data=st.data())
def test_rows_in_any_order_give_the_same_problems(case_name: str, data: st.DataObject) -> None:
    case, encoding, head, rows = _split(case_name)
    order = data.draw(st.permutations(range(len(rows))))
    with tempfile.TemporaryDirectory() as folder:
        original, shuffled = Path(folder) / "original.csv", Path(folder) / "shuffled.csv"
        reordered = [rows[i] for i in order]
        original.write_bytes("\r\n".join([*head, *rows, ""]).encode(encoding))
        shuffled.write_bytes("\r\n".join([*head, *reordered, ""]).encode(encoding))
        before = _problems_by_content(original, case, [*head, *rows])
        after = _problems_by_content(shuffled, case, [*head, *reordered])
    assert before and after == before


# ---- a wide file and its long equivalent are the same records ------------------------------------------------

CHARACTERISTICS = [("외경", "mm"), ("내경", "mm"), ("중량", "g")]
CELL = st.one_of(
    st.decimals(min_value=1, max_value=500, places=3).map(lambda d: f"{d:.3f}"),
    st.just(""),
    st.sampled_from(MARKERS),
)


def _wide_and_long(lots: list[tuple[str, list[str], bool]]) -> tuple[str, str]:
    wide = ["로트번호,검사일자," + ",".join(f"{c}({u})" for c, u in CHARACTERISTICS) + ",판정"]
    long = ["로트번호,검사일자,검사항목,측정값,단위,판정"]
    for lot, cells, ok in lots:
        verdict = "합격" if ok else "불합격"
        wide.append(f"{lot},2026-03-02,{','.join(cells)},{verdict}")
        for (name, unit), cell in zip(CHARACTERISTICS, cells, strict=True):
            if cell.strip() and cell not in MARKERS:
                long.append(f"{lot},2026-03-02,{name},{cell},{unit},{verdict}")
    return "\r\n".join([*wide, ""]), "\r\n".join([*long, ""])


WIDE_MAPPING = {
    "entity": "quality_result",
    "unpivot": {
        "columns": [f"{c}({u})" for c, u in CHARACTERISTICS],
        "name": "검사항목",
        "value": "측정값",
        "unit": "단위",
    },  # fmt: skip
    "fields": {
        "subject": {"column": "로트번호"},
        "characteristic": {"column": "검사항목"},
        "value": {"column": "측정값", "unit_column": "단위"},
        "passed": {"column": "판정", "values": {"합격": True, "불합격": False}},
        "inspected_at": {"column": "검사일자", "format": "%Y-%m-%d"},
    },
}
LONG_MAPPING = {k: v for k, v in WIDE_MAPPING.items() if k != "unpivot"}


def _records(path: Path, document: dict[str, Any], out: Path) -> list[tuple[Any, ...]]:
    from sangsaeng.standard.ingest import ingest

    result = ingest(path, mapping_of(document), out, accept_partial=True)
    if not result.written:
        return []
    rows = pq.read_table(out).to_pylist()
    return sorted(tuple(sorted((k, repr(v)) for k, v in row.items())) for row in rows)


@SETTINGS
@given(
    lots=st.lists(
        st.tuples(
            st.from_regex(r"L26030[2-6]-0[1-9]", fullmatch=True),
            st.lists(CELL, min_size=3, max_size=3),
            st.booleans(),
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda lot: lot[0],
    ).filter(lambda lots: any(c.strip() and c not in MARKERS for _, cells, _ in lots for c in cells))
)
def test_a_wide_file_and_its_long_equivalent_ingest_to_the_same_records(
    lots: list[tuple[str, list[str], bool]],
) -> None:
    wide_text, long_text = _wide_and_long(lots)
    with tempfile.TemporaryDirectory() as folder:
        wide, long = Path(folder) / "wide.csv", Path(folder) / "long.csv"
        wide.write_text(wide_text, encoding="utf-8-sig")
        long.write_text(long_text, encoding="utf-8-sig")
        from_wide = _records(wide, WIDE_MAPPING, Path(folder) / "wide" / "out.parquet")
        from_long = _records(long, LONG_MAPPING, Path(folder) / "long" / "out.parquet")
    assert from_wide == from_long
    assert len(from_wide) == sum(1 for _, cells, _ in lots for c in cells if c.strip() and c not in MARKERS)


# ---- a "no value" marker is never a number, nor a code -------------------------------------------------------

QUALITY_HEADER = "로트번호,검사항목,측정값,단위,하한,상한,판정"
QUALITY_MAPPING = {
    "entity": "quality_result",
    "fields": {
        "subject": {"column": "로트번호"},
        "characteristic": {"column": "검사항목"},
        "value": {"column": "측정값", "unit_column": "단위"},
        "lower_spec_limit": {"column": "하한", "unit_column": "단위"},
        "upper_spec_limit": {"column": "상한", "unit_column": "단위"},
        "passed": {"column": "판정"},
    },
}
ENERGY_HEADER = "사업장,월,사용량(kWh)"
ENERGY_MAPPING = {
    "entity": "energy_record",
    "fields": {
        "consumer": {"column": "사업장"},
        "carrier": {"value": "electricity"},
        "period_start": {"column": "월", "format": "%Y-%m"},
        "period_end": {"column": "월", "format": "%Y-%m", "at": "end"},
        "amount": {"column": "사용량(kWh)", "unit": "kWh"},
    },
}
# (header, mapping, column index the marker goes to, the field, what the marker must become there)
PLACES = {
    "an optional limit": (QUALITY_HEADER, QUALITY_MAPPING, 4, "lower_spec_limit", "no-value"),
    "a measurement with limits": (QUALITY_HEADER, QUALITY_MAPPING, 2, "value", "missing-measurement"),
    "a required verdict": (QUALITY_HEADER, QUALITY_MAPPING, 6, "passed", "missing-value"),
    "a required amount": (ENERGY_HEADER, ENERGY_MAPPING, 2, "amount", "missing-value"),
}


def _good_row(header: str, index: int) -> list[str]:
    if header == QUALITY_HEADER:
        return [f"L{index:03d}", "외경", f"{25 + index / 1000:.3f}", "mm", "24.900", "25.100", "합격"]
    return [f"공장{index}", f"2026-{index % 12 + 1:02d}", f"{1000 + index}"]


@SETTINGS
@given(
    place=st.sampled_from(sorted(PLACES)),
    marker=st.sampled_from(MARKERS),
    rows=st.integers(min_value=1, max_value=12),
    data=st.data(),
)
def test_a_no_value_marker_is_never_a_number_nor_a_code(
    place: str, marker: str, rows: int, data: st.DataObject
) -> None:
    from sangsaeng.standard.ingest import check_file, ingest

    header, document, column, field, expected = PLACES[place]
    at = data.draw(st.integers(min_value=0, max_value=rows - 1))
    table = [_good_row(header, i) for i in range(rows)]
    table[at][column] = marker
    with tempfile.TemporaryDirectory() as folder:
        path, out = Path(folder) / "file.csv", Path(folder) / "out" / "data.parquet"
        path.write_text("\r\n".join([header, *(",".join(r) for r in table), ""]), encoding="utf-8-sig")
        report = check_file(path, mapping_of(document))
        line = at + 2
        found = [(f.field, f.code) for f in _all_findings(report) if f.line == line]
        assert found == [(field, expected)], f"{marker!r} in {place}: {found}"
        if expected == "no-value":  # a note sets nothing aside: the record is published, without a number
            ingest(path, mapping_of(document), out, accept_partial=True)
            record = pq.read_table(out).to_pylist()[at]
            assert record[field] is None


# ---- an ingest never publishes a dataset without rows --------------------------------------------------------

BROKEN = {
    "a number that is not one": (2, "25..012"),
    "an unknown unit": (3, "mmm"),
    "no verdict": (6, ""),
    "an undeclared verdict": (6, "재검"),
    "no subject": (0, "#N/A"),
}


@SETTINGS
@given(breaks=st.lists(st.sampled_from(sorted(BROKEN)), min_size=0, max_size=20), partial=st.booleans())
def test_an_ingest_never_publishes_a_dataset_without_rows(breaks: list[str], partial: bool) -> None:
    from sangsaeng.errors import InvalidInput
    from sangsaeng.standard.ingest import ingest

    table = [_good_row(QUALITY_HEADER, i) for i in range(len(breaks))]
    for row, name in zip(table, breaks, strict=True):
        column, cell = BROKEN[name]
        row[column] = cell
    with tempfile.TemporaryDirectory() as folder:
        path, out = Path(folder) / "file.csv", Path(folder) / "out" / "data.parquet"
        path.write_text("\r\n".join([QUALITY_HEADER, *(",".join(r) for r in table), ""]), encoding="utf-8-sig")
        try:
            result = ingest(path, mapping_of(QUALITY_MAPPING), out, accept_partial=partial, max_errors=10**6)
        except InvalidInput:
            assert not out.exists()
            return
        assert not result.written and result.rows_written == 0
        assert not out.exists()
