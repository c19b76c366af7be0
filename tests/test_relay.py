"""The consumer's relay and portal page when the provider is gone, or a stored data address is not to be followed.

In-process (the hostile provider as a process is ``test_malicious_provider.py``)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from sangsaeng.portal import auth
from tests.helpers import SAMPLE_CSV, Dataspace, Party, dataspace, negotiate, offer_policy, publish, start_transfer

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery"


@pytest.fixture
async def started(tmp_path: Path) -> AsyncIterator[tuple[Dataspace, str]]:
    async with dataspace(tmp_path, ["supplier", "oem"]) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))
        agreement = await negotiate(oem, supplier, dataset_id, offer_id)
        transfer = await start_transfer(oem, agreement["agreementId"])
        assert transfer["ready"], transfer
        yield space, transfer["id"]


async def portal_refresh(party: Party, transfer_id: str) -> httpx.Response:
    """The transfer's agreement refreshed through the portal (the one page action that asks the provider)."""
    await auth.add_user(party.connector.store, "kim", PASSWORD, "steward", party.connector.now())
    transport = httpx.ASGITransport(app=party.app)
    async with httpx.AsyncClient(transport=transport, base_url=party.settings.public_url) as client:
        login = await client.get("/portal/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', login.text)
        assert csrf is not None
        data = {"csrf": csrf.group(1), "name": "kim", "password": PASSWORD}
        assert (await client.post("/portal/login", data=data)).status_code == 303
        page = await client.get(f"/portal/transfers/{transfer_id}", params={"lang": "ko"}, follow_redirects=True)
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert page.status_code == 200 and token is not None
        return await client.post(page.url.path, data={"csrf": token.group(1)}, params={"lang": "ko"})


async def test_an_unreachable_provider_is_a_502_and_a_sentence_on_the_portal(started: tuple[Dataspace, str]) -> None:
    space, transfer_id = started
    oem = space.parties["oem"]
    space.router.down.add(httpx.URL(space.parties["supplier"].settings.public_url).netloc.decode())
    relay = await oem.api.get(f"/api/transfers/{transfer_id}/data")
    assert relay.status_code == 502 and relay.json()["error"]["code"] == "peer-error"
    query = {"groupBy": [], "measures": [{"op": "count"}]}
    aggregate = await oem.api.post(f"/api/transfers/{transfer_id}/aggregate", json=query)
    assert aggregate.status_code == 502 and aggregate.json()["error"]["code"] == "peer-error"
    page = await portal_refresh(oem, transfer_id)
    assert page.status_code == 502 and "데이터 플레인에 연결할 수 없습니다" in page.text


async def test_a_stored_data_address_outside_the_data_plane_is_not_followed(started: tuple[Dataspace, str]) -> None:
    """Addresses stored before they were pinned (or a directory that changed) are checked again at each use."""
    space, transfer_id = started
    oem = space.parties["oem"]
    async with oem.connector.store.begin() as tx:
        transfer = await tx.transfers.get(transfer_id, for_update=True)
        assert transfer is not None
        transfer.data_endpoint = f"{oem.settings.public_url}/api/identity"  # the consumer's own API, say
        await tx.transfers.save(transfer)
    relay = await oem.api.get(f"/api/transfers/{transfer_id}/data")
    assert relay.status_code == 502 and "not followed" in relay.json()["error"]["message"]
    page = await portal_refresh(oem, transfer_id)
    assert page.status_code == 502 and "데이터 플레인 밖에 있어" in page.text
