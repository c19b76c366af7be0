"""Received data, continued: a stream's copy grows by what is new, a pull cut off changes nothing, the copy's
rights name its agreement, Excel's row limit is said, and reading the first rows reads only the first row groups."""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sangsaeng.roles import API_KEY
from sangsaeng.standard import exports
from sangsaeng.streams.ingester import Ingester
from sangsaeng.streams.jsonrules import JsonRules
from sangsaeng.streams.mapping import load_stream_mapping
from tests.helpers import Dataspace, Party, negotiate, offer_policy, publish
from tests.test_received import READINGS, portal, settled_accesses

pytestmark = pytest.mark.anyio
NOW = int(time.time() * 1_000_000)
MAPPING = """
stream: line2
source: {mqtt: {port: 1}}
batch: {rows: 10, seconds: 5}
rules:
  - topic: "f/{machine}/data"
    equipment: "{machine}"
    timestamp: {path: $.t, format: iso}
    signal: energy
    value: $.v[0]
    unit: kWh
"""


def land(ingester: Ingester, values: range) -> None:
    for i in values:
        ingester.add("f/press/data", orjson.dumps({"t": f"2026-11-24T00:{i // 60:02d}:{i % 60:02d}Z", "v": [i]}), NOW)
    while len(ingester.batch):
        ingester.land(ingester.take())


@pytest.mark.xdist_group("s3")
async def test_a_streams_copy_gets_only_what_is_new_and_holds_every_row_once(each_store: str, two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id = (await supplier.api.put("/api/streams/line2", json={"title": "Line 2 energy"})).json()["datasetId"]
    mapping = load_stream_mapping(MAPPING)
    root = supplier.connector.settings.streams_dir / "line2"
    ingester = Ingester(
        mapping, root, JsonRules(mapping.rules), store=supplier.connector.datasets, prefix="streams/line2"
    )
    ingester.open()
    try:
        land(ingester, range(25))
        offer = await supplier.api.post("/api/offers", json={"datasetId": dataset_id, "policy": offer_policy(oem.id)})
        agreement_id = (await negotiate(oem, supplier, dataset_id, offer.json()["id"]))["agreementId"]

        first = (await oem.api.post(f"/api/received/{agreement_id}/refresh")).json()
        assert first["rows"] == 25 and first["received"]["position"] == "3" and first["whole"]
        land(ingester, range(25, 32))
        second = (await oem.api.post(f"/api/received/{agreement_id}/refresh")).json()
        assert second["rows"] == 7 and not second["whole"]  # only the new rows came
        assert second["bytes"] < first["bytes"]
        assert second["received"]["rows"] == 32 and len(second["received"]["files"]) == 2
        third = (await oem.api.post(f"/api/received/{agreement_id}/refresh")).json()
        assert third["rows"] == 0 and len(third["received"]["files"]) == 2  # nothing new: no file added
    finally:
        ingester.close()
    ended = [e for e in await settled_accesses(supplier, agreement_id, 3) if e["kind"] == "data.access"]
    assert [e["rows"] for e in ended] == [25, 7, 0]  # what the provider sent each time
    data = await oem.api.get(f"/api/received/{agreement_id}/data", params={"format": "parquet"})
    values = pq.read_table(io.BytesIO(data.content)).column("raw_value").to_pylist()
    assert sorted(values) == [float(i) for i in range(32)]  # every row once


async def test_the_provider_refuses_a_position_it_never_gave_before_counting_a_use(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, offer_id = await publish(supplier, READINGS, offer_policy(oem.id))
    agreement_id = (await negotiate(oem, supplier, dataset_id, offer_id))["agreementId"]
    await oem.api.post(f"/api/received/{agreement_id}/refresh")
    copy = (await oem.api.get(f"/api/received/{agreement_id}")).json()
    transfer = (await oem.api.get(f"/api/transfers/{copy['transferId']}")).json()
    assert transfer["state"] == "STARTED"
    async with oem.connector.store.begin() as tx:
        stored = await tx.transfers.get(copy["transferId"])
    assert stored is not None and stored.data_token and stored.data_endpoint
    headers = {"Authorization": f"Bearer {stored.data_token}"}
    used = (await supplier.api.get(f"/api/agreements/{agreement_id}")).json()["uses"]
    for after in ("-1", "abc", "1" * 30, "5"):  # not a position; or one a file dataset has no use for
        answer = await supplier.raw.get(stored.data_endpoint, params={"after": after}, headers=headers)
        assert answer.status_code in (400, 422), (after, answer.text)
        assert "error" in answer.json()
    assert (await supplier.api.get(f"/api/agreements/{agreement_id}")).json()["uses"] == used


async def test_a_pull_cut_off_leaves_the_copy_as_it_was_and_nothing_in_staging(
    two: Dataspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, offer_id = await publish(supplier, READINGS, offer_policy(oem.id))
    agreement_id = (await negotiate(oem, supplier, dataset_id, offer_id))["agreementId"]
    kept = (await oem.api.post(f"/api/received/{agreement_id}/refresh")).json()["received"]

    real = two.router.handle_async_request

    async def cutting(request: httpx.Request) -> httpx.Response:
        response = await real(request)
        if request.url.path.startswith("/data/"):
            content = await response.aread()
            return httpx.Response(200, headers=response.headers, stream=Broken(content[: len(content) // 2]))
        return response

    monkeypatch.setattr(two.router, "handle_async_request", cutting)
    cut = await oem.api.post(f"/api/received/{agreement_id}/refresh")
    assert cut.status_code == 502 and "broke off" in cut.json()["error"]["message"], cut.text
    assert (await oem.api.get(f"/api/received/{agreement_id}")).json() == kept
    assert list(oem.connector.datasets.staging().iterdir()) == []
    assert oem.connector.datasets.files_under("received", hidden=True) == [f["key"] for f in kept["files"]]
    whole = await oem.api.get(f"/api/received/{agreement_id}/data", params={"format": "arrow"})
    assert pa.ipc.open_stream(whole.content).read_all().num_rows == 300


class Broken(httpx.AsyncByteStream):
    """The first part of an answer, then the connection breaks."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.content
        raise httpx.ReadError("connection reset by peer")


async def test_the_copys_rights_name_its_agreement_and_keep_the_sources_restrictions(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, offer_id = await publish(supplier, READINGS, offer_policy(oem.id, purpose="quality-analysis"))
    agreement_id = (await negotiate(oem, supplier, dataset_id, offer_id, "quality-analysis"))["agreementId"]
    copy = (await oem.api.post(f"/api/received/{agreement_id}/refresh")).json()["received"]
    rights = (await oem.api.get(f"/api/datasets/{copy['datasetId']}/rights")).json()
    (source,) = rights["sources"]
    assert source["agreement"] == agreement_id and source["provider"] == supplier.id
    assert source["operation"] == "copy" and source["dataset"] == dataset_id and source["restrictions"]
    wider = {"permission": [{"action": "use"}]}  # anyone, any purpose: wider than the source's terms
    offered = await oem.api.post("/api/offers", json={"datasetId": copy["datasetId"], "policy": wider})
    assert offered.status_code == 422 and agreement_id in offered.text, offered.text
    derived = await oem.api.post(
        "/api/datasets/derived",
        params={"title": "summary", "filename": "s.csv", "sources": agreement_id, "operation": "derive"},
        content=b"lot_no,n\nL1,3\n",
    )
    assert derived.status_code == 201, derived.text
    again = await oem.api.post("/api/offers", json={"datasetId": derived.json()["id"], "policy": wider})
    assert again.status_code == 422  # derived data inherits the same terms: the wide offer is refused again
    offers = (await oem.api.get("/api/offers")).json()  # the copy is ours, offered to no one
    assert copy["datasetId"] not in [o["datasetId"] for o in offers]


async def test_excel_beyond_its_row_limit_is_refused_in_words_and_csv_still_works(
    two: Dataspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, offer_id = await publish(supplier, READINGS, offer_policy(oem.id))
    agreement_id = (await negotiate(oem, supplier, dataset_id, offer_id))["agreementId"]
    await oem.api.post(f"/api/received/{agreement_id}/refresh")
    monkeypatch.setattr(exports, "EXCEL_ROWS", 101)  # a sheet of 100 data rows
    refused = await oem.api.get(f"/api/received/{agreement_id}/data", params={"format": "xlsx"})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert "300 rows are more than an Excel sheet holds (100 rows" in error["message"] and "CSV" in error["hint"]
    async with portal(oem) as client:
        for lang, words in (("ko", "Excel 시트 한 장에 담을 수 있는 100행"), ("en", "more than the 100 rows")):
            page = await client.get(f"/portal/data/{agreement_id}/download", params={"format": "xlsx", "lang": lang})
            assert page.status_code == 422 and words in page.text, page.text[-2000:]
        csv = await client.get(f"/portal/data/{agreement_id}/download", params={"format": "csv"})
        assert csv.status_code == 200 and csv.text.count("\n") == 301


async def test_the_preview_of_a_large_copy_reads_only_its_first_row_groups(
    two: Dataspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    rows = 200_000
    big = "n,text\n" + "".join(f"{i},row {i} of a large table\n" for i in range(rows))
    dataset_id, offer_id = await publish(supplier, big, offer_policy(oem.id))
    agreement_id = (await negotiate(oem, supplier, dataset_id, offer_id))["agreementId"]
    copy = (await oem.api.post(f"/api/received/{agreement_id}/refresh")).json()["received"]
    assert copy["rows"] == rows
    (key,) = [f["key"] for f in copy["files"]]
    store = oem.connector.datasets
    assert store.parquet(key).metadata.num_row_groups > 3
    read = Counted(store)
    monkeypatch.setattr(store, "open", read.open)
    table = await services(oem).received.rows(API_KEY, agreement_id, 0, 50)
    assert table.column("n").to_pylist() == list(range(50))
    assert 0 < read.bytes < store.size(key) / 2  # footers and the first row group, not the file
    read.bytes = 0
    late = await services(oem).received.rows(API_KEY, agreement_id, rows - 10, 50)
    assert late.column("n").to_pylist() == list(range(rows - 10, rows))
    assert read.bytes < store.size(key) / 2  # earlier row groups skipped by their counts, never read


def services(party: Party) -> Any:
    return party.app.state.services


class Counted:
    """The dataset store's files, counting the bytes read from them."""

    def __init__(self, store: Any) -> None:
        self.real = store.open
        self.bytes = 0

    def open(self, key: str) -> Any:
        return pa.PythonFile(_Counting(self.real(key), self), mode="r")


class _Counting(io.RawIOBase):
    def __init__(self, inner: Any, counter: Counted) -> None:
        self.inner, self.counter = inner, counter

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self.inner.seek(offset, whence))

    def tell(self) -> int:
        return int(self.inner.tell())

    def read(self, size: int = -1) -> bytes:
        data = bytes(self.inner.read(size))
        self.counter.bytes += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()
