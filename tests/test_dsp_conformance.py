"""DSP 2025-1 conformance against the official schemas and examples in ../shared/spec/dsp-2025-1.

- every message and response a connector sends validates against its schema;
- every official example is accepted by the endpoint (or, for what only a peer sends us in answer, the
  reader) it belongs to;
- malformed messages get 400 with the protocol's error object; unknown or foreign process ids get 404.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from sangsaeng.clock import SystemClock
from sangsaeng.dsp.messages import read
from sangsaeng.identity import tokens
from sangsaeng.identity.directory import Participant
from sangsaeng.identity.keys import generate_key, public_jwk
from sangsaeng.store.records import Negotiation, Transfer
from tests.dsp_schemas import SPEC, example, problems
from tests.helpers import SAMPLE_CSV, Dataspace, Party, dataspace, negotiate, offer_policy, poll, publish

pytestmark = pytest.mark.anyio

EXAMPLE_PEER = "urn:example:peer"
EXAMPLE_KEY = generate_key()
PROVIDER_PID = "urn:uuid:a343fcbf-99fc-4ce8-8e9b-148c97605aab"
CONSUMER_PID = "urn:uuid:32541fe6-c580-409e-85a8-8a9a32fbe833"
DATASET = "urn:uuid:3dd1add8-4d2d-569e-d634-8394a8836a88"


def every_example() -> list[Path]:
    return sorted(SPEC.rglob("example/*.json"))


def schema_for_example(path: Path) -> str:
    name = path.stem.replace("_initial", "").replace("-full", "")
    folder = path.parent.parent.name
    if name == "nested-catalog":
        name = "catalog"
    if name.endswith("did-service"):
        return "common/did-service-schema.json"
    return f"{folder}/{name}-schema.json"


# The DID-service schema demands a serviceEndpoint ending in /catalog, while the official DataService example
# points at /.well-known/dspace-version: the two shared artifacts disagree. Strict, so a fixed spec shows up.
SPEC_DISAGREES = pytest.mark.xfail(strict=True, reason="shared spec: DataService DID example vs its schema's pattern")


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=SPEC_DISAGREES) if p.name == "dataservice-did-service.json" else p for p in every_example()],
    ids=lambda p: p.name,
)
def test_the_shared_examples_validate_against_their_schemas(path: Path) -> None:
    """A check of the test vectors themselves (and of our local schema resolution)."""
    assert problems(example(str(path.relative_to(SPEC))), schema_for_example(path)) == []


# ---- a peer played by the test ------------------------------------------------------------------
def bearer(audience: str, issuer: str = EXAMPLE_PEER, key: Any = EXAMPLE_KEY, **kwargs: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.issue(key, issuer, audience, SystemClock().now(), **kwargs)}"}


@pytest.fixture
async def space(tmp_path: Path) -> AsyncIterator[Dataspace]:
    peer = Participant(
        EXAMPLE_PEER,
        "Example peer",
        public_jwk(EXAMPLE_KEY.public_key()),
        "https://example.com/callback",
        data_endpoint="http://example.com",  # where the official start message's dataAddress points
    )
    async with dataspace(tmp_path, ["supplier", "oem"], guests=[peer]) as made:
        yield made


async def post(party: Party, path: str, body: Any) -> httpx.Response:
    return await party.raw.post(f"/dsp{path}", json=body, headers=bearer(party.id))


async def seed_negotiation(party: Party, role: str, state: str, dataset: str = DATASET) -> None:
    now = SystemClock().now()
    own = PROVIDER_PID if role == "provider" else CONSUMER_PID
    async with party.connector.store.begin() as tx:
        await tx.negotiations.add(
            Negotiation(
                id=own,
                role=role,
                provider_pid=PROVIDER_PID,
                consumer_pid=CONSUMER_PID,
                counterparty=EXAMPLE_PEER,
                counterparty_address="https://example.com/callback",
                state=state,
                dataset_id=dataset,
                offer={"@id": "urn:uuid:seeded", "permission": [{"action": "use"}]},
                created_at=now,
                updated_at=now,
            )
        )


async def seed_transfer(party: Party, role: str, state: str) -> None:
    now = SystemClock().now()
    own = PROVIDER_PID if role == "provider" else CONSUMER_PID
    async with party.connector.store.begin() as tx:
        await tx.transfers.add(
            Transfer(
                id=own,
                role=role,
                provider_pid=PROVIDER_PID,
                consumer_pid=CONSUMER_PID,
                counterparty=EXAMPLE_PEER,
                counterparty_address="https://example.com/callback",
                state=state,
                agreement_id="urn:uuid:e8dc8655-44c2-46ef-b701-4cffdc2faa44",
                format="HttpData-PULL",
                data_token="t" if state == "STARTED" else None,
                data_endpoint="https://example.com/data" if state == "STARTED" else None,
                created_at=now,
                updated_at=now,
            )
        )


async def publish_example_dataset(party: Party) -> None:
    """The dataset and offers the official examples refer to, published by our provider."""
    created = await party.api.post(
        "/api/datasets", params={"title": "example", "filename": "x.csv", "id": DATASET}, content=SAMPLE_CSV.encode()
    )
    assert created.status_code == 201, created.text
    for offer_id, policy in [
        ("urn:uuid:2828282:3dd1add8-4d2d-569e-d634-8394a8836a89", {"permission": [{"action": "use"}]}),
        (
            "urn:uuid:d526561f-528e-4d5a-ae12-9a9dd9b7a815",
            {
                "permission": [
                    {
                        "action": "use",
                        "constraint": [
                            {"leftOperand": "dateTime", "operator": "lteq", "rightOperand": "2023-12-31T06:00Z"}
                        ],
                    }
                ]
            },
        ),
    ]:
        made = await party.api.post("/api/offers", json={"datasetId": DATASET, "policy": policy, "id": offer_id})
        assert made.status_code == 201, made.text


# ---- examples a provider receives ---------------------------------------------------------------
async def test_catalog_request_example_is_answered_with_a_conforming_catalog(space: Dataspace) -> None:
    supplier = space.parties["supplier"]
    await publish_example_dataset(supplier)
    response = await post(supplier, "/catalog/request", example("catalog/example/catalog-request-message.json"))
    assert response.status_code == 200, response.text
    assert problems(response.json()) == []
    assert [d["@id"] for d in response.json()["dataset"]] == [DATASET]
    one = await supplier.raw.get(f"/dsp/catalog/datasets/{DATASET}", headers=bearer(supplier.id))
    assert one.status_code == 200 and problems(one.json()) == []


async def test_initial_contract_request_example_creates_a_negotiation(space: Dataspace) -> None:
    supplier = space.parties["supplier"]
    await publish_example_dataset(supplier)
    response = await post(
        supplier, "/negotiations/request", example("negotiation/example/contract-request-message_initial.json")
    )
    assert response.status_code == 201, response.text
    assert problems(response.json()) == []
    assert response.json()["state"] == "REQUESTED"
    again = await supplier.raw.get(f"/dsp/negotiations/{response.json()['providerPid']}", headers=bearer(supplier.id))
    assert again.status_code == 200 and again.json() == response.json()


async def test_counter_request_example_is_accepted_in_offered_state(space: Dataspace) -> None:
    supplier = space.parties["supplier"]
    await publish_example_dataset(supplier)
    await seed_negotiation(supplier, "provider", "OFFERED")
    response = await post(
        supplier, f"/negotiations/{PROVIDER_PID}/request", example("negotiation/example/contract-request-message.json")
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "REQUESTED" and problems(response.json()) == []


async def test_accepted_event_example_is_accepted_in_offered_state(space: Dataspace) -> None:
    supplier = space.parties["supplier"]
    await seed_negotiation(supplier, "provider", "OFFERED")
    response = await post(
        supplier,
        f"/negotiations/{PROVIDER_PID}/events",
        example("negotiation/example/contract-negotiation-event-message.json"),
    )
    assert response.status_code == 200, response.text
    state = await supplier.raw.get(f"/dsp/negotiations/{PROVIDER_PID}", headers=bearer(supplier.id))
    assert state.json()["state"] == "ACCEPTED"


@pytest.mark.parametrize("role", ["provider", "consumer"])
async def test_termination_example_is_accepted_by_either_side(space: Dataspace, role: str) -> None:
    party = space.parties["supplier" if role == "provider" else "oem"]
    await seed_negotiation(party, role, "REQUESTED")
    own = PROVIDER_PID if role == "provider" else CONSUMER_PID
    body = example("negotiation/example/contract-negotiation-termination-message.json")
    response = await post(party, f"/negotiations/{own}/termination", body)
    assert response.status_code == 200, response.text
    async with party.connector.store.begin() as tx:
        stored = await tx.negotiations.get(own)
    assert stored is not None and stored.state == "TERMINATED" and stored.reason == "License model does not fit."


# ---- examples a consumer receives ---------------------------------------------------------------
async def test_initial_offer_example_creates_a_negotiation_at_the_consumer(space: Dataspace) -> None:
    oem = space.parties["oem"]
    response = await post(
        oem, "/negotiations/offers", example("negotiation/example/contract-offer-message_initial.json")
    )
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "OFFERED" and problems(response.json()) == []


async def test_counter_offer_example_is_accepted_in_requested_state(space: Dataspace) -> None:
    oem = space.parties["oem"]
    await seed_negotiation(oem, "consumer", "REQUESTED")
    response = await post(
        oem, f"/negotiations/{CONSUMER_PID}/offers", example("negotiation/example/contract-offer-message.json")
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "OFFERED"


async def test_transfer_start_example_starts_the_consumers_transfer(space: Dataspace) -> None:
    oem = space.parties["oem"]
    await seed_transfer(oem, "consumer", "REQUESTED")
    response = await post(
        oem, f"/transfers/{CONSUMER_PID}/start", example("transfer/example/transfer-start-message.json")
    )
    assert response.status_code == 200, response.text
    async with oem.connector.store.begin() as tx:
        stored = await tx.transfers.get(CONSUMER_PID)
    assert stored is not None and stored.state == "STARTED"
    assert (stored.data_endpoint, stored.data_token) == ("http://example.com", "TOKEN-ABCDEFG")


@pytest.mark.parametrize(
    ("name", "role", "after"),
    [
        ("transfer-completion-message", "consumer", "COMPLETED"),
        ("transfer-suspension-message", "consumer", "SUSPENDED"),
        ("transfer-termination-message", "consumer", "TERMINATED"),
        ("transfer-completion-message", "provider", "COMPLETED"),
        ("transfer-suspension-message", "provider", "SUSPENDED"),
        ("transfer-termination-message", "provider", "TERMINATED"),
    ],
)
async def test_transfer_change_examples_are_accepted_by_either_side(
    space: Dataspace, name: str, role: str, after: str
) -> None:
    party = space.parties["supplier" if role == "provider" else "oem"]
    await seed_transfer(party, role, "STARTED")
    own = PROVIDER_PID if role == "provider" else CONSUMER_PID
    suffix = name.removeprefix("transfer-").removesuffix("-message")
    response = await post(party, f"/transfers/{own}/{suffix}", example(f"transfer/example/{name}.json"))
    assert response.status_code == 200, response.text
    async with party.connector.store.begin() as tx:
        stored = await tx.transfers.get(own)
    assert stored is not None and stored.state == after


async def test_transfer_request_example_is_read_and_its_push_format_refused_clearly(space: Dataspace) -> None:
    """We implement pull; the example asks for a push format, which is refused with a TransferError."""
    body = example("transfer/example/transfer-request-message.json")
    assert (
        read(body, "TransferRequestMessage", ("consumerPid", "agreementId", "format"))["format"] == "example:HTTP_PUSH"
    )
    supplier = space.parties["supplier"]
    response = await post(supplier, "/transfers/request", body)
    assert response.status_code == 400
    assert response.json()["@type"] == "TransferError" and problems(response.json()) == []
    assert any("HttpData-PULL" in r or "not offered" in r for r in response.json()["reason"])


@pytest.mark.parametrize(
    ("name", "kind", "required"),
    [
        (
            "negotiation/example/contract-agreement-message.json",
            "ContractAgreementMessage",
            ("providerPid", "consumerPid"),
        ),
        (
            "negotiation/example/contract-agreement-message-full.json",
            "ContractAgreementMessage",
            ("providerPid", "consumerPid"),
        ),
        (
            "negotiation/example/contract-agreement-verification-message.json",
            "ContractAgreementVerificationMessage",
            ("providerPid", "consumerPid"),
        ),
        (
            "negotiation/example/contract-negotiation.json",
            "ContractNegotiation",
            ("providerPid", "consumerPid", "state"),
        ),
        (
            "negotiation/example/contract-negotiation-error.json",
            "ContractNegotiationError",
            ("providerPid", "consumerPid"),
        ),
        ("transfer/example/transfer-process.json", "TransferProcess", ("providerPid", "consumerPid", "state")),
        ("transfer/example/transfer-error.json", "TransferError", ("providerPid", "consumerPid")),
        ("catalog/example/dataset-request-message.json", "DatasetRequestMessage", ("dataset",)),
        ("catalog/example/catalog-error.json", "CatalogError", ()),
    ],
)
def test_examples_that_need_our_signature_profile_or_are_answers_are_read(
    name: str, kind: str, required: tuple[str, ...]
) -> None:
    """Agreement and verification messages reach an endpoint only with our profile's signatures (see the
    signature tests); answers and errors are what our client reads back."""
    assert read(example(name), kind, required)["@type"] == kind


async def test_agreement_example_without_our_signature_is_refused_with_a_reason(space: Dataspace) -> None:
    oem = space.parties["oem"]
    await seed_negotiation(oem, "consumer", "REQUESTED", dataset="urn:uuid:3dd1add4-4d2d-569e-d634-8394a8836d23")
    response = await post(
        oem, f"/negotiations/{CONSUMER_PID}/agreement", example("negotiation/example/contract-agreement-message.json")
    )
    assert response.status_code == 400
    assert response.json()["@type"] == "ContractNegotiationError" and problems(response.json()) == []


def test_our_version_document_and_the_example_follow_the_schema() -> None:
    assert problems(example("common/example/protocol-version.json"), "common/protocol-version-schema.json") == []


async def test_version_discovery_needs_no_token_and_conforms(space: Dataspace) -> None:
    response = await space.parties["supplier"].raw.get("/.well-known/dspace-version")
    assert response.status_code == 200
    assert problems(response.json(), "common/protocol-version-schema.json") == []
    assert response.json()["protocolVersions"][0]["version"] == "2025-1"


# ---- everything we send ---------------------------------------------------------------------------
async def test_every_message_and_answer_exchanged_in_a_full_run_conforms(space: Dataspace) -> None:
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id, fields=["lot_no", "result"]))
    await oem.api.post("/api/catalog", json={"peer": supplier.id})
    final = await negotiate(oem, supplier, dataset_id, offer_id)
    assert final["state"] == "FINALIZED"
    started = await oem.api.post("/api/transfers", json={"agreementId": final["agreementId"]})
    tid = started.json()["id"]
    await poll(oem.api, f"/api/transfers/{tid}", lambda t: t["ready"])
    await oem.api.post(f"/api/transfers/{tid}/suspend", json={"reason": "line stop"})
    await poll(oem.api, f"/api/transfers/{tid}", lambda t: t["state"] == "SUSPENDED")
    await oem.api.post(f"/api/transfers/{tid}/resume")
    await poll(oem.api, f"/api/transfers/{tid}", lambda t: t["state"] == "STARTED")
    await oem.api.post(f"/api/transfers/{tid}/complete")
    await poll(oem.api, f"/api/transfers/{tid}", lambda t: t["state"] == "COMPLETED")
    second = await oem.api.post("/api/transfers", json={"agreementId": final["agreementId"]})
    await poll(oem.api, f"/api/transfers/{second.json()['id']}", lambda t: t["ready"])
    await oem.api.post(f"/api/transfers/{second.json()['id']}/terminate", json={"reason": "not needed"})
    await poll(oem.api, f"/api/transfers/{second.json()['id']}", lambda t: t["state"] == "TERMINATED")
    denied = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id, purpose="recall"))
    await negotiate(oem, supplier, *denied, purpose="benchmarking")

    kinds = {body["@type"] for _, _, body in space.router.sent}
    assert {
        "CatalogRequestMessage",
        "ContractRequestMessage",
        "ContractAgreementMessage",
        "ContractAgreementVerificationMessage",
        "ContractNegotiationEventMessage",
        "ContractNegotiationTerminationMessage",
        "TransferRequestMessage",
        "TransferStartMessage",
        "TransferSuspensionMessage",
        "TransferCompletionMessage",
        "TransferTerminationMessage",
    } <= kinds
    for _, path, body in space.router.sent:
        assert problems(body) == [], (path, body)
    answers = [body for _, _, body in space.router.received]
    assert {"Catalog", "ContractNegotiation", "TransferProcess"} <= {a.get("@type") for a in answers}
    for path, _, body in space.router.received:
        assert problems(body) == [], (path, body)


# ---- malformed and foreign --------------------------------------------------------------------------
def initial_request() -> dict[str, Any]:
    return example("negotiation/example/contract-request-message_initial.json")


def _drop(key: str) -> Any:
    def change(body: dict[str, Any]) -> dict[str, Any]:
        body.pop(key)
        return body

    return change


def _set(key: str, value: Any) -> Any:
    def change(body: dict[str, Any]) -> dict[str, Any]:
        body[key] = value
        return body

    return change


def _rule_target(body: dict[str, Any]) -> dict[str, Any]:
    body["offer"]["permission"][0]["target"] = DATASET
    return body


def _unknown_offer(body: dict[str, Any]) -> dict[str, Any]:
    body["offer"]["@id"] = "urn:uuid:no-such-offer"
    return body


def _other_terms(body: dict[str, Any]) -> dict[str, Any]:
    body["offer"]["permission"][0]["constraint"] = [{"leftOperand": "count", "operator": "lteq", "rightOperand": "9"}]
    return body


@pytest.mark.parametrize(
    ("change", "position"),
    [
        (_drop("@context"), "@context"),
        (_set("@context", ["https://example.com/other-context"]), "@context"),
        (_drop("consumerPid"), "consumerPid"),
        (_set("@type", "ContractOfferMessage"), "@type"),
        (_drop("callbackAddress"), "callbackAddress"),
        (_set("callbackAddress", "http://10.0.0.1/steal"), "callbackAddress"),
        (_rule_target, "target"),
        (_unknown_offer, "offer.@id"),
        (_other_terms, "offer"),
    ],
    ids=[
        "no-context",
        "wrong-context",
        "no-consumerPid",
        "wrong-type",
        "no-callback",
        "foreign-callback",
        "rule-with-target",
        "unknown-offer",
        "changed-terms",
    ],
)
async def test_malformed_contract_requests_get_400_with_the_error_object(
    space: Dataspace, change: Any, position: str
) -> None:
    supplier = space.parties["supplier"]
    await publish_example_dataset(supplier)
    response = await post(supplier, "/negotiations/request", change(initial_request()))
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["@type"] == "ContractNegotiationError" and problems(body) == []
    assert any(position in reason for reason in body["reason"]), body


async def test_a_body_that_is_not_json_gets_400(space: Dataspace) -> None:
    supplier = space.parties["supplier"]
    response = await supplier.raw.post(
        "/dsp/transfers/request",
        content=b"{not json",
        headers={**bearer(supplier.id), "content-type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["@type"] == "TransferError"


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("GET", "/negotiations/urn:uuid:unknown", None),
        ("POST", "/negotiations/urn:uuid:unknown/events", "contract-negotiation-event-message"),
        ("POST", "/negotiations/urn:uuid:unknown/agreement/verification", "contract-agreement-verification-message"),
        ("POST", "/negotiations/urn:uuid:unknown/termination", "contract-negotiation-termination-message"),
        ("GET", "/transfers/urn:uuid:unknown", None),
        ("POST", "/transfers/urn:uuid:unknown/completion", "transfer-completion-message"),
        ("POST", "/transfers/urn:uuid:unknown/start", "transfer-start-message"),
    ],
)
async def test_unknown_process_ids_get_404(space: Dataspace, method: str, path: str, kind: str | None) -> None:
    supplier = space.parties["supplier"]
    folder = "negotiation" if "negotiations" in path else "transfer"
    body = example(f"{folder}/example/{kind}.json") if kind else None
    response = await supplier.raw.request(
        method, f"/dsp{path}", json=body if method == "POST" else None, headers=bearer(supplier.id)
    )
    assert response.status_code == 404, response.text
    assert problems(response.json()) == []


async def test_another_participants_process_answers_exactly_like_an_unknown_one(space: Dataspace) -> None:
    """Whether a process exists for someone else must not leak: same status, same body."""
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))
    final = await negotiate(oem, supplier, dataset_id, offer_id)
    theirs = await supplier.raw.get(f"/dsp/negotiations/{final['providerPid']}", headers=bearer(supplier.id))
    unknown = await supplier.raw.get("/dsp/negotiations/urn:uuid:nothing", headers=bearer(supplier.id))
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json()


async def test_version_and_catalog_auth_errors_use_protocol_error_objects(space: Dataspace) -> None:
    supplier = space.parties["supplier"]
    response = await supplier.raw.post(
        "/dsp/catalog/request", json=example("catalog/example/catalog-request-message.json")
    )
    assert response.status_code == 401
    assert response.json()["@type"] == "CatalogError" and problems(response.json()) == []


async def test_catalog_pages_are_linked(space: Dataspace, monkeypatch: pytest.MonkeyPatch) -> None:
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    monkeypatch.setattr(supplier.connector.settings, "catalog_page_size", 2)
    for _ in range(5):  # offers for everyone: the example peer and the oem both see all five
        await publish(supplier, SAMPLE_CSV, {"permission": [{"action": "use"}]})
    first = await post(supplier, "/catalog/request", example("catalog/example/catalog-request-message.json"))
    assert len(first.json()["dataset"]) == 2 and 'rel="next"' in first.headers["link"]
    merged = await oem.api.post("/api/catalog", json={"peer": supplier.id})
    assert len(merged.json()["dataset"]) == 5
    assert len({d["@id"] for d in merged.json()["dataset"]}) == 5


def test_token_lifetime_is_capped_at_five_minutes() -> None:
    token = tokens.issue(EXAMPLE_KEY, EXAMPLE_PEER, "x", SystemClock().now(), lifetime=timedelta(hours=1))
    import jwt

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 300


async def test_a_new_offer_shows_in_the_next_catalog_answer(space: Dataspace) -> None:
    supplier = space.parties["supplier"]
    request = example("catalog/example/catalog-request-message.json")
    first_dataset, _ = await publish(supplier, SAMPLE_CSV, offer_policy(EXAMPLE_PEER))
    before = await post(supplier, "/catalog/request", request)
    again = await post(supplier, "/catalog/request", request)
    assert before.content == again.content
    second_dataset, second_offer = await publish(supplier, SAMPLE_CSV, offer_policy(EXAMPLE_PEER))
    after = (await post(supplier, "/catalog/request", request)).json()
    assert [d["@id"] for d in after["dataset"]] == [first_dataset, second_dataset]
    extra = await supplier.api.post(
        "/api/offers", json={"datasetId": first_dataset, "policy": offer_policy(EXAMPLE_PEER, purpose="recall")}
    )
    latest = (await post(supplier, "/catalog/request", request)).json()
    assert len(latest["dataset"][0]["hasPolicy"]) == 2
    assert extra.json()["id"] in [o["@id"] for o in latest["dataset"][0]["hasPolicy"]]
    assert second_offer in [o["@id"] for o in latest["dataset"][1]["hasPolicy"]]
