"""The use case of received data: refresh a copy from the provider (the one action that asks it), read the copy.

A refresh pulls the agreement's data over a started transfer (a started one is reused; otherwise one is started
and awaited), keeps the provider's answer in staging as it arrives, turns it into Parquet batch by batch, puts the
file into the dataset store under a fresh key and records the copy in one transaction — with, the first time, the
copy as a dataset of ours whose lineage names the agreement and its terms (a ``copy`` source), so deriving from it
and offering it keep the source's restrictions. Anything refused or cut off leaves the previous copy as it was
and nothing in staging. A machine stream's copy grows: the next refresh asks only for what was committed after
the position the provider gave, and adds it as a file; any other copy is replaced whole (the old file deleted
once the new record committed). Reading never touches the provider and never counts a use.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import IO, Any

import anyio
import httpx
import pyarrow as pa

from sangsaeng.connector import Connector
from sangsaeng.dataplane.pull import PullClient, Refused
from sangsaeng.dataplane.serve import ARROW, POSITION_HEADER
from sangsaeng.datasets.port import DatasetStore
from sangsaeng.dsp import transfer as tm
from sangsaeng.errors import Forbidden, InvalidInput, NotFound, PeerError
from sangsaeng.received import landing, reading
from sangsaeng.roles import Principal, require
from sangsaeng.store.records import Agreement, Dataset, DatasetVersion, Received, ReceivedFile, Source, Transfer
from sangsaeng.transfer.service import TransferService

READY_SECONDS = 30.0  # how long a refresh waits for a new transfer to be started by the provider
PREVIEW_ROWS = 50


class UnsafeDataAddress(PeerError):
    """The transfer's data address is not under the provider's data plane in the directory: not followed."""


@dataclass(frozen=True)
class Refreshed:
    """What one refresh did: the copy now, and what this pull brought (rows and bytes of Arrow)."""

    copy: Received
    rows: int
    bytes: int
    whole: bool  # the copy was replaced (else a stream's new parts were added)


@dataclass(frozen=True)
class Download:
    """A download of the copy: its chunks, media type and file name."""

    chunks: Iterator[bytes | memoryview]
    media_type: str
    filename: str


MEDIA = {
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "arrow": ARROW,
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Receiving:
    def __init__(self, connector: Connector, transfers: TransferService, pulls: PullClient) -> None:
        self.c, self.transfers, self.pulls = connector, transfers, pulls
        self._locks: dict[str, asyncio.Lock] = {}

    # ---- refreshing (the only call that reaches the provider) ------------------------------------------------
    async def refresh(self, who: Principal, agreement_id: str, title: str | None = None) -> Refreshed:
        """``title``: what the copy is called among our datasets, when the first refresh makes it (default: the
        provider's name and the dataset's short id)."""
        require(who, "data.refresh")
        agreement = await self._our_agreement(agreement_id)
        lock = self._locks.setdefault(agreement_id, asyncio.Lock())
        async with lock:  # two refreshes of one copy at once would both pull (two uses) for one result
            async with self.c.store.begin() as tx:
                before = await tx.received.of_agreement(agreement_id)
            refreshed = await self._refresh(agreement, before, title)
        self.c.audit.note(
            "management",
            action="received.refresh",
            agreement=agreement_id,
            counterparty=agreement.provider,
            process=refreshed.copy.transfer_id,
            rows=refreshed.rows,
            bytes=refreshed.bytes,
            whole=refreshed.whole,
            user=who.name,
        )
        return refreshed

    async def _our_agreement(self, agreement_id: str) -> Agreement:
        async with self.c.store.begin() as tx:
            agreement = await tx.agreements.get(agreement_id)
        if agreement is None or agreement.consumer != self.c.participant_id:
            raise NotFound(f"no agreement {agreement_id} under which this connector receives data")
        return agreement

    async def _refresh(self, agreement: Agreement, before: Received | None, title: str | None) -> Refreshed:
        after = before.position if before is not None else None
        t, reused = await self._transfer(agreement.id)
        try:
            self.pulls.address(t)  # checked first, to say so in words: the token goes only under the data plane
        except PeerError as exc:
            raise UnsafeDataAddress(exc.message, hint=exc.hint) from None
        try:
            response = await self.pulls.open(t, ARROW, after)
        except Refused as refused:
            if not (reused and _token_refused(refused)):
                raise _refusal(refused) from None
            t, _ = await self._transfer(agreement.id, fresh=True)  # the reused transfer's token had expired
            try:
                response = await self.pulls.open(t, ARROW, after)
            except Refused as again:
                raise _refusal(again) from None
        position = response.headers.get(POSITION_HEADER)
        staging = self.c.datasets.staging()
        spool, out = landing.spool_path(staging), staging / f".received-{uuid.uuid4().hex}.parquet"
        try:
            pulled = await _spool(response, spool)
            landed = await anyio.to_thread.run_sync(landing.to_parquet, spool, out)
            spool.unlink(missing_ok=True)
            incremental = before is not None and after is not None and position is not None
            if incremental and landed.rows == 0:
                assert before is not None
                copy = replace(
                    before,
                    transfer_id=t.id,
                    received_at=self.c.now(),
                    position=position,
                    refreshes=before.refreshes + 1,
                )
                return Refreshed(await self._record(agreement, before, copy, [], title), 0, pulled, False)
            key = landing.new_key(agreement.id)
            await anyio.to_thread.run_sync(lambda: self.c.datasets.put(out, key))
        finally:
            spool.unlink(missing_ok=True)
            out.unlink(missing_ok=True)
        made = ReceivedFile(key, landed.rows, landed.bytes, landed.sha256)
        files = (*before.files, made) if incremental and before is not None else (made,)
        copy = Received(
            id=before.id if before else _new_id(),
            agreement_id=agreement.id,
            transfer_id=t.id,
            provider=agreement.provider,
            source_dataset_id=agreement.dataset_id,
            dataset_id=before.dataset_id if before else "",
            files=files,
            rows=sum(f.rows for f in files),
            bytes=sum(f.bytes for f in files),
            sha256=files[0].sha256 if len(files) == 1 else _hash_of(files),
            columns=before.columns if incremental and before is not None else landed.columns,
            received_at=self.c.now(),
            entity=landed.entity if landed.entity else (before.entity if before else None),
            position=position,
            refreshes=(before.refreshes + 1) if before else 1,
        )
        if not copy.dataset_id:
            copy = replace(copy, dataset_id=copy.id)
        try:
            recorded = await self._record(agreement, before, copy, [key], title)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self.c.datasets.delete, key)
            raise
        if before is not None and not incremental:  # the replaced files, once the new record is committed
            gone = [f.key for f in before.files]
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(_delete_all, self.c.datasets, gone)
        return Refreshed(recorded, landed.rows, pulled, not incremental)

    async def _record(
        self, agreement: Agreement, before: Received | None, copy: Received, added: list[str], title: str | None
    ) -> Received:
        """The copy, and (the first time) the dataset of ours it is, with its lineage; then a version per refresh
        that brought data, so the dataset's columns and counts are the copy's."""
        now = self.c.now()
        async with self.c.store.begin() as tx:
            if before is None:
                short = agreement.dataset_id.rsplit(":", 1)[-1][:8]
                title = title or f"{self._name(agreement.provider)} · {short}"
                await tx.datasets.add(Dataset(id=copy.dataset_id, title=title, description="", created_at=now))
                await tx.datasets.add_sources([_copy_source(copy.dataset_id, agreement, now)])
                await tx.received.add(copy)
            else:
                await tx.received.save(copy)
            if added or before is None:
                dataset = await tx.datasets.get(copy.dataset_id)
                number = (dataset.latest.version + 1) if dataset and dataset.latest else 1
                await tx.datasets.add_version(
                    DatasetVersion(
                        dataset_id=copy.dataset_id,
                        version=number,
                        path=landing.folder(agreement.id),
                        columns=copy.columns,
                        rows=copy.rows,
                        bytes=copy.bytes,
                        sha256=copy.sha256,
                        created_at=now,
                        entity=copy.entity,
                    )
                )
                await tx.catalog.bump_revision()
        return copy

    def _name(self, participant: str) -> str:
        found = self.c.directory.find(participant)
        return found.name if found is not None else participant

    async def _transfer(self, agreement_id: str, fresh: bool = False) -> tuple[Transfer, bool]:
        """A started transfer of the agreement to pull over: the newest one (reused), or a new one, awaited."""
        if not fresh:
            async with self.c.store.begin() as tx:
                ours = [t for t in await tx.transfers.for_agreement(agreement_id) if t.role == tm.CONSUMER]
            for t in reversed(ours):
                if t.state == tm.STARTED and t.data_endpoint and t.data_token:
                    return t, True
        started = await self.transfers.start(agreement_id)
        with anyio.move_on_after(READY_SECONDS):
            while True:
                async with self.c.store.begin() as tx:
                    now = await tx.transfers.get(started.id)
                assert now is not None
                t = now
                if t.state == tm.STARTED and t.data_endpoint and t.data_token:
                    return t, False
                if t.state in (tm.TERMINATED, tm.COMPLETED):
                    raise Forbidden(
                        f"the provider did not start the transfer: {t.reason or t.state}",
                        details={"provider": {"message": t.reason or t.state}, "said": t.reason or t.state},
                    )
                await anyio.sleep(0.02)
        raise PeerError(
            f"the provider did not start the transfer within {READY_SECONDS:g} s",
            hint="try the refresh again later; the provider may be busy or unreachable",
        )

    # ---- reading the copy (never the provider) ----------------------------------------------------------------
    async def list(self, who: Principal, offset: int = 0, limit: int = 100) -> list[Received]:
        require(who, "data.read")
        async with self.c.store.begin() as tx:
            return await tx.received.page(offset, limit)

    async def copy(self, who: Principal, agreement_id: str) -> Received | None:
        """The copy of an agreement's data; None before its first refresh."""
        require(who, "data.read")
        await self._our_agreement(agreement_id)
        async with self.c.store.begin() as tx:
            return await tx.received.of_agreement(agreement_id)

    async def held(self, who: Principal, agreement_id: str) -> Received:
        found = await self.copy(who, agreement_id)
        if found is None:
            raise NotFound(
                f"nothing was received under agreement {agreement_id} yet",
                hint="refresh it first: POST /api/received/{agreement}/refresh or `sangsaeng received refresh`",
            )
        return found

    async def rows(self, who: Principal, agreement_id: str, offset: int = 0, limit: int = PREVIEW_ROWS) -> pa.Table:
        """Rows of the copy, read from the dataset store (whole row groups before ``offset`` skipped)."""
        if offset < 0 or not 0 < limit <= 10_000:
            raise InvalidInput("offset must be 0 or more, limit 1 to 10,000", position="limit")
        copy = await self.held(who, agreement_id)
        keys = [f.key for f in copy.files]
        return await anyio.to_thread.run_sync(reading.rows, self.c.datasets, keys, offset, limit)

    async def chart(self, who: Principal, agreement_id: str) -> pa.Table | None:
        """A sample of the copy for a chart (time and numbers only, at most ``reading.CHART_POINTS`` rows)."""
        copy = await self.held(who, agreement_id)
        keys = [f.key for f in copy.files]
        return await anyio.to_thread.run_sync(reading.chart_sample, self.c.datasets, keys, copy.rows)

    async def download(self, who: Principal, agreement_id: str, fmt: str) -> Download:
        """The copy as CSV, Parquet, Arrow or Excel, streamed from the stored files (Excel from a temporary file
        written in a worker thread). More rows than Excel holds is refused before anything is written."""
        if fmt not in MEDIA:
            raise InvalidInput(f"unknown format {fmt!r}", position="format", hint=f"one of {', '.join(MEDIA)}")
        copy = await self.held(who, agreement_id)
        keys, store = [f.key for f in copy.files], self.c.datasets
        chunks: Iterator[bytes | memoryview]
        if fmt == "xlsx":
            if copy.rows > reading.excel_limit():
                raise InvalidInput(
                    f"{copy.rows:,} rows are more than an Excel sheet holds ({reading.excel_limit():,} rows of data)",
                    position="format",
                    hint="download CSV or Parquet, which hold any number of rows",
                    details={"rows": copy.rows, "limit": reading.excel_limit()},
                )
            written: IO[bytes] = await anyio.to_thread.run_sync(reading.xlsx_file, store, keys, copy.rows)
            chunks = reading.file_chunks(written)
        elif fmt == "csv":
            chunks = reading.csv_chunks(store, keys)
        elif fmt == "arrow":
            chunks = reading.arrow_chunks(store, keys)
        else:
            chunks = reading.parquet_chunks(store, keys)
        suffix = {"arrow": "arrows"}.get(fmt, fmt)
        return Download(chunks, MEDIA[fmt], f"received.{suffix}")


def _delete_all(store: DatasetStore, keys: list[str]) -> None:
    for key in keys:
        store.delete(key)


def _new_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _hash_of(files: tuple[ReceivedFile, ...]) -> str:
    return hashlib.sha256("".join(f.sha256 for f in files).encode()).hexdigest()


def _copy_source(dataset_id: str, agreement: Agreement, now: Any) -> Source:
    """The copy's lineage: the provider's dataset, obtained under the agreement, with its terms (as
    ``catalog/rights.py`` builds a source), kept as a ``copy``."""
    return Source(
        dataset_id=dataset_id,
        position=0,
        source_dataset_id=agreement.dataset_id,
        provider=agreement.provider,
        agreement_id=agreement.id,
        policy={"terms": agreement.body, "purpose": agreement.purpose},
        agreed_at=agreement.created_at,
        operation="copy",
        created_at=now,
    )


def _token_refused(refused: Refused) -> bool:
    provider = refused.error.details.get("provider", {})
    return isinstance(provider, dict) and provider.get("code") == "unauthenticated"


def _refusal(refused: Refused) -> Exception:
    """The provider's refusal passed on in its words: 403 when it refused access, else what ``PullClient`` says."""
    if isinstance(refused.error, Forbidden):
        said = refused.said
        provider = refused.error.details.get("provider", {})
        reasons = provider.get("details", {}).get("reasons") if isinstance(provider, dict) else None
        if isinstance(reasons, list) and reasons:  # why, in the provider's words (a use count spent, a date passed)
            said = f"{said} ({'; '.join(str(r) for r in reasons[:5])})"[:1000]
        details = {**refused.error.details, "said": said}
        return Forbidden(
            f"the provider refused to send the data: {said}",
            hint="the agreement's terms may allow no more uses, have ended, or been terminated; ask the provider",
            details=details,
        )
    return refused.error


async def _spool(response: httpx.Response, spool: Any) -> int:
    """The answer's bytes into ``spool`` as they arrive; a cut-off is ``CutOff``. Returns the bytes received."""
    size = 0
    try:
        async with await anyio.open_file(spool, "wb") as out:
            async for chunk in response.aiter_bytes():
                await out.write(chunk)
                size += len(chunk)
    except httpx.HTTPError as exc:
        raise landing.CutOff(f"the provider's stream broke off after {size:,} bytes: {exc}"[:500]) from exc
    finally:
        await response.aclose()
    return size
