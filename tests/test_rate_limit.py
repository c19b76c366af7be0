"""A member may start only so much work on our side unasked: a token bucket per member on unsolicited protocol
messages, answered 429 with Retry-After in the protocol's error shape; answers within a running process are never
limited, and our own outbox waits as a peer's 429 asks instead of giving the process up."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from sangsaeng.dsp.ratelimit import TokenBuckets
from sangsaeng.identity import tokens
from tests.helpers import SAMPLE_CSV, Dataspace, Party, dataspace, negotiate, offer_policy, poll, publish

pytestmark = pytest.mark.anyio
CONTEXT = ["https://w3id.org/dspace/2025/1/context.jsonld"]
CATALOG_REQUEST = {"@context": CONTEXT, "@type": "CatalogRequestMessage"}


@pytest.fixture
async def space(tmp_path: Path) -> AsyncIterator[Dataspace]:
    # Three unsolicited messages at once, then one every 100 s: nothing refills during a test.
    extra = {"supplier": {"unsolicited_burst": 3, "unsolicited_rate": 0.01}}
    async with dataspace(tmp_path, ["supplier", "oem", "rival"], extra=extra) as made:
        yield made


async def dsp(caller: Party, provider: Party, method: str, path: str, body: Any = None) -> httpx.Response:
    token = tokens.issue(caller.connector.key, caller.id, provider.id, caller.connector.now())
    headers = {"Authorization": f"Bearer {token}"}
    return await provider.raw.request(method, f"/dsp{path}", json=body, headers=headers)


def _field(entry: Any, name: str) -> Any:
    """The value of ``name`` anywhere in a log entry's JSON."""
    if isinstance(entry, dict):
        if name in entry:
            return entry[name]
        entry = list(entry.values())
    if isinstance(entry, list):
        for item in entry:
            if (found := _field(item, name)) is not None:
                return found
    return None


async def kinds(party: Party, kind: str) -> list[Any]:
    async with party.connector.store.begin() as tx:
        return [e for e in await tx.audit.entries(0) if e.kind == kind]


async def test_a_burst_is_answered_429_with_retry_after_in_the_protocol_shape(space: Dataspace) -> None:
    supplier, rival, oem = (space.parties[n] for n in ("supplier", "rival", "oem"))
    for _ in range(3):
        assert (await dsp(rival, supplier, "POST", "/catalog/request", CATALOG_REQUEST)).status_code == 200
    refused = await dsp(rival, supplier, "POST", "/catalog/request", CATALOG_REQUEST)
    assert refused.status_code == 429
    assert 90 <= int(refused.headers["retry-after"]) <= 101  # one message every 100 s
    body = refused.json()
    assert body["@type"] == "CatalogError" and body["code"] == "too-many-requests"
    assert "try again in" in body["reason"][0]
    # The bucket is the member's, whatever it sends: a new negotiation or transfer is refused alike.
    offer = {"@type": "Offer", "@id": "urn:x", "target": "urn:y", "permission": [{"action": "use"}]}
    request = {"@context": CONTEXT, "@type": "ContractRequestMessage", "consumerPid": "urn:c", "offer": offer}
    negotiation = await dsp(rival, supplier, "POST", "/negotiations/request", request)
    assert negotiation.status_code == 429 and negotiation.json()["@type"] == "ContractNegotiationError"
    transfer = await dsp(rival, supplier, "POST", "/transfers/request", {"@context": CONTEXT})
    assert transfer.status_code == 429 and transfer.json()["@type"] == "TransferError"
    looked_up = await dsp(rival, supplier, "GET", "/catalog/datasets/urn:x")
    assert looked_up.status_code == 429 and "retry-after" in looked_up.headers
    # Other members are not held back by one member's burst.
    assert (await dsp(oem, supplier, "POST", "/catalog/request", CATALOG_REQUEST)).status_code == 200

    # The log notes the refused burst once, not each refused message.
    with anyio.fail_after(5):
        while not await kinds(supplier, "protocol.rate-limited"):
            await anyio.sleep(0.02)
    await anyio.sleep(0.1)
    noted = await kinds(supplier, "protocol.rate-limited")
    assert len(noted) == 1 and noted[0].counterparty == rival.id
    received = [e for e in await kinds(supplier, "protocol.received") if e.counterparty == rival.id]
    assert len(received) == 3  # the three let through


async def test_messages_within_a_running_process_are_not_limited(space: Dataspace) -> None:
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))
    # The dataset lookup and the contract request take two of the three tokens …
    final = await negotiate(oem, supplier, dataset_id, offer_id)
    assert final["state"] == "FINALIZED", final
    # … the transfer request the third; start, completion and the negotiation's own messages take none.
    started = await oem.api.post("/api/transfers", json={"agreementId": final["agreementId"]})
    transfer = await poll(oem.api, f"/api/transfers/{started.json()['id']}", lambda t: t["ready"])
    assert (await oem.api.get(f"/api/transfers/{transfer['id']}/data")).status_code == 200
    await oem.api.post(f"/api/transfers/{transfer['id']}/complete")
    await poll(oem.api, f"/api/transfers/{transfer['id']}", lambda t: t["state"] == "COMPLETED")
    assert (await dsp(oem, supplier, "POST", "/catalog/request", CATALOG_REQUEST)).status_code == 429


async def test_the_outbox_waits_as_a_peer_429_asks_and_then_goes_on(tmp_path: Path) -> None:
    extra = {"supplier": {"unsolicited_burst": 1, "unsolicited_rate": 0.2}}  # then one message every 5 s
    async with dataspace(tmp_path, ["supplier", "oem"], extra=extra) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))
        offer = {"@id": offer_id, **offer_policy(oem.id)}
        assert (await dsp(oem, supplier, "POST", "/catalog/request", CATALOG_REQUEST)).status_code == 200
        started = await oem.api.post(
            "/api/negotiations", json={"peer": supplier.id, "datasetId": dataset_id, "offer": offer}
        )
        process = started.json()["id"]

        async def pending() -> list[Any]:
            async with oem.connector.store.begin() as tx:
                return await tx.outbox.pending(process)

        with anyio.fail_after(5):
            while not any("429" in (m.last_error or "") for m in await pending()):
                await anyio.sleep(0.02)
        waiting = (await pending())[0]
        # No sooner than the peer asked: its Retry-After counts from when it refused (the bucket refills in real
        # time, so on a slow machine it may ask for less than the full 5 s).
        with anyio.fail_after(5):
            while not (refused := await kinds(supplier, "protocol.rate-limited")):
                await anyio.sleep(0.02)
        asked = _field(json.loads(refused[-1].entry), "retry_after")
        assert isinstance(asked, int) and 1 <= asked <= 5
        assert waiting.next_attempt_at >= refused[-1].at + timedelta(seconds=asked)
        assert (await oem.api.get(f"/api/negotiations/{process}")).json()["state"] != "TERMINATED"
        supplier.clock.advance(seconds=8)
        oem.clock.advance(seconds=8)
        final = await poll(oem.api, f"/api/negotiations/{process}", lambda n: n["state"] == "FINALIZED")
        assert final["agreementId"]


def test_a_bucket_refills_at_its_rate_and_says_how_long_to_wait() -> None:
    buckets = TokenBuckets(rate=2.0, burst=2)
    assert [buckets.take("a", 0.0).allowed for _ in range(3)] == [True, True, False]
    refused = buckets.take("a", 0.1)
    assert not refused.allowed and refused.retry_after == 1 and not refused.first_refusal
    assert buckets.take("b", 0.1).allowed  # another member's bucket is full
    assert buckets.take("a", 0.6).allowed  # half a second: one token back
    assert buckets.take("a", 0.6).first_refusal  # a new burst of refusals is noted again
    assert TokenBuckets(rate=0, burst=1).take("a", 0.0).allowed  # rate 0: no limit
