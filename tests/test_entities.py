"""The canonical model: each entity's record model, Arrow schema, JSON Schema and reference page agree."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pyarrow as pa
import pytest
from hypothesis import given
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from sangsaeng.standard.entities import ENTITIES, arrow_schema, brn_valid, json_schema
from sangsaeng.standard.reference import reference_markdown, schema_files
from sangsaeng.standard.units import recognize

DOCS = Path(__file__).resolve().parents[1] / "docs"
T = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
SAMPLES: dict[str, dict[str, Any]] = {
    "organization": {
        "id": "urn:sangsaeng:participant:hanbit",
        "name": "한빛정밀",
        "business_registration_number": "124-81-00998",
        "sector": "C30",
        "size_class": "sme",
    },
    "site": {
        "id": "site:changwon-1",
        "organization": "urn:sangsaeng:participant:hanbit",
        "country": "KR",
        "region": "Changwon",
    },
    "equipment": {
        "id": "urn:uuid:7d0f6c64-0000-4000-8000-000000000001",
        "site": "site:changwon-1",
        "isa95_path": "Hanbit/Changwon/Machining/Line2/CNC-07",
        "manufacturer": "DN Solutions",
        "year": 2019,
    },
    "part_type": {
        "id": "pt:BRK-CAL-2041",
        "manufacturer_part_id": "BRK-CAL-2041",
        "customer_part_id": "58130-AB000",
        "name": "브레이크 캘리퍼 하우징",
    },
    "part_instance": {
        "global_asset_id": "urn:uuid:00000000-0000-4000-8000-0000000000aa",
        "part_type": "pt:BRK-CAL-2041",
        "kind": "batch",
        "local_id": "L261001-00",
        "production_date": T,
    },
    "bom_link": {
        "parent": "urn:uuid:p",
        "child": "urn:uuid:c",
        "quantity": 4,
        "lifecycle": "as-built",
        "business_partner": "urn:sangsaeng:participant:tier2",
    },
    "measurement": {
        "equipment": "cnc-07",
        "signal": "spindle_temperature",
        "timestamp": T,
        "value": 318.15,
        "unit": "kelvin",
        "raw_value": 45.0,
        "raw_unit": "°C",
    },
    "production_run": {
        "order": "PO-1",
        "equipment": "cnc-07",
        "part_type": "pt:BRK-CAL-2041",
        "planned_time": 28800,
        "run_time": 25200,
        "downtime": 3600,
        "total_count": 1000,
        "good_count": 985,
        "ideal_cycle_time": 24,
    },
    "quality_result": {
        "subject": "L261001-00",
        "characteristic": "bore_diameter",
        "inspected_at": T,
        "value": 0.05401,
        "unit": "meter",
        "raw_value": 54.01,
        "raw_unit": "mm",
        "lower_spec_limit": 0.05397,
        "upper_spec_limit": 0.05403,
        "passed": True,
    },
    "energy_record": {
        "consumer": "site:changwon-1",
        "period_start": T,
        "period_end": T,
        "carrier": "electricity",
        "amount": 1200.5,
        "emission_factor": 0.4594,
    },
    "product_footprint": {
        "id": "urn:uuid:pf",
        "spec_version": "2.2.0",
        "version": 1,
        "company_ids": ["urn:x"],
        "product_ids": ["urn:y"],
        "declared_unit": "piece",
        "declared_amount": 1,
        "pcf_excluding_biogenic": 12.4,
        "reference_period_start": T,
        "reference_period_end": T,
    },
    "demand_forecast": {
        "buyer": "urn:sangsaeng:participant:daehan",
        "part_type": "pt:BRK-CAL-2041",
        "period_start": date(2027, 1, 1),
        "period_end": date(2027, 1, 31),
        "quantity": 12000,
        "firmness": "forecast",
    },
}


def test_every_entity_has_a_sample() -> None:
    assert set(SAMPLES) == set(ENTITIES)


@pytest.mark.parametrize("name", sorted(ENTITIES))
def test_a_record_fits_its_arrow_schema_and_its_json_schema(name: str) -> None:
    model = ENTITIES[name]
    record = model.model_validate(SAMPLES[name])
    table = pa.Table.from_pylist([record.model_dump()], schema=arrow_schema(model))
    assert table.num_rows == 1
    assert table.schema.metadata[b"sangsaeng.entity"] == name.encode()
    schema = json_schema(model)
    Draft202012Validator.check_schema(schema)
    assert list(Draft202012Validator(schema).iter_errors(record.model_dump(mode="json"))) == []


@pytest.mark.parametrize("name", sorted(ENTITIES))
def test_records_missing_a_required_field_are_refused(name: str) -> None:
    model = ENTITIES[name]
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    broken = {k: v for k, v in SAMPLES[name].items() if k != required[0]}
    with pytest.raises(ValidationError):
        model.model_validate(broken)
    with pytest.raises(ValidationError):
        model.model_validate({**SAMPLES[name], "no_such_field": 1})


@pytest.mark.parametrize("name", sorted(ENTITIES))
def test_quantity_units_are_canonical_units(name: str) -> None:
    for field in arrow_schema(ENTITIES[name]):
        unit = (field.metadata or {}).get(b"unit")
        if unit:
            assert recognize(unit.decode()).canonical == unit.decode(), (name, field.name)


def test_a_wrong_business_registration_number_is_refused() -> None:
    organization = ENTITIES["organization"]
    assert organization.model_validate(SAMPLES["organization"]).business_registration_number == "1248100998"  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="check digit"):
        organization.model_validate({**SAMPLES["organization"], "business_registration_number": "124-81-00999"})


@given(st.lists(st.integers(0, 9), min_size=9, max_size=9))
def test_exactly_one_check_digit_completes_a_business_number(digits: list[int]) -> None:
    body = "".join(map(str, digits))
    assert sum(brn_valid(body + str(check)) for check in range(10)) == 1


def test_the_reference_page_and_json_schemas_are_generated_from_the_models() -> None:
    assert (DOCS / "standard-entities.md").read_text("utf-8") == reference_markdown(), (
        "regenerate with: python -m sangsaeng.standard.reference docs/"
    )
    for relative, text in schema_files().items():
        assert (DOCS / relative).read_text("utf-8") == text, relative


def test_version_2_fields_hold_what_real_files_carry() -> None:
    quality, runs, energy = ENTITIES["quality_result"], ENTITIES["production_run"], ENTITIES["energy_record"]
    assert (quality.schema_version, runs.schema_version, energy.schema_version) == (2, 2, 2)
    assert quality.key == ("subject", "characteristic", "inspected_at", "sample") and quality.sample_field == "sample"
    record = quality.model_validate(
        {**SAMPLES["quality_result"], "sample": 3, "nominal": 0.054, "lot": "L2603-01", "disposition": "reinspect"}
    )
    assert (record.sample, record.disposition) == (3, "reinspect")  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        quality.model_validate({**SAMPLES["quality_result"], "sample": 0})
    with pytest.raises(ValidationError):
        quality.model_validate({**SAMPLES["quality_result"], "disposition": "재검"})
    run = runs.model_validate({**SAMPLES["production_run"], "shift": "야간", "defect_count": 15, "cavities": 4})
    assert run.cavities == 4  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        runs.model_validate({**SAMPLES["production_run"], "cavities": 0})
    lng = {**SAMPLES["energy_record"], "carrier": "lng", "calorific_factor": 42.7, "calorific_unit": "MJ/Nm³"}
    assert energy.model_validate({**lng, "calorific_basis": "gross", "estimated": True}).estimated is True  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        energy.model_validate({**lng, "calorific_basis": "higher"})
    schema = arrow_schema(quality)
    assert schema.field("sample").type == pa.int64() and schema.metadata[b"sangsaeng.version"] == b"2"
