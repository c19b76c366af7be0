"""A connector that trusts a hub, running: it serves members the hub lists as active, refuses a suspended one —
at the protocol API and at the data plane — within ``hub_refresh`` plus one fetch, refuses a revoked credential's
attributes, keeps serving from its last verified copy while the hub is down and, once that copy expires, refuses
every peer saying the hub's directory is stale."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from structlog.testing import capture_logs

from sangsaeng.identity import tokens
from sangsaeng.identity.hub import HubDirectory
from sangsaeng.identity.keys import generate_key
from tests.helpers import SAMPLE_CSV, Party, dataspace, negotiate, offer_policy, publish, start_transfer
from tests.hub_documents import TestHub

pytestmark = pytest.mark.anyio
REFRESH = 1.0
CATALOG_REQUEST = {"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "CatalogRequestMessage"}


@dataclass
class Space:
    hub: TestHub
    supplier: Party  # trusts the hub
    oem: Party  # a member of the hub; its own directory is the file

    @property
    def directory(self) -> HubDirectory:
        found = self.supplier.connector.directory
        assert isinstance(found, HubDirectory)
        return found

    def ready(self) -> bool:
        held = self.directory.status_of(self.hub.id)
        return self.directory.stale() is None and held is not None and held.bits is not None

    async def ask(self, token: str | None = None) -> httpx.Response:
        """A protocol request of the OEM's to the supplier (a catalog request)."""
        bearer = token or self.oem.connector.peer.bearer(self.supplier.id)
        headers = {"Authorization": f"Bearer {bearer}"}
        return await self.supplier.raw.post("/dsp/catalog/request", json=CATALOG_REQUEST, headers=headers)


async def until(check: Callable[[], Any], timeout: float, what: str) -> float:
    """Poll ``check`` (sync or async) until true; the seconds it took, or fail at the deadline."""
    started = time.monotonic()
    with anyio.move_on_after(timeout):
        while True:
            result = check()
            if hasattr(result, "__await__"):
                result = await result
            if result:
                return time.monotonic() - started
            await anyio.sleep(0.02)
    raise AssertionError(f"{what}: not within {timeout} s")


@pytest.fixture
async def space(tmp_path: Path) -> AsyncIterator[Space]:
    hub = TestHub(lifetime=timedelta(seconds=60))
    async with dataspace(tmp_path, ["supplier", "oem"], extra={"supplier": hub.settings(refresh=REFRESH)}) as ds:
        ds.router.apps[httpx.URL(hub.url).netloc.decode()] = httpx.ASGITransport(app=hub.app())
        supplier, oem = ds.parties["supplier"], ds.parties["oem"]
        hub.admit(supplier.init.participant)
        hub.admit(oem.init.participant)
        made = Space(hub, supplier, oem)
        # The first fetch ran before the hub was routed; the next one, within REFRESH, finds it.
        await until(made.ready, REFRESH + 2, "the hub's directory and status list verified")
        yield made


async def status(space: Space) -> int:
    return (await space.ask()).status_code


async def test_a_member_listed_active_is_served(space: Space) -> None:
    assert space.supplier.settings.hub_url == space.hub.url
    answer = await space.ask()
    assert answer.status_code == 200, answer.text
    assert space.directory.seq == space.hub.seq


async def test_a_suspended_member_is_refused_within_the_bound_as_an_unknown_caller_is(space: Space) -> None:
    supplier, oem = space.supplier, space.oem
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))
    final = await negotiate(oem, supplier, dataset_id, offer_id)
    assert final["state"] == "FINALIZED", final
    transfer = await start_transfer(oem, final["agreementId"])
    async with oem.connector.store.begin() as tx:
        stored = await tx.transfers.get(transfer["id"])
    assert stored is not None and stored.data_token is not None
    data_path, data_headers = f"/data/{transfer['providerPid']}", {"Authorization": f"Bearer {stored.data_token}"}
    assert (await supplier.raw.get(data_path, headers=data_headers)).status_code == 200
    assert await status(space) == 200

    space.hub.suspend(oem.id)
    took = await until(lambda: _refused(space), REFRESH + 1, "the suspension followed")
    assert took <= REFRESH + 1

    refused = await space.ask()
    stranger = generate_key()
    unknown = await space.ask(tokens.issue(stranger, "urn:uuid:stranger", supplier.id, supplier.clock.now()))
    assert refused.status_code == unknown.status_code == 401
    assert refused.json() == unknown.json()  # nothing says it was once a member
    pulled = await supplier.raw.get(data_path, headers=data_headers)
    assert pulled.status_code == 401, pulled.text  # the data plane refuses it too, with the one data-plane answer
    assert supplier.connector.directory.find(oem.id) is not None  # kept for its name


async def _refused(space: Space) -> bool:
    return await status(space) == 401


async def test_a_revoked_credential_does_not_count_and_the_policy_needing_it_refuses(space: Space) -> None:
    supplier, oem, hub = space.supplier, space.oem, space.hub
    oem.settings.credentials_path.write_text(json.dumps([hub.credential(oem.id, {"tier": ["tier1"]}, index=77)]))
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id, tier=["tier1"]))
    granted = await negotiate(oem, supplier, dataset_id, offer_id)
    assert granted["state"] == "FINALIZED", granted

    hub.revoke(77)
    await until(
        lambda: (space.directory.status_of(hub.id) or _never()).seq == hub.seq, REFRESH + 2, "the revocation fetched"
    )
    refused = await negotiate(oem, supplier, dataset_id, offer_id)
    assert refused["state"] == "TERMINATED", refused


def _never() -> Any:
    raise AssertionError("the hub keeps a status list")


async def test_the_hub_down_the_last_copy_serves_until_it_expires_then_every_peer_is_refused(space: Space) -> None:
    space.hub.down = True
    served = space.hub.served
    await until(lambda: space.directory.last_error is not None, REFRESH + 2, "a failed fetch noticed")
    assert space.hub.served == served and "503" in (space.directory.last_error or "")
    assert await status(space) == 200  # the verified copy still holds

    with capture_logs() as logs:
        space.supplier.clock.advance(seconds=61)  # past the copy's exp (the hub's lifetime is 60 s)
        answer = await space.ask()
        assert answer.status_code == 503, answer.text
        body = answer.json()  # the protocol's error object, saying why
        assert body["code"] == "directory-stale" and "directory is stale" in " ".join(body["reason"])
        assert answer.headers["Retry-After"] == "1"
        await until(lambda: any(e["event"] == "hub.directory.stale" for e in logs), REFRESH + 1, "the staleness logged")

    space.hub.clock = space.supplier.clock.now  # the hub signs at the supplier's (advanced) time
    space.hub.down = False  # the hub is back with a fresh document: peers are checked again
    await until(lambda: space.directory.stale() is None, REFRESH + 2, "a fresh directory verified")
    assert await status(space) == 200
