"""Data plane route: ``GET /data/{transfer}`` with the transfer token from the start message.

Each access takes one of the connector's data-plane slots, is logged when it begins and again when it ends,
however it ends (``dataplane/access.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.requests import ClientDisconnect
from starlette.types import Message, Receive, Scope, Send

from sangsaeng.dataplane.access import Access, Slots
from sangsaeng.dataplane.restrict import AggregateQuery, aggregate
from sangsaeng.dataplane.serve import (
    POSITION_HEADER,
    SUFFIX,
    Grant,
    authorize,
    choose_media_type,
    read_ahead,
    read_position,
    stream,
)
from sangsaeng.errors import SangsaengError
from sangsaeng.tenants.context import context_of
from sangsaeng.web.deps import ServicesDep, data_token

router = APIRouter(tags=["data plane"])


def _slots(request: Request, svc: ServicesDep) -> Slots:
    """The connector's data-plane slots (one set per participant context, made at its first access)."""
    settings = svc.connector.settings
    return context_of(request.scope).own(Slots, lambda: Slots(settings.data_streams, settings.data_stream_wait))


@router.get("/data/{transfer_id}", response_class=StreamingResponse)
async def data(
    transfer_id: str,
    request: Request,
    svc: ServicesDep,
    token: Annotated[str | None, Depends(data_token)],
    accept: Annotated[str | None, Header()] = None,
    after: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Of a machine stream's data: only the parts committed after this position (the "
            f"{POSITION_HEADER} header an earlier answer carried)",
        ),
    ] = None,
) -> StreamingResponse:
    media_type = choose_media_type(accept)
    since = read_position(after)
    slots = _slots(request, svc)
    await slots.take()  # before the use is counted: a request that finds no slot costs the consumer nothing
    try:
        grant = await _authorized(svc, transfer_id, token, "read", since)
        asked: dict[str, Any] = {"format": media_type, "columns": grant.columns}
        if after is not None:
            asked["after"] = after
        access = Access(svc.connector, grant, transfer_id, "read", asked)
        await access.begin()
    except BaseException:
        slots.give_back()
        raise
    chunks = Counted(read_ahead(stream(grant, media_type, svc.connector.settings.batch_rows)))
    headers = {"Content-Disposition": f'attachment; filename="data{SUFFIX[media_type]}"'}
    if grant.position is not None:
        headers[POSITION_HEADER] = grant.position
    return AccessStream(
        chunks,
        access,
        slots,
        send_timeout=svc.connector.settings.data_send_timeout,
        media_type=media_type,
        headers=headers,
    )


async def _authorized(
    svc: ServicesDep, transfer_id: str, token: str | None, operation: str, after: int | None = None
) -> Grant:
    """Authorize, logging a refusal with its reasons (an access that was allowed is logged when served)."""
    try:
        return await authorize(svc.connector, svc.transfers, transfer_id, token, operation, after)
    except SangsaengError as exc:
        svc.connector.audit.note(
            "data.refused",
            process=transfer_id,
            operation=operation,
            reason=exc.message,
            reasons=exc.details.get("reasons"),
        )
        raise


class Counted:
    """Passes chunks on, counting bytes, and telling whether the stream ran to its end."""

    def __init__(self, chunks: Iterator[bytes | memoryview]) -> None:
        self.chunks = chunks
        self.bytes = 0
        self.finished = False

    def __iter__(self) -> Iterator[bytes | memoryview]:
        return self

    def __next__(self) -> bytes | memoryview:
        try:
            chunk = next(self.chunks)
        except StopIteration:
            self.finished = True
            raise
        self.bytes += len(chunk) if isinstance(chunk, bytes) else chunk.nbytes
        return chunk

    def close(self) -> None:
        """Stop producing (the reader thread ends too); what was produced and not sent is dropped."""
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


class AccessStream(StreamingResponse):
    """A streaming answer that logs how the access ended — whole, cut off or failed — and frees its slot.

    Starlette runs a ``BackgroundTask`` only after a body sent whole; this runs after any end, the client's
    ``http.disconnect`` included, shielded from the cancellation that ends the stream.
    """

    def __init__(self, chunks: Counted, access: Access, slots: Slots, *, send_timeout: float, **kwargs: Any) -> None:
        super().__init__(chunks, **kwargs)
        self.chunks = chunks
        self.access = access
        self.slots = slots
        self.send_timeout = send_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cause = "the client went away before the end"

        async def timed(message: Message) -> None:
            # A consumer that keeps its connection open and reads nothing would hold the slot forever.
            with anyio.move_on_after(self.send_timeout) as waited:
                await send(message)
            if waited.cancelled_caught:
                raise _Stalled

        try:
            await super().__call__(scope, receive, timed)
        except ClientDisconnect:
            pass  # the client left: nothing to answer, and the log below says so
        except _Stalled:
            cause = f"the client read nothing for {self.send_timeout:g} s"  # the server closes the connection
        except BaseException as exc:
            cause = _cause(exc)
            raise
        finally:
            with anyio.CancelScope(shield=True):
                try:
                    await anyio.to_thread.run_sync(self.chunks.close)
                    whole = self.chunks.finished
                    await self.access.end(complete=whole, sent=self.chunks.bytes, cause=None if whole else cause)
                finally:
                    self.slots.give_back()


class _Stalled(Exception):
    """The consumer took nothing of the stream for ``data_send_timeout`` seconds."""


def _cause(exc: BaseException) -> str:
    # Not OSError: a disk that fails under the stream raises one too, and that is no client's doing.
    if isinstance(exc, ClientDisconnect | anyio.get_cancelled_exc_class()):
        return "the client went away before the end"
    return f"the stream failed: {type(exc).__name__}: {str(exc)[:200]}"


@router.post("/data/{transfer_id}/aggregate", summary="Aggregates of the transfer's dataset, small groups left out")
async def aggregate_data(
    transfer_id: str,
    query: AggregateQuery,
    request: Request,
    svc: ServicesDep,
    token: Annotated[str | None, Depends(data_token)],
) -> dict[str, Any]:
    slots = _slots(request, svc)
    await slots.take()
    try:
        grant = await _authorized(svc, transfer_id, token, "aggregate")
        asked = {"query": query.model_dump(by_alias=True, exclude_none=True)}
        access = Access(svc.connector, grant, transfer_id, "aggregate", asked)
        await access.begin()
        try:
            answer = await anyio.to_thread.run_sync(
                aggregate, grant.store, grant.files, query, grant.columns, grant.restrictions
            )
        except BaseException as exc:
            await access.end(complete=False, sent=None, cause=_cause(exc))
            raise
        await access.end(complete=True, sent=None, groups=len(answer["groups"]), suppressed=answer["suppressed"])
        return answer
    finally:
        slots.give_back()
