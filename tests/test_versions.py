"""Standard data stored under an older schema version keeps its bytes (their digest is signed into agreements) and
is read as the current version: by the data plane, by aggregates and by the command line."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sangsaeng.dataplane.restrict import AggregateQuery, aggregate
from sangsaeng.datasets.local import LocalDatasets
from sangsaeng.policy.decide import Restrictions
from sangsaeng.standard import versions
from sangsaeng.standard.entities import ENTITIES, arrow_schema
from tests.helpers import Dataspace, negotiate, offer_policy, start_transfer

T = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
ADDED = {  # what version 2 added to each entity (a version 1 file has none of these columns)
    "quality_result": ("sample", "nominal", "lot", "disposition"),
    "production_run": ("shift", "started_at", "ended_at", "defect_count", "cavities"),
    "energy_record": ("calorific_factor", "calorific_unit", "calorific_basis", "estimated"),
    "product_footprint": (
        "company_name",
        "product_name",
        "product_description",
        "product_category_cpc",
        "product_classifications",
        "comment",
        "product_mass_per_declared_unit",
        "fossil_ghg_emissions",
        "fossil_carbon_content",
        "biogenic_carbon_content",
        "packaging_emissions_included",
        "packaging_ghg_emissions",
        "ipcc_characterization_factors",
        "cross_sectoral_standards",
        "boundary_processes_description",
        "exempted_emissions_percent",
        "exempted_emissions_description",
        "allocation_rules_description",
        "created",
        "validity_period_start",
        "validity_period_end",
        "declared_unit_pact",
    ),
    "part_type": ("name_at_customer", "classification_standard"),
    "bom_link": ("customer", "has_alternatives"),
}


def v1_schema(entity: str) -> pa.Schema:
    current = arrow_schema(ENTITIES[entity])
    fields = [f for f in current if f.name not in ADDED[entity]]
    return pa.schema(fields, metadata={**(current.metadata or {}), b"sangsaeng.version": b"1"})


def write_v1(path: Path, entity: str, rows: list[dict[str, Any]]) -> str:
    pq.write_table(pa.Table.from_pylist(rows, schema=v1_schema(entity)), path, row_group_size=3)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inspection(i: int, value: float = 25.0) -> dict[str, Any]:
    return {
        "subject": f"L{i}",
        "characteristic": "외경",
        "inspected_at": T + timedelta(minutes=i),
        "value": value,
        "unit": "millimetre",
        "passed": True,
    }


V1_ROWS: dict[str, dict[str, Any]] = {
    "quality_result": inspection(1),
    "production_run": {
        "order": "PO-1",
        "equipment": "cnc-07",
        "part_type": "pt:1",
        "planned_time": 100.0,
        "run_time": 90.0,
        "downtime": 10.0,
        "total_count": 50,
        "good_count": 49,
        "ideal_cycle_time": 1.5,
    },
    "energy_record": {
        "consumer": "site:1",
        "period_start": T,
        "period_end": T + timedelta(days=31),
        "carrier": "lng",
        "amount": 1200.0,
        "raw_value": 108.0,
        "raw_unit": "Nm³",
    },
    "product_footprint": {
        "id": "urn:uuid:6d3f0d0a-6b1e-4c59-8f7e-1c6b9a8f2e11",
        "spec_version": "2.2.0",
        "version": 1,
        "status": "Active",
        "company_ids": ["urn:sangsaeng:company:1"],
        "product_ids": ["urn:sangsaeng:product:1"],
        "declared_unit": "kilogram",
        "declared_amount": 1.0,
        "pcf_excluding_biogenic": 2.5,
        "pcf_including_biogenic": None,
        "reference_period_start": T,
        "reference_period_end": T + timedelta(days=365),
        "geography": "KR",
        "preceding_pf_ids": [],
        "primary_data_share": 40.0,
    },
    "part_type": {"id": "pt:1", "manufacturer_part_id": "P-1", "name": "캘리퍼", "classification": "1004712"},
    "bom_link": {"parent": "urn:uuid:p", "child": "urn:uuid:c", "quantity": 2.0, "lifecycle": "as-built"},
}
# v1 keys were unique per sample: each v1 quality result was sample 1; lists a v1 footprint lacked are empty
DEFAULTS: dict[str, Any] = {
    "sample": 1,
    "product_classifications": [],
    "ipcc_characterization_factors": [],
    "cross_sectoral_standards": [],
}


def test_every_version_has_its_step_and_every_changed_entity_is_covered() -> None:
    for name, model in ENTITIES.items():
        for version in range(1, model.schema_version):
            assert (name, version) in versions.STEPS, (name, version)
    assert {name for name, _ in versions.STEPS} == set(ADDED)
    for name, added in ADDED.items():
        current = arrow_schema(ENTITIES[name]).names
        assert set(current) - set(v1_schema(name).names) == set(added)


@pytest.mark.parametrize("entity", sorted(ADDED))
def test_a_version_1_file_reads_as_the_current_version_and_stays_as_it_was(tmp_path: Path, entity: str) -> None:
    path = tmp_path / "v1.parquet"
    digest = write_v1(path, entity, [V1_ROWS[entity]] * 5)
    current = arrow_schema(ENTITIES[entity])
    assert versions.read_schema(path).names == current.names
    assert versions.read_schema(path).metadata[b"sangsaeng.version"] == b"2"
    batches = list(versions.read_batches(path, batch_rows=2))
    assert sum(b.num_rows for b in batches) == 5 and max(b.num_rows for b in batches) == 2
    rows = pa.Table.from_batches(batches).to_pylist()
    expected = {f.name: DEFAULTS.get(f.name) if f.name in ADDED[entity] else None for f in current}
    expected.update(V1_ROWS[entity])
    assert rows == [expected] * 5
    assert all(b.schema.equals(current, check_metadata=False) for b in batches)
    some = list(versions.read_batches(path, columns=[current.names[-1], current.names[0]]))
    assert some[0].schema.names == [current.names[-1], current.names[0]]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest  # read, never rewritten


def test_data_that_is_not_canonical_or_already_current_is_read_as_it_is(tmp_path: Path) -> None:
    plain = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"lot": ["L1"], "value": [1.0]}), plain)
    assert [b.to_pylist() for b in versions.read_batches(plain)] == [[{"lot": "L1", "value": 1.0}]]
    current = tmp_path / "current.parquet"
    record = {**V1_ROWS["quality_result"], "sample": 3, "nominal": 25.0}
    pq.write_table(pa.Table.from_pylist([record], schema=arrow_schema(ENTITIES["quality_result"])), current)
    assert versions.read_table(current).to_pylist()[0]["sample"] == 3


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)), min_size=0, max_size=30),
    batch_rows=st.integers(1, 10),
)
def test_stored_version_1_quality_results_upgrade_whole_and_unchanged(
    tmp_path_factory: pytest.TempPathFactory, values: list[float | None], batch_rows: int
) -> None:
    path = tmp_path_factory.mktemp("v1") / "q.parquet"
    rows = [{**inspection(i), "value": value} for i, value in enumerate(values)]
    digest = write_v1(path, "quality_result", rows)
    read = pa.Table.from_batches(list(versions.read_batches(path, batch_rows=batch_rows)), versions.read_schema(path))
    assert read.schema.names == arrow_schema(ENTITIES["quality_result"]).names
    assert read.column("value").to_pylist() == values
    assert read.column("sample").to_pylist() == [1] * len(values)
    assert read.column("nominal").null_count == len(values)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_aggregates_see_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "v1.parquet"
    write_v1(path, "quality_result", [inspection(i, 25 + i / 100) for i in range(7)])
    query = AggregateQuery.model_validate({"groupBy": ["sample"], "measures": [{"op": "count"}]})
    fields = arrow_schema(ENTITIES["quality_result"]).names
    answer = aggregate(LocalDatasets(tmp_path), ["v1.parquet"], query, fields, Restrictions())
    assert answer["groups"] == [{"sample": 1, "count": 7}]


@pytest.mark.anyio
async def test_a_version_1_dataset_is_pulled_as_the_current_version(two: Dataspace, tmp_path: Path) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    path = tmp_path / "inspections-v1.parquet"
    digest = write_v1(path, "quality_result", [inspection(i) for i in range(4)])
    created = await supplier.api.post(
        "/api/datasets", params={"title": "검사 v1", "filename": path.name}, content=path.read_bytes()
    )
    assert created.status_code == 201, created.text
    dataset = created.json()
    assert dataset["sha256"] == digest  # stored as sent: the digest an agreement will name
    offer = await supplier.api.post(
        "/api/offers", json={"datasetId": dataset["id"], "policy": offer_policy(oem.connector.participant_id)}
    )
    negotiation = await negotiate(oem, supplier, dataset["id"], offer.json()["id"])
    transfer = await start_transfer(oem, negotiation["agreementId"])
    assert transfer["ready"], transfer
    data = await oem.api.get(f"/api/transfers/{transfer['id']}/data", headers={"Accept": "application/json"})
    rows = data.json()
    assert [r["subject"] for r in rows] == ["L0", "L1", "L2", "L3"]
    assert {r["sample"] for r in rows} == {1} and all(r["nominal"] is None and r["lot"] is None for r in rows)
    store = supplier.connector.datasets
    [key] = [k for k in store.files_under("") if k.endswith(".parquet")]
    assert hashlib.sha256(store.read_bytes(key)).hexdigest() == digest
