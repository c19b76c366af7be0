"""Duplicate and out-of-order protocol messages do no harm (idempotent receivers)."""

from __future__ import annotations

import pytest

from tests.helpers import SAMPLE_CSV, Dataspace, negotiate, offer_policy, poll, publish, start_transfer

pytestmark = pytest.mark.anyio


async def test_replaying_every_message_in_any_order_changes_nothing(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))
    final = await negotiate(oem, supplier, dataset_id, offer_id)
    transfer = await start_transfer(oem, final["agreementId"])
    await oem.api.post(f"/api/transfers/{transfer['id']}/complete")
    await poll(supplier.api, f"/api/transfers/{transfer['providerPid']}", lambda t: t["state"] == "COMPLETED")

    async def snapshot() -> list[object]:
        states = []
        for party in (supplier, oem):
            for kind in ("negotiations", "transfers", "agreements"):
                states.append(
                    [
                        {k: v for k, v in item.items() if k not in ("updatedAt", "uses")}
                        for item in (await party.api.get(f"/api/{kind}")).json()
                    ]
                )
        return states

    before = await snapshot()
    by_host = {p.settings.public_url.split("//")[1]: p for p in two.parties.values()}
    sent = [(by_host[host], *message) for host, message in zip(two.router.sent_to, two.router.sent, strict=True)]
    for order in (sent, list(reversed(sent))):
        for party, method, path, body in order:
            sender = next(p for p in two.parties.values() if p is not party)
            headers = {"Authorization": f"Bearer {sender.connector.peer.bearer(party.id)}"}
            response = await party.raw.request(method, path, json=body, headers=headers)
            assert response.status_code < 500, (path, response.text)
    assert await snapshot() == before


async def test_an_agreement_arriving_before_the_request_is_acknowledged_is_accepted(two: Dataspace) -> None:
    """The implied acknowledgement: a consumer whose request ack is still in flight receives the agreement."""
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))
    two.router.down.add(oem.settings.public_url.split("//")[1])  # the supplier cannot call back yet
    started = await oem.api.post(
        "/api/negotiations", json={"peer": supplier.id, "datasetId": dataset_id, "offerId": offer_id}
    )
    requested = await poll(oem.api, f"/api/negotiations/{started.json()['id']}", lambda n: n["state"] == "REQUESTED")
    two.router.down.clear()
    final = await poll(oem.api, f"/api/negotiations/{requested['id']}", lambda n: n["state"] == "FINALIZED")
    assert final["agreementId"]
