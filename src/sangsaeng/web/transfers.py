"""Management API for transfers (consumer and provider), and the consumer's relay of the provider's data plane.

The relay reaches only the data address pinned at the transfer's start (``TransferService.data_request``) and
treats whatever comes back as untrusted: errors are read up to a bound and shown as an excerpt, an aggregate
answer must be JSON of bounded size, and a stream the provider cuts off is cut off for our client too, never
ended as if it were whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

import httpx
import orjson
import pyarrow as pa
import structlog
from fastapi import APIRouter, Depends, Header
from fastapi.responses import StreamingResponse

from sangsaeng.dataplane.restrict import AggregateQuery
from sangsaeng.dataplane.serve import ARROW, CSV, SUFFIX, choose_media_type
from sangsaeng.dsp.peer import read_bounded
from sangsaeng.encoding.strict import read_json
from sangsaeng.errors import Forbidden, NotFound, PeerError
from sangsaeng.standard.exports import csv_chunks
from sangsaeng.store.records import Transfer
from sangsaeng.transfer import machine as tm
from sangsaeng.web.deps import ServicesDep, api_key
from sangsaeng.web.management import Limit, Offset
from sangsaeng.web.schemas import ReasonIn, TransferIn, TransferOut

router = APIRouter(prefix="/api", dependencies=[Depends(api_key)], tags=["management"])
log = structlog.get_logger(__name__)

ERROR_BODY_BYTES = 16 << 10  # what we read of a provider's error answer
EXCERPT_CHARS = 500  # what of it we repeat
ERROR_DEPTH = 16  # an error object is a few levels deep: {"error": {"details": {"reasons": [...]}}}
AGGREGATE_BYTES = 16 << 20  # an aggregate answer is groups, not rows: more than this is not one


class RelayCut(Exception):
    """The provider's stream ended before its end: our client's response is aborted, not completed."""


@router.post("/transfers", status_code=201, summary="Start pulling the data of an agreement")
async def start_transfer(body: TransferIn, svc: ServicesDep) -> TransferOut:
    return TransferOut.of(await svc.transfers.start(body.agreement_id))


@router.get("/transfers")
async def list_transfers(svc: ServicesDep, offset: Offset = 0, limit: Limit = 100) -> list[TransferOut]:
    async with svc.connector.store.begin() as tx:
        return [TransferOut.of(t) for t in await tx.list_transfers(offset, limit)]


@router.get("/transfers/{transfer_id}")
async def get_transfer(transfer_id: str, svc: ServicesDep) -> TransferOut:
    async with svc.connector.store.begin() as tx:
        t = await tx.get_transfer(transfer_id)
    if t is None:
        raise NotFound(f"no transfer {transfer_id}")
    return TransferOut.of(t)


async def _refusal(response: httpx.Response) -> PeerError | Forbidden:
    """The error a provider's non-200 answer becomes here: 403 when it refused access, else 502."""
    try:
        body, more = await read_bounded(response, ERROR_BODY_BYTES)
    except httpx.HTTPError:
        body, more = b"", False
    details: dict[str, Any] = {}
    try:  # passed on in our answer: no deeper than an error object is (our encoder stops at a depth)
        error = read_json(body, ERROR_DEPTH, PeerError).get("error") if not more else None
        if isinstance(error, dict):
            details = {"provider": error}
    except (PeerError, AttributeError):
        pass
    excerpt = body.decode(errors="replace")[:EXCERPT_CHARS] + ("…" if more or len(body) > EXCERPT_CHARS else "")
    status = response.status_code
    if status in (401, 403):
        return Forbidden(f"the provider refused access: {excerpt}", details=details)
    if 300 <= status < 400:
        return PeerError(
            f"the provider's data plane answered a redirect (HTTP {status}), which is not followed",
            details={"location": response.headers.get("location", "")[:EXCERPT_CHARS]},
        )
    return PeerError(f"the provider's data plane answered HTTP {status}: {excerpt}", details=details)


async def _send(svc: ServicesDep, request: httpx.Request) -> httpx.Response:
    try:
        return await svc.connector.peer.http.send(request, stream=True, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise PeerError(f"the provider's data plane could not be reached: {type(exc).__name__}: {exc}") from exc


@router.get(
    "/transfers/{transfer_id}/data",
    summary="Download the data of a started transfer (Arrow stream, Parquet, CSV or JSON by Accept)",
    response_class=StreamingResponse,
)
async def download(
    transfer_id: str, svc: ServicesDep, accept: Annotated[str | None, Header()] = None
) -> StreamingResponse:
    t = await svc.transfers.ready_to_pull(transfer_id, "data can be downloaded")
    media_type = choose_media_type(accept)
    url, headers = svc.transfers.data_request(t)
    # CSV is written here from the provider's Arrow, by our own writer: a provider that is not Sangsaeng may send
    # raw CSV, and what our client opens in a spreadsheet must carry no formula (see exports.py).
    asked = ARROW if media_type == CSV else media_type
    response = await _send(svc, svc.connector.peer.http.build_request("GET", url, headers={**headers, "Accept": asked}))
    if response.status_code != 200:
        try:
            raise await _refusal(response)
        finally:
            await response.aclose()
    filename = f"transfer{SUFFIX[media_type]}"
    if media_type == CSV:
        return await _csv_response(t, response, filename)
    # The type we asked for, not whatever the provider claims (text/html from our origin, say).
    answered = response.headers.get("content-type", "")
    same = answered.split(";")[0].strip().lower() == media_type
    return StreamingResponse(
        _relay(t, response),
        media_type=answered if same else media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"},
    )


async def _relay(t: Transfer, response: httpx.Response) -> AsyncIterator[bytes]:
    sent = 0
    try:
        async for chunk in response.aiter_raw(1 << 20):  # fewer, larger writes downstream
            sent += len(chunk)
            yield chunk
    except httpx.HTTPError as exc:
        # Raising aborts our response mid-body (no final chunk), so the client sees a cut-off download rather
        # than one that looks complete.
        log.warning("transfer.relay_cut", transfer=t.id, provider=t.counterparty, bytes=sent, error=repr(exc))
        raise RelayCut(f"the provider's stream ended after {sent} bytes: {exc}") from exc
    finally:
        await response.aclose()


class _Stopped(Exception):
    """Our client went away: the conversion thread stops."""


class _Feed(io.RawIOBase):
    """The provider's answer as a blocking file for Arrow's reader, each chunk fetched from the event loop."""

    def __init__(self, next_chunk: Callable[[], bytes]) -> None:
        self.next_chunk = next_chunk
        self.chunk = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.chunk:
            chunk = self.next_chunk()
            if not chunk:
                return 0
            self.chunk = memoryview(chunk)
        n = min(len(buffer), len(self.chunk))
        buffer[:n] = self.chunk[:n]
        self.chunk = self.chunk[n:]
        return n


_END = object()


async def _csv_from_arrow(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    """CSV written from the provider's Arrow stream as it arrives, with formula-leading text neutralised.

    Arrow's reader and the CSV writer block, so they run in a thread of their own; the thread asks the event
    loop for each chunk of the answer and hands back CSV, at most a few chunks ahead of our client.
    """
    loop = asyncio.get_running_loop()
    ready: asyncio.Queue[Any] = asyncio.Queue(maxsize=4)
    stop = threading.Event()
    finished = asyncio.Event()
    chunks = response.aiter_bytes()

    def wait(coroutine: Coroutine[Any, Any, Any]) -> Any:
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
        while True:
            try:
                return future.result(timeout=0.1)
            except TimeoutError:
                if stop.is_set():
                    future.cancel()
                    raise _Stopped from None

    async def next_chunk() -> bytes:
        return await anext(chunks, b"")

    def convert() -> None:
        try:
            reader = pa.ipc.open_stream(io.BufferedReader(_Feed(lambda: wait(next_chunk())), 1 << 20))
            for csv in csv_chunks(reader, reader.schema):
                wait(ready.put(csv))
            wait(ready.put(_END))
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the event loop, raised there
            with contextlib.suppress(_Stopped):
                wait(ready.put(exc))
        finally:
            loop.call_soon_threadsafe(finished.set)

    threading.Thread(target=convert, name="relay-csv", daemon=True).start()
    try:
        while (item := await ready.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        await finished.wait()


async def _csv_response(t: Transfer, response: httpx.Response, filename: str) -> StreamingResponse:
    """Our CSV of the provider's Arrow answer; an answer that is not Arrow is a 502 before anything is sent."""
    csv = _csv_from_arrow(response)
    try:
        first = await anext(csv, b"")
    except (httpx.HTTPError, pa.ArrowException, OSError, ValueError) as exc:
        await csv.aclose()
        await response.aclose()
        raise PeerError(f"the provider's answer is not a readable Arrow stream: {exc}"[:EXCERPT_CHARS]) from exc

    async def body() -> AsyncIterator[bytes]:
        sent = len(first)
        try:
            yield first
            async for chunk in csv:
                sent += len(chunk)
                yield chunk
        except (httpx.HTTPError, pa.ArrowException, OSError, ValueError) as exc:
            log.warning("transfer.relay_cut", transfer=t.id, provider=t.counterparty, bytes=sent, error=repr(exc))
            raise RelayCut(f"the provider's stream ended after {sent} bytes of CSV: {exc}") from exc
        finally:
            await csv.aclose()
            await response.aclose()

    return StreamingResponse(
        body(),
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"},
    )


@router.post(
    "/transfers/{transfer_id}/aggregate",
    summary="Ask the provider for aggregates (group-by fields, measures) of the transfer's data",
)
async def aggregate_transfer(transfer_id: str, query: AggregateQuery, svc: ServicesDep) -> dict[str, Any]:
    t = await svc.transfers.ready_to_pull(transfer_id, "aggregates can be asked for")
    url, headers = svc.transfers.data_request(t, "/aggregate")
    body = orjson.dumps(query.model_dump(by_alias=True, exclude_none=True))
    request = svc.connector.peer.http.build_request(
        "POST", url, content=body, headers={**headers, "Content-Type": "application/json"}
    )
    response = await _send(svc, request)
    try:
        if response.status_code != 200:
            raise await _refusal(response)
        try:
            content, more = await read_bounded(response, AGGREGATE_BYTES)
        except httpx.HTTPError as exc:
            raise PeerError(f"the provider's aggregate answer was cut off: {exc}") from exc
    finally:
        await response.aclose()
    if more:
        raise PeerError(f"the provider's aggregate answer is larger than {AGGREGATE_BYTES} bytes; it was not read")
    try:  # nested no deeper than we take ourselves: we answer it on, and our encoder stops at a depth
        result = read_json(content, svc.connector.settings.max_json_depth, PeerError)
    except PeerError as exc:
        raise PeerError(
            f"the provider's aggregate answer is not usable JSON: {exc.message}",
            position=exc.position,
            details={"excerpt": content[:EXCERPT_CHARS].decode(errors="replace")},
        ) from None
    if not isinstance(result, dict):
        raise PeerError("the provider's aggregate answer is not a JSON object")
    return result


def _change(event: str, name: str) -> None:
    async def handler(transfer_id: str, svc: ServicesDep, body: ReasonIn | None = None) -> TransferOut:
        reason = body.reason if body else None
        return TransferOut.of(await svc.transfers.change(transfer_id, event, reason))

    handler.__name__ = f"{name}_transfer"
    router.post(f"/transfers/{{transfer_id}}/{name}", name=f"{name}_transfer")(handler)


_change(tm.COMPLETION, "complete")
_change(tm.SUSPENSION, "suspend")
_change(tm.START, "resume")
_change(tm.TERMINATION, "terminate")
