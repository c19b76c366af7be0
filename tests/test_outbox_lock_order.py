"""The outbox worker and a request settle the same message at once without deadlocking on PostgreSQL.

A request that proves our start message arrived (a data-plane pull with its token) holds the transfer and marks
the message sent; the worker, acknowledging or refusing that message at the same moment, used to lock the
message first and the transfer second: the opposite order, and PostgreSQL aborted one of the two. SQLite runs
one transaction at a time, so the race exists only on a store that locks rows.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path

import anyio
import psycopg
import pytest
import structlog

from sangsaeng.dsp import transfer as m
from sangsaeng.dsp.outbox import settle_implied
from sangsaeng.store.records import OutboxMessage, Transfer
from sangsaeng.tenants.host import ROOT
from tests.helpers import dataspace

pytestmark = pytest.mark.anyio


def _lock_waiters(url: str) -> int:
    """Backends of this database waiting for a row lock held by another transaction."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
    return int(row[0]) if row else 0


async def test_a_request_and_the_worker_settling_one_message_queue_instead_of_deadlocking(
    tmp_path: Path, postgres_url: str
) -> None:
    async with dataspace(tmp_path, ["supplier", "oem"], state={"supplier": postgres_url}) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        connector = supplier.connector
        assert connector.settings.database_url.startswith("postgresql")
        transfers = supplier.app.state.services.transfers
        pid, now = f"urn:uuid:{uuid.uuid4()}", connector.now()
        transfer = Transfer(
            id=pid,
            role=m.PROVIDER,
            counterparty=oem.id,
            counterparty_address=oem.settings.protocol_url,
            state=m.REQUESTED,
            agreement_id="urn:uuid:no-such-agreement",
            format="HttpData-PULL",
            created_at=now,
            updated_at=now,
            provider_pid=pid,
            consumer_pid=f"urn:uuid:{uuid.uuid4()}",
        )
        # Not due yet, so the worker leaves it alone until the test has taken the transfer's lock.
        start = OutboxMessage(
            id=str(uuid.uuid4()),
            process_kind=transfers.kind,
            process_id=pid,
            event=m.START,
            url=f"{oem.settings.protocol_url}/transfers/{transfer.consumer_pid}/start",  # unknown to the OEM: refused
            audience=oem.id,
            body={"@type": "TransferStartMessage"},
            next_attempt_at=now + timedelta(minutes=1),
        )
        async with connector.store.begin() as tx:
            await tx.transfers.add(transfer)
            await tx.outbox.enqueue(start)

        with structlog.testing.capture_logs() as logs:
            async with connector.store.begin() as tx:  # the request: the transfer first, as ``authorize`` does
                assert await tx.transfers.get(pid, for_update=True) is not None
                supplier.clock.advance(minutes=2)
                connector.notify_outbox()  # the worker sends it now, is refused, and goes to record that
                deadline = time.monotonic() + 10
                while _lock_waiters(postgres_url) == 0:
                    assert time.monotonic() < deadline, "the worker never reached the transfer or the message"
                    await anyio.sleep(0.02)
                await settle_implied(tx, transfers, pid, m.START)

            await supplier.app.state.host.contexts[ROOT].outbox.drain()  # the worker's side has ended too
            async with connector.store.begin() as tx:
                settled = await tx.outbox.get(start.id)
                after = await tx.transfers.get(pid)
        assert settled is not None and settled.status == "sent"
        assert after is not None and after.state == m.STARTED  # the request's acknowledgement, not the refusal
        assert [e for e in logs if e["event"] == "outbox.send_failed"] == []
