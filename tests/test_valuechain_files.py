"""The generator's SME files map from `suggest` without edits, and validation finds exactly the planted errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sangsaeng.demo.valuechain import generate
from sangsaeng.standard.catenax import RELEASES, read_bom, read_part
from sangsaeng.standard.ingest import check_file, ingest
from sangsaeng.standard.pact import from_pact, requirements
from sangsaeng.standard.sources import open_source
from sangsaeng.standard.suggest import suggest
from sangsaeng.standard.validation import Report
from tests.pact_schemas import problems as pact_problems


def check(path: Path, entity: str) -> tuple[Report, list[str]]:
    source = open_source(path)
    proposal = suggest(entity, source.headers, source.sample())
    return check_file(path, proposal.mapping), proposal.missing


@pytest.mark.parametrize("entity", ["quality_result", "energy_record", "production_run"])
def test_the_standard_exports_map_without_edits(tmp_path: Path, entity: str) -> None:
    files = generate(tmp_path, errors=False)
    report, missing = check(files.paths[entity], entity)
    assert missing == []
    assert report.valid, report.to_dict()["findings"][:3]
    assert report.rows == files.rows[entity]


def test_validation_finds_exactly_the_planted_errors(tmp_path: Path) -> None:
    files = generate(tmp_path, errors=True)
    report, _ = check(files.paths["quality_result"], "quality_result")
    found = {(f.row, f.field, f.code) for f in report.findings if f.code != "missing-value"}
    assert found == set(files.injected["quality_result"])


def test_ingested_values_are_in_canonical_units(tmp_path: Path) -> None:
    files = generate(tmp_path, errors=False)
    source = open_source(files.paths["production_run"])
    mapping = suggest("production_run", source.headers, source.sample()).mapping
    result = ingest(files.paths["production_run"], mapping, tmp_path / "runs.parquet")
    import pyarrow.parquet as pq

    runs = pq.read_table(tmp_path / "runs.parquet").to_pylist()
    assert result.written and runs[0]["planned_time"] == 480 * 60  # minutes → seconds
    energy = open_source(files.paths["energy_record"])
    energy_map = suggest("energy_record", energy.headers, energy.sample()).mapping
    ingest(files.paths["energy_record"], energy_map, tmp_path / "energy.parquet")
    amounts = pq.read_table(tmp_path / "energy.parquet").column("amount").to_pylist()
    assert all(100_000 <= a <= 260_000 or 20_000 <= a <= 60_000 for a in amounts)  # MWh rows became kWh


def test_the_standard_documents_read_back(tmp_path: Path) -> None:
    files = generate(tmp_path)
    part = read_part(json.loads(files.paths["catenax_batch.json"].read_text("utf-8")))
    bom = read_bom(json.loads(files.paths["catenax_bom.json"].read_text("utf-8")))
    document = json.loads(files.paths["pact_footprint.json"].read_text("utf-8"))
    footprint = from_pact(document)
    assert part.release == RELEASES["Batch"][0] and bom.release == RELEASES["SingleLevelBomAsBuilt"][0]
    assert part.instance.kind == "batch" and part.part_type.name == "브레이크 캘리퍼"
    assert bom.links[0].parent == part.instance.global_asset_id and bom.links[0].quantity == 2
    assert footprint.declared_unit == "kilogram" and footprint.pcf_excluding_biogenic > 0


def test_the_footprint_file_is_a_complete_pact_document(tmp_path: Path) -> None:
    document = json.loads(generate(tmp_path).paths["pact_footprint.json"].read_text("utf-8"))
    assert document["specVersion"] == "3.0.0"
    assert pact_problems(document, "3.0") == []
    footprint = from_pact(document)
    assert requirements(footprint, "3.0") == []
    assert footprint.company_name == "한빛정밀" and footprint.fossil_ghg_emissions == footprint.pcf_excluding_biogenic
    # PACT 2.x also wants a UN CPC code, which the demo does not make up: the refusal names it and only it
    assert [m.field for m in requirements(footprint, "2.3")] == ["product_category_cpc", "comment"]


def test_the_same_seed_gives_the_same_files(tmp_path: Path) -> None:
    first, second = generate(tmp_path / "a", seed=3, errors=True), generate(tmp_path / "b", seed=3, errors=True)
    for name in ("quality_result", "production_run"):
        assert first.paths[name].read_bytes() == second.paths[name].read_bytes()
    assert first.injected == second.injected
