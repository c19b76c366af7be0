"""The management API: one error shape, clear refusals, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.helpers import SAMPLE_CSV, Dataspace, offer_policy, publish

pytestmark = pytest.mark.anyio


def assert_error_shape(body: object) -> None:
    assert isinstance(body, dict) and set(body) == {"error"}
    error = body["error"]
    assert set(error) <= {"code", "message", "position", "hint", "details"}
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]


async def test_every_management_error_has_one_shape(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    dataset_id, _ = await publish(supplier, SAMPLE_CSV, offer_policy("urn:x"))
    cases = [
        (await supplier.raw.get("/api/datasets"), 401),
        (await supplier.api.get("/api/datasets/urn:uuid:none"), 404),
        (await supplier.api.get("/api/nothing-here"), 404),
        (await supplier.api.post("/api/offers", json={"datasetId": dataset_id}), 400),
        (
            await supplier.api.post(
                "/api/offers", json={"datasetId": dataset_id, "policy": {"permission": [{"action": "x"}]}}
            ),
            422,
        ),
        (
            await supplier.api.post(
                "/api/offers", json={"datasetId": "urn:uuid:none", "policy": offer_policy("urn:x")}
            ),
            404,
        ),
        (await supplier.api.get("/api/datasets", params={"limit": 0}), 400),
        (
            await supplier.api.post("/api/negotiations", json={"peer": "urn:nobody", "datasetId": "d", "offerId": "o"}),
            404,
        ),
        (await supplier.api.post("/api/transfers", json={"agreementId": "urn:none"}), 404),
        (await supplier.api.put("/api/datasets"), 405),
        (await supplier.raw.get("/data/urn:uuid:x"), 401),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.request.url, response.text)
        assert_error_shape(response.json())


async def test_an_invalid_offer_points_at_the_offending_constraint(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    dataset_id, _ = await publish(supplier, SAMPLE_CSV, offer_policy("urn:x"))
    policy = {
        "permission": [
            {"action": "use", "constraint": [{"leftOperand": "colour", "operator": "eq", "rightOperand": "red"}]}
        ]
    }
    response = await supplier.api.post("/api/offers", json={"datasetId": dataset_id, "policy": policy})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid-policy"
    assert error["position"] == "policy.permission[0].constraint[0].leftOperand"
    assert "hint" in error
    assert len((await supplier.api.get("/api/offers")).json()) == 1  # only the valid one from publish()


async def test_a_broken_csv_is_refused_and_leaves_nothing_behind(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    broken = "a,b\n1,2\n3,4,5\n"
    response = await supplier.api.post(
        "/api/datasets", params={"title": "t", "filename": "x.csv"}, content=broken.encode()
    )
    assert response.status_code == 400
    assert_error_shape(response.json())
    assert (await supplier.api.get("/api/datasets")).json() == []
    assert supplier.connector.datasets.files_under("", hidden=True) == []  # no version, no file being made


async def test_an_unknown_file_type_and_an_empty_body_are_refused(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    odd = await supplier.api.post("/api/datasets", params={"title": "t", "filename": "x.xlsx"}, content=b"PK")
    assert odd.status_code == 400 and "format" in odd.json()["error"]["message"]
    empty = await supplier.api.post("/api/datasets", params={"title": "t", "filename": "x.csv"}, content=b"")
    assert empty.status_code == 400 and "empty" in empty.json()["error"]["message"]


async def test_parquet_files_and_new_versions(two: Dataspace, tmp_path: Path) -> None:
    supplier = two.parties["supplier"]
    path = tmp_path / "energy.parquet"
    pq.write_table(pa.table({"site": ["창원", "울산"], "kwh": [1200.5, 980.0]}), path)
    first = await supplier.api.post(
        "/api/datasets", params={"title": "energy", "filename": "energy.parquet"}, content=path.read_bytes()
    )
    assert first.status_code == 201 and first.json()["rows"] == 2 and first.json()["version"] == 1
    second = await supplier.api.post(
        f"/api/datasets/{first.json()['id']}/versions",
        params={"filename": "v2.csv"},
        content=b"site,kwh\n\xec\xb0\xbd\xec\x9b\x90,1\n",
    )
    assert second.status_code == 201 and second.json()["version"] == 2 and second.json()["rows"] == 1
    not_parquet = await supplier.api.post(
        "/api/datasets", params={"title": "x", "filename": "x.parquet"}, content=b"nope"
    )
    assert not_parquet.status_code == 400


async def test_openapi_describes_the_management_api(two: Dataspace) -> None:
    schema = (await two.parties["supplier"].raw.get("/openapi.json")).json()
    for path in [
        "/api/datasets",
        "/api/offers",
        "/api/negotiations",
        "/api/agreements/{agreement_id}/export",
        "/api/transfers/{transfer_id}/data",
        "/dsp/negotiations/request",
        "/data/{transfer_id}",
    ]:
        assert path in schema["paths"], path


async def test_the_api_documentation_loads_nothing_from_outside(two: Dataspace) -> None:
    raw = two.parties["supplier"].raw
    page = await raw.get("/docs")
    assert page.status_code == 200
    assert "http" not in page.text.replace("http://www.w3.org", "")  # no CDN, no external favicon
    for asset in ("/static-offline-docs/swagger-ui-bundle.js", "/static-offline-docs/swagger-ui.css"):
        assert asset in page.text
        assert (await raw.get(asset)).status_code == 200
