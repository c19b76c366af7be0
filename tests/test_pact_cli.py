"""`sangsaeng pact export|import`: canonical Parquet to PACT documents that validate, and back; refusals that
say, per footprint and in Korean or English, what is missing — and write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from sangsaeng.cli.main import app
from sangsaeng.standard.entities import ProductFootprint, arrow_schema
from sangsaeng.standard.versions import read_table
from tests.pact_schemas import problems
from tests.test_pact import footprint

runner = CliRunner()
SECOND = "urn:uuid:0e5a7c0f-1b1e-4bd6-9e0c-4d7e7c6f3f11"


def stored(path: Path, footprints: list[ProductFootprint]) -> Path:
    table = pa.Table.from_pylist([f.model_dump() for f in footprints], schema=arrow_schema(ProductFootprint))
    pq.write_table(table, path)
    return path


def test_export_writes_one_array_that_validates(tmp_path: Path) -> None:
    second = footprint(id=SECOND, declared_unit="piece", declared_amount=2.0, created=None)
    source = stored(tmp_path / "pcf.parquet", [footprint(), second])
    out = tmp_path / "pact.json"
    result = runner.invoke(app, ["pact", "export", str(source), "--version", "3.0", "--out", str(out)])
    assert result.exit_code == 0, result.output
    documents = json.loads(out.read_text("utf-8"))
    assert [d["id"] for d in documents] == [footprint().id.removeprefix("urn:uuid:"), SECOND.removeprefix("urn:uuid:")]
    assert all(problems(d, "3.0") == [] for d in documents)
    assert documents[1]["pcf"]["declaredUnitOfMeasurement"] == "piece"
    assert documents[1]["created"].endswith("Z")  # the moment of export: the footprint had none


def test_export_to_a_folder_writes_one_file_per_footprint(tmp_path: Path) -> None:
    source = stored(tmp_path / "pcf.parquet", [footprint(), footprint(id=SECOND)])
    out = tmp_path / "pact"
    result = runner.invoke(app, ["pact", "export", str(source), "--version", "2.3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.json"))
    assert [f.stem for f in files] == sorted(i.removeprefix("urn:uuid:") for i in (footprint().id, SECOND))
    assert all(problems(json.loads(f.read_text("utf-8")), "2.3") == [] for f in files)


def test_export_refuses_naming_what_each_footprint_lacks_and_writes_nothing(tmp_path: Path) -> None:
    lacking = footprint(id=SECOND, fossil_ghg_emissions=None, product_category_cpc=None, declared_unit="piece")
    source = stored(tmp_path / "pcf.parquet", [footprint(), lacking])
    out = tmp_path / "pact.json"
    result = runner.invoke(app, ["pact", "export", str(source), "--version", "2.2", "--out", str(out), "--ko"])
    assert result.exit_code == 1
    assert not out.exists()
    assert SECOND in result.output and footprint().id not in result.output  # only the one that fails
    assert "화석 온실가스 배출량(pcf.fossilGhgEmissions) 값이 없습니다" in result.output
    assert "제품 분류(CPC)(productCategoryCpc)" in result.output and "'piece'" in result.output
    assert "매핑" in result.output  # how to give them
    english = runner.invoke(app, ["pact", "export", str(source), "--version", "2.2", "--out", str(out)])
    assert "requires pcf.fossilGhgEmissions" in english.output and "no file written" in english.output


def test_export_says_what_a_version_has_no_place_for(tmp_path: Path) -> None:
    source = stored(tmp_path / "pcf.parquet", [footprint(product_classifications=["urn:pact:a.example:cat:1"])])
    result = runner.invoke(app, ["pact", "export", str(source), "--version", "2.2", "--out", str(tmp_path / "a.json")])
    assert result.exit_code == 0, result.output
    assert "has no place for" in result.output and "Product classifications" in result.output


def test_export_refuses_an_unknown_version_and_data_that_is_not_footprints(tmp_path: Path) -> None:
    source = stored(tmp_path / "pcf.parquet", [footprint()])
    result = runner.invoke(app, ["pact", "export", str(source), "--version", "2", "--out", str(tmp_path / "a.json")])
    assert result.exit_code == 2 and "2.2, 2.3, 3.0" in result.output
    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"x": [1]}), other)
    result = runner.invoke(app, ["pact", "export", str(other), "--version", "3.0", "--out", str(tmp_path / "a.json")])
    assert result.exit_code == 2 and "not product footprints" in result.output


def test_import_writes_canonical_parquet_that_exports_again(tmp_path: Path) -> None:
    original = [footprint(), footprint(id=SECOND, declared_unit="kilowatt_hour", declared_unit_pact="megajoule")]
    source = stored(tmp_path / "pcf.parquet", original)
    documents = tmp_path / "pact.json"
    assert (
        runner.invoke(app, ["pact", "export", str(source), "--version", "2.3", "--out", str(documents)]).exit_code == 0
    )
    out = tmp_path / "back.parquet"
    result = runner.invoke(app, ["pact", "import", str(documents), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = read_table(out)
    assert table.schema.metadata[b"sangsaeng.entity"] == b"product_footprint"
    assert table.schema.metadata[b"sangsaeng.source_name"] == b"pact.json"
    back = [ProductFootprint.model_validate(row) for row in table.to_pylist()]
    assert back == [f.model_copy(update={"spec_version": "2.3.0"}) for f in original]


def test_import_reads_an_api_answer_and_says_what_it_did_not_keep(tmp_path: Path) -> None:
    from sangsaeng.standard.pact import to_pact

    document = to_pact(footprint(), "3.0")
    document["pcf"]["dqi"] = {"technologicalDQR": "1.5"}
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"data": [document]}), "utf-8")
    result = runner.invoke(app, ["pact", "import", str(answer), "--out", str(tmp_path / "x.parquet"), "--ko"])
    assert result.exit_code == 0, result.output
    assert "담지 않은 항목" in result.output and "pcf.dqi" in result.output


def test_import_refuses_every_bad_document_with_its_path_and_writes_nothing(tmp_path: Path) -> None:
    from sangsaeng.standard.pact import to_pact

    good = to_pact(footprint(), "3.0")
    bad = to_pact(footprint(id=SECOND), "3.0")
    bad["pcf"]["primaryDataShare"] = 56.12  # the fault: a number where 3.0 wants a decimal string
    del bad["productNameCompany"]
    twice = dict(good)
    path = tmp_path / "pact.json"
    path.write_text(json.dumps([good, bad, twice]), "utf-8")
    out = tmp_path / "x.parquet"
    result = runner.invoke(app, ["pact", "import", str(path), "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "[1]" in result.output and "productNameCompany: is required and missing" in result.output
    assert "[2]" in result.output and "comes twice" in result.output
    not_json = tmp_path / "bad.json"
    not_json.write_text("{", "utf-8")
    result = runner.invoke(app, ["pact", "import", str(not_json), "--out", str(out)])
    assert result.exit_code == 2 and "not valid JSON" in result.output


def test_a_stored_v2_file_and_one_with_empty_defaults_export(tmp_path: Path) -> None:
    """A footprint file written before spec_version became optional (every row holds one) still reads; a file
    ingested from a sheet with nothing in the status, version or list columns exports with the model's defaults
    (Active, 1, no items), never as a refusal of the stored data."""
    from sangsaeng.standard.pact.files import footprints_of

    old_schema = arrow_schema(ProductFootprint)
    strict = [f.with_nullable(False) if f.name in ("spec_version", "version") else f for f in old_schema]
    old = tmp_path / "v2.parquet"
    pq.write_table(
        pa.Table.from_pylist([footprint().model_dump()], schema=pa.schema(strict, metadata=old_schema.metadata)), old
    )
    assert footprints_of(old) == [footprint()]
    emptied = footprint().model_dump() | {
        "status": None,
        "version": None,
        "spec_version": None,
        "preceding_pf_ids": None,
        "product_classifications": None,
    }
    sparse = tmp_path / "sparse.parquet"
    pq.write_table(pa.Table.from_pylist([emptied], schema=old_schema), sparse)
    (read,) = footprints_of(sparse)
    assert (read.status, read.version, read.spec_version, read.preceding_pf_ids) == ("Active", 1, None, [])
    out = tmp_path / "pact.json"
    result = runner.invoke(app, ["pact", "export", str(sparse), "--version", "3.0", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (document,) = json.loads(out.read_text("utf-8"))
    assert problems(document, "3.0") == [] and document["specVersion"] == "3.0.0"
    loose = pa.schema([f.with_nullable(True) for f in old_schema], metadata=old_schema.metadata)
    broken = tmp_path / "broken.parquet"  # a required field empty stays a refusal naming the row
    pq.write_table(pa.Table.from_pylist([emptied | {"declared_amount": None}], schema=loose), broken)
    result = runner.invoke(app, ["pact", "export", str(broken), "--version", "3.0", "--out", str(out)])
    assert result.exit_code == 2 and "row 1" in result.output
