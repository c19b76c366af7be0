"""The connector's tamper-evident log: what it records, durable appends in batches, signed heads, proofs.

``record`` returns once the entry is committed. Appends wait in a queue; one writer takes everything waiting
and commits it in one transaction (group commit), so a burst of appends costs a few transactions, not one each.
Entries hold no dataset content: who, what, when, which agreement, which restrictions, how many rows and bytes.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, Protocol

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sangsaeng.audit import merkle
from sangsaeng.audit.evidence import check_log, head_valid, sign_head
from sangsaeng.encoding.canonical import canonical
from sangsaeng.errors import Conflict, InvalidInput, NotFound
from sangsaeng.identity.directory import Directory
from sangsaeng.store.ports import Store, Tx
from sangsaeng.store.records import LogEntry

log = structlog.get_logger()
HEADER = "Sangsaeng-Tree-Head"
HEAD_EVERY = timedelta(seconds=60)
BATCH = 2048


class Keeper(Protocol):
    """What the log needs of the connector that keeps it (the connector holds the log, so the log does not
    import the connector: it takes anything with these)."""

    participant_id: str
    key: Ed25519PrivateKey
    directory: Directory
    store: Store

    def now(self) -> datetime: ...


class AuditLog:
    def __init__(self, connector: Keeper) -> None:
        self.c = connector
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[int]]] = []
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._frontier: merkle.Frontier | None = None
        self._last_leaf = ""
        self._head: dict[str, Any] | None = None
        self._head_at: datetime | None = None
        self._kept: dict[str, tuple[int, str]] = {}  # the last head kept of each partner: most messages repeat it
        self._appending = asyncio.Lock()  # one append at a time: the writer's batches and ``together``'s entries

    # ---- appending -----------------------------------------------------------------------------
    async def start(self) -> None:
        await self._load()
        self._writer = asyncio.create_task(self._write_forever(), name="audit-log-writer")

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            try:
                await self._writer
            except asyncio.CancelledError:
                pass
            self._writer = None
        await self._flush()  # whatever still waits is written before the connector stops

    async def _load(self) -> None:
        async with self.c.store.begin() as tx:
            leaves = await tx.audit.leaves()
            heads = await tx.audit.heads()
        self._frontier = merkle.Frontier.of([bytes.fromhex(h) for h in leaves])
        self._last_leaf = leaves[-1] if leaves else ""
        self._head = heads[-1] if heads else None

    async def record(
        self,
        kind: str,
        *,
        counterparty: str | None = None,
        agreement: str | None = None,
        process: str | None = None,
        **details: Any,
    ) -> int:
        """Append one entry; returns its index once it is durable."""
        return await self._enqueue(self._entry(kind, counterparty, agreement, process, details))

    def note(
        self,
        kind: str,
        *,
        counterparty: str | None = None,
        agreement: str | None = None,
        process: str | None = None,
        **details: Any,
    ) -> None:
        """Append one entry without waiting for it (durable at the writer's next commit, milliseconds later):
        for the paths where a protocol answer must not wait for the log."""
        entry = self._entry(kind, counterparty, agreement, process, details)
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda f: f.exception() if not f.cancelled() else None)  # errors logged by writer
        self._waiting.append((entry, future))
        self._wake.set()

    def _entry(
        self, kind: str, counterparty: str | None, agreement: str | None, process: str | None, details: dict[str, Any]
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {"kind": kind, "at": self.c.now().isoformat(), "connector": self.c.participant_id}
        if counterparty is not None:
            entry["counterparty"] = counterparty
        if agreement is not None:
            entry["agreement"] = agreement
        if process is not None:
            entry["process"] = process
        entry.update({k: v for k, v in details.items() if v is not None})
        return entry

    async def _enqueue(self, entry: dict[str, Any]) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append((entry, future))
        if self._writer is None:  # not started (a tool using the log directly): write now
            await self._flush()
        else:
            self._wake.set()
        return await future

    async def _write_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._flush()
            except Exception:  # noqa: BLE001 - the waiting callers get the error; the writer lives on
                log.exception("audit.write_failed")

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            try:
                indexes = await self._commit([entry for entry, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                raise
            for (_, future), index in zip(batch, indexes, strict=True):
                if not future.done():
                    future.set_result(index)
            await self._maybe_sign()

    async def _commit(self, entries: list[dict[str, Any]]) -> list[int]:
        async with self._appending:
            return await self._commit_now(entries)

    async def _commit_now(self, entries: list[dict[str, Any]]) -> list[int]:
        for attempt in range(3):
            if self._frontier is None:
                await self._load()
            assert self._frontier is not None
            start, previous = self._frontier.size, self._last_leaf
            rows, leaves, previous = _chained(entries, start, previous)
            try:
                async with self.c.store.begin() as tx:
                    await tx.audit.append(rows)
            except Conflict:  # another process of this connector appended first: catch up, go again
                self._frontier = None
                if attempt == 2:
                    raise
                continue
            for leaf in leaves:
                self._frontier.append(leaf)
            self._last_leaf = previous
            return [r.index for r in rows]
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def together(self) -> AsyncIterator[Together]:
        """A state transaction whose log entries commit with it, in the same SQL transaction: a decision is
        never kept without its entry, nor an entry without its decision. Appends wait meanwhile (the log's
        order is the order of commits)."""
        async with self._appending:
            if self._frontier is None:
                await self._load()
            assert self._frontier is not None
            try:
                async with self.c.store.begin() as tx:
                    together = Together(tx, self)
                    yield together
                    rows, leaves, previous = _chained(together.entries, self._frontier.size, self._last_leaf)
                    if rows:
                        await tx.audit.append(rows)
            except Conflict:
                self._frontier = None  # another process appended first: read the log again next time
                raise
            for leaf in leaves:
                self._frontier.append(leaf)
            if rows:
                self._last_leaf = previous
        await self._maybe_sign()

    # ---- heads ---------------------------------------------------------------------------------
    async def _maybe_sign(self) -> None:
        now = self.c.now()
        if self._head_at is None or now - self._head_at >= HEAD_EVERY:
            await self.head()

    async def head(self) -> dict[str, Any]:
        """A signed head of the log as it is now (a new one only when the log grew)."""
        if self._frontier is None:
            await self._load()
        assert self._frontier is not None
        size = self._frontier.size
        if self._head is not None and self._head["size"] == size:
            return self._head
        head = sign_head(self.c.key, self.c.participant_id, size, self._frontier.root(), self.c.now())
        async with self.c.store.begin() as tx:
            await tx.audit.add_head(size, head, self.c.now())
        self._head, self._head_at = head, self.c.now()
        return head

    def header(self) -> str | None:
        """The latest signed head as an HTTP header value, for partners to keep."""
        if self._head is None:
            return None
        return base64.urlsafe_b64encode(canonical(self._head)).decode().rstrip("=")

    async def witness(self, value: str | None, sender: str | None = None) -> None:
        """Keep a partner's signed head that came with a protocol message (if it verifies)."""
        if not value:
            return
        if sender is not None and self._kept.get(sender, (None, None))[1] == value:
            return  # the same head as before: kept already, no signature to check, no write
        try:
            head = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        except (ValueError, TypeError):
            return
        if not head_valid(head, self.c.directory.keys_at, sender) or head["signer"] == self.c.participant_id:
            return
        async with self.c.store.begin() as tx:
            await tx.audit.add_witnessed(head["signer"], head["size"], head["root"], head, self.c.now())
        self._kept[head["signer"]] = (head["size"], value)

    # ---- reading and proving -------------------------------------------------------------------
    async def leaves(self, size: int | None = None) -> list[bytes]:
        async with self.c.store.begin() as tx:
            return [bytes.fromhex(h) for h in await tx.audit.leaves(size)]

    async def inclusion(self, index: int, size: int | None = None) -> dict[str, Any]:
        leaves = await self.leaves(size)
        if not 0 <= index < len(leaves):
            raise NotFound(f"no entry {index} in a log of {len(leaves)}", position="index")
        return {
            "index": index,
            "size": len(leaves),
            "root": merkle.root(leaves).hex(),
            "proof": [p.hex() for p in merkle.inclusion_proof(index, leaves)],
        }

    async def consistency(self, first: int, second: int | None = None) -> dict[str, Any]:
        leaves = await self.leaves(second)
        if second is not None and len(leaves) < second:
            raise NotFound(f"the log has {len(leaves)} entries, not {second}", position="second")
        if not 0 < first <= len(leaves):
            raise InvalidInput(f"no consistency proof from {first} to {len(leaves)}", position="first")
        return {
            "first": first,
            "second": len(leaves),
            "firstRoot": merkle.root(leaves[:first]).hex(),
            "secondRoot": merkle.root(leaves).hex(),
            "proof": [p.hex() for p in merkle.consistency_proof(first, leaves)],
        }

    async def verify(self) -> dict[str, Any]:
        """Re-check the whole stored log against its hashes, its chain and its signed heads."""
        async with self.c.store.begin() as tx:
            rows = [(e.index, e.entry, e.leaf) for e in await tx.audit.entries()]
            heads = await tx.audit.heads()
        check = check_log(rows, heads, self.c.directory.keys_at, self.c.participant_id)
        return {
            "valid": check.valid,
            "size": len(rows),
            "heads": len(heads),
            "firstBadIndex": check.first_bad_index,
            "findings": check.findings,
        }


class Together:
    """The transaction of ``AuditLog.together`` and the entries to commit with it."""

    def __init__(self, tx: Tx, log: AuditLog) -> None:
        self.tx = tx
        self.entries: list[dict[str, Any]] = []
        self._log = log

    def record(self, kind: str, *, counterparty: str | None = None, **details: Any) -> None:
        self.entries.append(self._log._entry(kind, counterparty, None, None, details))


def _chained(entries: list[dict[str, Any]], start: int, previous: str) -> tuple[list[LogEntry], list[bytes], str]:
    """The rows of ``entries`` appended after leaf ``previous`` at index ``start``, each naming the one before."""
    rows: list[LogEntry] = []
    leaves: list[bytes] = []
    for offset, entry in enumerate(entries):
        text = canonical({**entry, "prev": previous}).decode()
        leaf = merkle.leaf_hash(text.encode())
        rows.append(
            LogEntry(
                index=start + offset,
                entry=text,
                leaf=leaf.hex(),
                at=datetime.fromisoformat(entry["at"]),
                kind=entry["kind"],
                counterparty=entry.get("counterparty"),
                agreement_id=entry.get("agreement"),
                process_id=entry.get("process"),
            )
        )
        leaves.append(leaf)
        previous = leaf.hex()
    return rows, leaves, previous


def entries_json(entries: Sequence[LogEntry]) -> list[dict[str, Any]]:
    return [{"index": e.index, **json.loads(e.entry)} for e in entries]
