"""An ended process (COMPLETED, TERMINATED, FINALIZED) takes only the repeat of the message that ended it.

The table rule for all states and events, then the two receivers that answered a repeated request before
looking at the table: a provider asked again for a negotiation or transfer that is over.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sangsaeng.clock import SystemClock
from sangsaeng.dsp.messages import CONTEXT
from sangsaeng.errors import InvalidTransition
from sangsaeng.identity import tokens
from sangsaeng.identity.directory import Participant
from sangsaeng.identity.keys import generate_key, public_jwk
from sangsaeng.machine import Machine
from sangsaeng.negotiation import machine as nm
from sangsaeng.store.records import Negotiation, Transfer
from sangsaeng.transfer import machine as tm
from tests.helpers import Dataspace, Party, dataspace

pytestmark = pytest.mark.anyio
PEER = "urn:example:consumer"
PEER_KEY = generate_key()
CALLBACK = "https://consumer.example/dsp"


@pytest.mark.parametrize("machine", [nm.NEGOTIATION, tm.TRANSFER], ids=lambda m: m.name)
def test_a_terminal_state_takes_only_the_event_that_ends_in_it(machine: Machine) -> None:
    for state in sorted(machine.terminal):
        for event, transition in machine.transitions.items():
            for sender in sorted(transition.senders):
                try:
                    outcome = machine.advance(state, event, sender)
                except InvalidTransition:
                    assert transition.target != state, (state, event)
                    continue
                assert transition.target == state and outcome.duplicate and outcome.state == state


@pytest.fixture
async def space(tmp_path: Path) -> AsyncIterator[Dataspace]:
    peer = Participant(PEER, "Consumer", public_jwk(PEER_KEY.public_key()), CALLBACK)
    async with dataspace(tmp_path, ["supplier"], guests=[peer]) as made:
        yield made


async def post(party: Party, path: str, body: dict[str, Any]) -> httpx.Response:
    token = tokens.issue(PEER_KEY, PEER, party.id, SystemClock().now())
    return await party.raw.post(
        f"/dsp{path}", json={"@context": CONTEXT, **body}, headers={"Authorization": f"Bearer {token}"}
    )


@pytest.mark.parametrize("state", ["FINALIZED", "TERMINATED"])
async def test_a_repeated_contract_request_for_an_ended_negotiation_is_refused(space: Dataspace, state: str) -> None:
    supplier = space.parties["supplier"]
    now = SystemClock().now()
    async with supplier.connector.store.begin() as tx:
        await tx.negotiations.add(
            Negotiation(
                id="urn:uuid:p1",
                role="provider",
                provider_pid="urn:uuid:p1",
                consumer_pid="urn:uuid:c1",
                counterparty=PEER,
                counterparty_address=CALLBACK,
                state=state,
                dataset_id="urn:d",
                offer={"@id": "urn:o", "permission": [{"action": "use"}]},
                created_at=now,
                updated_at=now,
            )  # fmt: skip
        )
    request = {
        "@type": "ContractRequestMessage",
        "consumerPid": "urn:uuid:c1",
        "offer": {"@id": "urn:o", "target": "urn:d", "permission": [{"action": "use"}]},
        "callbackAddress": CALLBACK,
    }
    answer = await post(supplier, "/negotiations/request", request)
    assert answer.status_code == 400, answer.text
    assert answer.json()["@type"] == "ContractNegotiationError"


@pytest.mark.parametrize("state", ["COMPLETED", "TERMINATED"])
async def test_a_repeated_transfer_request_for_an_ended_transfer_is_refused(space: Dataspace, state: str) -> None:
    supplier = space.parties["supplier"]
    now = SystemClock().now()
    async with supplier.connector.store.begin() as tx:
        await tx.transfers.add(
            Transfer(
                id="urn:uuid:p2",
                role="provider",
                provider_pid="urn:uuid:p2",
                consumer_pid="urn:uuid:c2",
                counterparty=PEER,
                counterparty_address=CALLBACK,
                state=state,
                agreement_id="urn:a",
                format="HttpData-PULL",
                created_at=now,
                updated_at=now,
            )  # fmt: skip
        )
    request = {
        "@type": "TransferRequestMessage",
        "consumerPid": "urn:uuid:c2",
        "agreementId": "urn:a",
        "format": "HttpData-PULL",
        "callbackAddress": CALLBACK,
    }
    answer = await post(supplier, "/transfers/request", request)
    assert answer.status_code == 400, answer.text
    assert answer.json()["@type"] == "TransferError"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("callbackAddress", f"{CALLBACK}/../admin"),
        ("callbackAddress", f"{CALLBACK}/%2e%2e/admin"),
        ("consumerPid", "x/../../evil"),
    ],
)
async def test_a_request_that_would_climb_out_of_the_callers_endpoint_is_refused(
    space: Dataspace, field: str, value: str
) -> None:
    supplier = space.parties["supplier"]
    request = {
        "@type": "ContractRequestMessage",
        "consumerPid": "urn:uuid:c3",
        "offer": {"@id": "urn:o", "target": "urn:d", "permission": [{"action": "use"}]},
        "callbackAddress": CALLBACK,
        field: value,
    }
    answer = await post(supplier, "/negotiations/request", request)
    assert answer.status_code == 400, answer.text
    assert field in " ".join(answer.json()["reason"])
