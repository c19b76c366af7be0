"""Received data is kept once (issue 16 § 2): a refresh pulls an agreement's data into the consumer's own dataset
store; reading it — pages, previews, charts, downloads through the portal and the API — never reaches the provider
and never counts a use. In-process, two connectors; each test also with the S3 dataset store where it says so."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sangsaeng.portal import auth
from tests.helpers import Dataspace, Party, dataspace, negotiate, offer_policy, publish

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery"
READINGS = "lot_no,measured_at,measured,result\n" + "".join(
    f"L{i % 7},2026-03-{1 + i % 28:02d}T0{i % 10}:00:00+09:00,{50 + i / 100:.2f},{'PASS' if i % 5 else 'FAIL'}\n"
    for i in range(300)
)


@pytest.fixture
async def agreed(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[tuple[Dataspace, str]]:
    """A supplier's dataset agreed to the OEM for two uses."""
    async with dataspace(tmp_path, ["supplier", "oem"]) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        dataset_id, offer_id = await publish(supplier, READINGS, offer_policy(oem.id, count=2))
        agreement = await negotiate(oem, supplier, dataset_id, offer_id)
        assert agreement["state"] == "FINALIZED", agreement
        yield space, agreement["agreementId"]


async def uses(supplier: Party, agreement_id: str) -> int:
    found: int = (await supplier.api.get(f"/api/agreements/{agreement_id}")).json()["uses"]
    return found


async def accesses(supplier: Party, agreement_id: str) -> list[dict[str, Any]]:
    """The provider's log entries of data accesses under the agreement (begun and ended)."""
    await supplier.connector.audit.head()  # what was noted is committed first
    entries = (await supplier.api.get("/api/audit/entries", params={"agreement": agreement_id, "limit": 1000})).json()
    return [e for e in entries if e["kind"] in ("data.access", "data.access.begun")]


async def settled_accesses(supplier: Party, agreement_id: str, ended: int) -> list[dict[str, Any]]:
    """The access entries once ``ended`` accesses have been logged as ended (the log's writer is asynchronous)."""
    found: list[dict[str, Any]] = []
    with anyio.move_on_after(10):
        while True:
            found = await accesses(supplier, agreement_id)
            if len([e for e in found if e["kind"] == "data.access"]) >= ended:
                break
            await anyio.sleep(0.02)
    assert len([e for e in found if e["kind"] == "data.access"]) == ended, found
    return found


@asynccontextmanager
async def portal(party: Party, role: str = "steward", name: str = "kim") -> AsyncIterator[httpx.AsyncClient]:
    await auth.add_user(party.connector.store, name, PASSWORD, role, party.connector.now())
    transport = httpx.ASGITransport(app=party.app)
    async with httpx.AsyncClient(transport=transport, base_url=party.settings.public_url) as client:
        login = await client.get("/portal/login")
        data = {"csrf": csrf_of(login.text), "name": name, "password": PASSWORD}
        assert (await client.post("/portal/login", data=data)).status_code == 303
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)


def arrow_rows(content: bytes) -> int:
    return int(pa.ipc.open_stream(content).read_all().num_rows)


@pytest.mark.usefixtures("each_store")
async def test_two_refreshes_under_count_2_then_a_clear_refusal_and_the_copy_stays(
    agreed: tuple[Dataspace, str],
) -> None:
    space, agreement_id = agreed
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    assert (await oem.api.get(f"/api/received/{agreement_id}")).status_code == 404  # nothing before a refresh
    first = await oem.api.post(f"/api/received/{agreement_id}/refresh")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["rows"] == 300 and body["whole"] and body["received"]["rows"] == 300
    assert body["received"]["provider"] == supplier.id and body["received"]["position"] is None
    second = await oem.api.post(f"/api/received/{agreement_id}/refresh")
    assert second.status_code == 200 and second.json()["received"]["refreshes"] == 2
    assert await uses(supplier, agreement_id) == 2
    old_keys = [f["key"] for f in first.json()["received"]["files"]]
    assert all(oem.connector.datasets.size(k) is None for k in old_keys)  # replaced: the first file is gone
    kept = second.json()["received"]

    third = await oem.api.post(f"/api/received/{agreement_id}/refresh")
    assert third.status_code == 403, third.text
    error = third.json()["error"]
    assert error["code"] == "forbidden" and "the provider refused to send the data" in error["message"]
    assert "count" in third.text  # the provider's own reason is passed on
    assert await uses(supplier, agreement_id) == 2
    now = (await oem.api.get(f"/api/received/{agreement_id}")).json()
    assert now == kept  # the previous copy as it was, still readable
    data = await oem.api.get(f"/api/received/{agreement_id}/data", params={"format": "arrow"})
    assert data.status_code == 200 and arrow_rows(data.content) == 300
    assert list(oem.connector.datasets.staging().iterdir()) == []  # nothing left in staging

    listed = (await oem.api.get("/api/received")).json()
    assert [r["agreementId"] for r in listed] == [agreement_id]


async def test_the_portal_refusal_says_the_providers_reason_in_korean_and_english(
    agreed: tuple[Dataspace, str],
) -> None:
    space, agreement_id = agreed
    oem = space.parties["oem"]
    for _ in range(2):
        assert (await oem.api.post(f"/api/received/{agreement_id}/refresh")).status_code == 200
    async with portal(oem) as client:
        page = await client.get(f"/portal/data/{agreement_id}", params={"lang": "ko"})
        refused = await client.post(
            f"/portal/data/{agreement_id}", data={"csrf": csrf_of(page.text)}, params={"lang": "ko"}
        )
        assert refused.status_code == 403
        alert = re.search(r'role="alert">(.*?)</p>', refused.text, re.S)
        assert alert is not None, refused.text
        assert "제공자가 데이터를 보내지 않았습니다" in alert.group(1) and "count" in alert.group(1), alert.group(1)
        assert "300" in refused.text  # the copy kept is still shown
        english = await client.post(
            f"/portal/data/{agreement_id}", data={"csrf": csrf_of(page.text)}, params={"lang": "en"}
        )
        assert english.status_code == 403 and "The provider did not send the data" in english.text


@pytest.mark.usefixtures("each_store")
async def test_viewing_received_data_again_and_again_never_reaches_the_provider(
    agreed: tuple[Dataspace, str],
) -> None:
    space, agreement_id = agreed
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    async with portal(oem) as client:
        page = await client.get(f"/portal/data/{agreement_id}")
        assert page.status_code == 200
        refreshed = await client.post(f"/portal/data/{agreement_id}", data={"csrf": csrf_of(page.text)})
        assert refreshed.status_code == 303
        before = await settled_accesses(supplier, agreement_id, 1)
        used = await uses(supplier, agreement_id)
        sent = len(space.router.sent)
        paths = [
            f"/portal/data/{agreement_id}",
            f"/portal/data/{agreement_id}?lang=en",
            f"/portal/data/{agreement_id}/download?format=csv",
            f"/portal/data/{agreement_id}/download?format=xlsx",
            f"/portal/data/{agreement_id}/download?format=parquet",
            "/portal/data",
        ]
        for _ in range(10):
            for path in paths:
                answer = await client.get(path)
                assert answer.status_code == 200, (path, answer.text[:300])
            assert (
                await oem.api.get(f"/api/received/{agreement_id}/data", params={"format": "csv"})
            ).status_code == 200
        page = await client.get(f"/portal/data/{agreement_id}", params={"lang": "ko"})
        assert "L0" in page.text and "chart" in page.text  # the preview and the chart come from the copy
        parquet = await client.get(f"/portal/data/{agreement_id}/download", params={"format": "parquet"})
        assert pq.read_table(io.BytesIO(parquet.content)).num_rows == 300
    assert await uses(supplier, agreement_id) == used == 1
    assert await accesses(supplier, agreement_id) == before
    assert len(space.router.sent) == sent  # not one protocol message either
