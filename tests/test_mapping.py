"""Mappings turn a factory's columns into canonical records, and say exactly which cells they could not read."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.errors import InvalidInput
from sangsaeng.standard import dates
from sangsaeng.standard.cells import _parted, plain_numbers, readable, split_numbers
from sangsaeng.standard.ingest import merge_findings
from sangsaeng.standard.mapping import Applier, load_mapping
from sangsaeng.standard.validation import Report, check_all

QUALITY = """
entity: quality_result
timezone: Asia/Seoul
fields:
  subject: {column: 로트번호}
  characteristic: {column: 검사항목}
  inspected_at: {column: 검사일자, format: "%Y-%m-%d %H:%M"}
  value: {column: 측정값, unit_column: 단위}
  lower_spec_limit: {column: 하한}
  passed: {column: 판정, values: {합격: true, 불합격: false}}
"""


def source(rows: list[dict[str, str | None]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=pa.schema([(k, pa.string()) for k in rows[0]]))


def row(**changes: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "로트번호": "L1",
        "검사항목": "bore",
        "검사일자": "2026-10-01 17:00",
        "측정값": "54.01",
        "단위": "mm",
        "하한": "53.97",
        "판정": "합격",
    }
    return {**base, **changes}


def test_a_korean_inspection_export_becomes_canonical_records() -> None:
    mapping = load_mapping(QUALITY)
    batch, findings = Applier(mapping).apply(source([row(), row(측정값="0.81", 단위="um", 판정="불합격")]))
    assert findings == []
    records = batch.to_pylist()
    assert records[0]["value"] == pytest.approx(0.05401)
    assert (records[0]["raw_value"], records[0]["raw_unit"], records[0]["unit"]) == (54.01, "mm", "meter")
    assert records[1]["value"] == pytest.approx(0.81e-6) and records[1]["passed"] is False
    assert records[0]["inspected_at"] == datetime(2026, 10, 1, 8, 0, tzinfo=UTC)  # 17:00 in Seoul
    assert records[0]["lower_spec_limit"] == 53.97  # a plain number: no unit given for it


def test_every_unreadable_cell_is_reported_where_it_is() -> None:
    rows = [
        row(로트번호="L1"),
        row(로트번호="L2", 측정값="54,0x"),  # 2: not a number
        row(로트번호="L3", 검사일자="10/01/2026"),  # 3: not the date format
        row(로트번호="L4", 판정="보류"),  # 4: not a known result
        row(로트번호="L5", 단위="furlongz"),  # 5: unknown unit
        row(로트번호="L6", 단위="kgCO2e"),  # 6: fine for a free value/unit pair: the record keeps kgCO2e
        row(로트번호="L1"),  # 7: the same lot, characteristic and time as row 1
    ]
    mapping = load_mapping(QUALITY)
    batch, findings = Applier(mapping).apply(source(rows), first_row=1)
    report = Report()
    report.extend(merge_findings(findings, check_all(mapping.model, lambda: [batch]).findings, mapping))
    assert report.flatten(["row", "field", "code"]) == [
        [2, "value", "type-error"],
        [3, "inspected_at", "bad-date"],
        [4, "passed", "unknown-code"],  # one problem per cell: not also "missing"
        [5, "단위", "unknown-unit"],
        [7, "subject+characteristic+inspected_at", "duplicate-row"],
    ]
    assert batch.column("unit").to_pylist()[5] == "kilogram_CO2e"


def test_a_field_with_a_fixed_unit_refuses_another_dimension() -> None:
    mapping = load_mapping("""
entity: energy_record
decimal: ","
fields:
  consumer: {column: 사업장}
  period_start: {column: 시작, format: "%Y-%m"}
  period_end: {column: 끝, format: "%Y-%m"}
  carrier: {column: 에너지원, values: {전기: electricity, LNG: lng}}
  amount: {column: 사용량, unit_column: 단위}
""")
    rows = [
        {"사업장": "창원", "시작": "2026-10", "끝": "2026-11", "에너지원": "전기", "사용량": "1234,5", "단위": "MWh"},
        {"사업장": "창원", "시작": "2026-10", "끝": "2026-11", "에너지원": "LNG", "사용량": "10", "단위": "kgCO2e"},
    ]
    batch, findings = Applier(mapping).apply(source(rows))
    assert batch.column("amount").to_pylist()[0] == pytest.approx(1_234_500.0)  # MWh → kWh, decimal comma
    assert batch.column("carrier").to_pylist() == ["electricity", "lng"]
    assert [(f.row, f.code, f.value) for f in findings] == [(2, "unit-mismatch", "kgCO2e")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("entity: nothing\nfields: {}", "unknown entity"),
        ("entity: quality_result\nfields: {colour: {column: x}}", "has no field colour"),
        ("entity: quality_result\nfields: {passed: {}}", "either 'column' or 'value'"),
        ("entity: [", "not YAML"),
    ],
)
def test_a_mapping_that_cannot_be_followed_is_refused(text: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_mapping(text)
    assert words in caught.value.message


def test_columns_the_mapping_names_must_exist() -> None:
    with pytest.raises(InvalidInput) as caught:
        Applier(load_mapping(QUALITY)).apply(source([{"로트번호": "L1"}]))
    assert "검사항목" in caught.value.message and "로트번호" in (caught.value.hint or "")


# ---- the fast paths read exactly what the careful ones read ---------------------------------------------
NUMBERISH = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**12), 10**12).map(str),
    st.text(alphabet="0123456789.,-+eE nainf_x", max_size=8),
)


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(st.one_of(st.none(), NUMBERISH), min_size=1, max_size=30), decimal=st.sampled_from([".", ","]))
def test_plain_numbers_are_read_as_the_careful_path_reads_them(cells: list[str | None], decimal: str) -> None:
    fast = plain_numbers(pa.array(cells, pa.string()), decimal)
    if fast is None:
        return  # the careful path takes the column
    text = readable(pa.array(cells, pa.string()))
    careful = split_numbers(text, decimal)
    parted = _parted(text, decimal)  # every cell taken apart by the full expression, none cast at once
    assert careful.units is None and parted.units is None and not any(careful.unreadable.to_pylist())
    for cell, quick, slow, slowest in zip(
        cells, fast.to_pylist(), careful.values.to_pylist(), parted.values.to_pylist(), strict=True
    ):
        if cell is None:
            assert quick is None and slow is None
            continue
        written = cell.replace(",", ".") if decimal == "," else cell
        assert quick == slow == slowest == float(written), cell


ISO_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]


@settings(max_examples=100, deadline=None)
@given(
    moments=st.lists(st.datetimes(datetime(1990, 1, 1), datetime(2090, 1, 1)), min_size=1, max_size=20),
    fmt=st.sampled_from(ISO_FORMATS),
    zone=st.sampled_from(["Asia/Seoul", "UTC", "Europe/Berlin", "America/New_York"]),
)
def test_iso_moments_read_fast_are_those_the_careful_path_reads(moments: list[datetime], fmt: str, zone: str) -> None:
    text = pa.array([m.strftime(fmt) for m in moments], pa.string())
    rule = dates.compile_pattern(fmt)
    fast = dates.fast_moments(text, rule, zone)
    assert fast is not None
    assert fast.to_pylist() == dates.read_moments(text, rule, zone).to_pylist()
    # beside a cell that is no date, and through the matched (not cast) reading of ISO text
    mixed = pa.concat_arrays([text, pa.array(["x"])])
    matched = dates.read_moments(mixed, dates.compile_pattern("%d.%m.%Y"), zone).to_pylist()
    assert dates.read_moments(mixed, rule, zone).to_pylist() == matched == [*fast.to_pylist(), None]


@pytest.mark.parametrize("written", ["2026-02-30 08:00", "2026-04-31 08:00", "2026-1-1 25:00:00"])
def test_impossible_days_are_bad_dates_not_rolled_over(written: str) -> None:
    batch, findings = Applier(load_mapping(QUALITY)).apply(source([row(), row(검사일자=written)]), first_row=1)
    assert [(f.row, f.code) for f in findings] == [(2, "bad-date")]
    assert batch.column("inspected_at")[1].as_py() is None
    assert dates.fast_moments(pa.array([written]), dates.compile_pattern("%Y-%m-%d %H:%M"), "UTC") is None


def test_unpadded_days_that_exist_are_read() -> None:
    batch, findings = Applier(load_mapping(QUALITY)).apply(source([row(검사일자="2026-1-5 8:05")]), first_row=1)
    assert findings == [] and batch.column("inspected_at")[0].as_py() == datetime(2026, 1, 4, 23, 5, tzinfo=UTC)
