"""Exports carry no formulas: CSV and Excel from the provider's data plane, the consumer's relay and the portal.

Text that begins with ``= + - @``, a tab or a carriage return gets a single quote in front (OWASP's CSV-injection
guidance), column names included; numbers stay numbers. Excel files are opened with openpyxl and must hold no
formula cell; CSVs are parsed. Excel exports stop at Excel's row limit with a sentence, and are written in a
worker thread while the connector keeps answering.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.dataplane.pull import RelayCut
from sangsaeng.demo.valuechain import generate
from sangsaeng.errors import PeerError
from sangsaeng.portal import auth
from sangsaeng.standard import exports
from sangsaeng.standard.exports import safe_batch
from sangsaeng.standard.sources import open_source
from sangsaeng.standard.suggest import suggest
from sangsaeng.web import transfers as relay
from tests.helpers import Dataspace, Party, dataspace, negotiate, offer_policy, publish, start_transfer

PASSWORD = "correct horse battery"
LEADS = "=+-@\t\r"
HOSTILE_HEADER = '=HYPERLINK("http://127.0.0.1/x","click")'
HOSTILE_CSV = (
    f'lot_no,"{HOSTILE_HEADER.replace(chr(34), chr(34) * 2)}",measured,note\n'
    "L1,=cmd|' /C calc'!A0,-54.01,@SUM(1+1)\n"
    'L2,+1+2,12.5,"-2+3"\n'
    "L3,plain,-0.5,ok\n"
)
EXPECTED_ROWS = [
    ["L1", "'=cmd|' /C calc'!A0", -54.01, "'@SUM(1+1)"],
    ["L2", "'+1+2", 12.5, "'-2+3"],
    ["L3", "plain", -0.5, "ok"],
]
EXPECTED_HEADER = ["lot_no", "'" + HOSTILE_HEADER, "measured", "note"]


def parse_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(), newline="")))


def typed(rows: list[list[str]]) -> list[list[Any]]:
    """The third column as the number a spreadsheet would read."""
    return [[r[0], r[1], float(r[2]), r[3]] for r in rows]


def formula_cells(book: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(book)).active
    assert sheet is not None
    return [str(c.coordinate) for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def sheet_rows(book: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(book)).active
    assert sheet is not None
    return [list(r) for r in sheet.iter_rows(values_only=True)]


# ---- the writers ---------------------------------------------------------------------------------------------
texts = st.lists(st.one_of(st.none(), st.text(max_size=12), st.sampled_from(LEADS).map(lambda c: c + "1+2")))


@settings(max_examples=150, deadline=None)
@given(texts, st.data())
def test_no_csv_field_of_text_starts_a_formula_and_each_reads_back(values: list[str | None], data: Any) -> None:
    numbers = data.draw(st.lists(st.integers(-(2**40), 2**40), min_size=len(values), max_size=len(values)))
    table = pa.table({"=name": pa.array(values, pa.string()), "n": pa.array(numbers, pa.int64())})
    content = b"".join(exports.csv_chunks(table.to_batches(max_chunksize=7), table.schema))
    header, *rows = parse_csv(content)
    assert header == ["'=name", "n"]
    assert len(rows) == len(values)
    for (text, number), value, expected in zip(rows, values, numbers, strict=True):
        assert not text.startswith(tuple(LEADS))
        assert text == ("" if value is None else exports.neutralise(value))
        assert int(number) == expected  # negative numbers stay numbers, written as they are


def test_an_excel_workbook_holds_no_formula_and_numbers_stay_numbers() -> None:
    table = pa.table(
        {
            HOSTILE_HEADER: ["=1+2", '=HYPERLINK("http://127.0.0.1")', "fine", "bell\x07"],
            "count": [-3, 4, None, 0],
            "labels": pa.array(["-x", "=y", "-x", "z"]).dictionary_encode(),
            "raw": [b"=x", b"", None, b"y"],
        }
    )
    out = io.BytesIO()
    assert exports.write_xlsx(table.to_batches(max_chunksize=2), table.schema, out) == 4
    book = out.getvalue()
    assert formula_cells(book) == []
    assert sheet_rows(book) == [
        ["'" + HOSTILE_HEADER, "count", "labels", "raw"],
        ["'=1+2", -3, "'-x", "3d78"],
        ['\'=HYPERLINK("http://127.0.0.1")', 4, "'=y", None],
        ["fine", None, "'-x", None],
        ["bell\ufffd", 0, "z", "79"],  # a control character XML cannot carry, not a failed export
    ]


def test_an_excel_export_stops_at_excels_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "EXCEL_ROWS", 5)  # 4 rows and the header
    table = pa.table({"n": list(range(10))})
    exports.write_xlsx(table.slice(0, 4).to_batches(), table.schema, io.BytesIO())
    with pytest.raises(exports.TooManyRowsForExcel, match="CSV or Parquet"):
        exports.write_xlsx(table.to_batches(max_chunksize=3), table.schema, io.BytesIO())


# ---- the consumer's relay re-encodes the provider's Arrow ----------------------------------------------------
def arrow_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=2):
            writer.write_batch(batch)
    return sink.getvalue()


class Chunked(httpx.AsyncByteStream):
    def __init__(self, content: bytes, fail_after: int | None = None) -> None:
        self.content, self.fail_after = content, fail_after

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.content), 16):
            if self.fail_after is not None and start >= self.fail_after:
                raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")
            yield self.content[start : start + 16]


async def relayed(response: httpx.Response) -> bytes:
    answer = await relay._csv_response(_Transfer(), response, "transfer.csv")
    parts = [bytes(c) if not isinstance(c, str) else c.encode() async for c in answer.body_iterator]
    return b"".join(parts)


class _Transfer:
    id = "t-1"
    counterparty = "urn:test:provider"


@pytest.mark.anyio
async def test_the_relay_writes_neutralised_csv_from_the_providers_arrow() -> None:
    table = pa.table({"=h": ["=1+2", "-x", "ok", None, "@a"], "n": [-1, 2, 3, 4, 5]})
    content = await relayed(httpx.Response(200, stream=Chunked(arrow_bytes(table))))
    assert parse_csv(content) == [["'=h", "n"], ["'=1+2", "-1"], ["'-x", "2"], ["ok", "3"], ["", "4"], ["'@a", "5"]]


@pytest.mark.anyio
async def test_an_answer_that_is_not_arrow_is_a_peer_error_before_anything_is_sent() -> None:
    with pytest.raises(PeerError, match="not a readable Arrow stream"):
        await relayed(httpx.Response(200, stream=Chunked(b"=cmd|' /C calc'!A0,x\n")))


@pytest.mark.anyio
async def test_a_provider_stream_cut_mid_way_aborts_the_csv() -> None:
    table = pa.table({"text": [f"row {i}" for i in range(200)]})
    content = arrow_bytes(table)
    with pytest.raises(RelayCut):
        await relayed(httpx.Response(200, stream=Chunked(content, fail_after=len(content) // 2)))


# ---- end to end: provider, relay and portal ------------------------------------------------------------------
@pytest.fixture
async def started(tmp_path: Path) -> AsyncIterator[tuple[Dataspace, str]]:
    async with dataspace(tmp_path, ["supplier", "oem"]) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        dataset_id, offer_id = await publish(supplier, HOSTILE_CSV, offer_policy(oem.id))
        agreement = await negotiate(oem, supplier, dataset_id, offer_id)
        transfer = await start_transfer(oem, agreement["agreementId"])
        assert transfer["ready"], transfer
        kept = await oem.api.post(f"/api/received/{agreement['agreementId']}/refresh")  # the portal reads the copy
        assert kept.status_code == 200, kept.text
        yield space, transfer["id"]


def raw_csv(batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> Iterator[bytes]:
    """What a provider that is not Sangsaeng may send: CSV with every cell as it is."""
    sink = io.BytesIO()
    with pacsv.CSVWriter(sink, schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    yield sink.getvalue()


@pytest.mark.anyio
@pytest.mark.parametrize("provider", ["sangsaeng", "raw-csv"])
async def test_csv_through_the_relay_carries_no_formula(
    started: tuple[Dataspace, str], provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    space, transfer_id = started
    if provider == "raw-csv":
        monkeypatch.setattr("sangsaeng.dataplane.serve.csv_chunks", raw_csv)
    answer = await space.parties["oem"].api.get(f"/api/transfers/{transfer_id}/data", headers={"Accept": "text/csv"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    header, *rows = parse_csv(answer.content)
    assert header == EXPECTED_HEADER and typed(rows) == EXPECTED_ROWS


@pytest.mark.anyio
async def test_the_providers_own_csv_carries_no_formula(started: tuple[Dataspace, str]) -> None:
    """What leaves the provider's data plane, read with the token the consumer holds."""
    space, transfer_id = started
    oem = space.parties["oem"]
    async with oem.connector.store.begin() as tx:
        transfer = await tx.transfers.get(transfer_id)
    assert transfer is not None
    url, headers = oem.app.state.services.pulls.address(transfer)
    answer = await oem.connector.peer.http.get(url, headers={**headers, "Accept": "text/csv"})
    assert answer.status_code == 200, answer.text
    header, *rows = parse_csv(answer.content)
    assert header == EXPECTED_HEADER and typed(rows) == EXPECTED_ROWS


@asynccontextmanager
async def portal(party: Party) -> AsyncIterator[httpx.AsyncClient]:
    """A person signed in to ``party``'s portal."""
    await auth.add_user(party.connector.store, "kim", PASSWORD, "viewer", party.connector.now())
    transport = httpx.ASGITransport(app=party.app)
    async with httpx.AsyncClient(transport=transport, base_url=party.settings.public_url) as client:
        login = await client.get("/portal/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', login.text)
        assert csrf is not None
        data = {"csrf": csrf.group(1), "name": "kim", "password": PASSWORD}
        assert (await client.post("/portal/login", data=data)).status_code == 303
        client.follow_redirects = True  # a transfer's download leads to its agreement's copy
        yield client


@pytest.mark.anyio
async def test_the_portals_downloads_carry_no_formula(started: tuple[Dataspace, str]) -> None:
    space, transfer_id = started
    async with portal(space.parties["oem"]) as browser:
        path = f"/portal/transfers/{transfer_id}/download"
        book = await browser.get(path, params={"format": "xlsx"})
        assert book.status_code == 200 and book.headers["content-type"] == exports.EXCEL_MEDIA_TYPE
        assert formula_cells(book.content) == []
        assert sheet_rows(book.content) == [EXPECTED_HEADER, *EXPECTED_ROWS]
        table = await browser.get(path, params={"format": "csv"})
        assert table.status_code == 200
        header, *rows = parse_csv(table.content)
        assert header == EXPECTED_HEADER and typed(rows) == EXPECTED_ROWS


@pytest.mark.anyio
async def test_too_many_rows_for_excel_is_a_sentence_in_korean_and_english(
    started: tuple[Dataspace, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    space, transfer_id = started
    monkeypatch.setattr(exports, "EXCEL_ROWS", 3)  # the three rows and a header are one too many
    async with portal(space.parties["oem"]) as browser:
        path = f"/portal/transfers/{transfer_id}/download"
        for language, words in (
            ("ko", "Excel 시트 한 장에 담을 수 있는"),
            ("en", "rows an Excel sheet holds"),
        ):
            page = await browser.get(path, params={"format": "xlsx", "lang": language})
            assert page.status_code == 422 and words in page.text, page.text[-1500:]
        assert (await browser.get(path, params={"format": "csv"})).status_code == 200  # CSV has no such limit


@pytest.mark.anyio
async def test_the_connector_answers_while_an_excel_export_is_written(
    started: tuple[Dataspace, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    space, transfer_id = started
    writing, release = threading.Event(), threading.Event()
    real = exports.write_xlsx

    def slow(*args: Any, **kwargs: Any) -> int:
        writing.set()
        release.wait(10)  # a large workbook, held until the request below was answered
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "write_xlsx", slow)
    oem = space.parties["oem"]
    async with portal(oem) as browser:
        download = asyncio.create_task(
            browser.get(f"/portal/transfers/{transfer_id}/download", params={"format": "xlsx"})
        )
        deadline = asyncio.get_running_loop().time() + 10
        while not writing.is_set():
            assert asyncio.get_running_loop().time() < deadline and not download.done(), "no workbook was written"
            await asyncio.sleep(0.01)
        answer = await asyncio.wait_for(oem.raw.get("/.well-known/dspace-version"), 1)
        assert answer.status_code == 200 and not release.is_set()
        release.set()
        book = await download
        assert book.status_code == 200 and formula_cells(book.content) == []


@settings(max_examples=100, deadline=None)
@given(texts)
def test_text_that_is_exactly_a_number_may_be_kept_and_nothing_else(values: list[str | None]) -> None:
    batch = pa.record_batch({"v": pa.array([*values, "-54.01", "+3e5", "-2+3"], pa.string())})
    kept = safe_batch(batch, keep_numbers=True).column(0).to_pylist()
    assert kept[-3:] == ["-54.01", "+3e5", "'-2+3"]
    for value, out in zip(batch.column(0).to_pylist(), kept, strict=True):
        number = value is not None and re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value)
        assert out == (value if value is None or number else exports.neutralise(value))


@pytest.mark.anyio
async def test_the_rows_an_ingest_left_out_carry_no_formula(two: Dataspace, tmp_path: Path) -> None:
    """The rejected rows are opened in a spreadsheet to be corrected: the uploaded text is neutralised there
    too, while a number written as text stays as it is, so the corrected file can be uploaded again."""
    supplier = two.parties["supplier"]
    files = generate(tmp_path, errors=True)
    path = files.paths["quality_result"]
    lines = path.read_bytes().decode("cp949").split("\n")
    for row, _, _ in files.injected["quality_result"]:
        for index in (row - 1, row, row + 1):  # whichever line the row number counts, its part number
            fields = lines[index].split(";")
            fields[1] = "=1+2"
            lines[index] = ";".join(fields)
    path.write_bytes("\n".join(lines).encode("cp949"))
    source = open_source(path)
    mapping = suggest("quality_result", source.headers, source.sample()).mapping.to_yaml()
    with path.open("rb") as handle:
        data = {"mapping": mapping, "title": "x", "acceptPartial": "true"}
        answer = await supplier.api.post("/api/ingest", data=data, files={"file": (path.name, handle)})
    assert answer.status_code == 201, answer.text
    rejected = await supplier.api.get(f"/api/datasets/{answer.json()['dataset']['id']}/rejected")
    header, *rows = parse_csv(rejected.content)
    cells = [c for r in [header, *rows] for c in r]
    assert "'=1+2" in cells and not [c for c in cells if c.startswith(tuple(LEADS))]
