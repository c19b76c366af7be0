"""The company's remembered vocabulary (catalog.vocabulary): what may be declared, how it is kept, and what the
suggestion of the next file is given."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sangsaeng.catalog import vocabulary
from sangsaeng.errors import InvalidInput
from sangsaeng.store import migrate
from sangsaeng.store.records import Term
from sangsaeng.store.sql import SqlStore

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_unit_word_is_declared_as_a_unit_the_system_reads_and_only_when_it_does_not_know_the_word() -> None:
    assert vocabulary.unit_term(" ｐａｉ ", "mm", by="kim", at=T0) == Term("unit", "", "pai", "mm", "kim", T0)
    assert vocabulary.unit_term("파이", "mm", by="kim", at=T0).written == "파이"
    with pytest.raises(InvalidInput, match="already reads"):
        vocabulary.unit_term("㎜", "mm", by="kim", at=T0)  # NFKC: mm, known
    with pytest.raises(InvalidInput, match="no unit"):
        vocabulary.unit_term("파이", "a furlong-ish", by="kim", at=T0)
    with pytest.raises(InvalidInput):
        vocabulary.unit_term("x" * 65, "mm", by="kim", at=T0)


def test_a_code_word_means_one_of_its_fields_codes_and_yes_no_fields_take_true_or_false() -> None:
    term = vocabulary.code_term("energy_record", "carrier", "온수", "other", by="kim", at=T0)
    assert term == Term("code", "energy_record.carrier", "온수", "other", "kim", T0)
    assert vocabulary.code_term("quality_result", "passed", "보류", "false", by="kim", at=T0).meaning == "false"
    with pytest.raises(InvalidInput, match="not a code"):
        vocabulary.code_term("energy_record", "carrier", "온수", "hot water", by="kim", at=T0)
    with pytest.raises(InvalidInput, match="already a code"):
        vocabulary.code_term("energy_record", "carrier", "steam", "other", by="kim", at=T0)
    with pytest.raises(InvalidInput, match="free text"):
        vocabulary.code_term("quality_result", "subject", "L1", "L2", by="kim", at=T0)
    with pytest.raises(InvalidInput, match="no field"):
        vocabulary.code_term("quality_result", "nothing", "a", "b", by="kim", at=T0)


def test_a_published_mapping_remembers_each_column_that_names_one_field() -> None:
    document = {
        "entity": "energy_record",
        "unpivot": {"columns": ["전력 (kWh)"], "name": "에너지원", "value": "사용량", "unit": "단위"},
        "fields": {
            "consumer": {"value": "창원공장"},
            "period_start": {"column": "월"},
            "period_end": {"column": "월", "at": "end"},
            "carrier": {"column": "에너지원"},
            "amount": {"column": "사용량", "unit_column": "단위"},
            "emission_factor": {"column": "배출계수"},
        },
    }
    assert vocabulary.header_terms(document, by="kim", at=T0) == [
        Term("header", "energy_record", "배출계수", "emission_factor", "kim", T0)
    ]


def test_the_next_files_suggestion_gets_the_units_and_only_its_entitys_codes_and_headers() -> None:
    terms = [
        Term("unit", "", "파이", "mm", "kim", T0),
        Term("code", "quality_result.passed", "보류", "false", "kim", T0),
        Term("code", "energy_record.carrier", "온수", "other", "kim", T0),
        Term("header", "quality_result", "검사치", "value", "kim", T0),
        Term("header", "energy_record", "검사치", "amount", "kim", T0),
    ]
    found = vocabulary.as_vocabulary(terms, "quality_result")
    assert dict(found.units) == {"파이": "mm"}
    assert {k: dict(v) for k, v in found.codes.items()} == {"passed": {"보류": "false"}}
    assert dict(found.headers) == {"검사치": "value"}


@pytest.mark.anyio
async def test_declared_words_are_kept_in_the_store_and_read_back_as_a_vocabulary(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    migrate.upgrade(url)
    store = SqlStore(url)
    try:
        await vocabulary.declare(
            store,
            vocabulary.unit_term("파이", "mm", by="kim", at=T0),
            vocabulary.code_term("quality_result", "passed", "보류", "false", by="kim", at=T0),
        )
        await vocabulary.declare(store, vocabulary.unit_term("파이", "cm", by="lee", at=T0))  # the latest word holds
        assert [(t.written, t.meaning, t.declared_by) for t in await vocabulary.declared(store)] == [
            ("보류", "false", "kim"),
            ("파이", "cm", "lee"),
        ]
        found = await vocabulary.remembered(store, "quality_result")
        assert dict(found.units) == {"파이": "cm"} and found.code("passed", "보류") == "false"
    finally:
        await store.close()


def test_a_mapping_reads_the_companys_unit_words_wherever_a_unit_is_read() -> None:
    import pyarrow as pa

    from sangsaeng.standard.mapping import Applier, load_mapping

    mapping = load_mapping(
        """
entity: quality_result
units: {파이: mm, "ＨＳ ": HRC}
fields:
  subject: {column: 로트}
  characteristic: {column: 항목}
  value: {column: 측정값, unit_column: 단위}
  passed: {value: true}
"""
    )
    assert mapping.units == {"파이": "mm", "HS": "HRC"}  # looked up as written after NFKC
    batch = pa.RecordBatch.from_pydict(
        {
            "로트": ["L1", "L2", "L3"],
            "항목": ["외경"] * 3,
            "측정값": ["25", "25 파이", "40"],
            "단위": ["파이", "mm", "HS"],
        }
    )
    read, findings = Applier(mapping).apply(batch)
    assert findings == []
    assert read.column("value").to_pylist() == pytest.approx([0.025, 0.025, 40])
    assert read.column("raw_unit").to_pylist() == ["파이", "파이", "HS"]  # as the file wrote it
    assert read.column("unit").to_pylist() == ["meter", "meter", "HRC"]
    with pytest.raises(InvalidInput, match="no unit we read"):
        load_mapping("entity: quality_result\nunits: {파이: furlongs-ish}\nfields: {subject: {column: a}}")
