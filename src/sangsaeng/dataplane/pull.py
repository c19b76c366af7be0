"""The consumer's side of the data plane: pulling a started transfer's data from the provider.

Only the data address pinned at the transfer's start is reached, and only under the provider's data-plane
endpoint in the directory (the token goes nowhere else; redirects are never followed). Whatever comes back is
untrusted: error answers are read up to a bound and repeated as an excerpt, an aggregate answer must be JSON of
bounded size, and a stream the provider cuts off is cut off for our own client too, never ended as if whole.
The REST API's relay (``web/transfers.py``) and the portal's preview (``portal/exchange.py``) both pull here.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pyarrow as pa
import structlog

from sangsaeng.connector import Connector
from sangsaeng.dsp import transfer as tm
from sangsaeng.dsp.peer import read_bounded
from sangsaeng.encoding.strict import read_json
from sangsaeng.errors import (
    Forbidden,
    InvalidInput,
    InvalidMessage,
    InvalidTransition,
    NotFound,
    PeerError,
    SangsaengError,
)
from sangsaeng.standard.exports import csv_chunks
from sangsaeng.store.records import Transfer

log = structlog.get_logger(__name__)

ERROR_BODY_BYTES = 16 << 10  # what we read of a provider's error answer
EXCERPT_CHARS = 500  # what of it we repeat
ERROR_DEPTH = 16  # an error object is a few levels deep: {"error": {"details": {"reasons": [...]}}}
AGGREGATE_BYTES = 16 << 20  # an aggregate answer is groups, not rows: more than this is not one


class RelayCut(Exception):
    """The provider's stream ended before its end: our client's response is aborted, not completed."""


class Unreachable(PeerError):
    """The provider's data plane could not be reached."""


class Refused(Exception):
    """The provider answered other than 200: ``error`` is what our API answers (403 when it refused access, else
    502), ``said`` the provider's own words for a person (or its HTTP status)."""

    def __init__(self, error: SangsaengError, said: str) -> None:
        super().__init__(error.message)
        self.error = error
        self.said = said


@dataclass
class Head:
    """The first bytes of a provider's answer: ``more`` when there were more, ``cut`` when it broke off."""

    content: bytes
    cut: bool
    more: bool


class PullClient:
    def __init__(self, connector: Connector) -> None:
        self.c = connector

    async def ready(self, transfer_id: str, what: str) -> Transfer:
        """One of our transfers as consumer, started, with its data address; ``what`` (say, "data can be
        downloaded") is named in the errors."""
        async with self.c.store.begin() as tx:
            t = await tx.transfers.get(transfer_id)
        if t is None:
            raise NotFound(f"no transfer {transfer_id}")
        if t.role != tm.CONSUMER:
            raise InvalidInput(f"this connector is the provider of transfer {transfer_id}: only its consumer pulls")
        if t.state != tm.STARTED or not t.data_endpoint or not t.data_token:
            raise InvalidTransition(f"the transfer is {t.state}; {what} once it is STARTED")
        return t

    def address(self, t: Transfer, suffix: str = "") -> tuple[str, dict[str, str]]:
        """The URL and headers of a data-plane call: the token goes only under the provider's listed data
        plane, checked again here for addresses stored before they were pinned (or a directory that changed)."""
        try:
            endpoint = self.c.check_data_address(t.counterparty, t.data_endpoint or "")
        except InvalidMessage as exc:
            raise PeerError(f"the transfer's data address is not followed: {exc.message}", hint=exc.hint) from None
        return endpoint + suffix, {"Authorization": f"Bearer {t.data_token}"}

    async def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self.c.peer.http.send(request, stream=True, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise Unreachable(f"the provider's data plane could not be reached: {type(exc).__name__}: {exc}") from exc

    async def open(self, t: Transfer, accept: str, after: str | None = None) -> httpx.Response:
        """The provider's answer to a read, streaming; ``Refused`` unless it is a 200. ``after``: of a stream, only
        what was committed after the position an earlier answer gave (its ``Sangsaeng-Position`` header)."""
        url, headers = self.address(t)
        params = {"after": after} if after is not None else None
        request = self.c.peer.http.build_request("GET", url, headers={**headers, "Accept": accept}, params=params)
        response = await self._send(request)
        if response.status_code != 200:
            try:
                raise await refusal(response)
            finally:
                await response.aclose()
        return response

    async def head(self, t: Transfer, accept: str, limit: int) -> Head:
        """At most ``limit`` bytes of the transfer's data (a preview), and whether there was more."""
        response = await self.open(t, accept)
        chunks: list[bytes] = []
        size, cut, more = 0, False, False
        try:
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    more = True
                    break
        except httpx.HTTPError:
            cut = True
        finally:
            await response.aclose()
        return Head(b"".join(chunks)[:limit], cut=cut, more=more)

    async def aggregate(self, t: Transfer, query: dict[str, Any]) -> dict[str, Any]:
        """Ask the provider for aggregates of the transfer's data; the answer must be a JSON object we could
        answer on ourselves (bounded size and depth)."""
        url, headers = self.address(t, "/aggregate")
        request = self.c.peer.http.build_request(
            "POST", url, content=orjson.dumps(query), headers={**headers, "Content-Type": "application/json"}
        )
        response = await self._send(request)
        try:
            if response.status_code != 200:
                raise (await refusal(response)).error
            try:
                content, more = await read_bounded(response, AGGREGATE_BYTES)
            except httpx.HTTPError as exc:
                raise PeerError(f"the provider's aggregate answer was cut off: {exc}") from exc
        finally:
            await response.aclose()
        if more:
            raise PeerError(f"the provider's aggregate answer is larger than {AGGREGATE_BYTES} bytes; it was not read")
        try:  # nested no deeper than we take ourselves: we answer it on, and our encoder stops at a depth
            result = read_json(content, self.c.settings.max_json_depth, PeerError)
        except PeerError as exc:
            raise PeerError(
                f"the provider's aggregate answer is not usable JSON: {exc.message}",
                position=exc.position,
                details={"excerpt": content[:EXCERPT_CHARS].decode(errors="replace")},
            ) from None
        if not isinstance(result, dict):
            raise PeerError("the provider's aggregate answer is not a JSON object")
        return result


async def refusal(response: httpx.Response) -> Refused:
    """What a provider's non-200 answer becomes here: 403 when it refused access, else 502."""
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
    status = response.status_code
    message = details.get("provider", {}).get("message")
    said = str(message)[:EXCERPT_CHARS] if message is not None else f"HTTP {status}"
    excerpt = body.decode(errors="replace")[:EXCERPT_CHARS] + ("…" if more or len(body) > EXCERPT_CHARS else "")
    if status in (401, 403):
        return Refused(Forbidden(f"the provider refused access: {excerpt}", details=details), said)
    if 300 <= status < 400:
        location = response.headers.get("location", "")[:EXCERPT_CHARS]
        text = f"the provider's data plane answered a redirect (HTTP {status}), which is not followed"
        return Refused(PeerError(text, details={"location": location}), said)
    return Refused(PeerError(f"the provider's data plane answered HTTP {status}: {excerpt}", details=details), said)


async def relay(t: Transfer, response: httpx.Response) -> AsyncIterator[bytes]:
    """The provider's answer passed on as it arrives; cut off for our client where it broke off."""
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


async def csv_relay(t: Transfer, response: httpx.Response) -> AsyncIterator[bytes]:
    """Our CSV of the provider's Arrow answer; an answer that is not Arrow is a ``PeerError`` (502) before
    anything is sent, one cut off mid-way aborts the CSV as ``relay`` does."""
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

    return body()
