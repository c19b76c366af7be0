"""No data without an agreement: every way around the rules is refused, and refusals leak nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from sangsaeng.dataplane.tokens import data_audience
from sangsaeng.identity import tokens
from sangsaeng.identity.keys import generate_key
from tests.helpers import SAMPLE_CSV, Dataspace, Party, negotiate, offer_policy, poll, publish, start_transfer

pytestmark = pytest.mark.anyio

SECRET_VALUES = ["BRK-1", "54.01", "김민준"]


@dataclass
class Started:
    supplier: Party
    oem: Party
    agreement_id: str
    transfer_pid: str  # the provider's process id: the data-plane path
    token: str


async def started_transfer(space: Dataspace, **constraints: Any) -> Started:
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id, **constraints))
    final = await negotiate(oem, supplier, dataset_id, offer_id)
    assert final["state"] == "FINALIZED", final
    transfer = await start_transfer(oem, final["agreementId"])
    async with oem.connector.store.begin() as tx:
        stored = await tx.transfers.get(transfer["id"])
    assert stored is not None and stored.data_token is not None
    return Started(supplier, oem, final["agreementId"], transfer["providerPid"], stored.data_token)


async def pull(s: Started, token: str | None, pid: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await s.supplier.raw.get(f"/data/{pid or s.transfer_pid}", headers=headers)


def leaks_nothing(response: Any) -> None:
    assert response.headers["content-type"].startswith("application/json")
    text = response.text
    for value in SECRET_VALUES:
        assert value not in text
    assert set(response.json()) == {"error"}


async def test_the_valid_token_reads_the_data(two: Dataspace) -> None:
    s = await started_transfer(two)
    response = await pull(s, s.token)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.apache.arrow.stream"


async def test_no_token_is_refused(two: Dataspace) -> None:
    s = await started_transfer(two)
    response = await pull(s, None)
    assert response.status_code == 401
    leaks_nothing(response)


async def test_an_expired_token_is_refused(two: Dataspace) -> None:
    s = await started_transfer(two)
    s.supplier.clock.advance(seconds=s.supplier.settings.transfer_token_seconds + 60)
    response = await pull(s, s.token)
    assert response.status_code == 401
    leaks_nothing(response)


async def test_another_transfers_token_is_refused_like_an_unknown_transfer(two: Dataspace) -> None:
    s = await started_transfer(two)
    other = await start_transfer(s.oem, s.agreement_id)
    on_other = await pull(s, s.token, other["providerPid"])
    on_unknown = await pull(s, s.token, "urn:uuid:does-not-exist")
    assert on_other.status_code == on_unknown.status_code == 401
    assert on_other.json() == on_unknown.json()
    leaks_nothing(on_other)


async def test_a_token_signed_by_another_key_is_refused(two: Dataspace) -> None:
    s = await started_transfer(two)
    forged = tokens.issue(
        generate_key(),
        s.supplier.id,
        data_audience(s.supplier.id),
        s.supplier.clock.now(),
        extra={"tid": s.transfer_pid},
    )
    response = await pull(s, forged)
    assert response.status_code == 401
    leaks_nothing(response)


async def test_a_data_token_for_another_audience_is_refused(two: Dataspace) -> None:
    s = await started_transfer(two)
    key = s.supplier.connector.key
    wrong = tokens.issue(key, s.supplier.id, s.supplier.id, s.supplier.clock.now(), extra={"tid": s.transfer_pid})
    response = await pull(s, wrong)
    assert response.status_code == 401


async def test_a_terminated_agreement_gives_no_more_data(two: Dataspace) -> None:
    s = await started_transfer(two)
    ended = await s.supplier.api.post(f"/api/agreements/{s.agreement_id}/terminate")
    assert ended.status_code == 200 and ended.json()["terminatedAt"]
    response = await pull(s, s.token)
    assert response.status_code == 403
    leaks_nothing(response)
    again = await s.oem.api.post("/api/transfers", json={"agreementId": s.agreement_id})
    refused = await poll(s.oem.api, f"/api/transfers/{again.json()['id']}", lambda t: t["state"] == "TERMINATED")
    assert "terminated" in refused["reason"]


async def test_an_exhausted_count_gives_no_more_data(two: Dataspace) -> None:
    s = await started_transfer(two, count="2")
    assert (await pull(s, s.token)).status_code == 200
    assert (await pull(s, s.token)).status_code == 200
    third = await pull(s, s.token)
    assert third.status_code == 403
    assert any("count lteq 2" in r for r in third.json()["error"]["details"]["reasons"])
    leaks_nothing(third)


# ---- the protocol API's own tokens --------------------------------------------------------------
def catalog_request() -> dict[str, Any]:
    return {"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "CatalogRequestMessage"}


async def test_protocol_requests_need_a_token(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    response = await supplier.raw.post("/dsp/catalog/request", json=catalog_request())
    assert response.status_code == 401


async def test_a_protocol_token_signed_by_a_key_not_in_the_directory_is_refused(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    forged = tokens.issue(generate_key(), oem.id, supplier.id, supplier.clock.now())
    response = await supplier.raw.post(
        "/dsp/catalog/request", json=catalog_request(), headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401
    assert "not valid" in " ".join(response.json()["reason"])


async def test_a_protocol_token_from_an_unknown_participant_is_refused(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    stranger = tokens.issue(generate_key(), "urn:x:stranger", supplier.id, supplier.clock.now())
    response = await supplier.raw.post(
        "/dsp/catalog/request", json=catalog_request(), headers={"Authorization": f"Bearer {stranger}"}
    )
    assert response.status_code == 401


async def test_a_replayed_protocol_token_is_refused(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    headers = {"Authorization": f"Bearer {oem.connector.peer.bearer(supplier.id)}"}
    first = await supplier.raw.post("/dsp/catalog/request", json=catalog_request(), headers=headers)
    replay = await supplier.raw.post("/dsp/catalog/request", json=catalog_request(), headers=headers)
    assert first.status_code == 200
    assert replay.status_code == 401
    assert "replay" in " ".join(replay.json()["reason"])


async def test_a_protocol_token_for_another_audience_is_refused(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    headers = {"Authorization": f"Bearer {oem.connector.peer.bearer('urn:sangsaeng:participant:someone-else')}"}
    response = await supplier.raw.post("/dsp/catalog/request", json=catalog_request(), headers=headers)
    assert response.status_code == 401
    assert "another participant" in " ".join(response.json()["reason"])


async def test_an_expired_protocol_token_is_refused(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    headers = {"Authorization": f"Bearer {oem.connector.peer.bearer(supplier.id)}"}
    supplier.clock.advance(minutes=6)
    response = await supplier.raw.post("/dsp/catalog/request", json=catalog_request(), headers=headers)
    assert response.status_code == 401
    assert "expired" in " ".join(response.json()["reason"])


async def test_a_transfer_needs_an_agreement_of_the_caller(two: Dataspace) -> None:
    """A participant cannot start a transfer under an agreement that is not its own, or that does not exist."""
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    headers = {"Authorization": f"Bearer {oem.connector.peer.bearer(supplier.id)}"}
    body = {
        "@context": ["https://w3id.org/dspace/2025/1/context.jsonld"],
        "@type": "TransferRequestMessage",
        "consumerPid": "urn:uuid:mine",
        "agreementId": "urn:uuid:invented",
        "format": "HttpData-PULL",
        "callbackAddress": oem.connector.protocol_url,
    }
    response = await supplier.raw.post("/dsp/transfers/request", json=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["@type"] == "TransferError"


async def test_a_pull_that_overtakes_the_start_acknowledgement_is_served(two: Dataspace) -> None:
    """The consumer can read as soon as the start message reached it; the provider must not answer "not
    STARTED" because that message's acknowledgement has not come back yet."""
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))
    final = await negotiate(oem, supplier, dataset_id, offer_id)
    two.router.down.add(oem.settings.public_url.removeprefix("http://"))  # the start message stays pending
    started = await oem.api.post("/api/transfers", json={"agreementId": final["agreementId"]})
    assert started.status_code == 201, started.text
    provider = await poll(supplier.api, "/api/transfers", lambda ts: any(t["role"] == "provider" for t in ts))
    pid = next(t["id"] for t in provider if t["role"] == "provider")
    async with supplier.connector.store.begin() as tx:
        assert (await tx.transfers.get(pid)).state == "REQUESTED"  # type: ignore[union-attr]
    token = supplier.app.state.services.transfers.tokens.mint(pid)  # what the start message carries
    response = await supplier.raw.get(f"/data/{pid}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    async with supplier.connector.store.begin() as tx:
        assert (await tx.transfers.get(pid)).state == "STARTED"  # type: ignore[union-attr]
