"""A factory file becomes a dataset version of standard data in one step: whole, once, or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from sangsaeng.demo.valuechain import Files, generate
from sangsaeng.standard.sources import open_source
from sangsaeng.standard.suggest import suggest
from tests.helpers import Dataspace, Party, negotiate, offer_policy, start_transfer

pytestmark = pytest.mark.anyio


def suggested(files: Files, entity: str) -> str:
    source = open_source(files.paths[entity])
    return suggest(entity, source.headers, source.sample()).mapping.to_yaml()


async def ingest(party: Party, path: Path, mapping: str, **form: Any) -> Any:
    data = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in {"mapping": mapping, **form}.items()}
    with path.open("rb") as handle:
        return await party.api.post("/api/ingest", data=data, files={"file": (path.name, handle)})


def dataset_files(party: Party) -> list[str]:
    """Every file in the party's dataset store, files being made and debris included."""
    return party.connector.datasets.files_under("", hidden=True)


@pytest.mark.xdist_group("s3")
async def test_a_clean_export_becomes_a_standard_dataset_once(each_store: str, two: Dataspace, tmp_path: Path) -> None:
    supplier = two.parties["supplier"]
    files = generate(tmp_path, errors=False)
    mapping = suggested(files, "quality_result")
    response = await ingest(supplier, files.paths["quality_result"], mapping, title="수입검사 결과")
    assert response.status_code == 201, response.text
    body = response.json()
    dataset = body["dataset"]
    expected = ("quality_result", 1, files.rows["quality_result"])
    assert (dataset["entity"], dataset["version"], dataset["rows"]) == expected
    assert body["rowsWritten"] == files.rows["quality_result"] and body["rowsRejected"] == 0
    assert body["report"]["valid"] and not body["unchanged"]
    assert supplier.connector.datasets.where.startswith("s3://") or each_store == "local"
    stored = supplier.connector.datasets.read_schema(dataset_files(supplier)[0])
    assert stored.metadata[b"sangsaeng.entity"] == b"quality_result"

    again = await ingest(supplier, files.paths["quality_result"], mapping, id=dataset["id"])
    assert again.status_code == 201 and again.json()["unchanged"]
    assert again.json()["dataset"]["version"] == 1 and len(dataset_files(supplier)) == 1

    # The same file through another mapping is another reading of it: a new version.
    other = mapping.replace("timezone: Asia/Seoul", "timezone: UTC")
    assert other != mapping
    third = await ingest(supplier, files.paths["quality_result"], other, id=dataset["id"])
    assert third.status_code == 201, third.text
    assert third.json()["dataset"]["version"] == 2


async def test_too_many_problems_write_nothing_and_say_which(two: Dataspace, tmp_path: Path) -> None:
    supplier = two.parties["supplier"]
    files = generate(tmp_path, errors=True)
    mapping = suggested(files, "quality_result")
    response = await ingest(supplier, files.paths["quality_result"], mapping, title="inspections")
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "data-rejected"
    report = error["details"]["report"]
    planted = files.injected["quality_result"]
    found = {(f["row"], f["field"], f["code"]) for f in report["findings"] if f["code"] != "missing-value"}
    assert found == set(planted)
    assert all(f["message"] and f["message_ko"] for f in report["findings"])
    assert (await supplier.api.get("/api/datasets")).json() == []
    assert dataset_files(supplier) == []  # no version, no debris

    tolerated = await ingest(
        supplier, files.paths["quality_result"], mapping, title="inspections", maxErrors=report["errors"]
    )
    assert tolerated.status_code == 201, tolerated.text
    assert tolerated.json()["rowsRejected"] == len({row for row, _, _ in planted})  # tolerated, still set apart


@pytest.mark.xdist_group("s3")
async def test_accept_partial_publishes_the_good_rows_and_keeps_the_rest_apart(
    each_store: str, two: Dataspace, tmp_path: Path
) -> None:
    supplier = two.parties["supplier"]
    files = generate(tmp_path, errors=True)
    response = await ingest(
        supplier, files.paths["quality_result"], suggested(files, "quality_result"), title="x", acceptPartial=True
    )
    assert response.status_code == 201, response.text
    body = response.json()
    bad_rows = {row for row, _, _ in files.injected["quality_result"]}
    assert body["rowsRejected"] == len(bad_rows)
    assert body["rowsWritten"] + body["rowsRejected"] == files.rows["quality_result"]
    assert body["dataset"]["rows"] == body["rowsWritten"]
    rejected = await supplier.api.get(f"/api/datasets/{body['dataset']['id']}/rejected")
    assert rejected.status_code == 200 and rejected.headers["content-type"].startswith("text/csv")
    table = pacsv.read_csv(pa.py_buffer(rejected.content))
    assert set(table.column("row").to_pylist()) == bad_rows
    assert all(problems for problems in table.column("problems").to_pylist())


async def test_the_ingested_dataset_is_offered_and_pulled_in_canonical_units(two: Dataspace, tmp_path: Path) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    files = generate(tmp_path, errors=False)
    created = await ingest(supplier, files.paths["production_run"], suggested(files, "production_run"), title="runs")
    dataset_id = created.json()["dataset"]["id"]
    offer = await supplier.api.post(
        "/api/offers", json={"datasetId": dataset_id, "policy": offer_policy(oem.connector.participant_id)}
    )
    assert offer.status_code == 201, offer.text
    negotiation = await negotiate(oem, supplier, dataset_id, offer.json()["id"])
    assert negotiation["state"] == "FINALIZED", negotiation
    transfer = await start_transfer(oem, negotiation["agreementId"])
    assert transfer["ready"], transfer
    data = await oem.api.get(f"/api/transfers/{transfer['id']}/data", headers={"Accept": "application/json"})
    rows = data.json()
    assert len(rows) == files.rows["production_run"]
    assert rows[0]["planned_time"] == 480 * 60  # the MES export's minutes arrive as seconds


@pytest.mark.parametrize(
    ("name", "mapping", "position"),
    [
        ("export.csv", "entity: no_such_thing\nfields: {}\n", "entity"),
        ("export.csv", "entity: [unclosed\n", None),
        ("export.doc", "entity: quality_result\nfields: {}\n", "file"),
    ],
)
async def test_a_bad_request_is_refused_with_where(
    two: Dataspace, tmp_path: Path, name: str, mapping: str, position: str | None
) -> None:
    supplier = two.parties["supplier"]
    path = tmp_path / name
    path.write_text("a,b\n1,2\n", "utf-8")
    response = await ingest(supplier, path, mapping, title="x")
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid-input" and error["message"]
    assert error.get("position") == position
    assert dataset_files(supplier) == []


async def test_a_new_dataset_needs_a_title(two: Dataspace, tmp_path: Path) -> None:
    supplier = two.parties["supplier"]
    files = generate(tmp_path)
    response = await ingest(supplier, files.paths["quality_result"], suggested(files, "quality_result"))
    assert response.status_code == 400 and response.json()["error"]["position"] == "title"


MAPPING = """
entity: quality_result
decimal: ","
fields:
  subject: {column: 로트번호}
  characteristic: {column: 검사항목}
  value: {column: 측정값, unit_column: 단위}
  passed: {column: 판정}
"""


def inspection_file(tmp_path: Path, values: list[str]) -> Path:
    lines = ["로트번호;검사항목;측정값;단위;판정", *(f"L{i};외경;{v};mm;합격" for i, v in enumerate(values, 1))]
    path = tmp_path / "검사.csv"
    path.write_bytes("\n".join(lines).encode("cp949"))
    return path


async def test_a_file_with_no_row_to_keep_makes_no_dataset(two: Dataspace, tmp_path: Path) -> None:
    supplier = two.parties["supplier"]
    path = inspection_file(tmp_path, ["1x", "2x", "3x"])
    response = await ingest(supplier, path, MAPPING, title="x", acceptPartial=True)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid-input" and error["position"] == "file"
    assert error["message"] == (
        "nothing to publish: all 3 rows of 검사.csv were set aside for problems (type-error (3)); no dataset was made"
    )
    assert error["details"]["rows"] == 3 and error["details"]["rowsSetAside"] == 3
    assert error["details"]["messageKo"].startswith("게시할 행이 없습니다")
    assert [f["row"] for f in error["details"]["report"]["findings"]] == [1, 2, 3]
    assert (await supplier.api.get("/api/datasets")).json() == []
    assert dataset_files(supplier) == []


async def test_the_check_pages_through_every_problem_and_writes_nothing(two: Dataspace, tmp_path: Path) -> None:
    supplier = two.parties["supplier"]
    values = [f"{i}x" if i % 2 else f"25,{i:02d}" for i in range(1, 250)]  # 125 unreadable values
    path = inspection_file(tmp_path, values)

    async def check(**form: Any) -> Any:
        data = {"mapping": MAPPING, **{k: str(v) for k, v in form.items()}}
        with path.open("rb") as handle:
            response = await supplier.api.post("/api/ingest/check", data=data, files={"file": (path.name, handle)})
        assert response.status_code == 200, response.text
        return response.json()

    seen: list[int] = []
    offset = 0
    while True:
        page = await check(offset=offset, limit=40)
        if not page["findings"]:
            break
        seen.extend(f["row"] for f in page["findings"])
        offset += 40
    assert seen == list(range(1, 250, 2))
    assert (page["rows"], page["rows_kept"], page["rows_set_aside"], page["errors"]) == (249, 124, 125, 125)
    assert page["matching"] == 125 and page["valid"] is False
    first = (await check(limit=1))["findings"][0]
    assert (first["row"], first["field"], first["column"], first["code"], first["severity"]) == (
        1,
        "value",
        "측정값",
        "type-error",
        "error",
    )
    assert first["hint"] and first["hint_ko"] and first["message_ko"]
    assert (await check(code="unknown-code"))["findings"] == []
    assert (await check(severity="note"))["matching"] == 0
    assert dataset_files(supplier) == []
